import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Workbook } from '../../src/model/index.js';
import { sealBlob } from '../../src/protocol/blob.js';
import { newSealedWorkbookKeys, sealedKeysFor } from '../../src/protocol/sealed-keys.js';
import { BLOB_CHANGES, DOC_WORKBOOK, ENVELOPE_BLOBS, type SealedKeys } from '../../src/protocol/sealed.js';
import { SealedBridge, type SealedProblem } from '../../src/sync/sealed/bridge.js';
import { MAX_NESTING, wellFramedUpdate } from '../../src/sync/sealed/update-check.js';
import { observable } from '../support/peers.js';
import { prng } from '../support/prng.js';

/** A workbook with some of everything the model writes: sheets, columns, rows, cells, overwrites and deletions. */
function busyWorkbook(seed: number): { doc: Y.Doc; wb: Workbook; updates: Uint8Array[] } {
  const rnd = prng(seed);
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const wb = new Workbook(doc, { actor: { name: 'Ana', deviceId: 'ana-dev' } });
  const sheet = wb.initialize({ title: 'Shelter beds', columns: 4, rows: 6 });
  const second = wb.addSheet('Shifts');
  for (let i = 0; i < 60; i++) {
    const target = rnd.chance(0.7) ? sheet : second;
    const rows = wb.rowIds(target);
    const cols = wb.columns(target).map((c) => c.id);
    const op = rnd.int(6);
    if (op <= 2 && rows.length && cols.length) wb.setCell(target, rnd.pick(rows), rnd.pick(cols), rnd.chance(0.2) ? null : `${rnd.id(rnd.int(12))} ñ € 🚑`);
    else if (op === 3) wb.insertRows(target, rnd.int(rows.length + 1), 1 + rnd.int(3));
    else if (op === 4 && rows.length > 2) wb.deleteRows(target, [rnd.pick(rows)]);
    else if (op === 5) wb.addColumn(target, { name: `C${i}` });
  }
  return { doc, wb, updates };
}

/** Updates with every kind of content Yjs writes (text formats and embeds, XML, subdocs, binary, GC'd and skipped structs). */
function everyKindOfUpdate(): Uint8Array[] {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  text.insert(0, 'Water run at 6', { bold: true });
  text.insertEmbed(3, { image: 'truck.png' });
  text.format(0, 5, { italic: 'yes' });
  text.delete(1, 2);
  const xml = doc.getXmlFragment('x');
  const el = new Y.XmlElement('p');
  el.setAttribute('class', 'note');
  el.insert(0, [new Y.XmlText('hi')]);
  xml.insert(0, [el, new Y.XmlHook('map') as unknown as Y.XmlElement]);
  const map = doc.getMap('m');
  map.set('bin', new Uint8Array([0, 1, 255]));
  map.set('any', { n: -5, big: 2 ** 40, f: 1.5, b: true, nil: null, nested: [[1], { k: 'v' }], u: undefined, bi: BigInt(7) });
  map.set('sub', new Y.Doc());
  map.set('gone', 'soon');
  map.delete('gone');
  const arr = doc.getArray('a');
  arr.push([1, 2, 3]);
  arr.delete(0, 2);
  const gcd = new Y.Doc({ gc: true });
  Y.applyUpdate(gcd, Y.encodeStateAsUpdate(doc));
  gcd.getArray('a').delete(0, 1);
  // a merge of updates with a hole between them writes a Skip struct
  const a = new Y.Doc();
  const parts: Uint8Array[] = [];
  a.on('update', (u: Uint8Array) => parts.push(u));
  for (let i = 0; i < 3; i++) a.getArray('q').push([i]);
  return [Y.encodeStateAsUpdate(doc), Y.encodeStateAsUpdate(gcd), Y.mergeUpdates([parts[0], parts[2]]), Y.encodeStateAsUpdate(new Y.Doc())];
}

function workbookKeys(): SealedKeys {
  const k = newSealedWorkbookKeys();
  return sealedKeysFor(k.id, k.edit)!;
}

