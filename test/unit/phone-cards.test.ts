import { describe, expect, it } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import { defaultCardFields } from '../../src/model/card-fields.js';
import { TEMPLATES, applyTemplate } from '../../src/model/templates.js';
import type { Column } from '../../src/model/types.js';
import { formatValue } from '../../src/model/values.js';
import { ViewStore } from '../../src/ui/view-store.js';
import { CardEdits } from '../../src/ui/phone/card-edits.js';
import {
  NO_FILTER,
  activeFilterCount,
  addIndex,
  cardFieldIds,
  cardLayout,
  effectiveFilter,
  filterRows,
  foldText,
  hasLowStock,
  isEmptyRow,
  isLowCell,
  isMineRow,
  parsePhoneFilter,
  statusColumn,
  type PhoneFilter,
} from '../../src/ui/phone/card-list.js';
import { cardHeight, cardSummary } from '../../src/ui/phone/card-view.js';
import { PhoneFilterStore } from '../../src/ui/phone/phone-filter-store.js';
import { memoryStorage, storageKeys } from '../support/memory-storage.js';
import { newWorkbook, syncWorkbooks } from '../support/model.js';

const host = (): ReactiveControllerHost => ({
  addController() {},
  removeController() {},
  requestUpdate() {},
  updateComplete: Promise.resolve(true),
});

function requests(name = 'Ana') {
  const made = newWorkbook(name);
  const template = TEMPLATES.find((x) => x.id === 'requests')!;
  const sheetId = applyTemplate(made.wb, template);
  const columns = made.wb.columns(sheetId);
  const col = (n: string) => columns.find((c) => c.name === n) as Column;
  const option = (c: Column, label: string) => c.options.find((o) => o.label === label)!.id;
  return { ...made, sheetId, columns, col, option, rows: made.wb.rowIds(sheetId) };
}

function inventory() {
  const made = newWorkbook('Ana');
  const sheetId = applyTemplate(made.wb, TEMPLATES.find((x) => x.id === 'inventory')!);
  const columns = made.wb.columns(sheetId);
  const col = (n: string) => columns.find((c) => c.name === n) as Column;
  return { ...made, sheetId, columns, col, rows: made.wb.rowIds(sheetId) };
}

const context = (r: ReturnType<typeof requests>) => ({
  wb: r.wb,
  sheetId: r.sheetId,
  columns: r.columns,
  status: statusColumn(r.columns, cardFieldIds(r.wb, r.sheetId, r.columns)),
  text: formatValue,
});

describe('phone cards: which rows are cards', () => {
  it('a template’s spare rows are empty and are not cards; a row with any value, a claim or a count is', () => {
    const r = requests();
    const { wb, sheetId, columns, rows, col } = r;
    expect(rows.every((id) => isEmptyRow(wb, sheetId, id, columns))).toBe(true);
    wb.setCell(sheetId, rows[2], col('Notes').id, 'ring twice');
    wb.claim(sheetId, rows[4], col('Delivery volunteer').id);
    expect(rows.filter((id) => !isEmptyRow(wb, sheetId, id, columns))).toEqual([rows[2], rows[4]]);
    // A claim taken and let go leaves nobody holding it: the row is empty again.
    wb.release(sheetId, rows[4], col('Delivery volunteer').id);
    expect(isEmptyRow(wb, sheetId, rows[4], columns)).toBe(true);
    // A count that went up and back down to 0 still says something (0 on hand).
    const inv = inventory();
    inv.wb.adjustCounter(inv.sheetId, inv.rows[0], inv.col('On hand').id, 1);
    inv.wb.adjustCounter(inv.sheetId, inv.rows[0], inv.col('On hand').id, -1);
    expect(isEmptyRow(inv.wb, inv.sheetId, inv.rows[0], inv.columns)).toBe(false);
  });

  it('a new row goes just after the last row with something in it, before the spare rows', () => {
    const r = requests();
    expect(addIndex(r.wb, r.sheetId, r.columns)).toBe(0);
    r.wb.setCell(r.sheetId, r.rows[3], r.col('First name').id, 'Rosa');
    expect(addIndex(r.wb, r.sheetId, r.columns)).toBe(4);
  });
});

