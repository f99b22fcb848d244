import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { isModelError, Workbook } from '../../src/model/index.js';
import { newSealedWorkbookKeys, sealedKeysFor } from '../../src/protocol/sealed-keys.js';
import { DOC_WORKBOOK, ENVELOPE_BLOBS, type SealedKeys } from '../../src/protocol/sealed.js';
import { SealedBridge, type SealedProblem } from '../../src/sync/sealed/bridge.js';
import { observable, prng, type Prng } from '../support/peers.js';

/**
 * Convergence through sealed envelopes: editors and a view-link device, each with an envelope doc,
 * an in-memory workbook doc and a SealedBridge, around a hub that (like the real one) holds only
 * the envelope and refuses an update that starts past the clocks it holds. Envelope updates are
 * delivered in random order, some dropped (recovered by state-vector sync), some duplicated;
 * devices go offline, reload (new bridge, new stream, same stored envelope), and compact, often
 * two at once. At the end: identical workbooks, identical envelopes, no gaps, nothing re-pushed.
 */

const EDITORS = Number(process.env.SEALED_FUZZ_EDITORS ?? 5);
const VIEWERS = 1;
const RUNS = Number(process.env.SEALED_FUZZ_RUNS ?? process.env.FUZZ_RUNS ?? 6);
const STEPS = Number(process.env.SEALED_FUZZ_STEPS ?? 300);
const FIRST_SEED = Number(process.env.SEALED_FUZZ_SEED ?? process.env.FUZZ_SEED ?? 1);

interface Device {
  name: string;
  keys: SealedKeys;
  envelope: Y.Doc;
  doc: Y.Doc;
  wb: Workbook;
  bridge: SealedBridge;
  timers: Map<number, () => void>;
  online: boolean;
  problems: SealedProblem[];
}

interface Message {
  /** -1: the hub */
  to: number;
  from: number;
  update: Uint8Array;
}

interface Totals {
  steps: number;
  edits: number;
  refusedEdits: number;
  blobsPushed: number;
  compactions: number;
  concurrentCompactions: number;
  reloads: number;
  offline: number;
  dropped: number;
  duplicated: number;
  hubRefused: number;
  duplicatesSkipped: number;
  replayed: number;
  deletedCovered: number;
  deletedWaited: number;
  envelopeBlobsBefore: number;
  envelopeBytesBefore: number;
  envelopeBlobsAfter: number;
  envelopeBytesAfter: number;
  maxLiveBlobs: number;
}

const fromNet = {};

class SealedNetwork {
  readonly hub = new Y.Doc();
  readonly devices: Device[] = [];
  private queue: Message[] = [];
  private readonly history: Uint8Array[] = [];
  private nextClient = 1;
  private clock = 1_764_000_000_000;

  constructor(
    private readonly r: Prng,
    keys: { edit: SealedKeys; view: SealedKeys },
    private readonly totals: Totals,
  ) {
    this.hub.clientID = 999_999;
    this.hub.on('update', (update: Uint8Array, origin: unknown) => {
      for (let j = 0; j < this.devices.length; j++) {
        if (j !== origin && this.devices[j].online) this.queue.push({ to: j, from: -1, update });
      }
    });
    for (let i = 0; i < EDITORS + VIEWERS; i++) {
      const role = i < EDITORS ? keys.edit : keys.view;
      this.devices.push(this.open(i, `peer${i}`, role, new Y.Doc()));
      this.wire(i);
    }
  }

  private open(i: number, name: string, keys: SealedKeys, envelope: Y.Doc): Device {
    envelope.clientID = this.nextClient++;
    const doc = new Y.Doc();
    doc.clientID = 10_000 + this.nextClient++;
    const timers = new Map<number, () => void>();
    let nextTimer = 0;
    const problems: SealedProblem[] = [];
    const bridge = new SealedBridge({
      envelope,
      doc,
      keys,
      docTag: DOC_WORKBOOK,
      deviceId: `${name}-dev`,
      setTimer: (fn) => {
        timers.set(++nextTimer, fn);
        return nextTimer;
      },
      clearTimer: (h) => void timers.delete(h as number),
      newStream: () => this.r.id(12),
      onProblem: (p) => problems.push(p),
    });
    const wb = new Workbook(doc, {
      actor: { name, deviceId: `${name}-dev` },
      now: () => (this.clock += this.r.int(5000)),
      newId: (length) => this.r.id(length),
      readOnly: keys.sign === null,
    });
    return { name, keys, envelope, doc, wb, bridge, timers, online: this.devices[i]?.online ?? true, problems };
  }