let seqs = 0;
/** A blob signed by the workbook's writer (a hostile editor holds that key too), holding any update. */
function signed(keys: SealedKeys, update: Uint8Array): Uint8Array {
  return sealBlob(keys, { kind: BLOB_CHANGES, doc: DOC_WORKBOOK, epoch: 1 }, { deviceId: 'vandal-dev', stream: `vandal-${++seqs}`, seq: 1, changes: 1, covers: [], update });
}

function opened(keys: SealedKeys, envelope: Uint8Array) {
  const env = new Y.Doc();
  Y.applyUpdate(env, envelope);
  const doc = new Y.Doc();
  const problems: SealedProblem[] = [];
  const bridge = new SealedBridge({ envelope: env, doc, keys, docTag: DOC_WORKBOOK, deviceId: 'rosa-dev', onProblem: (p) => problems.push(p), setTimer: () => 0, clearTimer: () => {} });
  return { env, doc, bridge, problems, wb: new Workbook(doc, { actor: { name: 'Rosa', deviceId: 'rosa-dev' } }) };
}

function find(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

describe('wellFramedUpdate (the check a sealed blob’s update passes before it is applied)', () => {
  it('passes every update Yjs writes: a busy workbook’s, transaction by transaction and whole, and every kind of content', () => {
    for (const seed of [1, 2, 3]) {
      const { doc, updates } = busyWorkbook(seed);
      for (const u of [...updates, Y.encodeStateAsUpdate(doc), Y.mergeUpdates(updates)]) {
        expect(wellFramedUpdate(u)).toBe(true);
      }
    }
    for (const u of everyKindOfUpdate()) {
      expect(() => Y.decodeUpdate(u)).not.toThrow();
      expect(wellFramedUpdate(u)).toBe(true);
    }
  });

  it('refuses a truncated update, bytes after the delete set, an unknown content or value kind, and nothing at all', () => {
    const { doc } = busyWorkbook(4);
    const whole = Y.encodeStateAsUpdate(doc);
    expect(Y.decodeUpdate(whole).ds.clients.size).toBeGreaterThan(0);
    for (let cut = 0; cut < whole.length; cut += Math.max(1, Math.floor(whole.length / 300))) expect(wellFramedUpdate(whole.subarray(0, cut))).toBe(false);
    expect(wellFramedUpdate(whole.subarray(0, whole.length - 1))).toBe(false);
    const trailing = new Uint8Array(whole.length + 1);
    trailing.set(whole);
    expect(wellFramedUpdate(trailing)).toBe(false);
    // one struct of client 1 at clock 0: info 8 (ContentAny) with a root parent "m", key "k", one value
    const item = (contentKind: number, ...content: number[]) => new Uint8Array([1, 1, 1, 0, 0x20 | contentKind, 1, 1, 109, 1, 107, ...content, 0]);
    expect(wellFramedUpdate(item(8, 1, 125, 5))).toBe(true);
    expect(() => Y.applyUpdate(new Y.Doc(), item(8, 1, 125, 5))).not.toThrow();
    expect(wellFramedUpdate(item(8, 1, 100))).toBe(false); // no such value tag
    expect(wellFramedUpdate(item(11, 0))).toBe(false); // no such content
    expect(wellFramedUpdate(item(7, 9))).toBe(false); // no such type
    expect(wellFramedUpdate(new Uint8Array(0))).toBe(false);
  });

  it(`refuses a value nested more than ${MAX_NESTING} deep, whatever the stack could take, and passes one exactly that deep`, () => {
    for (const [depth, ok] of [
      [MAX_NESTING, true],
      [MAX_NESTING + 1, false],
    ] as const) {
      const doc = new Y.Doc();
      let v: unknown = 'x';
      for (let i = 0; i < depth; i++) v = i % 2 ? { k: v } : [v];
      doc.getMap('sheets').set('s', v);
      expect(wellFramedUpdate(Y.encodeStateAsUpdate(doc))).toBe(ok);
    }
  });

  it('of 3,000 random corruptions of real updates it passes none that Y.decodeUpdate (the check it replaced) refused and Yjs would apply in part: those throw while Yjs reads, the doc left exactly as it was', () => {
    const rnd = prng(18);
    const base = busyWorkbook(5);
    // updates made on top of the base by another device: structs that integrate, deletions of the base's
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(base.doc));
    const sv = Y.encodeStateVector(other);
    const wb = new Workbook(other, { actor: { name: 'Ben', deviceId: 'ben-dev' } });
    const sheet = wb.sheets()[0].id;
    const rows = wb.rowIds(sheet);
    const cols = wb.columns(sheet).map((c) => c.id);
    for (const r of rows.slice(0, 4)) wb.setCell(sheet, r, cols[0], 'overwritten');
    wb.deleteRows(sheet, rows.slice(4, 6));
    const sources = [Y.encodeStateAsUpdate(other, sv), ...everyKindOfUpdate()];
    const before = Y.encodeStateAsUpdate(base.doc);
    const seen = { refused: 0, applied: 0, refusedByOldOnly: 0 };
    for (let i = 0; i < 3000; i++) {
      const bytes = rnd.pick(sources).slice();
      const kind = rnd.int(3);
      let mutated: Uint8Array;
      if (kind === 0) {
        for (let n = 1 + rnd.int(3); n > 0; n--) bytes[rnd.int(bytes.length)] = rnd.int(256);
        mutated = bytes;
      } else if (kind === 1) {
        mutated = bytes.subarray(0, rnd.int(bytes.length));
      } else {
        const at = rnd.int(bytes.length);
        mutated = new Uint8Array([...bytes.subarray(0, at), rnd.int(256), ...bytes.subarray(at)]);
      }
      if (!wellFramedUpdate(mutated)) {
        seen.refused++;
        continue;
      }
      let oldCheckPassed = true;
      try {
        Y.decodeUpdate(mutated);
      } catch {
        oldCheckPassed = false;
      }
      const copy = new Y.Doc();
      Y.applyUpdate(copy, before);
      const state = Y.encodeStateAsUpdate(copy);
      let threw = false;
      try {
        Y.applyUpdate(copy, mutated);
      } catch {
        threw = true;
      }
      if (oldCheckPassed) {
        seen.applied++;
      } else {
        // text or JSON that does not read: Yjs throws before it integrates a single struct
        seen.refusedByOldOnly++;
        expect(threw).toBe(true);
        expect(Y.encodeStateAsUpdate(copy)).toEqual(state);
      }
    }
    expect(seen.refused).toBeGreaterThan(100);
    expect(seen.applied).toBeGreaterThan(100);
    expect(seen.refusedByOldOnly).toBeGreaterThan(10);
  });
});

