import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { toCsv } from '../../src/io/csv.js';
import { isIoError, MAX_CSV_BYTES, MAX_XLSX_BYTES } from '../../src/io/errors.js';
import { readImportFile } from '../../src/io/import-file.js';
import { readXlsx, writeXlsx } from '../../src/io/xlsx.js';
import { checkImport, commitImport, inferColumns, type ImportTable } from '../../src/model/import.js';
import { fitsColumn, isModelError, type Workbook } from '../../src/model/index.js';
import { newWorkbook } from '../support/model.js';

const LONG = 'Necesitamos agua potable para 40 familias. '.repeat(250);

async function xlsxBytes(build: (book: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  build(book);
  return new Uint8Array((await book.xlsx.writeBuffer()) as ArrayBuffer);
}

/** What Google Sheets' "Download → Microsoft Excel (.xlsx)" gives for a requests sheet, and a second sheet. */
function googleSheetsLike(book: ExcelJS.Workbook): void {
  const ws = book.addWorksheet('Requests');
  ws.addRow(['Name', 'Requested on', 'Qty', 'Delivered', 'Notes', 'Status', 'Phone', 'Pickup']);
  const date = (y: number, m: number, d: number, h = 0, min = 0) => new Date(Date.UTC(y, m - 1, d, h, min));
  ws.addRow(['Zoë Ñandú 🌧️', date(2026, 12, 1), 1234.5, true, 'line one\nline "two"', 'open', '+1 555 123 4567', date(2026, 12, 2, 14, 30)]);
  ws.addRow(['李雷', date(2026, 12, 3), 2, false, LONG, 'done', '+1 555 987 6543', date(2026, 12, 4, 9, 0)]);
  ws.addRow(['Ana', null, null, null, null, 'open', null, null]);
  ws.addRow([{ richText: [{ text: 'Luis ' }, { text: 'Pérez', font: { bold: true } }] }, date(2026, 12, 5), { formula: 'B1*2', result: 4 }, true, { text: 'map', hyperlink: 'https://example.org/map' }, 'done', '+1 555 000 1111', date(2026, 12, 6, 8, 15)]);
  ws.getColumn(2).numFmt = 'm/d/yyyy';
  ws.getColumn(8).numFmt = 'm/d/yyyy h:mm';
  const second = book.addWorksheet('Volunteers');
  second.addRow(['Who', 'Hours']);
  second.addRow(['Ben', 3]);
}

function snapshotOf(wb: Workbook): Uint8Array {
  return Y.encodeStateAsUpdate(wb.doc);
}

describe('import: CSV as Google Sheets and Excel write it', () => {
  const csv =
    '\ufeffName,Requested on,Qty,Delivered,Notes,Status\r\n' +
    'Zoë Ñandú 🌧️,12/1/2026,"1,234.5",TRUE,"line one\nline ""two""",open\r\n' +
    `李雷,12/3/2026,2,FALSE,"${LONG}",done\r\n` +
    'Ana,,,,,open\r\n' +
    "Luis,12/15/2026,n/a,TRUE,'=HYPERLINK(\"x\"),done\r\n";

  it('infers the types, keeps every character, reports what does not fit and keeps it as text', async () => {
    const [table] = await readImportFile(new TextEncoder().encode(csv), 'Food bank requests.csv');
    expect(table.name).toBe('Food bank requests');
    const plans = inferColumns(table);
    expect(plans.map((p) => p.type)).toEqual(['text', 'date', 'text', 'checkbox', 'longtext', 'select']);
    // "n/a" makes Qty text by inference; a person switches it to number in the preview.
    plans[2].type = 'number';
    expect(plans[1].dateOrder).toBe('mdy');
    const check = checkImport(table, plans);
    expect(check.issues).toEqual([
      { row: 5, column: 'Qty', text: 'n/a', reason: expect.stringContaining('not a number'), code: 'NOT_A_NUMBER', detail: expect.objectContaining({ input: 'n/a' }), kept: true },
    ]);

    const { wb } = newWorkbook();
    wb.initialize();
    const result = commitImport(wb, table, plans, { kind: 'new', name: table.name });
    expect(result).toMatchObject({ rows: 4, keptCount: 1, skippedCount: 0 });
    const cols = wb.columns(result.sheetId);
    const rows = wb.rowIds(result.sheetId);
    const v = (r: number, c: number) => wb.getValue(result.sheetId, rows[r], cols[c].id);
    expect([v(0, 0), v(0, 1), v(0, 2), v(0, 3), v(0, 4)]).toEqual(['Zoë Ñandú 🌧️', '2026-12-01', 1234.5, true, 'line one\nline "two"']);
    expect(v(1, 4)).toBe(LONG);
    expect([v(2, 1), v(2, 2), v(2, 3)]).toEqual([null, null, null]);
    expect(v(3, 2)).toBe('n/a');
    expect(fitsColumn(cols[2], v(3, 2))).toBe(false);
    // our own neutralising quote is removed on the way in; nothing else is
    expect(v(3, 4)).toBe('=HYPERLINK("x")');
    const status = cols[5];
    expect(status.options.map((o) => o.label)).toEqual(['open', 'done']);
    expect(v(0, 5)).toBe(status.options[0].id);
  });

  it('reads day-first dates when the file can only mean that, and semicolon CSV from European Excel', async () => {
    const text = 'Día;Cantidad\r\n31/12/2026;3\r\n01/11/2026;4\r\n';
    const [table] = await readImportFile(new TextEncoder().encode(text), 'x.csv');
    const plans = inferColumns(table);
    expect(plans[0]).toMatchObject({ type: 'date', dateOrder: 'dmy' });
    const { wb } = newWorkbook();
    wb.initialize();
    const r = commitImport(wb, table, plans, { kind: 'new', name: 'x' });
    const cols = wb.columns(r.sheetId);
    expect(wb.rowIds(r.sheetId).map((id) => wb.getValue(r.sheetId, id, cols[0].id))).toEqual(['2026-12-31', '2026-11-01']);
  });

  it('keeps identifiers with leading zeros as text, and reads Windows-1252 files', async () => {
    const bytes = Uint8Array.from([...new TextEncoder().encode('Zip,Town\r\n02134,'), 0x4d, 0xe1, 0x6c, 0x61, 0x67, 0x61, 0x0d, 0x0a]);
    const [table] = await readImportFile(bytes, 'zips.csv');
    const plans = inferColumns(table);
    expect(plans[0].type).toBe('text');
    expect(table.rows[0]).toEqual(['02134', 'Málaga']);
  });

  it('round-trips text and numbers exactly through CSV, formula characters included', async () => {
    const { wb } = newWorkbook();
    const sheet = wb.initialize({ columns: 0, rows: 0 });
    const text = wb.addColumn(sheet, { name: 'Note', type: 'text' });
    const num = wb.addColumn(sheet, { name: 'Qty', type: 'number' });
    const values = ['=1+1', '+34 600', '-x', '@SUM(A1)', '\tTab', "'=already quoted", 'a, "b"\nc', 'plain', 'ü✓'];
    const ids = wb.insertRows(sheet, 0, values.length);
    wb.setCells(sheet, ids.flatMap((id, i) => [{ rowId: id, colId: text, value: values[i] }, { rowId: id, colId: num, value: i % 2 ? -i * 1.5 : i * 1e6 }]));
    const out = toCsv(wb.columns(sheet), wb.rowIds(sheet), (r, c) => wb.getValue(sheet, r, c));
    const [table] = await readImportFile(new TextEncoder().encode(out), 'back.csv');
    const plans = inferColumns(table);
    expect(plans.map((p) => p.type)).toEqual(['longtext', 'number']);
    const back = newWorkbook('Ben').wb;
    back.initialize();
    const r = commitImport(back, table, plans, { kind: 'new', name: 'back' });
    const cols = back.columns(r.sheetId);
    back.rowIds(r.sheetId).forEach((id, i) => {
      expect(back.getValue(r.sheetId, id, cols[0].id)).toBe(values[i]);
      expect(back.getValue(r.sheetId, id, cols[1].id)).toBe(i % 2 ? -i * 1.5 : i * 1e6);
    });
  });
});

describe('import: XLSX', () => {
  it('imports every sheet of a Google-Sheets-shaped workbook with real types', async () => {
    const tables = await readImportFile(await xlsxBytes(googleSheetsLike), 'Relief.xlsx');
    expect(tables.map((t) => t.name)).toEqual(['Requests', 'Volunteers']);
    const [requests, volunteers] = tables;
    const plans = inferColumns(requests);
    expect(plans.map((p) => p.type)).toEqual(['text', 'date', 'number', 'checkbox', 'longtext', 'select', 'phone', 'datetime']);
    expect(checkImport(requests, plans).issues).toEqual([]);
    const { wb } = newWorkbook();
    wb.initialize();
    const r = commitImport(wb, requests, plans, { kind: 'new', name: requests.name });
    commitImport(wb, volunteers, inferColumns(volunteers), { kind: 'new', name: volunteers.name });
    expect(wb.sheets().map((s) => s.name)).toEqual(['Sheet 1', 'Requests', 'Volunteers']);
    const cols = wb.columns(r.sheetId);
    const rows = wb.rowIds(r.sheetId);
    const row = (i: number) => cols.map((c) => wb.getValue(r.sheetId, rows[i], c.id));
    expect(row(0)).toEqual(['Zoë Ñandú 🌧️', '2026-12-01', 1234.5, true, 'line one\nline "two"', cols[5].options[0].id, '+1 555 123 4567', '2026-12-02T14:30']);
    expect(row(1)[4]).toBe(LONG);
    expect(row(2)).toEqual(['Ana', null, null, null, null, cols[5].options[0].id, null, null]);
    expect(row(3).slice(0, 5)).toEqual(['Luis Pérez', '2026-12-05', 4, true, 'map']);
  });

  it('round-trips every column type exactly: model → XLSX → model, counters and claims included', async () => {
    const { wb } = newWorkbook('Ana');
    const sheet = wb.initialize({ title: 'Relief', sheetName: 'Everything', columns: 0, rows: 0 });
    const opts = [
      { id: 'a1', label: 'Open', color: '#1f6feb' },
      { id: 'a2', label: 'Done', color: '#1a7f37' },
    ];
    const c = {
      text: wb.addColumn(sheet, { name: 'Text', type: 'text' }),
      longtext: wb.addColumn(sheet, { name: 'Notes', type: 'longtext' }),
      number: wb.addColumn(sheet, { name: 'Weight', type: 'number', unit: 'kg' }),
      date: wb.addColumn(sheet, { name: 'Day', type: 'date' }),
      datetime: wb.addColumn(sheet, { name: 'When', type: 'datetime' }),
      checkbox: wb.addColumn(sheet, { name: 'Done?', type: 'checkbox' }),
      select: wb.addColumn(sheet, { name: 'Status', type: 'select', options: opts }),
      multiselect: wb.addColumn(sheet, { name: 'Needs', type: 'multiselect', options: opts }),
      phone: wb.addColumn(sheet, { name: 'Phone', type: 'phone' }),
      link: wb.addColumn(sheet, { name: 'Map', type: 'link' }),
      counter: wb.addColumn(sheet, { name: 'On hand', type: 'counter', min: 5 }),
      claim: wb.addColumn(sheet, { name: 'Taken by', type: 'claim', expiresDays: 6 }),
    };
    const rows = wb.insertRows(sheet, 0, 3);
    wb.setCells(sheet, [
      { rowId: rows[0], colId: c.text, value: '=not a formula' },
      { rowId: rows[0], colId: c.longtext, value: 'two\nlines' },
      { rowId: rows[0], colId: c.number, value: -12.75 },
      { rowId: rows[0], colId: c.date, value: '2026-02-28' },
      { rowId: rows[0], colId: c.datetime, value: '2026-12-01T23:59' },
      { rowId: rows[0], colId: c.checkbox, value: true },
      { rowId: rows[0], colId: c.select, value: 'a2' },
      { rowId: rows[0], colId: c.multiselect, value: 'a2,a1' },
      { rowId: rows[0], colId: c.phone, value: '+34 600 11 22 33' },
      { rowId: rows[0], colId: c.link, value: 'https://example.org/a?b=c' },
      { rowId: rows[1], colId: c.checkbox, value: false },
      { rowId: rows[1], colId: c.date, value: '1999-01-01' },
    ]);
    wb.recount(sheet, rows[0], c.counter, 40);
    wb.adjustCounter(sheet, rows[0], c.counter, -3);
    wb.adjustCounter(sheet, rows[1], c.counter, 2);
    wb.claim(sheet, rows[0], c.claim);
    wb.setClaimHolders(sheet, rows[1], c.claim, [{ name: 'Luis' }, { name: 'Marta' }]);
    const second = wb.addSheet('Second');
    wb.addColumn(second, { name: 'Only', type: 'number' });

    const tables = await readXlsx(await writeXlsx(wb));
    expect(tables.map((t) => t.name)).toEqual(['Everything', 'Second']);
    const back = newWorkbook('Ben').wb;
    back.initialize();
    const r = commitImport(back, tables[0], inferColumns(tables[0]), { kind: 'new', name: tables[0].name });
    const strip = ({ id: _id, ...rest }: { id: string }) => rest;
    expect(back.columns(r.sheetId).map(strip)).toEqual(wb.columns(sheet).map(strip));
    const backRows = back.rowIds(r.sheetId);
    expect(backRows).toHaveLength(3);
    const before = rows.map((id) => wb.columns(sheet).map((col) => wb.getValue(sheet, id, col.id)));
    const after = backRows.map((id) => back.columns(r.sheetId).map((col) => back.getValue(r.sheetId, id, col.id)));
    expect(after).toEqual(before);
    expect(after[0][10]).toBe(37);
    expect(String(after[1][11]).split(', ').sort()).toEqual(['Luis', 'Marta']);
  });

  it('writes text as strings, never formulas, for every formula character', async () => {
    const { wb } = newWorkbook();
    const sheet = wb.initialize({ columns: 1, rows: 6 });
    const col = wb.columns(sheet)[0].id;
    const bad = ['=cmd|" /C calc"!A0', '+1+1', '-2+3', '@SUM(1)', '\t=1', '\r=1'];
    wb.setCells(sheet, wb.rowIds(sheet).map((rowId, i) => ({ rowId, colId: col, value: bad[i] })));
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await writeXlsx(wb)).buffer as ArrayBuffer);
    const ws = book.worksheets[0];
    bad.forEach((text, i) => {
      const cell = ws.getCell(i + 2, 1);
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeFalsy();
      expect(cell.value).toBe(text);
    });
  });
});

