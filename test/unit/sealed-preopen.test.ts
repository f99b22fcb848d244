import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Workbook } from '../../src/model/index.js';
import { sealBlob } from '../../src/protocol/blob.js';
import { newSealedWorkbookKeys, sealedKeysFor } from '../../src/protocol/sealed-keys.js';
import { BLOB_CHANGES, DOC_WORKBOOK, ENVELOPE_BLOBS, type OpenedBlob, type SealedKeys } from '../../src/protocol/sealed.js';
import { SealedBridge, type SealedProblem } from '../../src/sync/sealed/bridge.js';
import { PREOPEN_BYTES, preopenEnvelope } from '../../src/sync/sealed/preopen.js';
import { observable } from '../support/peers.js';
import { prng } from '../support/prng.js';

function keysOf(): SealedKeys {
  const k = newSealedWorkbookKeys();
  return sealedKeysFor(k.id, k.edit)!;
}

/** A stored envelope as a returning device finds it: big blobs (past PREOPEN_BYTES), small ones, and hostile ones of both sizes. */
function storedEnvelope(keys: SealedKeys) {
  const envelope = new Y.Doc();
  const doc = new Y.Doc();
  const bridge = new SealedBridge({ envelope, doc, keys, docTag: DOC_WORKBOOK, deviceId: 'ana-dev', setTimer: () => 0, clearTimer: () => {} });
  const wb = new Workbook(doc, { actor: { name: 'Ana', deviceId: 'ana-dev' } });
  const sheet = wb.initialize({ title: 'Supplies', columns: 3, rows: 0 });
  const cols = wb.columns(sheet).map((c) => c.id);
  const rnd = prng(3);
  for (let i = 0; i < 2; i++) {
    const rows = wb.insertRows(sheet, 0, 1200);
    wb.setCells(sheet, rows.map((r, n) => ({ rowId: r, colId: cols[n % 3], value: `box ${rnd.id(40)}` })));
    bridge.flush();
  }
  wb.setCell(sheet, wb.rowIds(sheet)[0], cols[0], 'small edit');
  bridge.flush();
  const blobs = envelope.getArray<Uint8Array>(ENVELOPE_BLOBS);
  const bigOne = blobs.toArray().reduce((a, b) => (b.length > a.length ? b : a));
  expect(bigOne.length).toBeGreaterThan(PREOPEN_BYTES);
  // a big blob tampered with, a big blob signed by a hostile editor whose update is cut short
  const flipped = bigOne.slice();
  flipped[bigOne.length - 300] ^= 1;
  const v = new Y.Doc();
  Y.applyUpdate(v, Y.encodeStateAsUpdate(doc));
  const sv = Y.encodeStateVector(v);
  const vwb = new Workbook(v, { actor: { name: 'Vandal', deviceId: 'vandal-dev' } });
  vwb.setCells(sheet, vwb.rowIds(sheet).map((r) => ({ rowId: r, colId: cols[1], value: `gone ${rnd.id(40)}` })));
  const cut = Y.encodeStateAsUpdate(v, sv).slice(0, -1);
  const hostile = sealBlob(keys, { kind: BLOB_CHANGES, doc: DOC_WORKBOOK, epoch: 1 }, { deviceId: 'vandal-dev', stream: 'vandal', seq: 1, changes: 1, covers: [], update: cut });
  expect(hostile.length).toBeGreaterThan(PREOPEN_BYTES);
  blobs.push([flipped, hostile]);
  return { state: Y.encodeStateAsUpdate(envelope), expected: observable(wb), flipped };
}

function open(keys: SealedKeys, state: Uint8Array, preopen: boolean) {
  const envelope = new Y.Doc();
  Y.applyUpdate(envelope, state);
  return { envelope, preopened: preopen ? preopenEnvelope(envelope, keys, DOC_WORKBOOK) : Promise.resolve(undefined) };
}