describe('phone cards: the fields a card shows', () => {
  it('the requests template’s cards show status as the chip, support type, cross streets and the assignee, named by the first text field', () => {
    const r = requests();
    const layout = cardLayout(r.columns, cardFieldIds(r.wb, r.sheetId, r.columns));
    expect(layout.status?.name).toBe('Status');
    expect(layout.title?.name).toBe('Cross streets');
    expect(layout.lines.map((c) => c.name)).toEqual(['Support', 'First name', 'Urgency']);
    expect(layout.claims.map((c) => c.name)).toEqual(['Delivery volunteer']);
    expect(layout.counters).toEqual([]);
  });

  it('the sheet’s setting decides; with none (or every chosen column gone) the default does', () => {
    const r = requests();
    r.wb.setCardFields(r.sheetId, [r.col('Notes').id, r.col('Household size').id]);
    expect(cardLayout(r.columns, cardFieldIds(r.wb, r.sheetId, r.columns))).toMatchObject({ title: { name: 'Notes' }, status: null, lines: [{ name: 'Household size' }] });
    // The status filter still knows the sheet's status column when the card does not show it.
    expect(statusColumn(r.columns, cardFieldIds(r.wb, r.sheetId, r.columns))?.name).toBe('Channel');
    r.wb.setCardFields(r.sheetId, null);
    expect(cardFieldIds(r.wb, r.sheetId, r.columns)).toEqual(defaultCardFields(r.columns));
    // Every chosen column deleted: the default, not a card with nothing on it.
    r.wb.setCardFields(r.sheetId, [r.col('Notes').id]);
    r.wb.deleteColumn(r.sheetId, r.col('Notes').id);
    const left = r.wb.columns(r.sheetId);
    expect(cardFieldIds(r.wb, r.sheetId, left)).toEqual(defaultCardFields(left));
  });

  it('a shift roster’s cards name the role, show the status chip, and where, when and who', () => {
    const made = newWorkbook('Ana');
    const sheetId = applyTemplate(made.wb, TEMPLATES.find((x) => x.id === 'roster')!);
    const columns = made.wb.columns(sheetId);
    const layout = cardLayout(columns, cardFieldIds(made.wb, sheetId, columns));
    expect(layout.title?.name).toBe('Role');
    expect(layout.status?.name).toBe('Status');
    expect(layout.lines.map((c) => c.name)).toEqual(['Location', 'Date', 'Start']);
    expect(layout.claims.map((c) => c.name)).toEqual(['Volunteer']);
    const [row] = made.wb.rowIds(sheetId);
    made.wb.claim(sheetId, row, columns.find((c) => c.name === 'Volunteer')!.id);
    expect(isMineRow(made.wb, sheetId, row, columns)).toBe(true);
  });

  it('a card is heard by its number, title and status; with neither, by its first filled field', () => {
    const r = requests();
    const { wb, sheetId, rows, col, option } = r;
    const layout = cardLayout(r.columns, cardFieldIds(wb, sheetId, r.columns));
    expect(cardSummary(wb, sheetId, rows[0], layout)).toBe('');
    wb.claim(sheetId, rows[0], col('Delivery volunteer').id);
    expect(cardSummary(wb, sheetId, rows[0], layout)).toBe('Ana');
    wb.setCells(sheetId, [
      { rowId: rows[0], colId: col('Cross streets').id, value: '5th & Main' },
      { rowId: rows[0], colId: col('Status').id, value: option(col('Status'), 'Call back') },
    ]);
    expect(cardSummary(wb, sheetId, rows[0], layout)).toBe('5th & Main, Call back');
    // Every card of a sheet is as tall: a line per field, 44 px targets for the chip and each counter.
    const inv = inventory();
    const invLayout = cardLayout(inv.columns, cardFieldIds(inv.wb, inv.sheetId, inv.columns));
    expect(cardHeight(invLayout)).toBeGreaterThan(cardHeight({ ...invLayout, counters: [] }) + 44);
  });

  it('an inventory card has its counter with a low-stock flag under the row’s reorder level', () => {
    const inv = inventory();
    const { wb, sheetId, rows, col, columns } = inv;
    const layout = cardLayout(columns, cardFieldIds(wb, sheetId, columns));
    expect(layout.title?.name).toBe('Item');
    expect(layout.counters.map((c) => c.name)).toEqual(['On hand']);
    expect(hasLowStock(columns)).toBe(true);
    wb.setCell(sheetId, rows[0], col('Reorder at').id, 5);
    wb.adjustCounter(sheetId, rows[0], col('On hand').id, 4);
    expect(isLowCell(wb, sheetId, rows[0], col('On hand'))).toBe(true);
    wb.adjustCounter(sheetId, rows[0], col('On hand').id, 1);
    expect(isLowCell(wb, sheetId, rows[0], col('On hand'))).toBe(false);
    // No reorder level: never low.
    wb.adjustCounter(sheetId, rows[1], col('On hand').id, 0.5);
    expect(isLowCell(wb, sheetId, rows[1], col('On hand'))).toBe(false);
  });
});

