import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Workbook } from '../../src/model/index.js';
import { sealBlob } from '../../src/protocol/blob.js';
import { newSealedWorkbookKeys, sealedKeysFor } from '../../src/protocol/sealed-keys.js';
import {
  BLOB_CHANGES,
  DOC_JOURNAL,
  DOC_WORKBOOK,
  ENVELOPE_BLOBS,
  ENVELOPE_META,
  ENVELOPE_VERSION,
  type SealedKeys,
} from '../../src/protocol/sealed.js';
import { SealedBridge, countChanges, type SealedProblem } from '../../src/sync/sealed/bridge.js';
import { restoreTo } from '../../src/model/restore-to.js';
import { observable } from '../support/peers.js';
import { prng } from '../support/prng.js';

function workbookKeys(): { edit: SealedKeys; view: SealedKeys } {
  const k = newSealedWorkbookKeys();
  return { edit: sealedKeysFor(k.id, k.edit)!, view: sealedKeysFor(k.id, k.view)! };
}

/** setTimeout stand-in: callbacks run only when the test says time has passed. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  return {
    setTimer: (fn: () => void) => {
      pending.set(++next, fn);
      return next;
    },
    clearTimer: (h: unknown) => void pending.delete(h as number),
    get size() {
      return pending.size;
    },
    run() {
      const fns = [...pending.values()];
      pending.clear();
      for (const f of fns) f();
    },
  };
}

interface Device {
  name: string;
  envelope: Y.Doc;
  doc: Y.Doc;
  wb: Workbook;
  bridge: SealedBridge;
  timers: ReturnType<typeof manualTimers>;
  problems: SealedProblem[];
}

function device(name: string, keys: SealedKeys, options: { envelope?: Uint8Array; maxBatchBytes?: number } = {}): Device {
  const envelope = new Y.Doc();
  if (options.envelope) Y.applyUpdate(envelope, options.envelope);
  const doc = new Y.Doc();
  const timers = manualTimers();
  const problems: SealedProblem[] = [];
  const bridge = new SealedBridge({
    onProblem: (p) => problems.push(p),
    envelope,
    doc,
    keys,
    docTag: DOC_WORKBOOK,
    deviceId: `${name}-dev`,
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
    maxBatchBytes: options.maxBatchBytes,
  });
  const wb = new Workbook(doc, { actor: { name, deviceId: `${name}-dev` } });
  return { name, envelope, doc, wb, bridge, timers, problems };
}

const wire = {};
/** Joins two envelopes as a hub would: every envelope update of one is applied to the other. Returns a cut. */
function link(a: Device, b: Device): () => void {
  sync(a, b);
  const ab = (u: Uint8Array, origin: unknown) => origin !== wire && Y.applyUpdate(b.envelope, u, wire);
  const ba = (u: Uint8Array, origin: unknown) => origin !== wire && Y.applyUpdate(a.envelope, u, wire);
  a.envelope.on('update', ab);
  b.envelope.on('update', ba);
  return () => {
    a.envelope.off('update', ab);
    b.envelope.off('update', ba);
  };
}

function sync(a: Device, b: Device): void {
  Y.applyUpdate(b.envelope, Y.encodeStateAsUpdate(a.envelope, Y.encodeStateVector(b.envelope)), wire);
  Y.applyUpdate(a.envelope, Y.encodeStateAsUpdate(b.envelope, Y.encodeStateVector(a.envelope)), wire);
}

function blobsOf(d: Device): Uint8Array[] {
  return d.envelope.getArray<Uint8Array>(ENVELOPE_BLOBS).toArray();
}

function start(d: Device): { sheet: string; rows: string[]; cols: string[] } {
  const sheet = d.wb.initialize({ title: 'Food bank', columns: 3, rows: 4 });
  d.bridge.flush();
  return { sheet, rows: d.wb.rowIds(sheet), cols: d.wb.columns(sheet).map((c) => c.id) };
}

/** A doc's content, comparable between docs that did or did not touch a root type yet. */
function content(doc: Y.Doc): Record<string, unknown> {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const out: Record<string, unknown> = {};
  for (const name of [...copy.share.keys()].sort()) out[name] = copy.getMap(name).toJSON();
  return out;
}

