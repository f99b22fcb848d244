import { describe, expect, it } from 'vitest';
import type { Column } from '../../src/model/types.js';
import { FindHits, findMatches, matchIndex, planReplace, stepMatch, type FindOptions, type FindSource } from '../../src/ui/grid/find.js';
import { displayValue, inputOptions } from '../../src/ui/i18n/value-text.js';
import type { Locale } from '../../src/ui/i18n/locale.js';
import { newWorkbook } from '../support/model.js';

const ANY: FindOptions = { column: null, matchCase: false, wholeCell: false };

/** A sheet with one column of each kind find and replace treat differently, read as the grid reads it. */
function sheet(locale: Locale = 'en') {
  const { wb } = newWorkbook();
  const s = wb.initialize({ rows: 0, columns: 0 });
  const item = wb.addColumn(s, { name: 'Item', type: 'text' });
  const qty = wb.addColumn(s, { name: 'Qty', type: 'number', unit: 'kg' });
  const status = wb.addColumn(s, {
    name: 'Status',
    type: 'select',
    options: [
      { id: 'o1', label: 'Open', color: '#ff0000' },
      { id: 'o2', label: 'Done', color: '#00ff00' },
      { id: 'o3', label: 'Reopened', color: '#0000ff' },
    ],
  });
  const stock = wb.addColumn(s, { name: 'Stock', type: 'counter' });
  const when = wb.addColumn(s, { name: 'When', type: 'date' });
  const rows = wb.insertRows(s, 0, 4);
  wb.setCells(s, [
    { rowId: rows[0], colId: item, value: 'Rice 10 kg bag' },
    { rowId: rows[0], colId: qty, value: 10 },
    { rowId: rows[0], colId: status, value: 'o1' },
    { rowId: rows[0], colId: stock, value: 10 },
    { rowId: rows[1], colId: item, value: 'rice' },
    { rowId: rows[1], colId: qty, value: 2.5 },
    { rowId: rows[1], colId: status, value: 'o3' },
    { rowId: rows[2], colId: item, value: 'Beans' },
    { rowId: rows[2], colId: when, value: '2026-12-10' },
    // rows[3] stays empty
  ]);
  const source: FindSource = {
    rows,
    columns: wb.columns(s),
    value: (rowId, column) => wb.getValue(s, rowId, column.id),
    display: (column: Column, value) => displayValue(locale, column, value),
  };
  return { wb, s, rows, source, ids: { item, qty, status, stock, when }, input: inputOptions(locale) };
}

describe('findMatches', () => {
  it('finds the text the reader sees, case-insensitively, in reading order', () => {
    const { source } = sheet();
    // "10 kg" is the number cell as shown; the item holds "10 kg" inside its text; the counter shows 10.
    expect(findMatches('10', source, ANY)).toEqual([
      { row: 0, col: 0 },
      { row: 0, col: 1 },
      { row: 0, col: 3 },
      { row: 2, col: 4 },
    ]);
    expect(findMatches('RICE', source, ANY)).toEqual([
      { row: 0, col: 0 },
      { row: 1, col: 0 },
    ]);
    // A status is found by its label, not its stored id.
    expect(findMatches('open', source, ANY)).toEqual([
      { row: 0, col: 2 },
      { row: 1, col: 2 },
    ]);
    expect(findMatches('o1', source, ANY)).toEqual([]);
  });

  it('match case tells Rice from rice', () => {
    const { source } = sheet();
    expect(findMatches('rice', source, { ...ANY, matchCase: true })).toEqual([{ row: 1, col: 0 }]);
    expect(findMatches('Rice', source, { ...ANY, matchCase: true })).toEqual([{ row: 0, col: 0 }]);
  });

  it('whole cell needs the entire text to match', () => {
    const { source } = sheet();
    expect(findMatches('rice', source, { ...ANY, wholeCell: true })).toEqual([{ row: 1, col: 0 }]);
    expect(findMatches('open', source, { ...ANY, wholeCell: true })).toEqual([{ row: 0, col: 2 }]);
    expect(findMatches('Open', source, { ...ANY, wholeCell: true, matchCase: true })).toEqual([{ row: 0, col: 2 }]);
    expect(findMatches('open', source, { ...ANY, wholeCell: true, matchCase: true })).toEqual([]);
  });

  it('one column only when scoped, and a column outside the view finds nothing', () => {
    const { source } = sheet();
    expect(findMatches('10', source, { ...ANY, column: 1 })).toEqual([{ row: 0, col: 1 }]);
    expect(findMatches('10', source, { ...ANY, column: 9 })).toEqual([]);
    expect(findMatches('10', source, { ...ANY, column: -1 })).toEqual([]);
  });

  it('an empty or blank query finds nothing; empty cells are never found', () => {
    const { source } = sheet();
    expect(findMatches('', source, ANY)).toEqual([]);
    expect(findMatches('   ', source, ANY)).toEqual([]);
    expect(findMatches('e', source, ANY).some((m) => m.row === 3)).toBe(false);
  });

  it('reads the query literally: regular expression characters are plain text', () => {
    const { source } = sheet();
    expect(findMatches('.', source, ANY)).toEqual([{ row: 1, col: 1 }]);
    expect(findMatches('R.ce', source, ANY)).toEqual([]);
    expect(findMatches('(', source, ANY)).toEqual([]);
  });

  it('folds case of accented letters too', () => {
    const { wb, s, source, rows, ids } = sheet();
    wb.setCell(s, rows[3], ids.item, 'ÁGUA');
    expect(findMatches('água', source, ANY)).toEqual([{ row: 3, col: 0 }]);
  });

  it('reads numbers with the reader\'s decimal mark', () => {
    expect(findMatches('2,5', sheet('es').source, ANY)).toEqual([{ row: 1, col: 1 }]);
    expect(findMatches('2,5', sheet('en').source, ANY)).toEqual([]);
  });
});