describe('phone cards: search and filters', () => {
  it('search (any word, any field, accents and case ignored), status, Mine and low stock each narrow the list, in sheet order', () => {
    const r = requests('Luis');
    const { wb, sheetId, rows, col, option } = r;
    wb.setCells(sheetId, [
      { rowId: rows[0], colId: col('First name').id, value: 'María' },
      { rowId: rows[0], colId: col('Cross streets').id, value: '5th & Main' },
      { rowId: rows[0], colId: col('Status').id, value: option(col('Status'), 'In progress') },
      { rowId: rows[1], colId: col('First name').id, value: 'Omar' },
      { rowId: rows[1], colId: col('Status').id, value: option(col('Status'), 'Call back') },
      { rowId: rows[2], colId: col('First name').id, value: 'Mariana' },
    ]);
    wb.claim(sheetId, rows[1], col('Delivery volunteer').id);
    const ctx = context(r);
    const all = rows.slice(0, 3);
    const f = (patch: Partial<PhoneFilter>) => filterRows(all, { ...NO_FILTER, ...patch }, ctx);
    expect(f({})).toEqual(all);
    expect(f({ search: 'mari' })).toEqual([rows[0], rows[2]]);
    expect(f({ search: 'MARÍA' })).toEqual([rows[0], rows[2]]);
    expect(f({ search: 'main maria' })).toEqual([rows[0]]);
    expect(f({ search: 'main omar' })).toEqual([]);
    // A status shows by its label; a claim by who holds it.
    expect(f({ search: 'call back' })).toEqual([rows[1]]);
    expect(f({ search: 'luis' })).toEqual([rows[1]]);
    expect(f({ status: option(col('Status'), 'In progress') })).toEqual([rows[0]]);
    expect(f({ mine: true })).toEqual([rows[1]]);
    expect(f({ mine: true, status: option(col('Status'), 'In progress') })).toEqual([]);
    // A status id the sheet no longer has (an option deleted on a laptop) filters nothing.
    expect(f({ status: 'gone' })).toEqual(all);
    expect(foldText('Ñandú CALLE')).toBe('nandu calle');
  });

  it('Mine is what this person claimed and what a coordinator assigned to their name', () => {
    const maria = requests('Maria');
    const luis = newWorkbook('Luis', { doc: undefined });
    syncWorkbooks(maria.wb, luis.wb);
    const { sheetId, rows, col, columns } = maria;
    maria.wb.assignClaim(sheetId, rows[0], col('Delivery volunteer').id, { name: 'Luis' });
    luis.wb.claim(sheetId, rows[1], col('Intake volunteer').id);
    syncWorkbooks(maria.wb, luis.wb);
    expect(rows.filter((r) => isMineRow(luis.wb, sheetId, r, columns))).toEqual([rows[0], rows[1]]);
    expect(rows.filter((r) => isMineRow(maria.wb, sheetId, r, columns))).toEqual([]);
    const inv = inventory();
    inv.wb.setCell(inv.sheetId, inv.rows[0], inv.col('Reorder at').id, 3);
    inv.wb.adjustCounter(inv.sheetId, inv.rows[0], inv.col('On hand').id, 1);
    inv.wb.adjustCounter(inv.sheetId, inv.rows[1], inv.col('On hand').id, 9);
    const ctx = { wb: inv.wb, sheetId: inv.sheetId, columns: inv.columns, status: null, text: formatValue };
    expect(filterRows(inv.rows.slice(0, 2), { ...NO_FILTER, low: true }, ctx)).toEqual([inv.rows[0]]);
    // Mine remembered from a requests sheet means nothing on an inventory: it is set aside, not "no rows".
    expect(effectiveFilter({ ...NO_FILTER, mine: true, low: true }, inv.columns)).toEqual({ ...NO_FILTER, low: true });
    expect(effectiveFilter({ ...NO_FILTER, mine: true, low: true }, columns)).toEqual({ ...NO_FILTER, mine: true });
  });

  it('a stored filter is read field by field; anything this app did not write is the default', () => {
    expect(parsePhoneFilter({ search: 'ana', status: 'st2', mine: true, low: true })).toEqual({ search: 'ana', status: 'st2', mine: true, low: true });
    for (const bad of [null, 5, 'x', [], { search: 7, status: {}, mine: 'yes', low: 1 }, { search: 'x'.repeat(201), status: '' }]) {
      expect(parsePhoneFilter(bad)).toEqual(NO_FILTER);
    }
    expect(activeFilterCount({ search: ' ', status: 'a', mine: true, low: true })).toBe(2);
  });

  it('the filter is kept per device, per workbook and sheet; a corrupt entry reads as no filter; forgetting the workbook forgets it', () => {
    const storage = memoryStorage();
    const store = new PhoneFilterStore(storage, 'wb1');
    const other = new PhoneFilterStore(storage, 'wb2');
    store.save('s1', { search: 'rosa', status: null, mine: true, low: false });
    expect(store.load('s1')).toEqual({ search: 'rosa', status: null, mine: true, low: false });
    expect(store.load('s2')).toEqual(NO_FILTER);
    expect(other.load('s1')).toEqual(NO_FILTER);
    storage.setItem(store.key('s2'), '{not json');
    expect(store.load('s2')).toEqual(NO_FILTER);
    storage.setItem(store.key('s2'), JSON.stringify({ mine: 'true', search: ['x'] }));
    expect(store.load('s2')).toEqual(NO_FILTER);
    // The laptop's personal view of the same sheet is a different entry, untouched.
    new ViewStore(storage, 'wb1').save('s1', { sort: [], filters: [], hidden: ['c1'] });
    expect(store.load('s1').mine).toBe(true);
    new ViewStore(storage, 'wb1').forgetAll();
    expect(storageKeys(storage).filter((k) => k.includes('wb1'))).toEqual([]);
  });
});