  /** A device's envelope changes go to the hub while it is online. */
  private wire(i: number): void {
    const d = this.devices[i];
    d.envelope.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === fromNet || !d.online || this.devices[i] !== d) return;
      this.queue.push({ to: -1, from: i, update });
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** One random in-flight message: maybe dropped, maybe left behind to arrive again. */
  deliverOne(lossy: boolean): void {
    if (!this.queue.length) return;
    const k = this.r.int(this.queue.length);
    const msg = this.queue[k];
    if (lossy && this.r.chance(0.08)) {
      this.queue.splice(k, 1);
      this.totals.dropped++;
      return;
    }
    if (lossy && this.r.chance(0.1)) this.totals.duplicated++;
    else this.queue.splice(k, 1);
    this.apply(msg);
  }

  private apply(msg: Message): void {
    if (msg.to === -1) {
      if (!this.devices[msg.from].online) return;
      if (!this.hubAccepts(msg.update)) {
        this.totals.hubRefused++;
        return;
      }
      Y.applyUpdate(this.hub, msg.update, msg.from);
      expect(this.hub.store.pendingStructs, 'the hub never holds what it cannot integrate').toBeNull();
    } else {
      const d = this.devices[msg.to];
      if (d.online) Y.applyUpdate(d.envelope, msg.update, fromNet);
    }
  }

  /** The real hub's rule (server/room.ts checkClocks): no struct or delete past the clocks it holds. */
  private hubAccepts(update: Uint8Array): boolean {
    const { structs, ds } = Y.decodeUpdate(update);
    const held = new Map<number, number>();
    const heldOf = (c: number) => held.get(c) ?? Y.getState(this.hub.store, c);
    for (const s of structs) {
      if (s instanceof Y.Skip) continue;
      const h = heldOf(s.id.client);
      if (s.id.clock > h) return false;
      held.set(s.id.client, Math.max(h, s.id.clock + s.length));
    }
    for (const [client, ranges] of ds.clients) {
      for (const range of ranges) if (range.clock + range.len > heldOf(client)) return false;
    }
    // Nor one that names a struct the hub does not hold (its sender's earlier message was lost):
    // over a real socket that cannot happen, since messages arrive in order and sync comes first.
    const named = (id: Y.ID | null) => id === null || id.clock < heldOf(id.client);
    for (const s of structs) {
      if (!(s instanceof Y.Item)) continue;
      if (!named(s.origin) || !named(s.rightOrigin) || (s.parent instanceof Y.ID && !named(s.parent))) return false;
    }
    return true;
  }

  /** Sync step 1 and 2 both ways between one device and the hub, through the same unreliable queue. */
  handshake(i: number): void {
    const d = this.devices[i];
    this.queue.push({ to: -1, from: i, update: Y.encodeStateAsUpdate(d.envelope, Y.encodeStateVector(this.hub)) });
    this.queue.push({ to: i, from: -1, update: Y.encodeStateAsUpdate(this.hub, Y.encodeStateVector(d.envelope)) });
  }

  disconnect(i: number): void {
    this.devices[i].online = false;
    this.queue = this.queue.filter((m) => m.to !== i && m.from !== i);
    this.totals.offline++;
  }

  reconnect(i: number): void {
    this.devices[i].online = true;
    this.handshake(i);
  }

  /** The page reloads: what was not sealed is sealed (destroy), the envelope is kept (IndexedDB), everything in memory is rebuilt. */
  reload(i: number): void {
    const old = this.devices[i];
    old.bridge.destroy();
    tally(old, this.totals);
    old.wb.destroy();
    const stored = Y.encodeStateAsUpdate(old.envelope);
    this.queue = this.queue.filter((m) => m.to !== i && m.from !== i);
    const envelope = new Y.Doc();
    Y.applyUpdate(envelope, stored, fromNet);
    const fresh = this.open(i, old.name, old.keys, envelope);
    this.devices[i] = fresh;
    this.wire(i);
    if (fresh.online) this.handshake(i);
    this.totals.reloads++;
  }

