import { afterEach, describe, expect, it } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import type { Column } from '../../src/model/types.js';
import { FormulaResults } from '../../src/ui/formula-results.js';
import { NO_FILTER, cardLayout, filterRows, isEmptyRow } from '../../src/ui/phone/card-list.js';
import { cardSummary, fieldText } from '../../src/ui/phone/card-view.js';
import { computedField, isComputed } from '../../src/ui/phone/formula-text.js';
import { resultMeaning, resultText } from '../../src/ui/result-text.js';
import { displayValue } from '../../src/ui/i18n/value-text.js';
import { newWorkbook } from '../support/model.js';

const host = (): ReactiveControllerHost => ({
  addController() {},
  removeController() {},
  requestUpdate() {},
  updateComplete: Promise.resolve(true),
});

const open: FormulaResults[] = [];
afterEach(() => {
  // stops the minute timer TODAY() needs
  for (const f of open.splice(0)) f.hostDisconnected();
});

/** A needs list: Item, Needed, Signed up, Open (=[Needed] - [Signed up], in kg), Stock (a counter); formula results loaded. */
async function needs() {
  const { wb } = newWorkbook('Ana');
  const sheetId = wb.addSheet('Needs');
  for (const c of wb.columns(sheetId)) wb.deleteColumn(sheetId, c.id);
  const item = wb.addColumn(sheetId, { name: 'Item' });
  const needed = wb.addColumn(sheetId, { name: 'Needed', type: 'number' });
  const signed = wb.addColumn(sheetId, { name: 'Signed up', type: 'number' });
  const openCol = wb.addColumn(sheetId, { name: 'Open', type: 'number', unit: 'kg' });
  const stock = wb.addColumn(sheetId, { name: 'Stock', type: 'counter' });
  const rows = wb.rowIds(sheetId).length ? wb.rowIds(sheetId) : wb.insertRows(sheetId, 0, 3);
  wb.setCells(sheetId, [
    { rowId: rows[0], colId: item, value: 'Water run' },
    { rowId: rows[0], colId: needed, value: 10 },
    { rowId: rows[0], colId: signed, value: 3 },
  ]);
  wb.setColumnFormula(sheetId, openCol, '=[Needed] - [Signed up]');
  const formulas = new FormulaResults(host(), { load: () => import('../../src/model/formula/index.js'), timeZone: () => 'UTC' });
  open.push(formulas);
  formulas.watch(wb);
  await formulas.ready();
  const col = (id: string) => wb.columns(sheetId).find((c) => c.id === id) as Column;
  return { wb, sheetId, rows, formulas, col, ids: { item, needed, signed, open: openCol, stock } };
}

describe('phone: formula results', () => {
  it('a column formula reads as its result on the card, in the summary and in search; a typed field and a counter do not', async () => {
    const n = await needs();
    const open = n.col(n.ids.open);
    expect(isComputed(n.formulas, n.sheetId, n.rows[0], open)).toBe(true);
    expect(isComputed(n.formulas, n.sheetId, n.rows[0], n.col(n.ids.needed))).toBe(false);
    expect(isComputed(n.formulas, n.sheetId, n.rows[0], n.col(n.ids.stock))).toBe(false);
    // the unit of a number column follows the result, as in the grid
    expect(fieldText(n.wb, n.sheetId, n.rows[0], open, n.formulas)).toBe('7 kg');
    // without results (no FormulaResults) the stored value is read, which a computed cell does not have
    expect(fieldText(n.wb, n.sheetId, n.rows[0], open)).toBe('');
    const columns = n.wb.columns(n.sheetId);
    const layout = cardLayout(columns, [n.ids.open]);
    expect(cardSummary(n.wb, n.sheetId, n.rows[0], layout, n.formulas)).toBe('7 kg');

    const ctx = {
      wb: n.wb,
      sheetId: n.sheetId,
      columns,
      status: null,
      text: (c: Column, v: Parameters<typeof displayValue>[2]) => displayValue('en', c, v),
      computed: (r: string, c: Column) => (isComputed(n.formulas, n.sheetId, r, c) ? fieldText(n.wb, n.sheetId, r, c, n.formulas) : null),
    };
    const filled = n.rows.filter((r) => !isEmptyRow(n.wb, n.sheetId, r, columns));
    expect(filled).toEqual([n.rows[0]]);
    expect(filterRows(filled, { ...NO_FILTER, search: '7 kg' }, ctx)).toEqual([n.rows[0]]);
    expect(filterRows(filled, { ...NO_FILTER, search: '8' }, ctx)).toEqual([]);
  });

  it('the form’s computed field: the formula in the reader’s A1 and decimal mark, whether it is the column’s, the result in words', async () => {
    const n = await needs();
    const open = n.col(n.ids.open);
    expect(computedField('en', n.wb, n.formulas, n.sheetId, n.rows[0], open)).toEqual({ formula: '=[Needed]-[Signed up]', result: 7, column: true });
    expect(computedField('en', n.wb, n.formulas, n.sheetId, n.rows[0], n.col(n.ids.item))).toBeNull();
    // A cell's own formula, read in Spanish: its decimal comma in the formula and the result.
    n.wb.setFormula(n.sheetId, n.rows[1], n.ids.item, '=1.5*2');
    const own = computedField('es', n.wb, n.formulas, n.sheetId, n.rows[1], n.col(n.ids.item));
    expect(own).toEqual({ formula: '=1,5*2', result: 3, column: false });
    expect(resultText('es', n.col(n.ids.item), 2.5)).toBe('2,5');
    // such a row is something to act on, so it is a card
    expect(isEmptyRow(n.wb, n.sheetId, n.rows[1], n.wb.columns(n.sheetId))).toBe(false);
  });

  it('result words: still loading, empty, TRUE/FALSE, an error value and what it means', () => {
    const text = { id: 't', name: 'T', type: 'text', width: 100, options: [], min: null, minColumn: null, expiresDays: null, unit: null } as Column;
    expect(resultText('en', text, undefined)).toBe('Working it out…');
    expect(resultText('en', text, null)).toBe('');
    expect(resultText('en', text, true)).toBe('TRUE');
    expect(resultText('en', text, 'ok')).toBe('ok');
    expect(resultText('en', text, { error: '#DIV/0!' })).toBe('#DIV/0!');
    expect(resultMeaning({ error: '#DIV/0!' })).toBe('Divided by zero (or by an empty cell).');
    expect(resultMeaning(3)).toBe('');
  });
});