describe('stepMatch and matchIndex', () => {
  const matches = [
    { row: 0, col: 1 },
    { row: 2, col: 0 },
    { row: 2, col: 3 },
  ];

  it('Next goes to the first match after the cell, wrapping past the last', () => {
    expect(stepMatch(matches, { row: 0, col: 0 }, 1)).toEqual({ row: 0, col: 1 });
    expect(stepMatch(matches, { row: 0, col: 1 }, 1)).toEqual({ row: 2, col: 0 });
    expect(stepMatch(matches, { row: 2, col: 1 }, 1)).toEqual({ row: 2, col: 3 });
    expect(stepMatch(matches, { row: 2, col: 3 }, 1)).toEqual({ row: 0, col: 1 });
  });

  it('Previous goes to the last match before the cell, wrapping past the first', () => {
    expect(stepMatch(matches, { row: 2, col: 3 }, -1)).toEqual({ row: 2, col: 0 });
    expect(stepMatch(matches, { row: 1, col: 5 }, -1)).toEqual({ row: 0, col: 1 });
    expect(stepMatch(matches, { row: 0, col: 1 }, -1)).toEqual({ row: 2, col: 3 });
  });

  it('no matches: nowhere to go', () => {
    expect(stepMatch([], { row: 0, col: 0 }, 1)).toBeNull();
    expect(stepMatch([], { row: 0, col: 0 }, -1)).toBeNull();
  });

  it('matchIndex says which match a cell is', () => {
    expect(matchIndex(matches, { row: 2, col: 0 })).toBe(1);
    expect(matchIndex(matches, { row: 1, col: 0 })).toBe(-1);
  });
});