function contains(haystack: Uint8Array, needle: string): boolean {
  const n = new TextEncoder().encode(needle);
  outer: for (let i = 0; i + n.length <= haystack.length; i++) {
    for (let j = 0; j < n.length; j++) if (haystack[i + j] !== n[j]) continue outer;
    return true;
  }
  return false;
}

describe('SealedBridge', () => {
  it('a signed blob that replaces a sheet with a value that decodes (100 deep): the sheet reads as absent, never a crash, and "Restore to" a moment before brings it back for everyone', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    const { sheet, rows, cols } = start(a);
    a.wb.setCell(sheet, rows[0], cols[0], 'Insulin pickup');
    const other = a.wb.addSheet('Shifts');
    a.bridge.flush();
    const moment = Date.now();
    const expected = observable(a.wb);
    // What the hub's retained log rebuilds for that moment.
    const envelopeThen = Y.encodeStateAsUpdate(a.envelope);
    const vandal = device('Vandal', keys.edit, { envelope: envelopeThen });
    let v: unknown = 'x';
    for (let i = 0; i < 100; i++) v = [v];
    vandal.doc.transact(() => vandal.doc.getMap('sheets').set(sheet, v));
    vandal.bridge.flush();

    const fresh = device('Rosa', keys.edit, { envelope: Y.encodeStateAsUpdate(vandal.envelope) });
    expect(fresh.bridge.failures).toEqual([]);
    expect(() => observable(fresh.wb)).not.toThrow();
    expect(fresh.wb.sheets().map((s) => s.id)).toEqual([other]);
    const then = device('then', keys.view, { envelope: envelopeThen });
    restoreTo(then.wb, fresh.wb, { at: moment });
    fresh.bridge.flush();
    expect(observable(fresh.wb)).toEqual(expected);
    const later = device('Ben', keys.view, { envelope: Y.encodeStateAsUpdate(fresh.envelope) });
    expect(observable(later.wb)).toEqual(expected);
  });

  it('a signed blob from a hostile editor that replaces a sheet with a value nested 5,000 deep is refused on every device that opens it (named, reported); the workbook reads whole', () => {
    // The hub cannot look inside a sealed blob (a plain workbook's hub refuses such a value, hostile.test.ts):
    // devices must. A browser applying it would overflow its stack; here it must not even start.
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    const { sheet, rows, cols } = start(a);
    a.wb.setCell(sheet, rows[0], cols[0], 'Insulin pickup');
    a.wb.addSheet('Shifts');
    a.bridge.flush();
    const expected = observable(a.wb);

    const vandal = device('Vandal', keys.edit, { envelope: Y.encodeStateAsUpdate(a.envelope) });
    let v: unknown = 'x';
    for (let i = 0; i < 5000; i++) v = [v];
    vandal.doc.transact(() => vandal.doc.getMap('sheets').set(sheet, v));
    vandal.bridge.flush();
    const hostile = blobsOf(vandal).at(-1)!;

    for (const opened of [device('Rosa', keys.edit, { envelope: Y.encodeStateAsUpdate(vandal.envelope) }), device('Ben', keys.view, { envelope: Y.encodeStateAsUpdate(vandal.envelope) })]) {
      expect(opened.bridge.failures.map((f) => f.failure)).toEqual(['body']);
      expect(opened.problems.map((p) => p.kind)).toEqual(['bad-blob']);
      expect(observable(opened.wb)).toEqual(expected);
    }
    // Arriving live on an open device: refused the same way, nothing changes on screen.
    a.envelope.getArray<Uint8Array>(ENVELOPE_BLOBS).push([hostile]);
    expect(a.bridge.failures.map((f) => f.failure)).toEqual(['body']);
    expect(observable(a.wb)).toEqual(expected);
  });

  it('edits flow both ways through sealed blobs, batched per batchMs, and the envelope holds no plaintext', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    const b = device('Ben', keys.edit);
    link(a, b);
    const { sheet, rows, cols } = start(a);
    expect(blobsOf(a)).toHaveLength(1);
    expect(b.wb.title()).toBe('Food bank');

    a.wb.setCell(sheet, rows[0], cols[0], 'Canary-Rice-4417');
    a.wb.setCell(sheet, rows[1], cols[0], 'Canary-Water');
    expect(a.bridge.unsealed).toBeGreaterThan(0);
    expect(b.wb.getValue(sheet, rows[0], cols[0])).toBeNull();
    expect(a.timers.size).toBe(1);
    a.timers.run();
    expect(a.bridge.unsealed).toBe(0);
    expect(blobsOf(a)).toHaveLength(2); // two edits, one blob
    expect(b.wb.getValue(sheet, rows[0], cols[0])).toBe('Canary-Rice-4417');
    expect(b.wb.getValue(sheet, rows[1], cols[0])).toBe('Canary-Water');

    b.wb.setCell(sheet, rows[2], cols[1], 'Canary-from-Ben');
    b.timers.run();
    expect(a.wb.getValue(sheet, rows[2], cols[1])).toBe('Canary-from-Ben');
    expect(blobsOf(b)).toHaveLength(3);
    expect(Y.encodeStateAsUpdate(a.doc)).toEqual(Y.encodeStateAsUpdate(b.doc));
    expect(a.envelope.getMap(ENVELOPE_META).get('v')).toBe(ENVELOPE_VERSION);

    const stored = Y.encodeStateAsUpdate(a.envelope);
    for (const canary of ['Canary', 'Food bank', 'Ana', 'Ben-dev']) expect(contains(stored, canary), canary).toBe(false);
    expect(a.bridge.stats).toMatchObject({ pushed: 2, applied: 1, failed: 0 });
    expect(b.bridge.stats).toMatchObject({ pushed: 1, applied: 2, failed: 0 });
    expect(a.problems).toEqual([]);
    expect(b.problems).toEqual([]);
  });

  it('seals early past maxBatchBytes, and destroy() seals what is left and stops listening', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit, { maxBatchBytes: 2000 });
    const { sheet, rows, cols } = start(a);
    a.wb.setCell(sheet, rows[0], cols[0], 'x'.repeat(3000));
    expect(blobsOf(a)).toHaveLength(2); // no timer needed
    a.wb.setCell(sheet, rows[1], cols[0], 'small');
    expect(blobsOf(a)).toHaveLength(2);
    a.bridge.destroy();
    expect(blobsOf(a)).toHaveLength(3);
    a.wb.setCell(sheet, rows[2], cols[0], 'after destroy');
    a.timers.run();
    expect(blobsOf(a)).toHaveLength(3);
    const fresh = device('Cy', keys.view, { envelope: Y.encodeStateAsUpdate(a.envelope) });
    expect(fresh.wb.getValue(sheet, rows[0], cols[0])).toBe('x'.repeat(3000));
    expect(fresh.wb.getValue(sheet, rows[1], cols[0])).toBe('small');
  });

  it('a view-key bridge applies blobs but never pushes: local edits are refused and reported', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    const v = device('Vic', keys.view);
    link(a, v);
    const { sheet, rows, cols } = start(a);
    a.wb.setCell(sheet, rows[0], cols[0], 'from the editor');
    a.bridge.flush();
    expect(v.wb.getValue(sheet, rows[0], cols[0])).toBe('from the editor');
    const before = Y.encodeStateAsUpdate(v.envelope);

    // A Workbook not opened read-only is the programming error this guards against.
    v.wb.setCell(sheet, rows[1], cols[0], 'view link writing');
    expect(v.timers.size).toBe(0);
    expect(v.bridge.flush()).toBe(false);
    expect(v.bridge.compact()).toBeNull();
    expect(v.bridge.shouldCompact()).toBe(false);
    expect(v.bridge.unsealed).toBe(0);
    expect(Y.encodeStateAsUpdate(v.envelope)).toEqual(before);
    expect(a.wb.getValue(sheet, rows[1], cols[0])).toBeNull();
    expect(v.bridge.stats.refusedUpdates).toBe(1);
    expect(v.bridge.stats.refusedChanges).toBeGreaterThan(0);
    expect(v.problems).toEqual([{ kind: 'refused', changes: v.bridge.stats.refusedChanges }]);
    expect(v.bridge.stats.pushed).toBe(0);
  });

  it('a blob that does not open is reported with its item id, never applied, and the rest still loads', () => {
    const keys = workbookKeys();
    const other = workbookKeys();
    const a = device('Ana', keys.edit);
    const { sheet, rows, cols } = start(a);
    a.wb.setCell(sheet, rows[0], cols[0], 'good');
    a.bridge.flush();
    // Ben's edit, sealed, then tampered with on the way: Ben's doc is another Yjs client, so
    // nothing of Ana's depends on it.
    const b = device('Ben', keys.edit, { envelope: Y.encodeStateAsUpdate(a.envelope) });
    b.wb.setCell(sheet, rows[1], cols[0], 'tampered away');
    b.bridge.flush();
    const bens = blobsOf(b)[2];
    const flipped = bens.slice();
    flipped[40] ^= 1;

    const hub = new Y.Doc();
    Y.applyUpdate(hub, Y.encodeStateAsUpdate(a.envelope));
    const arr = hub.getArray<unknown>(ENVELOPE_BLOBS);
    const body = { deviceId: 'Ben-dev', stream: 's', seq: 1, changes: 1, covers: [], update: new Uint8Array([200, 200, 200]) };
    const item = (i: number) => {
      let n = 0;
      for (let it = arr._start; it; it = it.right) if (!it.deleted && n++ === i) return { client: it.id.client, clock: it.id.clock };
      throw new Error('no item');
    };
    arr.insert(1, [flipped]); // signature
    arr.push([sealBlob(other.edit, { kind: BLOB_CHANGES, doc: DOC_WORKBOOK, epoch: 1 }, { ...body, update: Y.encodeStateAsUpdate(b.doc) })]); // another workbook's
    arr.push([sealBlob(keys.edit, { kind: BLOB_CHANGES, doc: DOC_JOURNAL, epoch: 1 }, { ...body, update: Y.encodeStateAsUpdate(b.doc) })]); // the journal's
    arr.push([sealBlob(keys.edit, { kind: BLOB_CHANGES, doc: DOC_WORKBOOK, epoch: 1 }, body)]); // signed, but not a Yjs update
    arr.push(['plain text, not a blob']);
    arr.push([new Uint8Array(10)]);
    const ids = [1, 3, 4, 5, 6, 7].map(item);

    const c = device('Cy', keys.view, { envelope: Y.encodeStateAsUpdate(hub) });
    expect(c.wb.title()).toBe('Food bank');
    expect(c.wb.getValue(sheet, rows[0], cols[0])).toBe('good');
    expect(c.wb.getValue(sheet, rows[1], cols[0])).toBeNull();
    const failures = c.bridge.failures.map((f) => [f.failure, f.item]);
    expect(failures).toEqual([
      ['signature', ids[0]],
      ['signature', ids[1]],
      ['malformed', ids[2]],
      ['body', ids[3]],
      ['malformed', ids[4]],
      ['malformed', ids[5]],
    ]);
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]).toMatchObject({ kind: 'bad-blob' });
    expect(c.bridge.stats).toMatchObject({ applied: 2, failed: 6 });
    expect(c.bridge.gaps()).toEqual([]);

    // Arriving later, live: reported the same way, and the bridge keeps working.
    const d = device('Dee', keys.edit, { envelope: Y.encodeStateAsUpdate(a.envelope) });
    d.envelope.getArray(ENVELOPE_BLOBS).push([flipped]);
    expect(d.bridge.failures.map((f) => f.failure)).toEqual(['signature']);
    d.envelope.getArray(ENVELOPE_BLOBS).push([bens]);
    expect(d.wb.getValue(sheet, rows[1], cols[0])).toBe('tampered away');
    // Compaction keeps the evidence: failed blobs are not deleted.
    d.bridge.compact();
    const left = blobsOf(d);
    expect(left).toHaveLength(2);
    expect(left[0]).toEqual(flipped);
  });

  it('a withheld blob shows as a gap until a full state covering it arrives', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    const { sheet, rows, cols } = start(a); // seq 1
    for (let i = 0; i < 3; i++) {
      a.wb.setCell(sheet, rows[i], cols[0], `edit ${i}`); // seqs 2, 3, 4
      a.bridge.flush();
    }
    const [s1, s2, s3, s4] = blobsOf(a);
    const c = device('Cy', keys.view);
    const changes: number[] = [];
    c.bridge.onChange(() => changes.push(c.bridge.gaps().length));
    const arr = c.envelope.getArray<Uint8Array>(ENVELOPE_BLOBS);
    arr.push([s1, s2, s4]); // s3 withheld
    expect(c.bridge.gaps()).toEqual([{ deviceId: 'Ana-dev', stream: a.bridge.stream, missing: 1 }]);
    expect(changes).toEqual([1]);
    // s4 follows s3 in Ana's doc: Yjs holds it back, so neither shows
    expect(c.wb.getValue(sheet, rows[1], cols[0])).toBeNull();
    expect(c.wb.getValue(sheet, rows[2], cols[0])).toBeNull();

    a.bridge.compact(); // seq 5, covers Ana's stream up to 4
    const full = blobsOf(a);
    expect(full).toHaveLength(1);
    arr.push(full);
    expect(c.bridge.gaps()).toEqual([]);
    expect(changes).toEqual([1, 0]);
    expect(content(c.doc)).toEqual(content(a.doc));
    expect(c.wb.getValue(sheet, rows[2], cols[0])).toBe('edit 2');
    // the withheld blob turning up late is a duplicate, not an error (s4, held past the gap, was
    // covered by the full state: a duplicate too, never applied by halves)
    arr.push([s3]);
    expect(c.bridge.stats).toMatchObject({ duplicates: 2, failed: 0 });
    expect(c.problems).toEqual([]);
  });

  it('a blob past a withheld one waits instead of half-applying: a cell it overwrites keeps its old value until the missing blob arrives, then both apply in order', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    const { sheet, rows, cols } = start(a); // seq 1
    a.wb.setCell(sheet, rows[0], cols[0], 'first');
    a.bridge.flush(); // seq 2
    a.wb.setCell(sheet, rows[1], cols[0], 'withheld');
    a.bridge.flush(); // seq 3
    a.wb.setCell(sheet, rows[0], cols[0], 'second');
    a.bridge.flush(); // seq 4
    const [s1, s2, s3, s4] = blobsOf(a);
    const c = device('Cy', keys.view);
    const arr = c.envelope.getArray<Uint8Array>(ENVELOPE_BLOBS);
    arr.push([s1, s2, s4]);
    // Yjs would take s4's delete of 'first' at once and keep 'second' waiting for s3: an empty cell
    expect(c.wb.getValue(sheet, rows[0], cols[0])).toBe('first');
    expect(c.bridge.gaps()).toEqual([{ deviceId: 'Ana-dev', stream: a.bridge.stream, missing: 1 }]);
    arr.push([s3]);
    expect(c.wb.getValue(sheet, rows[0], cols[0])).toBe('second');
    expect(c.wb.getValue(sheet, rows[1], cols[0])).toBe('withheld');
    expect(c.bridge.gaps()).toEqual([]);
    expect(content(c.doc)).toEqual(content(a.doc));
    expect(c.bridge.stats).toMatchObject({ failed: 0 });
  });

  it('a replayed blob is skipped and counted, not an error', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    start(a);
    const b = device('Ben', keys.view, { envelope: Y.encodeStateAsUpdate(a.envelope) });
    const applied = b.bridge.stats.applied;
    b.envelope.getArray(ENVELOPE_BLOBS).push([blobsOf(a)[0], blobsOf(a)[0]]);
    expect(b.bridge.stats).toMatchObject({ applied, duplicates: 2, failed: 0 });
    expect(b.problems).toEqual([]);
  });

  it('opening a big envelope hands the workbook doc’s update listeners the opened bytes, blob by blob, not a fresh encode of everything', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    const sheet = a.wb.initialize({ title: 'Big', columns: 3, rows: 4_000 });
    a.bridge.flush();
    const rows = a.wb.rowIds(sheet);
    const cols = a.wb.columns(sheet).map((c) => c.id);
    for (const half of [rows.slice(0, 2_000), rows.slice(2_000)]) {
      a.wb.setCells(sheet, half.flatMap((rowId, r) => cols.map((colId) => ({ rowId, colId, value: `row ${r} ${colId}` }))));
      a.bridge.flush();
    }
    const envelope = new Y.Doc();
    Y.applyUpdate(envelope, Y.encodeStateAsUpdate(a.envelope));
    expect(Y.encodeStateAsUpdate(envelope).length).toBeGreaterThan(64 * 1024);
    const doc = new Y.Doc();
    const heard: [Uint8Array, unknown][] = [];
    doc.on('update', (u: Uint8Array, origin: unknown) => heard.push([u, origin]));
    const timers = manualTimers();
    const bridge = new SealedBridge({ envelope, doc, keys: keys.view, docTag: DOC_WORKBOOK, deviceId: 'cy-dev', setTimer: timers.setTimer, clearTimer: timers.clearTimer });
    expect(bridge.stats.applied).toBe(blobsOf(a).length);
    expect(bridge.stats.applied).toBeGreaterThanOrEqual(3);
    // one per blob opened: had Yjs encoded the take's transaction there would be one in all
    expect(heard).toHaveLength(bridge.stats.applied);
    expect(heard.every(([, origin]) => origin === bridge.origin)).toBe(true);
    const copy = new Y.Doc();
    for (const [u] of heard) Y.applyUpdate(copy, u);
    expect(content(copy)).toEqual(content(a.doc));
    expect(content(doc)).toEqual(content(a.doc));
  });

  it('compaction shrinks the envelope, and a fresh device opening it sees the same workbook', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    const b = device('Ben', keys.edit);
    link(a, b);
    const { sheet, rows, cols } = start(a);
    for (let i = 0; i < 60; i++) {
      const who = i % 2 ? a : b;
      who.wb.setCell(sheet, rows[i % rows.length], cols[i % cols.length], `value ${i}`);
      if (i % 7 === 0) who.wb.insertRows(sheet, 0, 1);
      who.bridge.flush();
    }
    const before = { blobs: blobsOf(a).length, bytes: Y.encodeStateAsUpdate(a.envelope).length };
    expect(before.blobs).toBe(61);
    expect(b.bridge.shouldCompact()).toBe(false);
    const result = b.bridge.compact()!;
    expect(result.deleted).toBe(61);
    expect(result.covers.map((c) => c[1]).sort()).toEqual([31, 30].sort()); // Ana: 1 + 30, Ben: 30
    const after = { blobs: blobsOf(a).length, bytes: Y.encodeStateAsUpdate(a.envelope).length };
    expect(after.blobs).toBe(1);
    expect(after.bytes).toBeLessThan(before.bytes / 3);
    expect(a.problems).toEqual([]);
    expect(b.problems).toEqual([]);

    const fresh = device('Cy', keys.view, { envelope: Y.encodeStateAsUpdate(a.envelope) });
    expect(content(fresh.doc)).toEqual(content(a.doc));
    expect(fresh.bridge.gaps()).toEqual([]);
    expect(fresh.bridge.stats.applied).toBe(1);
    // and everyone keeps editing on top of it
    a.wb.setCell(sheet, rows[0], cols[0], 'after compaction');
    a.bridge.flush();
    expect(b.wb.getValue(sheet, rows[0], cols[0])).toBe('after compaction');
  });

  it('concurrent compactions on two devices are harmless, and the next one folds both', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    const b = device('Ben', keys.edit);
    let cut = link(a, b);
    const { sheet, rows, cols } = start(a);
    for (let i = 0; i < 10; i++) {
      (i % 2 ? a : b).wb.setCell(sheet, rows[i % 4], cols[0], `v${i}`);
      (i % 2 ? a : b).bridge.flush();
    }
    cut();
    a.wb.setCell(sheet, rows[0], cols[1], 'Ana offline');
    b.wb.setCell(sheet, rows[1], cols[1], 'Ben offline');
    a.bridge.compact();
    b.bridge.compact();
    expect(blobsOf(a)).toHaveLength(1);
    expect(blobsOf(b)).toHaveLength(1);
    cut = link(a, b);
    expect(blobsOf(a)).toHaveLength(2);
    expect(content(a.doc)).toEqual(content(b.doc));
    expect(a.wb.getValue(sheet, rows[1], cols[1])).toBe('Ben offline');
    expect(b.wb.getValue(sheet, rows[0], cols[1])).toBe('Ana offline');
    expect([...a.problems, ...b.problems]).toEqual([]);
    a.bridge.compact();
    expect(blobsOf(b)).toHaveLength(1);
    const fresh = device('Cy', keys.view, { envelope: Y.encodeStateAsUpdate(b.envelope) });
    expect(content(fresh.doc)).toEqual(content(b.doc));
    expect([...a.problems, ...b.problems]).toEqual([]);
  });

  it('blobs deleted from the envelope with nothing covering them are pushed again, byte for byte', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    const v = device('Vic', keys.view);
    const cut = link(a, v);
    const { sheet, rows, cols } = start(a);
    a.wb.setCell(sheet, rows[0], cols[0], 'keep me');
    a.bridge.flush();
    const original = blobsOf(a);
    cut(); // each device hears the hub on its own connection

    // The hub deletes both blobs: an update that only deletes, arriving from the wire.
    const hub = new Y.Doc();
    Y.applyUpdate(hub, Y.encodeStateAsUpdate(a.envelope));
    let deletion: Uint8Array | null = null;
    hub.on('update', (u: Uint8Array) => (deletion = u));
    hub.getArray(ENVELOPE_BLOBS).delete(0, 2);
    Y.applyUpdate(v.envelope, deletion!, 'hub');
    expect(v.problems).toEqual([{ kind: 'blob-deleted', blobs: 2, repushed: 0 }]);
    expect(blobsOf(v)).toEqual([]);
    expect(v.wb.getValue(sheet, rows[0], cols[0])).toBe('keep me'); // applied before: stays in memory
    Y.applyUpdate(a.envelope, deletion!, 'hub');
    expect(a.problems).toEqual([{ kind: 'blob-deleted', blobs: 2, repushed: 2 }]);
    expect(blobsOf(a)).toEqual(original);
    link(a, v);
    expect(blobsOf(v)).toEqual(original);
    expect(v.problems).toHaveLength(1);
    expect(a.bridge.stats.repushed).toBe(2);
    const fresh = device('Cy', keys.view, { envelope: Y.encodeStateAsUpdate(a.envelope) });
    expect(fresh.wb.getValue(sheet, rows[0], cols[0])).toBe('keep me');
    expect(fresh.problems).toEqual([]);
  });

  it('a deletion whose covering full state is still on its way (Yjs pending) waits instead of re-pushing', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    const b = device('Ben', keys.edit);
    const c = device('Cy', keys.edit);
    const { sheet, rows, cols } = start(a);
    sync(a, b);
    sync(a, c);
    b.wb.setCell(sheet, rows[0], cols[0], 'from Ben');
    b.bridge.flush();
    sync(a, b); // Ana has Ben's blob; Cy does not yet
    const bensUpdate = Y.encodeStateAsUpdate(b.envelope, Y.encodeStateVector(c.envelope));
    let compaction: Uint8Array | null = null;
    a.envelope.once('update', (u: Uint8Array) => (compaction = u));
    a.bridge.compact(); // its full state sits after Ben's blob
    Y.applyUpdate(c.envelope, compaction!, 'hub');
    expect(c.envelope.store.pendingStructs).not.toBeNull();
    expect(c.problems).toEqual([]);
    expect(blobsOf(c)).toHaveLength(0);
    Y.applyUpdate(c.envelope, bensUpdate, 'hub');
    expect(c.envelope.store.pendingStructs).toBeNull();
    expect(blobsOf(c)).toHaveLength(1);
    expect(c.problems).toEqual([]);
    expect(c.bridge.stats.repushed).toBe(0);
    expect(content(c.doc)).toEqual(content(a.doc));
    expect(c.wb.getValue(sheet, rows[0], cols[0])).toBe('from Ben');
  });

  it('counts own changes not yet on the hub: unsealed, then sealed until the hub acks the envelope item', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    const { sheet, rows, cols } = start(a);
    const acked = new Map<number, number>();
    const ackedClock = (client: number) => acked.get(client) ?? 0;
    const initial = a.bridge.ownPendingChanges(ackedClock);
    expect(initial).toBeGreaterThan(0);
    const ack = () => acked.set(a.envelope.clientID, Y.getState(a.envelope.store, a.envelope.clientID));
    ack();
    expect(a.bridge.ownPendingChanges(ackedClock)).toBe(0);
    a.wb.setCell(sheet, rows[0], cols[0], 'one');
    a.wb.setCell(sheet, rows[1], cols[0], 'two');
    const unsealed = a.bridge.unsealed;
    expect(unsealed).toBeGreaterThanOrEqual(2);
    expect(a.bridge.ownPendingChanges(ackedClock)).toBe(unsealed);
    a.bridge.flush();
    expect(a.bridge.unsealed).toBe(0);
    expect(a.bridge.ownPendingChanges(ackedClock)).toBe(unsealed);
    ack();
    expect(a.bridge.ownPendingChanges(ackedClock)).toBe(0);
    // a full state carries the unacknowledged changes of the blobs it replaced, and no others
    a.wb.setCell(sheet, rows[2], cols[0], 'three');
    a.bridge.flush();
    const three = a.bridge.ownPendingChanges(ackedClock);
    a.bridge.compact();
    expect(a.bridge.ownPendingChanges(ackedClock)).toBe(three);
    ack();
    expect(a.bridge.ownPendingChanges(ackedClock)).toBe(0);
    // a reloaded page (new bridge, new stream, same device) still counts its queued blobs
    a.wb.setCell(sheet, rows[3], cols[0], 'queued offline');
    a.bridge.flush();
    const queued = a.bridge.ownPendingChanges(ackedClock);
    expect(queued).toBeGreaterThan(0);
    const reloaded = device('Ana', keys.edit, { envelope: Y.encodeStateAsUpdate(a.envelope) });
    expect(reloaded.bridge.ownPendingChanges(ackedClock)).toBe(queued);
  });

  it('countChanges counts Yjs clock units, and a delete-only update as 1', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    doc.getMap('m').set('a', 1);
    doc.getArray('l').push([1, 2, 3]);
    doc.getArray('l').delete(0, 1);
    expect(updates.map(countChanges)).toEqual([1, 3, 1]);
    expect(countChanges(Y.mergeUpdates(updates.slice(0, 2)))).toBe(4);
    expect(countChanges(new Uint8Array([9, 9, 9]))).toBe(0);
  });

  it('shouldCompact: past 256 blobs, or past twice the full state plus 1 MiB; false again once compacted', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    const { sheet, rows, cols } = start(a);
    for (let i = 0; i < 255; i++) {
      a.wb.setCell(sheet, rows[i % 4], cols[0], `v${i}`);
      a.bridge.flush();
    }
    expect(blobsOf(a)).toHaveLength(256);
    expect(a.bridge.shouldCompact()).toBe(false);
    a.wb.setCell(sheet, rows[0], cols[1], 'one more');
    a.bridge.flush();
    expect(a.bridge.shouldCompact()).toBe(true);
    expect(a.bridge.compact()!.deleted).toBe(257);
    expect(a.bridge.shouldCompact()).toBe(false);

    // ~1.8 MB of text that does not compress much, in one edit (a cell holds up to 50,000 characters)
    const r = prng(7);
    const noise = () => {
      let t = '';
      for (let i = 0; i < 45_000; i++) t += String.fromCharCode(33 + r.int(94));
      return t;
    };
    const big = a.wb.insertRows(sheet, 0, 40);
    const text = noise();
    a.wb.setCells(sheet, big.map((rowId, i) => ({ rowId, colId: cols[1], value: i === 1 ? text : noise() })));
    a.bridge.flush();
    expect(a.bridge.envelopeSize().bytes).toBeGreaterThan(1024 * 1024);
    expect(a.bridge.shouldCompact()).toBe(true);
    a.bridge.compact();
    expect(a.bridge.envelopeSize()).toMatchObject({ blobs: 1, full: 1 });
    expect(a.bridge.shouldCompact()).toBe(false);
    const fresh = device('Cy', keys.view, { envelope: Y.encodeStateAsUpdate(a.envelope) });
    expect(fresh.wb.getValue(sheet, big[1], cols[1])).toBe(text);
  });

  it('a full state covers only the contiguous seqs it holds: blobs past a gap stay, and so does the gap', () => {
    const keys = workbookKeys();
    const a = device('Ana', keys.edit);
    const { sheet, rows, cols } = start(a);
    for (let i = 0; i < 3; i++) {
      a.wb.setCell(sheet, rows[i], cols[1], `b${i}`);
      a.bridge.flush();
    }
    const blobs = blobsOf(a);
    const c = device('Cy', keys.edit);
    c.envelope.getArray(ENVELOPE_BLOBS).push([blobs[0], blobs[1], blobs[3]]); // seq 3 withheld
    const result = c.bridge.compact()!;
    expect(result.covers).toEqual([[a.bridge.stream, 2]]);
    expect(result.deleted).toBe(2);
    const left = blobsOf(c);
    expect(left).toHaveLength(2);
    expect(left[0]).toEqual(blobs[3]);
    expect(c.bridge.gaps()).toEqual([{ deviceId: 'Ana-dev', stream: a.bridge.stream, missing: 1 }]);
    c.envelope.getArray(ENVELOPE_BLOBS).push([blobs[2]]);
    expect(c.bridge.gaps()).toEqual([]);
    expect(content(c.doc)).toEqual(content(a.doc));
    expect(c.problems).toEqual([]);
  });
});