  /** The hub replays a blob it has held (live or long compacted away): a valid blob, so only a duplicate. */
  replay(): void {
    this.history.push(...blobsOf(this.hub));
    if (!this.history.length) return;
    const blob = this.r.pick(this.history);
    this.hub.getArray<Uint8Array>(ENVELOPE_BLOBS).insert(this.r.int(blobsOf(this.hub).length + 1), [blob]);
    this.totals.replayed++;
  }

  /** Batch timers fire: what each device buffered is sealed. */
  tick(i: number): void {
    const d = this.devices[i];
    const fns = [...d.timers.values()];
    d.timers.clear();
    for (const f of fns) f();
  }

  /** Everyone online, everything sealed and delivered, until nothing moves. */
  settle(): void {
    for (let i = 0; i < this.devices.length; i++) if (!this.devices[i].online) this.reconnect(i);
    for (let round = 0; round < 20; round++) {
      for (const d of this.devices) d.bridge.flush();
      for (let i = 0; i < this.devices.length; i++) this.handshake(i);
      let guard = 0;
      while (this.queue.length) {
        this.deliverOne(false);
        if (++guard > 100_000) throw new Error('the network does not settle');
      }
      const sv = Array.from(Y.encodeStateVector(this.hub));
      const quiet = this.devices.every(
        (d) => Array.from(Y.encodeStateVector(d.envelope)).join() === sv.join() && d.bridge.unsealed === 0 && sameBlobs(d.envelope, this.hub),
      );
      if (quiet) return;
    }
    throw new Error('envelopes did not converge in 20 rounds');
  }
}

function blobsOf(doc: Y.Doc): Uint8Array[] {
  return doc.getArray<Uint8Array>(ENVELOPE_BLOBS).toArray();
}

function sameBlobs(a: Y.Doc, b: Y.Doc): boolean {
  const x = blobsOf(a);
  const y = blobsOf(b);
  return x.length === y.length && x.every((blob, i) => blob.length === y[i].length && blob.every((v, k) => v === y[i][k]));
}

/** A doc's content, comparable between docs that did or did not touch a root type yet. */
function content(doc: Y.Doc): Record<string, unknown> {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const out: Record<string, unknown> = {};
  for (const name of [...copy.share.keys()].sort()) out[name] = copy.getMap(name).toJSON();
  return out;
}

function randomEdit(wb: Workbook, r: Prng): string {
  const sheets = wb.sheets();
  if (!sheets.length) return 'none';
  const sheet = r.pick(sheets).id;
  const rows = wb.rowIds(sheet);
  const cols = wb.columns(sheet).filter((c) => c.type === 'text' || c.type === 'number');
  const op = r.int(100);
  if (op < 45 && rows.length && cols.length) {
    const writes = Array.from({ length: 1 + r.int(4) }, () => {
      const col = r.pick(cols);
      return { rowId: r.pick(rows), colId: col.id, value: col.type === 'number' ? r.int(500) : r.pick(['Rice', 'Water 5L', 'call back', 'x'.repeat(r.int(60))]) };
    });
    wb.setCells(sheet, writes);
    return 'setCells';
  }
  if (op < 62) {
    wb.insertRows(sheet, r.int(rows.length + 1), 1 + r.int(3));
    return 'insertRows';
  }
  if (op < 72 && rows.length) {
    wb.deleteRows(sheet, [r.pick(rows)]);
    return 'deleteRows';
  }
  if (op < 76) {
    const trash = wb.deletedRows(sheet);
    if (trash.length) wb.restoreRows(sheet, [r.pick(trash).id]);
    return 'restoreRows';
  }
  if (op < 82 && rows.length) {
    wb.moveRow(sheet, r.pick(rows), r.int(rows.length));
    return 'moveRow';
  }
  if (op < 88) {
    wb.addColumn(sheet, { name: `col ${r.int(100)}`, type: r.pick(['text', 'number'] as const) }, r.int(cols.length + 1));
    return 'addColumn';
  }
  if (op < 92) {
    wb.addSheet(`Sheet ${r.int(50)}`);
    return 'addSheet';
  }
  if (op < 96) {
    wb.renameSheet(sheet, `Renamed ${r.int(50)}`);
    return 'renameSheet';
  }
  wb.setTitle(`Workbook ${r.int(10)}`);
  return 'setTitle';
}