describe('planReplace', () => {
  it('replaces every occurrence in a text cell, keeping the rest of the text', () => {
    const { source, rows, ids, input } = sheet();
    const matches = findMatches('rice', source, { ...ANY, column: 0 });
    const plan = planReplace(matches, 'rice', 'Lentils', source, { ...ANY, column: 0 }, input);
    expect(plan.writes).toEqual([
      { rowId: rows[0], colId: ids.item, value: 'Lentils 10 kg bag' },
      { rowId: rows[1], colId: ids.item, value: 'Lentils' },
    ]);
    expect(plan.replaced).toEqual(matches);
    expect(plan.skipped).toEqual([]);
  });

  it('match case replaces only the cells and occurrences of that case', () => {
    const { wb, s, source, rows, ids, input } = sheet();
    wb.setCell(s, rows[3], ids.item, 'Rice and rice');
    const opts = { ...ANY, matchCase: true };
    const plan = planReplace(findMatches('rice', source, opts), 'rice', 'oats', source, opts, input);
    expect(plan.writes).toEqual([
      { rowId: rows[1], colId: ids.item, value: 'oats' },
      { rowId: rows[3], colId: ids.item, value: 'Rice and oats' },
    ]);
  });

  it('whole cell replaces the entire text of whole matches only', () => {
    const { source, rows, ids, input } = sheet();
    const opts = { ...ANY, wholeCell: true };
    const plan = planReplace(findMatches('RICE', source, opts), 'RICE', 'Oats', source, opts, input);
    expect(plan.writes).toEqual([{ rowId: rows[1], colId: ids.item, value: 'Oats' }]);
  });

  it('types the new text by its column: a number stays a number, its unit understood', () => {
    const { source, rows, ids, input } = sheet();
    const opts = { ...ANY, column: 1 };
    const plan = planReplace(findMatches('10', source, opts), '10', '12', source, opts, input);
    expect(plan.writes).toEqual([{ rowId: rows[0], colId: ids.qty, value: 12 }]);
  });

  it('a number shown with its unit in the plural reads back as a number', () => {
    const { wb, s, rows, input } = sheet();
    const boxes = wb.addColumn(s, { name: 'Boxes', type: 'number', unit: 'box' });
    wb.setCells(s, [
      { rowId: rows[0], colId: boxes, value: 3 },
      { rowId: rows[1], colId: boxes, value: 1 },
    ]);
    const source: FindSource = { rows, columns: wb.columns(s), value: (rowId, column) => wb.getValue(s, rowId, column.id), display: (column, value) => displayValue('en', column, value) };
    const col = wb.columns(s).findIndex((c) => c.id === boxes);
    const opts = { ...ANY, column: col };
    expect(source.display(wb.columns(s)[col], 3, rows[0])).toBe('3 boxes');
    const plan = planReplace(findMatches('3', source, opts), '3', '4', source, opts, input);
    expect(plan.writes).toEqual([{ rowId: rows[0], colId: boxes, value: 4 }]);
  });

  it('reads numbers back with the reader\'s decimal mark', () => {
    const { source, rows, ids, input } = sheet('es');
    const opts = { ...ANY, column: 1 };
    const plan = planReplace(findMatches('2,5', source, opts), '2,5', '3,75', source, opts, input);
    expect(plan.writes).toEqual([{ rowId: rows[1], colId: ids.qty, value: 3.75 }]);
  });

  it('a status is replaced by label and stored as the option id', () => {
    const { source, rows, ids, input } = sheet();
    const opts = { ...ANY, column: 2, wholeCell: true };
    const plan = planReplace(findMatches('open', source, opts), 'open', 'done', source, opts, input);
    expect(plan.writes).toEqual([{ rowId: rows[0], colId: ids.status, value: 'o2' }]);
  });

  it('a value that does not fit its column is skipped with the reason, never coerced', () => {
    const { source, rows, ids, input } = sheet();
    const matches = findMatches('10', source, ANY);
    const plan = planReplace(matches, '10', 'ten', source, ANY, input);
    // The text cell takes "ten"; the number cell would read "ten kg"; the counter is not text; the date "2026-12-ten" is no date.
    expect(plan.writes).toEqual([{ rowId: rows[0], colId: ids.item, value: 'Rice ten kg bag' }]);
    expect(plan.replaced).toEqual([{ row: 0, col: 0 }]);
    expect(plan.skipped).toEqual([
      { pos: { row: 0, col: 1 }, reason: 'does-not-fit', text: 'ten kg', error: expect.objectContaining({ code: 'NOT_A_NUMBER' }) },
      { pos: { row: 0, col: 3 }, reason: 'not-text' },
      { pos: { row: 2, col: 4 }, reason: 'does-not-fit', text: '2026-12-ten', error: expect.objectContaining({ code: 'NOT_A_DATE' }) },
    ]);
  });

  it('the writes are accepted by setCells as they are, in one go', () => {
    const { wb, s, source, rows, ids, input } = sheet();
    const plan = planReplace(findMatches('10', source, ANY), '10', '11', source, ANY, input);
    wb.setCells(s, plan.writes);
    expect(wb.getValue(s, rows[0], ids.item)).toBe('Rice 11 kg bag');
    expect(wb.getValue(s, rows[0], ids.qty)).toBe(11);
    expect(wb.getValue(s, rows[2], ids.when)).toBe('2026-12-11');
    // The counter was left alone.
    expect(wb.getValue(s, rows[0], ids.stock)).toBe(10);
  });

  it('a cell that would come out the same is not written', () => {
    const { source, input } = sheet();
    const plan = planReplace(findMatches('rice', source, ANY), 'rice', 'rice', source, ANY, input);
    // "Rice 10 kg bag" becomes "rice 10 kg bag" (a change); "rice" stays "rice" (none).
    expect(plan.writes.map((w) => w.value)).toEqual(['rice 10 kg bag']);
  });

  it('replacement text is literal: $& and $1 are not patterns', () => {
    const { source, input } = sheet();
    const opts = { ...ANY, column: 0 };
    const plan = planReplace(findMatches('Beans', source, opts), 'Beans', '$& $1', source, opts, input);
    expect(plan.writes.map((w) => w.value)).toEqual(['$& $1']);
  });

  it('replacing a whole cell with nothing clears it', () => {
    const { source, rows, ids, input } = sheet();
    const opts = { ...ANY, column: 0, wholeCell: true };
    const plan = planReplace(findMatches('Beans', source, opts), 'Beans', '', source, opts, input);
    expect(plan.writes).toEqual([{ rowId: rows[2], colId: ids.item, value: null }]);
  });

  it('a blank query plans nothing, and matches outside the view are ignored', () => {
    const { source, input } = sheet();
    expect(planReplace([{ row: 0, col: 0 }], ' ', 'x', source, ANY, input)).toEqual({ writes: [], replaced: [], skipped: [] });
    expect(planReplace([{ row: 99, col: 0 }], 'rice', 'x', source, ANY, input).writes).toEqual([]);
  });

  it('a claim cell is reported as not text', () => {
    const { wb, s, rows } = sheet();
    const who = wb.addColumn(s, { name: 'Who', type: 'claim' });
    wb.claim(s, rows[0], who);
    const source: FindSource = {
      rows,
      columns: wb.columns(s),
      value: (rowId, column) => wb.getValue(s, rowId, column.id),
      display: (column, value) => (column.type === 'claim' ? 'Ana' : displayValue('en', column, value)),
    };
    const col = wb.columns(s).findIndex((c) => c.id === who);
    const opts = { ...ANY, column: col };
    const matches = findMatches('Ana', source, opts);
    expect(matches).toEqual([{ row: 0, col }]);
    expect(planReplace(matches, 'Ana', 'Luis', source, opts)).toEqual({ writes: [], replaced: [], skipped: [{ pos: { row: 0, col }, reason: 'not-text' }] });
  });
});