describe('import: bad files change nothing', () => {
  async function refuses(bytes: Uint8Array, name: string, code: string) {
    const { wb } = newWorkbook();
    wb.initialize();
    const before = snapshotOf(wb);
    const err = await readImportFile(bytes, name).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isIoError(err) ? err.code : isModelError(err) ? err.code : String(err)).toBe(code);
    expect(Y.encodeStateAsUpdate(wb.doc)).toEqual(before);
  }

  it('refuses mislabelled, malformed, empty, oversized and unsupported files with a clear code', async () => {
    await refuses(new TextEncoder().encode('Name,Qty\r\nA,1\r\n'), 'not-really.xlsx', 'NOT_A_SPREADSHEET');
    // The content decides: a workbook saved under a .csv name is read as the workbook it is.
    expect((await readImportFile(await xlsxBytes(googleSheetsLike), 'renamed.csv')).length).toBeGreaterThan(0);
    await refuses(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 'photo.csv', 'NOT_TEXT');
    await refuses(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8]), 'broken.xlsx', 'MALFORMED_XLSX');
    await refuses(new Uint8Array(0), 'empty.csv', 'EMPTY_FILE');
    await refuses(new Uint8Array(MAX_CSV_BYTES + 1).fill(0x61), 'huge.csv', 'FILE_TOO_LARGE');
    const bigXlsx = new Uint8Array(MAX_XLSX_BYTES + 1);
    bigXlsx.set([0x50, 0x4b, 0x03, 0x04]);
    await refuses(bigXlsx, 'huge.xlsx', 'FILE_TOO_LARGE');
    await refuses(new TextEncoder().encode('x'), 'notes.pdf', 'UNSUPPORTED_FILE');
    await refuses(new TextEncoder().encode('a\n' + '1\n'.repeat(200_001)), 'long.csv', 'IMPORT_TOO_LARGE');
  });

  it('an import is one transaction and one undo step; undo leaves the workbook as it was', async () => {
    const { wb } = newWorkbook();
    const sheet = wb.initialize({ columns: 2, rows: 1 });
    wb.setCell(sheet, wb.rowIds(sheet)[0], wb.columns(sheet)[0].id, 'kept');
    const before = JSON.stringify(wb.sheets().map((s) => [s.name, wb.columns(s.id).length, wb.rowCount(s.id)]));
    const undo = wb.createUndoManager();
    const table: ImportTable = { name: 'More', header: ['A', 'B'], rows: Array.from({ length: 500 }, (_, i) => [`r${i}`, String(i)]) };
    let updates = 0;
    wb.doc.on('update', () => updates++);
    commitImport(wb, table, inferColumns(table), { kind: 'append', sheetId: sheet });
    expect(updates).toBe(1);
    expect(wb.rowCount(sheet)).toBe(501);
    // A and B match the sheet's own columns by name; nothing new is added
    expect(wb.columns(sheet)).toHaveLength(2);
    undo.undo();
    expect(JSON.stringify(wb.sheets().map((s) => [s.name, wb.columns(s.id).length, wb.rowCount(s.id)]))).toBe(before);
    expect(wb.getValue(sheet, wb.rowIds(sheet)[0], wb.columns(sheet)[0].id)).toBe('kept');
  });

  it('values a counter cannot hold are listed and left out, never written as something else', () => {
    const table: ImportTable = { name: 'Stock', header: ['Item', 'On hand'], rows: [['Rice', '12'], ['Beans', 'lots'], ['Oil', '3']] };
    const plans = inferColumns(table);
    plans[1].type = 'counter';
    expect(checkImport(table, plans)).toMatchObject({ keptCount: 0, skippedCount: 1, issues: [{ row: 3, column: 'On hand', text: 'lots', kept: false }] });
    const { wb } = newWorkbook();
    wb.initialize();
    const r = commitImport(wb, table, plans, { kind: 'new', name: 'Stock' });
    const col = wb.columns(r.sheetId)[1].id;
    expect(wb.rowIds(r.sheetId).map((id) => wb.getValue(r.sheetId, id, col))).toEqual([12, null, 3]);
    expect(r.skippedCount).toBe(1);
  });
});
