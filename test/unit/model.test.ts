import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ModelError, SCHEMA_VERSION, Workbook, isModelError, migrate } from '../../src/model/index.js';
import { newWorkbook } from '../support/model.js';

function expectCode(fn: () => unknown, code: string) {
  try {
    fn();
  } catch (e) {
    expect(isModelError(e)).toBe(true);
    expect((e as ModelError).code).toBe(code);
    return;
  }
  throw new Error(`expected ModelError ${code}, nothing was thrown`);
}

describe('workbook lifecycle', () => {
  it('initializes with schema version, a titled first sheet, columns in order and empty rows', () => {
    const { wb } = newWorkbook();
    expect(wb.isInitialized()).toBe(false);
    const sheet = wb.initialize({ title: 'Food bank', columns: 4, rows: 3 });
    expect(wb.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(wb.title()).toBe('Food bank');
    expect(wb.sheets()).toEqual([{ id: sheet, name: 'Sheet 1' }]);
    expect(wb.columns(sheet).map((c) => c.name)).toEqual(['A', 'B', 'C', 'D']);
    expect(wb.rowCount(sheet)).toBe(3);
    expect(wb.checkInvariants()).toEqual([]);
  });

  it('migrates a version-1 doc forward', () => {
    const doc = new Y.Doc();
    doc.getMap('meta').set('schemaVersion', 1);
    migrate(doc);
    expect(doc.getMap('meta').get('schemaVersion')).toBe(SCHEMA_VERSION);
  });

  it('refuses a doc from a newer schema and does not touch it', () => {
    const doc = new Y.Doc();
    doc.getMap('meta').set('schemaVersion', SCHEMA_VERSION + 1);
    const before = Y.encodeStateAsUpdate(doc);
    expectCode(() => migrate(doc), 'SCHEMA_TOO_NEW');
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
    expectCode(() => migrate(new Y.Doc()), 'NOT_INITIALIZED');
  });
});

describe('sheets', () => {
  it('adds, renames, reorders and deletes (to the trash, restorable)', () => {
    const { wb } = newWorkbook();
    const s1 = wb.initialize();
    const s2 = wb.addSheet('Roster');
    const s3 = wb.addSheet('Supplies');
    expect(wb.sheets().map((s) => s.name)).toEqual(['Sheet 1', 'Roster', 'Supplies']);
    wb.renameSheet(s1, '  Needs  ');
    wb.moveSheet(s3, 0);
    expect(wb.sheets().map((s) => s.name)).toEqual(['Supplies', 'Needs', 'Roster']);
    wb.moveSheet(s3, 2);
    expect(wb.sheets().map((s) => s.id)).toEqual([s1, s2, s3]);
    wb.deleteSheet(s2);
    expect(wb.sheets().map((s) => s.id)).toEqual([s1, s3]);
    expect(wb.deletedSheets().map((s) => s.id)).toEqual([s2]);
    wb.restoreSheet(s2);
    expect(wb.sheets().map((s) => s.id)).toEqual([s1, s2, s3]);
  });

  it('rejects bad names, bad indexes and deleting the last sheet, changing nothing', () => {
    const { wb, doc } = newWorkbook();
    const s1 = wb.initialize();
    const before = Y.encodeStateVector(doc);
    expectCode(() => wb.addSheet('   '), 'INVALID_NAME');
    expectCode(() => wb.addSheet('x'.repeat(201)), 'INVALID_NAME');
    expectCode(() => wb.moveSheet(s1, 5), 'INVALID_INDEX');
    expectCode(() => wb.deleteSheet(s1), 'LAST_SHEET');
    expectCode(() => wb.renameSheet('nope-nope', 'x'), 'UNKNOWN_SHEET');
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });
});

describe('columns', () => {
  it('inserts at an index, renames, retypes, resizes, moves and deletes', () => {
    const { wb } = newWorkbook();
    const s = wb.initialize({ columns: 2, rows: 1 });
    const [a, b] = wb.columns(s).map((c) => c.id);
    const mid = wb.addColumn(s, { name: 'Qty', type: 'number', width: 80 }, 1);
    expect(wb.columns(s).map((c) => c.id)).toEqual([a, mid, b]);
    wb.updateColumn(s, mid, { name: 'Quantity', width: 90 });
    expect(wb.column(s, mid)).toMatchObject({ name: 'Quantity', type: 'number', width: 90 });
    wb.moveColumn(s, a, 2);
    expect(wb.columns(s).map((c) => c.id)).toEqual([mid, b, a]);
    wb.deleteColumn(s, b);
    expect(wb.columns(s).map((c) => c.id)).toEqual([mid, a]);
    wb.restoreColumn(s, b);
    expect(wb.columns(s).map((c) => c.id)).toEqual([mid, b, a]);
  });

  it('validates type, width and options', () => {
    const { wb } = newWorkbook();
    const s = wb.initialize({ columns: 1 });
    const [a] = wb.columns(s).map((c) => c.id);
    expectCode(() => wb.addColumn(s, { name: 'x', type: 'money' as never }), 'INVALID_COLUMN_TYPE');
    expectCode(() => wb.updateColumn(s, a, { width: 5 }), 'INVALID_WIDTH');
    expectCode(() => wb.updateColumn(s, a, { options: [{ id: 'o', label: 'x', color: 'red' }] }), 'INVALID_OPTIONS');
    expectCode(
      () =>
        wb.updateColumn(s, a, {
          options: [
            { id: 'o', label: 'x', color: '#ff0000' },
            { id: 'o', label: 'y', color: '#00ff00' },
          ],
        }),
      'INVALID_OPTIONS',
    );
    expect(wb.column(s, a).type).toBe('text');
  });

  it('keeps values when a column is retyped; misfits are kept as they are', () => {
    const { wb } = newWorkbook();
    const s = wb.initialize({ columns: 1, rows: 1 });
    const [col] = wb.columns(s);
    const [row] = wb.rowIds(s);
    wb.setCell(s, row, col.id, 'twelve');
    wb.updateColumn(s, col.id, { type: 'number' });
    expect(wb.getValue(s, row, col.id)).toBe('twelve');
  });
});

describe('rows', () => {
  it('inserts at the top, middle and end; moves; deletes to the trash and restores with cells intact', () => {
    const { wb } = newWorkbook();
    const s = wb.initialize({ columns: 1, rows: 2 });
    const [r1, r2] = wb.rowIds(s);
    const [top] = wb.insertRows(s, 0, 1);
    const [mid] = wb.insertRows(s, 2, 1);
    const [end] = wb.insertRows(s, 4, 1);
    expect(wb.rowIds(s)).toEqual([top, r1, mid, r2, end]);
    wb.moveRow(s, end, 0);
    expect(wb.rowIds(s)).toEqual([end, top, r1, mid, r2]);
    const col = wb.columns(s)[0].id;
    wb.setCell(s, mid, col, 'keep me');
    wb.deleteRows(s, [mid, top]);
    expect(wb.rowIds(s)).toEqual([end, r1, r2]);
    expect(wb.deletedRows(s).map((d) => d.id).sort()).toEqual([mid, top].sort());
    wb.restoreRows(s, [mid]);
    expect(wb.rowIds(s)).toEqual([end, r1, mid, r2]);
    expect(wb.getValue(s, mid, col)).toBe('keep me');
    expect(wb.checkInvariants()).toEqual([]);
  });

  it('appending thousands of rows keeps position keys short', () => {
    const { wb, doc } = newWorkbook();
    const s = wb.initialize({ columns: 1, rows: 0 });
    for (let i = 0; i < 2000; i++) wb.insertRows(s, wb.rowCount(s), 1);
    const keys = Array.from((doc.getMap('sheets').get(s) as Y.Map<Y.Map<string>>).get('rowPos')!.values());
    expect(Math.max(...keys.map((k) => k.length))).toBeLessThanOrEqual(5);
    const bulk = wb.insertRows(s, 1000, 10_000);
    expect(bulk).toHaveLength(10_000);
    const keys2 = Array.from((doc.getMap('sheets').get(s) as Y.Map<Y.Map<string>>).get('rowPos')!.values());
    expect(Math.max(...keys2.map((k) => k.length))).toBeLessThanOrEqual(12);
    expect(wb.rowIds(s).slice(1000, 1003)).toEqual(bulk.slice(0, 3));
  });

  it('rejects unknown rows and bad counts', () => {
    const { wb } = newWorkbook();
    const s = wb.initialize({ columns: 1, rows: 1 });
    expectCode(() => wb.insertRows(s, 0, 0), 'INVALID_INDEX');
    expectCode(() => wb.insertRows(s, 5, 1), 'INVALID_INDEX');
    expectCode(() => wb.moveRow(s, 'missing-row', 0), 'UNKNOWN_ROW');
    expectCode(() => wb.deleteRows(s, ['missing-row']), 'UNKNOWN_ROW');
  });
});

describe('cells', () => {
  function typedSheet() {
    const t = newWorkbook('Ana');
    const s = t.wb.initialize({ columns: 0, rows: 1 });
    const ids = {
      text: t.wb.addColumn(s, { name: 'Name' }),
      number: t.wb.addColumn(s, { name: 'Qty', type: 'number' }),
      date: t.wb.addColumn(s, { name: 'Expiry', type: 'date' }),
      check: t.wb.addColumn(s, { name: 'Done', type: 'checkbox' }),
      select: t.wb.addColumn(s, {
        name: 'Status',
        type: 'select',
        options: [
          { id: 'open', label: 'Open', color: '#1f6feb' },
          { id: 'done', label: 'Done', color: '#1a7f37' },
        ],
      }),
    };
    return { ...t, s, ids, row: t.wb.rowIds(s)[0] };
  }

  it('stores typed values with who and when', () => {
    const { wb, s, ids, row, tick } = typedSheet();
    tick();
    wb.setCells(s, [
      { rowId: row, colId: ids.text, value: 'Rice | beans' },
      { rowId: row, colId: ids.number, value: -2.5 },
      { rowId: row, colId: ids.date, value: '2026-02-28' },
      { rowId: row, colId: ids.check, value: true },
      { rowId: row, colId: ids.select, value: 'open' },
    ]);
    expect(wb.getValue(s, row, ids.text)).toBe('Rice | beans');
    expect(wb.getValue(s, row, ids.number)).toBe(-2.5);
    expect(wb.getValue(s, row, ids.date)).toBe('2026-02-28');
    expect(wb.getValue(s, row, ids.check)).toBe(true);
    expect(wb.getValue(s, row, ids.select)).toBe('open');
    expect(wb.getCell(s, row, ids.text)).toEqual({ v: 'Rice | beans', by: 'Ana', dev: 'Ana-phone', at: 1_764_000_001_000 });
    wb.setActor({ name: 'Ben', deviceId: 'Ben-laptop' });
    wb.setCell(s, row, ids.number, null);
    expect(wb.getCell(s, row, ids.number)).toMatchObject({ v: null, by: 'Ben', dev: 'Ben-laptop' });
    expect(wb.getCell(s, row, ids.text)?.by).toBe('Ana');
  });

  it('rejects values that do not fit, with a typed error and no partial write', () => {
    const { wb, doc, s, ids, row } = typedSheet();
    const before = Y.encodeStateVector(doc);
    expectCode(() => wb.setCell(s, row, ids.number, '12' as never), 'NOT_A_NUMBER');
    expectCode(() => wb.setCell(s, row, ids.number, Number.NaN), 'NOT_A_NUMBER');
    expectCode(() => wb.setCell(s, row, ids.number, Infinity), 'NOT_A_NUMBER');
    expectCode(() => wb.setCell(s, row, ids.date, '2026-02-30'), 'NOT_A_DATE');
    expectCode(() => wb.setCell(s, row, ids.date, '28/02/2026'), 'NOT_A_DATE');
    expectCode(() => wb.setCell(s, row, ids.check, 'yes' as never), 'NOT_A_CHECKBOX');
    expectCode(() => wb.setCell(s, row, ids.select, 'Open'), 'NOT_AN_OPTION');
    expectCode(() => wb.setCell(s, row, ids.text, 5 as never), 'NOT_TEXT');
    expectCode(() => wb.setCell(s, row, ids.text, 'x'.repeat(50_001)), 'TEXT_TOO_LONG');
    expectCode(() => wb.setCell(s, 'no-such-row', ids.text, 'x'), 'UNKNOWN_ROW');
    expectCode(() => wb.setCell(s, row, 'no-such-col', 'x'), 'UNKNOWN_COLUMN');
    // One bad write in a batch: nothing of the batch lands.
    expectCode(
      () =>
        wb.setCells(s, [
          { rowId: row, colId: ids.text, value: 'fine' },
          { rowId: row, colId: ids.number, value: 'bad' as never },
        ]),
      'NOT_A_NUMBER',
    );
    expect(wb.getValue(s, row, ids.text)).toBe(null);
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });

  it('a batch write is one transaction (one update for sync, one step for undo)', () => {
    const { wb, doc, s, ids } = typedSheet();
    const rows = wb.insertRows(s, 1, 50);
    let updates = 0;
    doc.on('update', () => updates++);
    wb.setCells(
      s,
      rows.map((r, i) => ({ rowId: r, colId: ids.number, value: i })),
    );
    expect(updates).toBe(1);
  });

  it('deleting a row keeps its cells (the trash can give it back)', () => {
    const { wb, s, ids, row } = typedSheet();
    wb.setCell(s, row, ids.text, 'before delete');
    const other = new Workbook(wb.doc, { actor: { name: 'Ben', deviceId: 'b' } });
    other.deleteRows(s, [row]);
    expect(wb.rowIds(s)).not.toContain(row);
    expect(wb.deletedRows(s).map((r) => r.id)).toContain(row);
    expect(wb.getValue(s, row, ids.text)).toBe('before delete');
    expect(wb.checkInvariants()).toEqual([]);
  });

  it('notifies observers with the sheet and cells that changed, and whether it was local', () => {
    const { wb, s, ids, row } = typedSheet();
    const seen: { local: boolean; cells: string[]; structure: boolean }[] = [];
    wb.observe((c) => {
      const sc = c.sheets.get(s);
      if (sc) seen.push({ local: c.local, cells: Array.from(sc.cells), structure: sc.structure });
    });
    wb.setCell(s, row, ids.text, 'x');
    wb.insertRows(s, 0, 1);
    expect(seen).toEqual([
      { local: true, cells: [`${row}:${ids.text}`], structure: false },
      { local: true, cells: [], structure: true },
    ]);
  });
});

describe('templates', () => {
  it('builds each template with its columns, types and statuses, and a sound doc', async () => {
    const { TEMPLATES, applyTemplate } = await import('../../src/model/templates.js');
    for (const t of TEMPLATES) {
      const { wb } = newWorkbook();
      const sheet = applyTemplate(wb, t);
      expect(wb.isInitialized()).toBe(true);
      expect(wb.columns(sheet).map((c) => c.name)).toEqual(t.sheets[0].columns.map((c) => c.name));
      expect(wb.rowCount(sheet)).toBe(t.sheets[0].rows);
      expect(wb.checkInvariants()).toEqual([]);
    }
    const { wb } = newWorkbook();
    const s = applyTemplate(wb, TEMPLATES.find((t) => t.id === 'inventory')!);
    const onHand = wb.columns(s).find((c) => c.name === 'On hand')!;
    expect(onHand.type).toBe('counter');
    expect(onHand.minColumn).toBe(wb.columns(s).find((c) => c.name === 'Reorder at')!.id);
    const { wb: w2 } = newWorkbook();
    const r = applyTemplate(w2, TEMPLATES.find((t) => t.id === 'requests')!);
    const status = w2.columns(r).find((c) => c.name === 'Status')!;
    expect(status.options.map((o) => o.label)).toContain('Delivery assigned');
    expect(w2.columns(r).find((c) => c.name === 'Delivery volunteer')).toMatchObject({ type: 'claim', expiresDays: 6 });
  });
});