describe('grid find: which cells the grid marks', () => {
  it('marks every match, the one gone to more strongly, and nothing else', () => {
    const hits = new FindHits([{ row: 0, col: 1 }, { row: 2, col: 0 }, { row: 2, col: 3 }], { row: 2, col: 0 });
    expect(hits.size).toBe(3);
    expect(hits.at(2, 0)).toBe('current');
    expect(hits.at(0, 1)).toBe('match');
    expect(hits.at(2, 3)).toBe('match');
    expect(hits.at(1, 0)).toBeNull();
    // Rows and columns are not confused: (0, 2) is not (2, 0).
    expect(hits.at(0, 2)).toBeNull();
  });

  it('a current cell that is no longer a match (its value was replaced) is not marked', () => {
    const hits = new FindHits([{ row: 1, col: 1 }], { row: 0, col: 0 });
    expect(hits.at(0, 0)).toBeNull();
    expect(hits.at(1, 1)).toBe('match');
  });

  it('two hits over the same cells have the same signature, so the bar re-announces only a change', () => {
    const a = new FindHits([{ row: 0, col: 0 }, { row: 1, col: 0 }], null);
    expect(new FindHits([{ row: 0, col: 0 }, { row: 1, col: 0 }], null).signature).toBe(a.signature);
    expect(new FindHits([{ row: 0, col: 0 }, { row: 1, col: 0 }], { row: 1, col: 0 }).signature).not.toBe(a.signature);
    expect(new FindHits([{ row: 0, col: 0 }], null).signature).not.toBe(a.signature);
    expect(new FindHits([{ row: 0, col: 1 }], null).signature).not.toBe(new FindHits([{ row: 1, col: 0 }], null).signature);
  });
});
