import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  EMPTY_KEY,
  activeConditions,
  checklistShown,
  opsFor,
  parseConditions,
  valueCounts,
  valueKeys,
  withCondition,
  type Condition,
} from '../../src/model/filters.js';
import { applyView, filtersRows, isEmptyView, parseView, type ViewSpec } from '../../src/model/view.js';
import type { CellValue, Column, ColumnType } from '../../src/model/index.js';
import { boundText, conditionText, filterChips, readBound, valueLabel, withoutFilter, withoutFilters } from '../../src/ui/filter-text.js';
import { ViewStore } from '../../src/ui/view-store.js';
import { memoryStorage } from '../support/memory-storage.js';
import { newWorkbook, syncWorkbooks } from '../support/model.js';

function col(id: string, type: ColumnType, extra: Partial<Column> = {}): Column {
  return { id, name: id, type, width: 100, options: [], min: null, minColumn: null, expiresDays: null, unit: null, ...extra };
}

const status = col('st', 'select', {
  options: [
    { id: 'new', label: 'Intake needed', color: '#cf222e' },
    { id: 'prog', label: 'In progress', color: '#9a6700' },
    { id: 'done', label: 'Request complete', color: '#1a7f37' },
  ],
});
const tags = col('tags', 'multiselect', {
  options: [
    { id: 'food', label: 'Food', color: '#cf222e' },
    { id: 'meds', label: 'Meds', color: '#1a7f37' },
  ],
});
const cols = [col('name', 'text'), col('qty', 'number', { unit: 'box' }), status, col('due', 'date'), col('at', 'datetime'), col('ok', 'checkbox'), tags, col('who', 'claim')];

const data: Record<string, Record<string, CellValue>> = {
  r1: { name: 'Rice', qty: 5, st: 'done', due: '2026-12-01', at: '2026-12-01T09:30', ok: true, tags: 'food', who: 'Ana' },
  r2: { name: 'Beans', qty: 12, st: 'new', due: '2026-12-05', at: '2026-12-05T18:00', ok: false, tags: 'food,meds', who: 'Ana, Luis' },
  r3: { name: 'rice flour', qty: null, st: 'new', due: null, at: null, ok: null, tags: null, who: null },
  r4: { name: 'Oil', qty: 9.5, st: null, due: '2026-11-30', at: '2026-11-30T23:59', ok: true, tags: 'meds', who: 'Luis' },
  r5: { name: '', qty: 10, st: 'gone-option', due: '2026-12-10', at: null, ok: true, tags: '', who: null },
};
const rows = Object.keys(data);
const get = (r: string, c: string) => data[r][c] ?? null;
const shown = (conditions: Condition[], extra: Partial<ViewSpec> = {}) =>
  applyView(rows, cols, { sort: [], filters: [], hidden: [], conditions, ...extra }, get).rows;
const rule = (colId: string, op: Extract<Condition, { kind: 'rule' }>['op'], value = '', to = ''): Condition => ({ colId, kind: 'rule', op, value, to });
const values = (colId: string, hide: string[]): Condition => ({ colId, kind: 'values', hide });
const byKey = (colId: string) => {
  const c = cols.find((x) => x.id === colId)!;
  return Object.fromEntries(valueCounts(rows, c, (r) => get(r, colId)).map((v) => [v.key, v.count]));
};

describe('checklist of a column’s values', () => {
  it('lists what the cells hold with how many rows hold each: options in their order, empty last', () => {
    const counts = valueCounts(rows, status, (r) => get(r, 'st'));
    // "gone-option": a value whose option was deleted meanwhile still lists (the cell still shows it)
    expect(counts).toEqual([
      { key: 'new', count: 2 },
      { key: 'done', count: 1 },
      { key: 'gone-option', count: 1 },
      { key: EMPTY_KEY, count: 1 },
    ]);
    expect(byKey('ok')).toEqual({ true: 3, false: 2 }); // an unticked checkbox reads as "no", as it looks
    expect(byKey('tags')).toEqual({ food: 2, meds: 2, [EMPTY_KEY]: 2 }); // each tag of a cell counts
    expect(byKey('who')).toEqual({ Ana: 2, Luis: 2, [EMPTY_KEY]: 2 }); // each claimer by name
    expect(valueCounts(rows, cols[1], (r) => get(r, 'qty')).map((v) => v.key)).toEqual(['5', '9.5', '10', '12', EMPTY_KEY]);
    expect(valueKeys(cols[0], '  padded ')).toEqual(['padded']);
  });

  it('unticked values hide their rows; a row with several tags shows while any is ticked', () => {
    expect(shown([values('st', ['new'])])).toEqual(['r1', 'r4', 'r5']);
    expect(shown([values('st', ['new', EMPTY_KEY])])).toEqual(['r1', 'r5']);
    expect(shown([values('tags', ['food'])])).toEqual(['r2', 'r3', 'r4', 'r5']);
    expect(shown([values('tags', ['food', EMPTY_KEY])])).toEqual(['r2', 'r4']);
    expect(shown([values('ok', ['false'])])).toEqual(['r1', 'r4', 'r5']);
    expect(shown([values('who', ['Ana'])])).toEqual(['r2', 'r3', 'r4', 'r5']);
  });

  it('a value nobody holds any more is ignored: it hides nothing and is not counted in "n of m"', () => {
    const c = values('st', ['prog', 'done']);
    expect(shown([c])).toEqual(['r2', 'r3', 'r4', 'r5']);
    const counts = valueCounts(rows, status, (r) => get(r, 'st'));
    expect(checklistShown(counts, c as Extract<Condition, { kind: 'values' }>)).toEqual({ shown: 3, total: 4 });
  });
});

