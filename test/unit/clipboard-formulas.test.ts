import { describe, expect, it } from 'vitest';
import { decodeHtmlCells, encodeHtml } from '../../src/io/clipboard.js';
import { decodeMarker, encodeMarker, markerFromHtml, MAX_MARKER_CHARS, type ClipboardMarker } from '../../src/io/clipboard-marker.js';
import { copiedFormulas, pastedFormulas, tileBlock } from '../../src/io/paste-formulas.js';
import type { Workbook } from '../../src/model/index.js';
import { pasteBlock } from '../../src/model/paste.js';
import { newWorkbook } from '../support/model.js';

/** A sheet of 6 rows × 4 columns (A–D): numbers 1…6 in B. */
function book(name = 'Ana', sheetName = 'Roster') {
  const { wb } = newWorkbook(name);
  const sheet = wb.initialize({ sheetName, columns: 4, rows: 6 });
  const rows = wb.rowIds(sheet);
  const cols = wb.columns(sheet).map((c) => c.id);
  wb.setCells(
    sheet,
    rows.map((rowId, i) => ({ rowId, colId: cols[1], value: String(i + 1) })),
  );
  return { wb, sheet, rows, cols };
}

/** What a copy of the view's rectangle puts in the marker, through its text (as the clipboard carries it). */
function copy(wb: Workbook, sheetId: string, top: number, left: number, bottom: number, right: number, cut = false): ClipboardMarker {
  const block = { rows: wb.rowIds(sheetId), columns: wb.columns(sheetId), top, left, bottom, right };
  const formulas = copiedFormulas(wb, sheetId, block, (rowId, colId) => wb.getFormula(sheetId, rowId, colId));
  const name = wb.sheets().find((s) => s.id === sheetId)!.name;
  const text = encodeMarker({ sheetId, sheetName: name, cut, rows: bottom - top + 1, cols: right - left + 1, formulas });
  return decodeMarker(text)!;
}

/** Pastes a block of texts at (top, left) of the sheet's order, with the marker (or none). */
function paste(wb: Workbook, sheetId: string, top: number, left: number, block: string[][], marker: ClipboardMarker | null) {
  return pasteBlock(wb, sheetId, wb.rowIds(sheetId), wb.columns(sheetId), top, left, block, { formulaAt: pastedFormulas(wb, sheetId, block, marker) });
}

const shown = (wb: Workbook, sheetId: string, r: number, c: number) => {
  const rowId = wb.rowIds(sheetId)[r];
  const stored = wb.getFormula(sheetId, rowId, wb.columns(sheetId)[c].id);
  return stored === null ? null : wb.formulaForDisplay(stored, { sheetId, rowId });
};

describe('clipboard marker codec', () => {
  const marker: ClipboardMarker = {
    sheetId: 'abc123',
    sheetName: 'Shift "roster" <1>',
    cut: false,
    rows: 2,
    cols: 3,
    formulas: [
      { r: 0, c: 2, row: 0, col: 2, formula: '=B1*2' },
      { r: 1, c: 0, row: 7, col: 0, formula: '=IF(A1>1,"a&b","<c>")' },
    ],
  };

  it('round-trips, as its own type and inside our HTML table, which still reads as the same cells', () => {
    const text = encodeMarker(marker)!;
    expect(decodeMarker(text)).toEqual(marker);
    const grid = [['1', '2', '4'], ['x', '', '"q"']];
    const html = encodeHtml(grid, text);
    expect(decodeMarker(markerFromHtml(html))).toEqual(marker);
    expect(decodeHtmlCells(html)?.text).toEqual(grid);
    expect(markerFromHtml(encodeHtml(grid))).toBeNull();
  });

  it('a hostile marker reads as none, so the paste takes values', () => {
    const good = JSON.parse(encodeMarker(marker)!) as Record<string, unknown>;
    const bad: unknown[] = [
      null,
      42,
      '',
      'not json',
      '[]',
      JSON.stringify({ ...good, mutualSheets: 2 }),
      JSON.stringify({ ...good, sheetId: '../x' }),
      JSON.stringify({ ...good, sheetName: 7 }),
      JSON.stringify({ ...good, cut: 'yes' }),
      JSON.stringify({ ...good, rows: 0 }),
      JSON.stringify({ ...good, rows: 1.5 }),
      JSON.stringify({ ...good, cols: -1 }),
      JSON.stringify({ ...good, rows: 1e9 }),
      JSON.stringify({ ...good, f: {} }),
      // more formulas than cells, a cell outside the block, a duplicate, a short entry
      JSON.stringify({ ...good, rows: 1, cols: 1, f: [[0, 0, 0, 0, '=1'], [0, 0, 0, 0, '=2']] }),
      JSON.stringify({ ...good, f: [[2, 0, 0, 0, '=1']] }),
      JSON.stringify({ ...good, f: [[0, 0, 0, 0, '=1'], [0, 0, 1, 1, '=2']] }),
      JSON.stringify({ ...good, f: [[0, 0, 0, '=1']] }),
      JSON.stringify({ ...good, f: [[0, 0, -1, 0, '=1']] }),
      JSON.stringify({ ...good, f: [[0, 0, 0, 0, 'B1']] }),
      JSON.stringify({ ...good, f: [[0, 0, 0, 0, '=']] }),
      JSON.stringify({ ...good, f: [[0, 0, 0, 0, `=${'1+'.repeat(5000)}1`]] }),
      JSON.stringify({ ...good, f: [[0, 0, 0, 0, { toString: '=1' }]] }),
      // past the size a paste reads
      JSON.stringify({ ...good, pad: 'x'.repeat(MAX_MARKER_CHARS) }),
    ];
    for (const text of bad) expect(decodeMarker(text), String(text).slice(0, 80)).toBeNull();
    // an attribute on something other than the first table's tag is not ours
    expect(markerFromHtml(`<div data-mutual-sheets="${'{}'}"></div><table><tr><td>1</td></tr></table>`)).toBeNull();
  });

  it('a copy too large for a paste to read carries no marker', () => {
    const many = Array.from({ length: 100_001 }, (_, i) => ({ r: i, c: 0, row: i, col: 0, formula: '=1' }));
    expect(encodeMarker({ ...marker, rows: many.length, cols: 1, formulas: many })).toBeNull();
  });
});

