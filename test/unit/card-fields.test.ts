import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Workbook, isModelError } from '../../src/model/index.js';
import { BLANK_SHEET } from '../../src/model/blank-sheet.js';
import { defaultCardFields } from '../../src/model/card-fields.js';
import { TEMPLATES, applyTemplate } from '../../src/model/templates.js';
import { newWorkbook, syncWorkbooks } from '../support/model.js';

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (e) {
    return isModelError(e) ? e.code : 'not a ModelError';
  }
  return null;
}

function requests() {
  const made = newWorkbook();
  const sheet = applyTemplate(made.wb, TEMPLATES.find((t) => t.id === 'requests')!);
  const byName = new Map(made.wb.columns(sheet).map((c) => [c.name, c.id]));
  return { ...made, sheet, byName };
}

describe('card fields', () => {
  it('has no setting on a new sheet and stores a chosen list in order, once each', () => {
    const { wb } = newWorkbook();
    const sheet = wb.initialize();
    expect(wb.cardFields(sheet)).toBeNull();
    const [a, b, c] = wb.columns(sheet).map((col) => col.id);
    wb.setCardFields(sheet, [c, a, c, b]);
    expect(wb.cardFields(sheet)).toEqual([c, a, b]);
    wb.setCardFields(sheet, null);
    expect(wb.cardFields(sheet)).toBeNull();
  });

  it('refuses unknown columns, and leaves out columns deleted after the choice', () => {
    const { wb } = newWorkbook();
    const sheet = wb.initialize();
    const [a, b] = wb.columns(sheet).map((col) => col.id);
    expect(codeOf(() => wb.setCardFields(sheet, [a, 'nope1234']))).toBe('UNKNOWN_COLUMN');
    expect(wb.cardFields(sheet)).toBeNull();
    wb.setCardFields(sheet, [a, b]);
    wb.deleteColumn(sheet, a);
    expect(wb.cardFields(sheet)).toEqual([b]);
    wb.restoreColumn(sheet, a);
    expect(wb.cardFields(sheet)).toEqual([a, b]);
  });

  it('reads a malformed stored value as "no setting" and drops ids that were never columns', () => {
    const { wb } = newWorkbook();
    const sheet = wb.initialize();
    const a = wb.columns(sheet)[0].id;
    const raw = (wb.doc.getMap('sheets').get(sheet) as Y.Map<unknown>);
    for (const bad of [42, 'x', { a: 1 }, [a, 7], [null]]) {
      wb.transact(() => raw.set('cardFields', bad));
      expect(wb.cardFields(sheet), JSON.stringify(bad)).toBeNull();
    }
    wb.transact(() => raw.set('cardFields', ['ghost123', a]));
    expect(wb.cardFields(sheet)).toEqual([a]);
  });

  it('is refused on a view-only device', () => {
    const { doc, wb } = newWorkbook();
    const sheet = wb.initialize();
    const viewer = new Workbook(doc, { actor: { name: 'V', deviceId: 'v' }, readOnly: true });
    expect(codeOf(() => viewer.setCardFields(sheet, null))).toBe('READ_ONLY');
    expect(viewer.cardFields(sheet)).toBeNull();
  });

  it('syncs to another device as one setting (the last choice wins)', () => {
    const one = newWorkbook('Ana');
    const sheet = one.wb.initialize();
    const two = newWorkbook('Luis');
    syncWorkbooks(one.wb, two.wb);
    const [a, b] = one.wb.columns(sheet).map((c) => c.id);
    one.wb.setCardFields(sheet, [a]);
    syncWorkbooks(one.wb, two.wb);
    two.wb.setCardFields(sheet, [b, a]);
    syncWorkbooks(one.wb, two.wb);
    expect(one.wb.cardFields(sheet)).toEqual([b, a]);
  });

  it('defaults to the status and one more choice, claims, counters and the first two text fields, in column order', () => {
    const { wb } = newWorkbook();
    const sheet = wb.initialize({ columns: 0, rows: 0 });
    const t1 = wb.addColumn(sheet, { name: 'Item' });
    const n = wb.addColumn(sheet, { name: 'Qty', type: 'number' });
    const t2 = wb.addColumn(sheet, { name: 'Where' });
    const st = wb.addColumn(sheet, { name: 'Status', type: 'select', options: [{ id: 'o1', label: 'Open', color: '#1f6feb' }] });
    wb.addColumn(sheet, { name: 'Notes' });
    const cl = wb.addColumn(sheet, { name: 'Driver', type: 'claim' });
    const co = wb.addColumn(sheet, { name: 'On hand', type: 'counter' });
    expect(defaultCardFields(wb.columns(sheet))).toEqual([t1, t2, st, cl, co]);
    expect(wb.columns(sheet).find((c) => c.id === n)?.type).toBe('number');
    expect(defaultCardFields([])).toEqual([]);
  });

  it('keeps the status when a sheet has many choices: the longest lists win, six fields at most', () => {
    const made = newWorkbook();
    const sheet = applyTemplate(made.wb, TEMPLATES.find((t) => t.id === 'requests')!);
    const cols = made.wb.columns(sheet);
    const names = defaultCardFields(cols).map((id) => cols.find((c) => c.id === id)!.name);
    expect(names).toEqual(['First name', 'Phone', 'Support', 'Intake volunteer', 'Delivery volunteer', 'Status']);
  });

  it('is set by the templates to what a volunteer acts on', () => {
    const { wb, sheet, byName } = requests();
    expect(wb.cardFields(sheet)).toEqual(
      ['Status', 'Support', 'Cross streets', 'Delivery volunteer', 'First name', 'Urgency'].map((n) => byName.get(n)),
    );
    for (const id of ['roster', 'inventory']) {
      const made = newWorkbook();
      const s = applyTemplate(made.wb, TEMPLATES.find((t) => t.id === id)!);
      const fields = made.wb.cardFields(s);
      expect(fields?.length, id).toBeGreaterThan(2);
      const types = new Set(fields!.map((f) => made.wb.column(s, f).type));
      expect(types.has(id === 'roster' ? 'claim' : 'counter'), id).toBe(true);
    }
  });
});