describe('checklist keys', () => {
  it('a status filter survives renaming the option: it holds the option’s id, not its label', () => {
    const renamed = cols.map((c) => (c.id === 'st' ? { ...c, options: c.options.map((o) => (o.id === 'new' ? { ...o, label: 'Needs intake' } : o)) } : c));
    const spec = { sort: [], filters: [], hidden: [], conditions: [values('st', ['new'])] };
    expect(applyView(rows, renamed, spec, get).rows).toEqual(applyView(rows, cols, spec, get).rows);
    expect(valueLabel('en', renamed.find((c) => c.id === 'st')!, 'new')).toBe('Needs intake');
  });
});

describe('conditions in words', () => {
  const qty = cols[1];
  it('reads and shows bounds as the reader writes them, and names a checklist by how many values it keeps', () => {
    expect(readBound('es', qty, '9,5')).toEqual({ value: '9.5' });
    expect(readBound('en', qty, '1,250')).toEqual({ value: '1250' });
    expect(readBound('en', qty, 'lots')).toEqual({ error: 'filter.badNumber' });
    expect(readBound('en', cols[3], '12/1/2026')).toEqual({ error: 'filter.badDate' });
    expect(readBound('en', cols[0], '   ')).toEqual({ error: 'filter.badText' });
    expect(boundText('es', qty, '9.5')).toBe('9,5');
    expect(conditionText('en', qty, rule('qty', 'lt', '10'), [])).toBe('qty < 10');
    expect(conditionText('es', qty, rule('qty', 'between', '1.5', '3'), [])).toBe('qty entre 1,5 y 3');
    expect(conditionText('en', cols[3], rule('due', 'gt', '2026-12-01'), [])).toBe('due after 2026-12-01');
    expect(conditionText('en', cols[0], rule('name', 'startsWith', 'ri'), [])).toBe('name starts with “ri”');
    expect(conditionText('en', cols[0], rule('name', 'empty'), [])).toBe('name is empty');
    const counts = valueCounts(rows, status, (r) => get(r, 'st'));
    expect(conditionText('en', status, values('st', ['new', 'gone']), counts)).toBe('st: 3 of 4 values');
    expect(conditionText('es', status, values('st', ['new']), counts)).toBe('st: 3 de 4 valores');
    expect([valueLabel('en', cols[5], 'true'), valueLabel('es', cols[5], 'true'), valueLabel('es', status, EMPTY_KEY), valueLabel('es', qty, '9.5')]).toEqual([
      'yes',
      'sí',
      '(vacía)',
      '9,5 boxes',
    ]);
  });
});

