import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Workbook } from '../../src/model/index.js';

/** Two replicas that edit apart and then exchange everything. */
function pair() {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.clientID = 1;
  b.clientID = 2;
  let t = 1_764_000_000_000;
  const wa = new Workbook(a, { actor: { name: 'Ana', deviceId: 'a' }, now: () => (t += 10) });
  const wb = new Workbook(b, { actor: { name: 'Ben', deviceId: 'b' }, now: () => (t += 10) });
  const sheet = wa.initialize({ columns: 3, rows: 3 });
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  const sync = () => {
    const ua = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
    const ub = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
    Y.applyUpdate(b, ua);
    Y.applyUpdate(a, ub);
  };
  return { a: wa, b: wb, sheet, sync };
}

describe('merge semantics', () => {
  it('concurrent edits to different cells of one row both survive', () => {
    const { a, b, sheet, sync } = pair();
    const [row] = a.rowIds(sheet);
    const [c1, c2] = a.columns(sheet).map((c) => c.id);
    a.setCell(sheet, row, c1, 'from Ana');
    b.setCell(sheet, row, c2, 'from Ben');
    sync();
    for (const w of [a, b]) {
      expect(w.getValue(sheet, row, c1)).toBe('from Ana');
      expect(w.getValue(sheet, row, c2)).toBe('from Ben');
    }
  });

  it('the same cell: one value wins on every replica, with its author', () => {
    const { a, b, sheet, sync } = pair();
    const [row] = a.rowIds(sheet);
    const [c1] = a.columns(sheet).map((c) => c.id);
    a.setCell(sheet, row, c1, 'Ana says 3');
    b.setCell(sheet, row, c1, 'Ben says 4');
    sync();
    expect(a.getCell(sheet, row, c1)).toEqual(b.getCell(sheet, row, c1));
    const winner = a.getCell(sheet, row, c1)!;
    expect(winner.by).toBe(winner.v === 'Ana says 3' ? 'Ana' : 'Ben');
  });

  it('a concurrent column insert never moves an edit to the wrong cell', () => {
    const { a, b, sheet, sync } = pair();
    const [row] = a.rowIds(sheet);
    const cols = a.columns(sheet).map((c) => c.id);
    a.addColumn(sheet, { name: 'Inserted' }, 0);
    b.setCell(sheet, row, cols[1], 'belongs to B');
    sync();
    for (const w of [a, b]) {
      const names = w.columns(sheet).map((c) => c.name);
      expect(names).toEqual(['Inserted', 'A', 'B', 'C']);
      const colB = w.columns(sheet).find((c) => c.name === 'B')!;
      expect(w.getValue(sheet, row, colB.id)).toBe('belongs to B');
    }
  });

  it('two people moving the same row never duplicate it', () => {
    const { a, b, sheet, sync } = pair();
    const rows = a.rowIds(sheet);
    a.moveRow(sheet, rows[0], 2);
    b.moveRow(sheet, rows[0], 1);
    sync();
    expect(a.rowIds(sheet)).toEqual(b.rowIds(sheet));
    expect(new Set(a.rowIds(sheet)).size).toBe(3);
  });

  it('concurrent inserts at the same spot keep both rows, in the same order everywhere', () => {
    const { a, b, sheet, sync } = pair();
    const [ra] = a.insertRows(sheet, 1, 1);
    const [rb] = b.insertRows(sheet, 1, 1);
    sync();
    expect(a.rowIds(sheet)).toEqual(b.rowIds(sheet));
    expect(a.rowIds(sheet)).toEqual(expect.arrayContaining([ra, rb]));
    // and a later insert between them still lands between real keys
    a.insertRows(sheet, 2, 1);
    sync();
    expect(a.rowIds(sheet)).toEqual(b.rowIds(sheet));
    expect(a.checkInvariants()).toEqual([]);
  });

  it('an edit made offline to a row someone deleted is kept (in the trash, restorable)', () => {
    const { a, b, sheet, sync } = pair();
    const [row] = a.rowIds(sheet);
    const [c1] = a.columns(sheet).map((c) => c.id);
    a.deleteRows(sheet, [row]);
    b.setCell(sheet, row, c1, 'offline count: 12');
    sync();
    expect(a.rowIds(sheet)).not.toContain(row);
    expect(a.getValue(sheet, row, c1)).toBe('offline count: 12');
    a.restoreRows(sheet, [row]);
    sync();
    expect(b.rowIds(sheet)).toContain(row);
    expect(b.getValue(sheet, row, c1)).toBe('offline count: 12');
  });

  it('renaming and resizing one column at once keeps both', () => {
    const { a, b, sheet, sync } = pair();
    const [c1] = a.columns(sheet).map((c) => c.id);
    a.updateColumn(sheet, c1, { name: 'Item' });
    b.updateColumn(sheet, c1, { width: 300 });
    sync();
    for (const w of [a, b]) expect(w.column(sheet, c1)).toMatchObject({ name: 'Item', width: 300 });
  });
});