describe('phone cards: status and counter taps', () => {
  it('a status picked is written at once; each tap is its own undo step, taking back only this person’s taps', () => {
    const r = requests('Ana');
    const peer = newWorkbook('Luis');
    syncWorkbooks(r.wb, peer.wb);
    const { wb, sheetId, rows, col, option } = r;
    const status = col('Status');
    const edits = new CardEdits(host());
    edits.bind(wb);
    expect(edits.last).toBeNull();
    edits.choose(sheetId, rows[0], status, option(status, 'In progress'));
    expect(wb.getValue(sheetId, rows[0], status.id)).toBe(option(status, 'In progress'));
    expect(edits.last).toMatchObject({ rowId: rows[0], colId: status.id, column: 'Status' });
    edits.choose(sheetId, rows[0], status, option(status, 'Delivery needed'));
    // A colleague's change in between is theirs: undo leaves it.
    peer.wb.setCell(sheetId, rows[0], col('Notes').id, 'gate code 12');
    syncWorkbooks(r.wb, peer.wb);
    edits.undoLast();
    expect(edits.undone).toBe('Status');
    expect(wb.getValue(sheetId, rows[0], status.id)).toBe(option(status, 'In progress'));
    expect(wb.getValue(sheetId, rows[0], col('Notes').id)).toBe('gate code 12');
    edits.undoLast();
    expect(wb.getValue(sheetId, rows[0], status.id)).toBeNull();
    expect(edits.last).toBeNull();
    // Claim and release from a card: each its own step too.
    const delivery = col('Delivery volunteer');
    edits.claim(sheetId, rows[1], delivery, null);
    expect(isMineRow(wb, sheetId, rows[1], r.columns)).toBe(true);
    edits.claim(sheetId, rows[1], delivery, wb.personKey());
    expect(isMineRow(wb, sheetId, rows[1], r.columns)).toBe(false);
    edits.undoLast();
    expect(isMineRow(wb, sheetId, rows[1], r.columns)).toBe(true);
  });

  it('two quick + taps are two steps; opening the form forgets the cards’ steps; a viewer’s tap changes nothing', () => {
    const inv = inventory();
    const { wb, sheetId, rows, col } = inv;
    const edits = new CardEdits(host());
    edits.bind(wb);
    edits.step(sheetId, rows[0], col('On hand'), 1);
    edits.step(sheetId, rows[0], col('On hand'), 1);
    expect(wb.getValue(sheetId, rows[0], col('On hand').id)).toBe(2);
    edits.undoLast();
    expect(wb.getValue(sheetId, rows[0], col('On hand').id)).toBe(1);
    edits.forget();
    expect(edits.last).toBeNull();
    edits.undoLast();
    expect(wb.getValue(sheetId, rows[0], col('On hand').id)).toBe(1);

    const viewer = newWorkbook('Vera');
    const ro = new (wb.constructor as typeof import('../../src/model/workbook.js').Workbook)(viewer.doc, { actor: { name: 'Vera', deviceId: 'v' }, readOnly: true });
    syncWorkbooks(wb, ro);
    const theirs = new CardEdits(host());
    theirs.bind(ro);
    theirs.step(sheetId, rows[0], col('On hand'), 1);
    expect(theirs.error).toBeTruthy();
    expect(ro.getValue(sheetId, rows[0], col('On hand').id)).toBe(1);
  });
});