describe('typed conditions', () => {
  it('offers the comparisons that fit each type', () => {
    expect(opsFor(cols[0])).toEqual(['contains', 'is', 'isNot', 'startsWith', 'empty', 'filled']);
    expect(opsFor(cols[1])).toEqual(['is', 'isNot', 'lt', 'gt', 'between', 'empty', 'filled']);
    expect(opsFor(cols[3])).toEqual(opsFor(cols[1]));
    expect(opsFor(cols[5])).toEqual([]);
  });

  it('text: contains, is, is not, starts with, ignoring case, on what the cell shows', () => {
    expect(shown([rule('name', 'contains', 'RICE')])).toEqual(['r1', 'r3']);
    expect(shown([rule('name', 'is', 'rice ')])).toEqual(['r1']);
    expect(shown([rule('name', 'isNot', 'rice')])).toEqual(['r2', 'r3', 'r4', 'r5']);
    expect(shown([rule('name', 'startsWith', 'r')])).toEqual(['r1', 'r3']);
    expect(shown([rule('st', 'is', 'intake needed')])).toEqual(['r2', 'r3']);
    expect(shown([rule('name', 'empty')])).toEqual(['r5']);
    expect(shown([rule('name', 'filled')])).toEqual(['r1', 'r2', 'r3', 'r4']);
  });

  it('numbers: =, ≠, <, >, between (inclusive, either order); empty cells never pass a comparison', () => {
    expect(shown([rule('qty', 'lt', '10')])).toEqual(['r1', 'r4']);
    expect(shown([rule('qty', 'gt', '9.5')])).toEqual(['r2', 'r5']);
    expect(shown([rule('qty', 'between', '12', '9.5')])).toEqual(['r2', 'r4', 'r5']);
    expect(shown([rule('qty', 'is', '5')])).toEqual(['r1']);
    expect(shown([rule('qty', 'isNot', '5')])).toEqual(['r2', 'r3', 'r4', 'r5']);
    expect(shown([rule('qty', 'empty')])).toEqual(['r3']);
  });

  it('dates: before, after, between, on; a date-time compares by its day', () => {
    expect(shown([rule('due', 'lt', '2026-12-01')])).toEqual(['r4']);
    expect(shown([rule('due', 'gt', '2026-12-01')])).toEqual(['r2', 'r5']);
    expect(shown([rule('due', 'between', '2026-12-01', '2026-12-05')])).toEqual(['r1', 'r2']);
    expect(shown([rule('at', 'is', '2026-12-05')])).toEqual(['r2']);
    expect(shown([rule('at', 'lt', '2026-12-01')])).toEqual(['r4']);
  });

  it('several conditions at once, on different columns, all apply (and with the old text filters and sorting)', () => {
    expect(shown([values('st', ['done']), rule('qty', 'lt', '11')])).toEqual(['r4', 'r5']);
    expect(shown([values('st', ['done']), rule('qty', 'lt', '11'), values('ok', ['true'])])).toEqual([]);
    expect(
      shown([values('st', ['done'])], { filters: [{ colId: 'name', op: 'contains', value: 'i' }], sort: [{ colId: 'qty', dir: 'desc' }] }),
    ).toEqual(['r4', 'r3']);
  });

  it('a condition that no longer fits its column (retyped, a bound that does not parse, a deleted column) is left out, hiding nothing', () => {
    const bad = [rule('qty', 'contains', 'x'), rule('qty', 'lt', 'ten'), rule('due', 'gt', '12/1/2026'), rule('ok', 'is', 'yes'), rule('gone', 'is', 'x'), rule('name', 'is', '  ')];
    expect(shown(bad)).toEqual(rows);
    expect(activeConditions(bad, cols)).toEqual([]);
    // one per column: the later wins
    expect(activeConditions([rule('qty', 'lt', '1'), rule('qty', 'gt', '1')], cols).map((a) => a.condition)).toEqual([rule('qty', 'gt', '1')]);
    expect(withCondition([rule('qty', 'lt', '1'), values('st', [])], 'qty', null)).toEqual([values('st', [])]);
  });
});

describe('stored views', () => {
  it('keeps good conditions and drops malformed ones, never throwing', () => {
    const stored = {
      sort: [],
      filters: [],
      hidden: [],
      conditions: [
        values('st', ['new', 'new']),
        rule('qty', 'between', '1', '5'),
        { colId: 'x', kind: 'values', hide: [1] },
        { colId: 'x', kind: 'rule', op: 'drop table', value: '' },
        { colId: 3, kind: 'values', hide: [] },
        null,
        'junk',
        { colId: 'name', kind: 'rule', op: 'is', value: 'a' },
      ],
    };
    expect(parseView(JSON.parse(JSON.stringify(stored))).conditions).toEqual([
      values('st', ['new']),
      rule('qty', 'between', '1', '5'),
      rule('name', 'is', 'a'),
    ]);
    expect(parseConditions({ not: 'a list' })).toEqual([]);
  });

  it('a device keeps each sheet’s conditions; a stored view that is not JSON, or not a view, loads as no view', () => {
    const storage = memoryStorage();
    const store = new ViewStore(storage, 'wb1');
    const spec = { sort: [], filters: [], hidden: [], conditions: [values('st', ['new']), rule('qty', 'lt', '10')] };
    store.save('s1', spec);
    expect(store.load('s1')).toEqual(spec);
    expect(new ViewStore(storage, 'wb1').load('s2')).toEqual({ sort: [], filters: [], hidden: [], conditions: [] });
    for (const junk of ['{not json', '42', 'null', '{"conditions":"all"}', '{"conditions":[{"colId":"st","kind":"values","hide":"new"}]}']) {
      storage.setItem('mutual-sheets:view:wb1:s3', junk);
      expect(store.load('s3')).toEqual({ sort: [], filters: [], hidden: [], conditions: [] });
    }
  });

  it('a view saved before conditions existed still loads and applies as before', () => {
    const old = parseView({ sort: [{ colId: 'qty', dir: 'asc' }], filters: [{ colId: 'name', op: 'contains', value: 'rice' }], hidden: ['due'] });
    expect(old.conditions).toEqual([]);
    expect(applyView(rows, cols, old, get).rows).toEqual(['r1', 'r3']);
    expect(isEmptyView({ sort: [], filters: [], hidden: [] })).toBe(true);
    expect(isEmptyView({ sort: [], filters: [], hidden: [], conditions: [values('st', [])] })).toBe(false);
    expect(filtersRows({ sort: [], filters: [], hidden: ['a'], conditions: [] })).toBe(false);
    expect(filtersRows({ sort: [], filters: [], hidden: [], conditions: [values('st', [])] })).toBe(true);
  });
});