describe('blank sheet', () => {
  it('adds a sheet shaped like a blank workbook in one transaction', () => {
    const { wb } = newWorkbook();
    const first = wb.initialize();
    let transactions = 0;
    wb.doc.on('afterTransaction', () => transactions++);
    const id = wb.addBlankSheet('Drivers', 0);
    expect(transactions).toBe(1);
    expect(wb.sheets().map((s) => s.id)).toEqual([id, first]);
    expect(wb.columns(id).map((c) => c.name)).toEqual([...BLANK_SHEET.columns]);
    expect(wb.rowCount(id)).toBe(BLANK_SHEET.rows);
    expect(wb.columns(first).length).toBe(BLANK_SHEET.columns.length);
    expect(wb.rowCount(first)).toBe(BLANK_SHEET.rows);
    expect(wb.checkInvariants()).toEqual([]);
  });

  it('is the blank template\'s shape, and is refused on a view-only device', () => {
    const blank = TEMPLATES.find((t) => t.id === 'blank')!;
    expect(blank.sheets[0].columns.map((c) => c.name)).toEqual([...BLANK_SHEET.columns]);
    expect(blank.sheets[0].rows).toBe(BLANK_SHEET.rows);
    const { doc, wb } = newWorkbook();
    wb.initialize();
    const viewer = new Workbook(doc, { actor: { name: 'V', deviceId: 'v' }, readOnly: true });
    expect(codeOf(() => viewer.addBlankSheet('X'))).toBe('READ_ONLY');
    expect(codeOf(() => wb.addBlankSheet(''))).toBe('INVALID_NAME');
    expect(wb.sheets().length).toBe(1);
  });
});