function runSeed(seed: number, totals: Totals): void {
  const r = prng(seed);
  const k = newSealedWorkbookKeys();
  const keys = { edit: sealedKeysFor(k.id, k.edit)!, view: sealedKeysFor(k.id, k.view)! };
  const net = new SealedNetwork(r, keys, totals);
  const editors = net.devices.slice(0, EDITORS).map((_, i) => i);
  const first = net.devices[0];
  first.wb.initialize({ title: 'Shelter', columns: 3, rows: 4 });
  first.bridge.flush();
  net.settle();

  for (let step = 0; step < STEPS; step++) {
    totals.steps++;
    const action = r.int(100);
    if (action < 40) {
      const d = net.devices[r.pick(editors)];
      try {
        randomEdit(d.wb, r);
        totals.edits++;
      } catch (e) {
        if (!isModelError(e)) throw e;
        totals.refusedEdits++;
      }
    } else if (action < 52) {
      net.tick(r.int(net.devices.length));
    } else if (action < 80) {
      for (let n = r.int(5); n >= 0; n--) net.deliverOne(true);
    } else if (action < 84) {
      // a dropped message is recovered the way y-websocket recovers: a state-vector sync
      const i = r.int(net.devices.length);
      if (net.devices[i].online) net.handshake(i);
    } else if (action < 89) {
      const i = r.int(net.devices.length);
      if (net.devices[i].online) net.disconnect(i);
      else net.reconnect(i);
    } else if (action < 91) {
      net.reload(r.int(net.devices.length));
    } else if (action < 92) {
      net.replay();
    } else if (action < 95) {
      // one compaction, or two or three at once (before either hears of the other)
      const count = r.chance(0.4) ? 2 + r.int(2) : 1;
      const who = new Set(Array.from({ length: count }, () => r.pick(editors)));
      for (const i of who) {
        const d = net.devices[i];
        if (d.bridge.compact()) totals.compactions++;
      }
      if (who.size > 1) totals.concurrentCompactions++;
    } else {
      const d = net.devices[r.pick(editors)];
      if (d.bridge.shouldCompact() && d.bridge.compact()) totals.compactions++;
    }
    totals.maxLiveBlobs = Math.max(totals.maxLiveBlobs, blobsOf(net.hub).length);
    // fail at the step that caused it: an honest network never makes a blob fail or be re-pushed
    for (const d of net.devices) {
      if (d.problems.length || d.bridge.failures.length) throw new Error(`step ${step}: ${d.name} ${JSON.stringify(d.problems)} ${JSON.stringify(d.bridge.failures)}`);
    }
  }

  net.settle();
  checkConverged(net, 'after the run');

  // Numbers before and after one more compaction of the converged envelope.
  const sum = (doc: Y.Doc) => blobsOf(doc).reduce((n, b) => n + b.length, 0);
  totals.envelopeBlobsBefore += blobsOf(net.hub).length;
  totals.envelopeBytesBefore += sum(net.hub);
  expect(net.devices[0].bridge.compact()).not.toBeNull();
  totals.compactions++;
  net.settle();
  totals.envelopeBlobsAfter += blobsOf(net.hub).length;
  totals.envelopeBytesAfter += sum(net.hub);
  expect(blobsOf(net.hub), 'one full state after the final compaction').toHaveLength(1);
  checkConverged(net, 'after the final compaction');

  for (const d of net.devices) tally(d, totals);
}

function tally(d: Device, totals: Totals): void {
  totals.blobsPushed += d.bridge.stats.pushed;
  totals.duplicatesSkipped += d.bridge.stats.duplicates;
  totals.deletedCovered += d.bridge.stats.deletedCovered;
  totals.deletedWaited += d.bridge.stats.deletedWaited;
}