describe('counts read from the model', () => {
  it('counts statuses, claimers and counters of a real sheet, and follow a colleague’s edit once merged', () => {
    const { wb } = newWorkbook('Ana');
    const s = wb.initialize({ rows: 4, columns: 0 });
    const st = wb.addColumn(s, { name: 'Status', type: 'select', options: status.options });
    const who = wb.addColumn(s, { name: 'Taken by', type: 'claim' });
    const stock = wb.addColumn(s, { name: 'Stock', type: 'counter' });
    const [a, b, c] = wb.rowIds(s);
    wb.setCell(s, a, st, 'new');
    wb.setCell(s, b, st, 'new');
    wb.setCell(s, c, st, 'done');
    wb.claim(s, a, who);
    wb.adjustCounter(s, a, stock, 3);
    wb.adjustCounter(s, b, stock, 3);
    const luis = newWorkbook('Luis', { doc: new Y.Doc() }).wb;
    syncWorkbooks(wb, luis);
    luis.claim(s, b, who);
    luis.setCell(s, a, st, 'done');
    syncWorkbooks(wb, luis);
    const colOf = (id: string) => wb.columns(s).find((x) => x.id === id)!;
    const count = (id: string) => valueCounts(wb.rowIds(s), colOf(id), (r) => wb.getValue(s, r, id));
    expect(count(st)).toEqual([
      { key: 'new', count: 1 },
      { key: 'done', count: 2 },
      { key: EMPTY_KEY, count: 1 },
    ]);
    expect(count(who)).toEqual([
      { key: 'Ana', count: 1 },
      { key: 'Luis', count: 1 },
      { key: EMPTY_KEY, count: 2 },
    ]);
    expect(count(stock)).toEqual([
      { key: '3', count: 2 },
      { key: EMPTY_KEY, count: 2 },
    ]);
    const view = { sort: [], filters: [], hidden: [], conditions: [values(st, ['done']), values(who, ['Luis'])] };
    expect(applyView(wb.rowIds(s), wb.columns(s), view, (r, id) => wb.getValue(s, r, id)).rows).toEqual([wb.rowIds(s)[3]]);
  });

  it('names every filter of a view for its chip, old text filters included, and removes them one column at a time or all at once', () => {
    const { wb } = newWorkbook('Ana');
    const s = wb.initialize({ rows: 3, columns: 1 });
    const name = wb.columns(s)[0].id;
    const st = wb.addColumn(s, { name: 'Status', type: 'select', options: status.options });
    const qty = wb.addColumn(s, { name: 'Qty', type: 'number' });
    const [a, b] = wb.rowIds(s);
    wb.setCell(s, a, st, 'new');
    wb.setCell(s, b, st, 'done');
    const spec: ViewSpec = {
      sort: [{ colId: qty, dir: 'asc' }],
      filters: [{ colId: qty, op: 'contains', value: '1' }, { colId: 'gone', op: 'is', value: 'x' }],
      hidden: [name],
      conditions: [values(st, ['done']), rule(qty, 'gt', '2.5'), rule('gone', 'lt', '1')],
    };
    expect(filterChips(wb, s, spec, 'en').map((c) => c.text)).toEqual(['Qty contains “1”', 'Status: 2 of 3 values', 'Qty > 2.5']);
    expect(filterChips(wb, s, spec, 'es').map((c) => c.text)).toEqual(['Qty contiene «1»', 'Status: 2 de 3 valores', 'Qty > 2,5']);
    const noQty = withoutFilter(spec, qty);
    expect([noQty.filters, noQty.conditions, noQty.sort, noQty.hidden]).toEqual([[{ colId: 'gone', op: 'is', value: 'x' }], [values(st, ['done']), rule('gone', 'lt', '1')], spec.sort, [name]]);
    expect(withoutFilters(spec)).toEqual({ ...spec, filters: [], conditions: [] });
  });
});
