import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/model/history.js';
import { otherValuesText } from '../../src/ui/conflict-tracker.js';
import { alternativeText, entryText, workbookPlace } from '../../src/ui/history-text.js';
import { newWorkbook, syncWorkbooks } from '../support/model.js';

/** Five numbers in B, a total in C1, Luis on a second replica. */
function setup() {
  const ana = newWorkbook('Ana');
  const luis = newWorkbook('Luis', { start: 1_764_000_000_500 });
  const sheet = ana.wb.initialize({ rows: 6, columns: 1 });
  const qty = ana.wb.addColumn(sheet, { name: 'Qty', type: 'number' });
  const total = ana.wb.addColumn(sheet, { name: 'Total' });
  const rows = ana.wb.rowIds(sheet);
  rows.slice(0, 5).forEach((r, i) => ana.wb.setCell(sheet, r, qty, i + 1));
  syncWorkbooks(ana.wb, luis.wb);
  return { ana, luis, sheet, qty, total, rows };
}

function entries(wb: ReturnType<typeof newWorkbook>['wb']): HistoryEntry[] {
  return wb.history().flatMap((g) => g.entries);
}

describe('formulas in the history’s words: A1 for the current order, never the stored ids', () => {
  it('a cell formula change reads =SUM(B1:B5), old → new, and follows rows inserted since', () => {
    const { ana, sheet, total, rows } = setup();
    const first = ana.wb.setFormula(sheet, rows[0], total, '=SUM(B1:B5)');
    expect(first).not.toContain('B1');
    ana.tick();
    ana.wb.setFormula(sheet, rows[0], total, '=SUM(B1:B3)*2');
    ana.tick();
    ana.wb.setCell(sheet, rows[0], total, 'none');
    const place = workbookPlace(ana.wb, 'en');
    const [cleared, changed, set] = ana.wb.cellHistory(sheet, rows[0], total);
    expect(entryText('en', place, set)).toBe('Total, row 1: empty → =SUM(B1:B5)');
    expect(entryText('en', place, changed)).toBe('Total, row 1: =SUM(B1:B5) → =SUM(B1:B3)*2');
    expect(entryText('en', place, cleared, { withoutPlace: true })).toBe('=SUM(B1:B3)*2 → none');

    // two rows inserted at the top: the same entries now read the rows where those cells are
    ana.wb.insertRows(sheet, 0, 2);
    const later = workbookPlace(ana.wb, 'en');
    expect(entryText('en', later, set, { withoutPlace: true })).toBe('empty → =SUM(B3:B7)');
  });

  it('a formula is written in the reader’s decimal mark, a text that looks like one stays text', () => {
    const { ana, sheet, total, rows } = setup();
    ana.wb.setFormula(sheet, rows[1], total, '=ROUND(B1*1.5,2)');
    ana.tick();
    ana.wb.setCell(sheet, rows[2], total, '=B1 as typed before formulas');
    const [entry] = ana.wb.cellHistory(sheet, rows[1], total);
    expect(entryText('es', workbookPlace(ana.wb, 'es'), entry, { withoutPlace: true })).toBe('vacío → =ROUND(B1*1,5;2)');
    const [text] = ana.wb.cellHistory(sheet, rows[2], total);
    expect(entryText('en', workbookPlace(ana.wb, 'en'), text, { withoutPlace: true })).toBe('empty → =B1 as typed before formulas');
  });

  it('a column formula change shows old → new, and its clearing', () => {
    const { ana, sheet, qty, total } = setup();
    ana.wb.setColumnFormula(sheet, total, '=[Qty]*2');
    ana.tick();
    ana.wb.setColumnFormula(sheet, total, '=[Qty]+B1');
    ana.tick();
    ana.wb.setColumnFormula(sheet, total, null);
    const place = workbookPlace(ana.wb, 'en');
    const updates = entries(ana.wb).filter((e) => e.kind === 'column-update' && e.colId === total);
    expect(updates.map((e) => entryText('en', place, e))).toEqual([
      'Changed the formula of column “Total”: =[Qty]+B1 → (no formula)',
      'Changed the formula of column “Total”: =[Qty]*2 → =[Qty]+B1',
      'Changed the formula of column “Total”: (no formula) → =[Qty]*2',
    ]);
    // a rename of the column it reads shows in the old entries too
    ana.wb.updateColumn(sheet, qty, { name: 'Needed' });
    expect(entryText('es', workbookPlace(ana.wb, 'es'), updates[2])).toBe('Cambió la fórmula de la columna «Total»: (sin fórmula) → =[Needed]*2');
    // any other setting still reads as before
    ana.wb.updateColumn(sheet, total, { unit: 'kg' });
    const unit = entries(ana.wb).find((e) => e.kind === 'column-update' && e.after === 'unit')!;
    expect(entryText('en', place, unit)).toBe('Changed the settings of column “Total”');
  });

  it('a conflict between two formulas names each in A1, on the menu, the tooltip and the phone card', () => {
    const { ana, luis, sheet, total, rows } = setup();
    ana.wb.setFormula(sheet, rows[0], total, '=SUM(B1:B5)');
    luis.wb.setFormula(sheet, rows[0], total, '=MAX(B1:B5)');
    syncWorkbooks(ana.wb, luis.wb);
    const c = ana.wb.conflict(sheet, rows[0], total)!;
    expect(c).not.toBeNull();
    const col = ana.wb.columns(sheet).find((x) => x.id === total)!;
    const shown = [c.current, ...c.others].map((a) => alternativeText('en', ana.wb, col, c, a)).sort();
    expect(shown).toEqual(['=MAX(B1:B5)', '=SUM(B1:B5)']);
    expect(otherValuesText('en', ana.wb, col, c, true)).toMatch(/^“=(SUM|MAX)\(B1:B5\)” by (Ana|Luis)/);

    // keeping one keeps it as a formula, not as its text
    const other = c.others[0];
    ana.wb.resolveConflict(sheet, rows[0], total, other.v, { formula: other.formula });
    expect(ana.wb.getFormula(sheet, rows[0], total)).toBe(other.v);
    expect(ana.wb.conflict(sheet, rows[0], total)).toBeNull();
  });
});