describe('pasting copied formulas in the app', () => {
  it('=B1*2 in C1 copied to C2…C4 reads =B2*2 … =B4*2; =$B$1+B1 keeps $B$1', () => {
    const { wb, sheet, rows, cols } = book();
    wb.setFormula(sheet, rows[0], cols[2], '=B1*2');
    wb.setFormula(sheet, rows[0], cols[3], '=$B$1+B1');
    const marker = copy(wb, sheet, 0, 2, 0, 3);
    for (const r of [1, 2, 3]) paste(wb, sheet, r, 2, [['2', '2']], marker);
    expect([1, 2, 3].map((r) => shown(wb, sheet, r, 2))).toEqual(['=B2*2', '=B3*2', '=B4*2']);
    expect([1, 2, 3].map((r) => shown(wb, sheet, r, 3))).toEqual(['=$B$1+B2', '=$B$1+B3', '=$B$1+B4']);
    // the texts under them (the source's results) are not written
    expect(wb.getValue(sheet, rows[1], cols[2])).toBeNull();
  });

  it('a reference shifted off the sheet is #REF!; cells without a formula in the marker paste their text, `=` text included', () => {
    const { wb, sheet, rows, cols } = book();
    wb.setFormula(sheet, rows[1], cols[2], '=B1+B2');
    wb.setCell(sheet, rows[1], cols[3], '=not a formula');
    const marker = copy(wb, sheet, 1, 2, 1, 3);
    paste(wb, sheet, 0, 2, [['3', '=not a formula']], marker);
    expect(shown(wb, sheet, 0, 2)).toBe('=#REF!+B1');
    expect(shown(wb, sheet, 0, 3)).toBeNull();
    expect(wb.getValue(sheet, rows[0], cols[3])).toBe('=not a formula');
  });

  it('into another workbook: relative parts shift there, a sheet it does not have is #REF!', () => {
    const { wb, sheet, rows, cols } = book();
    const stock = wb.addSheet('Stock');
    wb.addColumn(stock, { name: 'Qty' });
    wb.insertRows(stock, 0, 2);
    wb.setFormula(sheet, rows[0], cols[2], '=B1+Stock!A1+Roster!B1');
    const marker = copy(wb, sheet, 0, 2, 0, 2);
    const other = book('Luis', 'Roster');
    paste(other.wb, other.sheet, 2, 2, [['']], marker);
    expect(shown(other.wb, other.sheet, 2, 2)).toBe('=B3+#REF!+Roster!B3');
  });

  it('a paste that grows the sheet writes formulas into the rows it adds', () => {
    const { wb, sheet, rows, cols } = book();
    wb.setFormula(sheet, rows[0], cols[2], '=B1*2');
    const marker = copy(wb, sheet, 0, 2, 0, 2);
    const three = decodeMarker(encodeMarker({ ...marker, rows: 3, formulas: [0, 1, 2].map((r) => ({ ...marker.formulas[0], r })) }))!;
    paste(wb, sheet, 5, 2, [['2'], ['2'], ['2']], three);
    expect(wb.rowIds(sheet)).toHaveLength(8);
    expect([5, 6, 7].map((r) => shown(wb, sheet, r, 2))).toEqual(['=B6*2', '=B7*2', '=B8*2']);
  });

  it('a cut moves a formula as it is; pasted into another sheet of its workbook it still reads its own sheet', () => {
    const { wb, sheet, rows, cols } = book();
    const other = wb.addSheet('Other');
    wb.addColumn(other, { name: 'A' });
    wb.addColumn(other, { name: 'B' });
    wb.insertRows(other, 0, 3);
    wb.setFormula(sheet, rows[0], cols[2], '=B1*2');
    const cut = copy(wb, sheet, 0, 2, 0, 2, true);
    paste(wb, sheet, 4, 0, [['2']], cut);
    expect(shown(wb, sheet, 4, 0)).toBe('=B1*2');
    paste(wb, other, 2, 1, [['2']], cut);
    expect(shown(wb, other, 2, 1)).toBe('=Roster!B1*2');
  });

  it('a marker that is not about the pasted block (another size) is ignored: the block pastes as values', () => {
    const { wb, sheet, rows, cols } = book();
    wb.setFormula(sheet, rows[0], cols[2], '=B1*2');
    const marker = copy(wb, sheet, 0, 2, 0, 2);
    paste(wb, sheet, 1, 2, [['2', '9']], marker);
    expect(shown(wb, sheet, 1, 2)).toBeNull();
    expect(wb.getValue(sheet, rows[1], cols[2])).toBe('2');
  });

  it('counters, claims and columns with their own formula take the value', () => {
    const { wb, sheet, rows, cols } = book();
    const count = wb.addColumn(sheet, { name: 'Count', type: 'counter' });
    wb.setFormula(sheet, rows[0], cols[2], '=B1*2');
    wb.setColumnFormula(sheet, cols[3], '=[A]');
    const marker = copy(wb, sheet, 0, 2, 0, 2);
    const one = decodeMarker(encodeMarker({ ...marker, cols: 2, formulas: [marker.formulas[0], { ...marker.formulas[0], c: 1 }] }))!;
    paste(wb, sheet, 1, 3, [['2', '2']], one);
    expect(shown(wb, sheet, 1, 3)).toBeNull();
    expect(wb.getValue(sheet, rows[1], count)).toBe(2);
  });

  it('text from elsewhere (no marker) that starts with = is the formula typed in the cell pasted into, as in Sheets; other text stays text', () => {
    const { wb, sheet, rows, cols } = book();
    paste(wb, sheet, 2, 2, [['=B1*2', ' =B2 ', '=SUM(B1', '=Nowhere!A1'], ['5', 'plain', '=', '==']], null);
    expect(shown(wb, sheet, 2, 2)).toBe('=B1*2');
    expect(shown(wb, sheet, 2, 3)).toBe('=B2');
    const extra = wb.columns(sheet).map((c) => c.id);
    expect(wb.getValue(sheet, rows[2], extra[4])).toBe('=SUM(B1');
    expect(wb.getValue(sheet, rows[2], extra[5])).toBe('=Nowhere!A1');
    expect(wb.getValue(sheet, rows[3], cols[2])).toBe('5');
    expect(wb.getValue(sheet, rows[3], extra[4])).toBe('=');
    expect(wb.getValue(sheet, rows[3], extra[5])).toBe('==');
  });

  it('undo of a paste puts back the formulas it wrote over', () => {
    const { wb, sheet, rows, cols } = book();
    const undo = wb.createUndoManager();
    wb.setFormula(sheet, rows[1], cols[2], '=B2+100');
    wb.setFormula(sheet, rows[0], cols[2], '=B1*2');
    const marker = copy(wb, sheet, 0, 2, 0, 2);
    paste(wb, sheet, 1, 2, [['2']], marker);
    expect(shown(wb, sheet, 1, 2)).toBe('=B2*2');
    undo.undo();
    expect(shown(wb, sheet, 1, 2)).toBe('=B2+100');
    paste(wb, sheet, 1, 2, [['plain']], null);
    expect(shown(wb, sheet, 1, 2)).toBeNull();
    undo.undo();
    expect(shown(wb, sheet, 1, 2)).toBe('=B2+100');
  });
});

describe('pasting into a larger selection (tileBlock)', () => {
  it('a block repeats to fill a selection a whole number of times its size, its formulas with it', () => {
    const { wb, sheet, rows, cols } = book();
    wb.setFormula(sheet, rows[0], cols[2], '=B1*2');
    const marker = copy(wb, sheet, 0, 2, 0, 2);
    const { block, marker: tiled } = tileBlock([['2']], marker, 3, 1);
    expect(block).toEqual([['2'], ['2'], ['2']]);
    paste(wb, sheet, 1, 2, block, tiled);
    expect([1, 2, 3].map((r) => shown(wb, sheet, r, 2))).toEqual(['=B2*2', '=B3*2', '=B4*2']);
    expect(tileBlock([['a', 'b']], null, 2, 4).block).toEqual([['a', 'b', 'a', 'b'], ['a', 'b', 'a', 'b']]);
  });

  it("a selection of the block's size or of no whole multiple takes the block once", () => {
    const block = [['a', 'b']];
    expect(tileBlock(block, null, 1, 2).block).toBe(block);
    expect(tileBlock(block, null, 2, 3).block).toBe(block);
    expect(tileBlock(block, null, 1, 1).block).toBe(block);
  });
});