describe('SealedBridge with the framing check: a signed blob that does not read is refused, and nothing of it lands', () => {
  function start() {
    const keys = workbookKeys();
    const env = new Y.Doc();
    const doc = new Y.Doc();
    const bridge = new SealedBridge({ envelope: env, doc, keys, docTag: DOC_WORKBOOK, deviceId: 'ana-dev', setTimer: () => 0, clearTimer: () => {} });
    const wb = new Workbook(doc, { actor: { name: 'Ana', deviceId: 'ana-dev' } });
    const sheet = wb.initialize({ title: 'Food bank', columns: 2, rows: 3 });
    const rows = wb.rowIds(sheet);
    const cols = wb.columns(sheet).map((c) => c.id);
    wb.setCell(sheet, rows[0], cols[0], 'Rice 20 kg');
    bridge.flush();
    return { keys, env, doc, wb, bridge, sheet, rows, cols };
  }

  /** Another editor's edit on top of Ana's: overwrites (so it carries a delete set) and a row deleted. */
  function edit(doc: Y.Doc, sheet: string, rows: string[], cols: string[], value: string): Uint8Array {
    const v = new Y.Doc();
    Y.applyUpdate(v, Y.encodeStateAsUpdate(doc));
    const sv = Y.encodeStateVector(v);
    const wb = new Workbook(v, { actor: { name: 'Vandal', deviceId: 'vandal-dev' } });
    wb.setCell(sheet, rows[0], cols[0], value);
    wb.deleteRows(sheet, [rows[2]]);
    return Y.encodeStateAsUpdate(v, sv);
  }

  it('a delete set cut short (structs whole, so Yjs would integrate them and then throw): refused as body, on open and live, and the workbook is unchanged', () => {
    const a = start();
    const update = edit(a.doc, a.sheet, a.rows, a.cols, 'Rice 0 kg');
    expect(Y.decodeUpdate(update).ds.clients.size).toBeGreaterThan(0);
    const cut = update.subarray(0, update.length - 1);
    const expected = observable(a.wb);

    const envelope = new Y.Doc();
    Y.applyUpdate(envelope, Y.encodeStateAsUpdate(a.env));
    envelope.getArray(ENVELOPE_BLOBS).push([signed(a.keys, cut)]);
    const rosa = opened(a.keys, Y.encodeStateAsUpdate(envelope));
    expect(rosa.bridge.failures.map((f) => f.failure)).toEqual(['body']);
    expect(rosa.problems.map((p) => p.kind)).toEqual(['bad-blob']);
    expect(observable(rosa.wb)).toEqual(expected);
    expect(rosa.bridge.stats).toMatchObject({ applied: 1, failed: 1 });

    const state = Y.encodeStateAsUpdate(a.doc);
    a.env.getArray(ENVELOPE_BLOBS).push([signed(a.keys, cut)]);
    expect(a.bridge.failures.map((f) => f.failure)).toEqual(['body']);
    expect(Y.encodeStateAsUpdate(a.doc)).toEqual(state);
    // the bridge carries on: the same edit, whole, applies
    a.env.getArray(ENVELOPE_BLOBS).push([signed(a.keys, update)]);
    expect(a.wb.getValue(a.sheet, a.rows[0], a.cols[0])).toBe('Rice 0 kg');
    expect(a.wb.rowIds(a.sheet)).toHaveLength(2);
  });

  it('text that is not UTF-8 inside a well-framed update: Yjs refuses it while reading, before it integrates anything; refused as body, workbook unchanged, later blobs still apply', () => {
    const a = start();
    const update = edit(a.doc, a.sheet, a.rows, a.cols, 'QQQQQQ');
    const at = find(update, new TextEncoder().encode('QQQQQQ'));
    expect(at).toBeGreaterThan(0);
    const broken = update.slice();
    broken.fill(0xff, at, at + 6);
    expect(wellFramedUpdate(broken)).toBe(true);
    const expected = observable(a.wb);
    const state = Y.encodeStateAsUpdate(a.doc);

    a.env.getArray(ENVELOPE_BLOBS).push([signed(a.keys, broken)]);
    expect(a.bridge.failures.map((f) => f.failure)).toEqual(['body']);
    expect(Y.encodeStateAsUpdate(a.doc)).toEqual(state);
    expect(observable(a.wb)).toEqual(expected);

    const rosa = opened(a.keys, Y.encodeStateAsUpdate(a.env));
    expect(rosa.bridge.failures.map((f) => f.failure)).toEqual(['body']);
    expect(observable(rosa.wb)).toEqual(expected);

    a.env.getArray(ENVELOPE_BLOBS).push([signed(a.keys, edit(a.doc, a.sheet, a.rows, a.cols, 'Rice 5 kg'))]);
    expect(a.wb.getValue(a.sheet, a.rows[0], a.cols[0])).toBe('Rice 5 kg');
  });

  it('a tampered blob is still refused before its update is looked at (signature), and the big-envelope path refuses the same blobs', () => {
    const a = start();
    for (let i = 0; i < 3; i++) {
      const rows = a.wb.insertRows(a.sheet, 0, 2000);
      a.wb.setCells(a.sheet, rows.map((r, n) => ({ rowId: r, colId: a.cols[1], value: `crate ${i}-${n}` })));
      a.bridge.flush();
    }
    const good = signed(a.keys, edit(a.doc, a.sheet, a.rows, a.cols, 'Rice 1 kg'));
    const flipped = good.slice();
    flipped[good.length - 100] ^= 1;
    const cut = signed(a.keys, edit(a.doc, a.sheet, a.rows, a.cols, 'Rice 2 kg').slice(0, -1));
    const envelope = new Y.Doc();
    Y.applyUpdate(envelope, Y.encodeStateAsUpdate(a.env));
    envelope.getArray(ENVELOPE_BLOBS).push([flipped, cut]);
    const expected = observable(a.wb);
    const rosa = opened(a.keys, Y.encodeStateAsUpdate(envelope));
    expect(rosa.bridge.failures.map((f) => f.failure)).toEqual(['signature', 'body']);
    expect(observable(rosa.wb)).toEqual(expected);
  });
});