function bridgeOn(keys: SealedKeys, envelope: Y.Doc, preopened?: ReadonlyMap<Uint8Array, OpenedBlob>) {
  const doc = new Y.Doc();
  const problems: SealedProblem[] = [];
  const bridge = new SealedBridge({ envelope, doc, keys, docTag: DOC_WORKBOOK, deviceId: 'rosa-dev', preopened, onProblem: (p) => problems.push(p), setTimer: () => 0, clearTimer: () => {} });
  return { doc, bridge, problems, wb: new Workbook(doc, { actor: { name: 'Rosa', deviceId: 'rosa-dev' } }) };
}

describe('preopenEnvelope (a stored envelope’s big blobs opened ahead of the bridge)', () => {
  it('opens only the big blobs, and a bridge given them ends exactly where one that opens everything itself does: same workbook, same failures (signature, body), same stats', async () => {
    const keys = keysOf();
    const { state, expected, flipped } = storedEnvelope(keys);
    const a = open(keys, state, true);
    const pre = (await a.preopened)!;
    const big = a.envelope
      .getArray<Uint8Array>(ENVELOPE_BLOBS)
      .toArray()
      .filter((b) => b.length >= PREOPEN_BYTES);
    expect(big.length).toBeGreaterThan(2);
    // the very bytes of the envelope's items (compared by identity: that is what the bridge looks up)
    const opened = [...pre.keys()];
    expect(opened.length).toBe(big.length);
    expect(opened.every((k, i) => k === big[i])).toBe(true);
    expect([...pre.values()].map((o) => (o.ok ? 'ok' : o.failure))).toEqual(big.map((b) => (Buffer.from(b).equals(Buffer.from(flipped)) ? 'signature' : 'ok')));

    const fast = bridgeOn(keys, a.envelope, pre);
    const b = open(keys, state, false);
    const plain = bridgeOn(keys, b.envelope);
    for (const opened of [fast, plain]) {
      expect(observable(opened.wb)).toEqual(expected);
      expect(opened.bridge.failures.map((f) => f.failure)).toEqual(['signature', 'body']);
      expect(opened.problems.map((p) => p.kind)).toEqual(['bad-blob']);
    }
    expect(fast.bridge.stats).toEqual(plain.bridge.stats);
    expect(Buffer.from(Y.encodeStateAsUpdate(fast.doc)).equals(Buffer.from(Y.encodeStateAsUpdate(plain.doc)))).toBe(true);
  });

  it('a blob that reaches the envelope while it is being opened is opened by the bridge itself; a blob deleted meanwhile is not applied', async () => {
    const keys = keysOf();
    const { state, expected } = storedEnvelope(keys);
    const a = open(keys, state, true);
    const arr = a.envelope.getArray<Uint8Array>(ENVELOPE_BLOBS);
    // meanwhile: a colleague's edit arrives, and the hub's copy no longer holds the tampered blob
    const colleague = bridgeOn(keys, (() => {
      const e = new Y.Doc();
      Y.applyUpdate(e, state);
      return e;
    })());
    const sheet = colleague.wb.sheets()[0].id;
    const row = colleague.wb.rowIds(sheet)[1];
    const col = colleague.wb.columns(sheet)[2].id;
    const pre = await a.preopened;
    const edit = sealBlob(keys, { kind: BLOB_CHANGES, doc: DOC_WORKBOOK, epoch: 1 }, { deviceId: 'ben-dev', stream: 'ben', seq: 1, changes: 1, covers: [], update: (() => {
      const d = new Y.Doc();
      Y.applyUpdate(d, Y.encodeStateAsUpdate(colleague.doc));
      const sv = Y.encodeStateVector(d);
      new Workbook(d, { actor: { name: 'Ben', deviceId: 'ben-dev' } }).setCell(sheet, row, col, 'arrived meanwhile');
      return Y.encodeStateAsUpdate(d, sv);
    })() });
    arr.push([edit]);
    arr.delete(arr.length - 3, 1); // the tampered one
    const opened = bridgeOn(keys, a.envelope, pre);
    expect(opened.wb.getValue(sheet, row, col)).toBe('arrived meanwhile');
    expect(opened.bridge.failures.map((f) => f.failure)).toEqual(['body']);
    expect(observable(opened.wb).title).toBe(expected.title);
  });
});