function checkConverged(net: SealedNetwork, when: string): void {
  const hubSv = Array.from(Y.encodeStateVector(net.hub));
  const [head, ...rest] = net.devices;
  const expected = content(head.doc);
  const seen = observable(head.wb);
  const ackedClock = (client: number) => Y.getState(net.hub.store, client);
  for (const d of net.devices) {
    const who = `${d.name} ${when}`;
    expect(d.envelope.store.pendingStructs, `${who}: nothing pending in the envelope`).toBeNull();
    expect(d.doc.store.pendingStructs, `${who}: nothing pending in the workbook doc (no change held back by a missing one)`).toBeNull();
    expect(Array.from(Y.encodeStateVector(d.envelope)), `${who}: envelope state vector`).toEqual(hubSv);
    expect(sameBlobs(d.envelope, net.hub), `${who}: envelope blobs equal the hub's`).toBe(true);
    expect(d.bridge.failures, `${who}: no blob failed`).toEqual([]);
    expect(d.bridge.gaps(), `${who}: no gaps`).toEqual([]);
    expect(d.problems, `${who}: no problems (nothing deleted uncovered, nothing refused)`).toEqual([]);
    expect(d.bridge.stats.repushed, `${who}: nothing pushed again`).toBe(0);
    expect(d.bridge.unsealed, `${who}: nothing unsealed`).toBe(0);
    expect(d.bridge.ownPendingChanges(ackedClock), `${who}: nothing pending once the hub holds everything`).toBe(0);
    expect(d.wb.checkInvariants(), `${who}: invariants`).toEqual([]);
  }
  for (const d of rest) {
    expect(content(d.doc), `${d.name} ${when}: workbook content`).toEqual(expected);
    expect(observable(d.wb), `${d.name} ${when}: what a person sees`).toEqual(seen);
  }
  // A device opening the hub's envelope for the first time sees the same workbook.
  const envelope = new Y.Doc();
  Y.applyUpdate(envelope, Y.encodeStateAsUpdate(net.hub));
  const doc = new Y.Doc();
  const fresh = new SealedBridge({ envelope, doc, keys: head.keys, docTag: DOC_WORKBOOK, deviceId: 'fresh-dev' });
  expect(content(doc), `a fresh device ${when}`).toEqual(expected);
  expect(fresh.failures).toEqual([]);
  expect(fresh.gaps()).toEqual([]);
  fresh.destroy();
}

describe(`sealed convergence: ${EDITORS} editors and ${VIEWERS} viewer through envelopes, drops, reordering, duplicates, offline, reloads, concurrent compactions`, () => {
  it(`converges for ${RUNS} seeds from ${FIRST_SEED}: identical workbooks and envelopes, no gaps, nothing re-pushed`, () => {
    const totals: Totals = {
      steps: 0,
      edits: 0,
      refusedEdits: 0,
      blobsPushed: 0,
      compactions: 0,
      concurrentCompactions: 0,
      reloads: 0,
      offline: 0,
      dropped: 0,
      duplicated: 0,
      hubRefused: 0,
      duplicatesSkipped: 0,
      replayed: 0,
      deletedCovered: 0,
      deletedWaited: 0,
      envelopeBlobsBefore: 0,
      envelopeBytesBefore: 0,
      envelopeBlobsAfter: 0,
      envelopeBytesAfter: 0,
      maxLiveBlobs: 0,
    };
    for (let seed = FIRST_SEED; seed < FIRST_SEED + RUNS; seed++) {
      try {
        runSeed(seed, totals);
      } catch (e) {
        const msg = `sealed convergence failed for seed ${seed} (replay: SEALED_FUZZ_SEED=${seed} SEALED_FUZZ_RUNS=1 npx vitest run test/convergence/sealed.test.ts)`;
        console.error(msg);
        throw new Error(`${msg}\n${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    }
    console.info(`sealed fuzz, ${RUNS} seeds: ${JSON.stringify(totals)}`);
    // The run exercised what it claims to.
    expect(totals.edits).toBeGreaterThan(RUNS * STEPS * 0.2);
    expect(totals.compactions).toBeGreaterThan(RUNS);
    expect(totals.concurrentCompactions).toBeGreaterThan(0);
    expect(totals.dropped).toBeGreaterThan(0);
    expect(totals.duplicated).toBeGreaterThan(0);
    expect(totals.hubRefused).toBeGreaterThan(0);
    expect(totals.reloads).toBeGreaterThan(0);
    expect(totals.duplicatesSkipped).toBeGreaterThan(0);
    expect(totals.deletedCovered).toBeGreaterThan(0);
  }, Math.max(120_000, RUNS * STEPS * 10));
});
