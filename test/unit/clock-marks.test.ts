import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Workbook } from '../../src/model/index.js';
import { CLOCK_MARKS } from '../../src/model/clock-marks.js';
import { HubState, clocksOf } from '../../src/sync/hub-state.js';

function device(name: string, doc = new Y.Doc(), readOnly = false) {
  return new Workbook(doc, { actor: { name, deviceId: `${name}-phone` }, readOnly });
}

/** The hub acked everything the doc holds now. */
function ackedAll(doc: Y.Doc): HubState {
  const hub = new HubState();
  hub.merge(clocksOf(doc));
  return hub;
}

describe('clock marks: every local change moves this device’s clock', () => {
  it('a row restored from the trash, and a key deleted by hand, are pending until acked', () => {
    const ana = device('Ana');
    const sheet = ana.initialize({ rows: 2, columns: 1 });
    const row = ana.rowIds(sheet)[0];
    ana.deleteRows(sheet, [row]);
    const hub = ackedAll(ana.doc);
    expect(hub.pendingFor(ana.doc)).toBe(0);
    ana.restoreRows(sheet, [row]);
    expect(hub.pendingFor(ana.doc)).toBe(1);
    expect(ana.doc.getMap(CLOCK_MARKS).get(String(ana.doc.clientID))).toBe(1);
    hub.merge(clocksOf(ana.doc));
    expect(hub.pendingFor(ana.doc)).toBe(0);
    ana.doc.transact(() => ana.doc.getMap('meta').delete('createdAt'));
    expect(hub.pendingFor(ana.doc)).toBe(1);
    expect(ana.doc.getMap(CLOCK_MARKS).get(String(ana.doc.clientID))).toBe(2);
  });

  it('a change that makes structs, a colleague’s deletion arriving, and a view link make no mark', () => {
    const ana = device('Ana');
    const sheet = ana.initialize({ rows: 2, columns: 1 });
    const col = ana.columns(sheet)[0].id;
    const row = ana.rowIds(sheet)[0];
    const ben = device('Ben');
    Y.applyUpdate(ben.doc, Y.encodeStateAsUpdate(ana.doc));
    ben.deleteRows(sheet, [row]);
    ana.setCell(sheet, row, col, 'Beans');
    expect(ana.doc.getMap(CLOCK_MARKS).size).toBe(0);
    Y.applyUpdate(ben.doc, Y.encodeStateAsUpdate(ana.doc));
    ben.restoreRows(sheet, [row]);
    const before = clocksOf(ana.doc).get(ana.doc.clientID);
    Y.applyUpdate(ana.doc, Y.encodeStateAsUpdate(ben.doc, Y.encodeStateVector(ana.doc)));
    expect(ana.deletedRows(sheet)).toEqual([]);
    expect(clocksOf(ana.doc).get(ana.doc.clientID)).toBe(before);
    expect(ana.doc.getMap(CLOCK_MARKS).has(String(ana.doc.clientID))).toBe(false);

    const viewer = device('Vera', new Y.Doc(), true);
    Y.applyUpdate(viewer.doc, Y.encodeStateAsUpdate(ana.doc));
    viewer.doc.transact(() => viewer.doc.getMap('meta').delete('createdAt'));
    expect(viewer.doc.getMap(CLOCK_MARKS).has(String(viewer.doc.clientID))).toBe(false);
  });

  it('is no step of undo: one undo takes back the restore itself; a mark that is not a count reads as none', () => {
    const ana = device('Ana');
    const sheet = ana.initialize({ rows: 2, columns: 1 });
    const row = ana.rowIds(sheet)[0];
    ana.deleteRows(sheet, [row]);
    const undo = ana.createUndoManager();
    ana.restoreRows(sheet, [row]);
    expect(undo.undoStack.length).toBe(1);
    undo.undo();
    expect(ana.deletedRows(sheet).map((d) => d.id)).toEqual([row]);
    ana.doc.getMap(CLOCK_MARKS).set(String(ana.doc.clientID), 'garbage');
    ana.restoreRows(sheet, [row]);
    expect(ana.doc.getMap(CLOCK_MARKS).get(String(ana.doc.clientID))).toBe(1);
  });

  it('two devices with marks converge', () => {
    const ana = device('Ana');
    const sheet = ana.initialize({ rows: 2, columns: 1 });
    const [r0, r1] = ana.rowIds(sheet);
    ana.deleteRows(sheet, [r0, r1]);
    const ben = device('Ben');
    Y.applyUpdate(ben.doc, Y.encodeStateAsUpdate(ana.doc));
    ana.restoreRows(sheet, [r0]);
    ben.restoreRows(sheet, [r1]);
    Y.applyUpdate(ana.doc, Y.encodeStateAsUpdate(ben.doc, Y.encodeStateVector(ana.doc)));
    Y.applyUpdate(ben.doc, Y.encodeStateAsUpdate(ana.doc, Y.encodeStateVector(ben.doc)));
    expect(ana.doc.getMap(CLOCK_MARKS).toJSON()).toEqual(ben.doc.getMap(CLOCK_MARKS).toJSON());
    expect(ana.doc.getMap(CLOCK_MARKS).size).toBe(2);
    expect(ana.deletedRows(sheet)).toEqual([]);
    expect(ben.deletedRows(sheet)).toEqual([]);
  });
});
