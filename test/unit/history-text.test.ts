import { describe, expect, it } from 'vitest';
import { SheetAggregates, conflictCounts } from '../../src/model/aggregates.js';
import type { HistoryEntry } from '../../src/model/history.js';
import { claimText } from '../../src/ui/claim-text.js';
import { deltaText, entryText, groupText, historyValue, whoText, workbookPlace } from '../../src/ui/history-text.js';
import { summaryText } from '../../src/ui/i18n/value-text.js';
import { newWorkbook, syncWorkbooks } from '../support/model.js';

const OPTIONS = [
  { id: 'o1', label: 'Open', color: '#cf222e' },
  { id: 'o2', label: 'Done', color: '#1a7f37' },
];

/** A sheet with a status (select), a count (counter, in boxes) and a driver (claim), and a colleague on a second replica. */
function setup() {
  const ana = newWorkbook('Ana');
  const luis = newWorkbook('Luis', { start: 1_764_000_000_500 });
  const sheet = ana.wb.initialize({ rows: 3, columns: 1 });
  const status = ana.wb.addColumn(sheet, { name: 'Status', type: 'select', options: OPTIONS });
  const count = ana.wb.addColumn(sheet, { name: 'Water', type: 'counter', unit: 'boxes' });
  const driver = ana.wb.addColumn(sheet, { name: 'Driver', type: 'claim' });
  syncWorkbooks(ana.wb, luis.wb);
  const rows = ana.wb.rowIds(sheet);
  return { ana, luis, sheet, status, count, driver, rows };
}

/** The newest journal entry of a kind, as Activity gets it. */
function latest(wb: ReturnType<typeof newWorkbook>['wb'], kind: HistoryEntry['kind']): HistoryEntry {
  const e = wb.history().flatMap((g) => g.entries).find((x) => x.kind === kind);
  if (!e) throw new Error(`no ${kind} entry`);
  return e;
}

describe('history in words', () => {
  it('says a cell change old → new as the grid shows values: select options by label, empty as “empty”', () => {
    const { ana, sheet, status, rows } = setup();
    ana.wb.setCell(sheet, rows[1], status, 'o1');
    ana.tick();
    ana.wb.setCell(sheet, rows[1], status, 'o2');
    const place = workbookPlace(ana.wb);
    const [newest, older] = ana.wb.cellHistory(sheet, rows[1], status);
    expect(entryText('en', place, newest)).toBe('Status, row 2: Open → Done');
    expect(entryText('en', place, older)).toBe('Status, row 2: empty → Open');
    expect(entryText('es', place, older)).toBe('Status, fila 2: vacío → Open');
    expect(entryText('en', place, newest, { withoutPlace: true })).toBe('Open → Done');
    expect(entryText('en', place, newest, { withSheet: true })).toBe('Sheet 1 · Status, row 2: Open → Done');
  });

  it('says counter changes as deltas with a true minus and the unit, and recounts with what they replaced', () => {
    const { ana, sheet, count, rows } = setup();
    ana.wb.recount(sheet, rows[0], count, 38);
    ana.tick();
    ana.wb.recount(sheet, rows[0], count, 40);
    ana.tick();
    ana.wb.adjustCounter(sheet, rows[0], count, -2);
    const place = workbookPlace(ana.wb);
    const [delta, recount, first] = ana.wb.cellHistory(sheet, rows[0], count);
    expect(entryText('en', place, delta)).toBe('Water, row 1: \u22122 boxes');
    expect(entryText('en', place, recount)).toBe('Water, row 1: recount 40 boxes (was 38 boxes)');
    expect(entryText('en', place, first, { withoutPlace: true })).toBe('recount 38 boxes');
    expect(entryText('es', place, recount, { withoutPlace: true })).toBe('recuento 40 boxes (antes 38 boxes)');
    expect(deltaText('es', undefined, 2.5)).toBe('+2,5');
  });

  it('says claims: claimed, released, assigned to a named person', () => {
    const { ana, luis, sheet, driver, rows } = setup();
    ana.wb.claim(sheet, rows[0], driver);
    ana.tick();
    ana.wb.release(sheet, rows[0], driver);
    ana.tick();
    ana.wb.assignClaim(sheet, rows[1], driver, { name: 'Luis' });
    const place = workbookPlace(ana.wb);
    expect(entryText('en', place, latest(ana.wb, 'claim'))).toBe('Driver, row 1: claimed');
    expect(entryText('en', place, latest(ana.wb, 'release'))).toBe('Driver, row 1: released Ana');
    expect(entryText('en', place, latest(ana.wb, 'assign'))).toBe('Driver, row 2: assigned to Luis');
    expect(entryText('es', place, latest(ana.wb, 'assign'), { withoutPlace: true })).toBe('asignado a Luis');
    void luis;
  });

  it('says structure changes with counts and old → new names', () => {
    const { ana, sheet, status } = setup();
    const place = () => workbookPlace(ana.wb);
    ana.wb.insertRows(sheet, 0, 3);
    expect(entryText('en', place(), latest(ana.wb, 'row-insert'))).toBe('Added 3 rows');
    expect(entryText('es', place(), latest(ana.wb, 'row-insert'))).toBe('Añadió 3 filas');
    ana.wb.insertRows(sheet, 0, 1);
    expect(entryText('en', place(), latest(ana.wb, 'row-insert'))).toBe('Added row 1');
    ana.wb.deleteRows(sheet, ana.wb.rowIds(sheet).slice(0, 2));
    expect(entryText('en', place(), latest(ana.wb, 'row-delete'))).toBe('Deleted 2 rows');
    ana.wb.updateColumn(sheet, status, { name: 'State' });
    expect(entryText('en', place(), latest(ana.wb, 'column-rename'))).toBe('Renamed column “Status” → “State”');
    ana.wb.updateColumn(sheet, status, { type: 'text' });
    expect(entryText('en', place(), latest(ana.wb, 'column-retype'))).toBe('Column “State”: type Choice → Text');
    ana.wb.deleteColumn(sheet, status);
    expect(entryText('en', place(), latest(ana.wb, 'column-delete'))).toBe('Deleted column “State”');
    ana.wb.renameSheet(sheet, 'Requests');
    expect(entryText('en', place(), latest(ana.wb, 'sheet-rename'))).toBe('Renamed sheet “Sheet 1” → “Requests”');
    expect(entryText('en', place(), latest(ana.wb, 'row-delete'), { withSheet: true })).toBe('Requests · Deleted 2 rows');
    ana.wb.setTitle('Pantry');
    expect(entryText('en', place(), latest(ana.wb, 'title'))).toBe('Named the workbook “Pantry”');
    ana.tick();
    ana.wb.setTitle('Pantry 2');
    expect(entryText('es', place(), latest(ana.wb, 'title'))).toBe('Renombró el libro «Pantry» → «Pantry 2»');
  });

  it('a named group reads as its label; another group of several changes as its first and how many more', () => {
    const { ana, luis, sheet, status, rows } = setup();
    ana.wb.setCell(sheet, rows[0], status, 'o1');
    luis.wb.setCell(sheet, rows[0], status, 'o2');
    syncWorkbooks(ana.wb, luis.wb);
    ana.tick(10_000);
    ana.wb.resolveConflict(sheet, rows[0], status, 'o2');
    const place = workbookPlace(ana.wb);
    const [resolved] = ana.wb.history();
    expect(resolved.label).toBe('resolve');
    expect(groupText('en', place, resolved)).toBe('Settled a conflict');
    // Which write every replica shows is Yjs's choice; the resolution replaced it, whichever it was.
    expect(entryText('en', place, resolved.entries[0])).toMatch(/^Status, row 1: (Open|Done) → Done \(conflict settled\)$/);
    ana.tick();
    ana.wb.setCells(sheet, [
      { rowId: rows[1], colId: status, value: 'o1' },
      { rowId: rows[2], colId: status, value: 'o2' },
    ]);
    expect(groupText('en', place, ana.wb.history()[0])).toMatch(/^Status, row \d: empty → (Open|Done) and 1 more change$/);
  });

  it('names who by name and device, this device in words', () => {
    expect(whoText('en', 'Ana', 'k3f9abcdef12', 'k3f9abcdef12')).toBe('Ana · this device');
    expect(whoText('en', 'Ana', 'k3f9abcdef12', 'zzz')).toBe('Ana · device k3f9');
    expect(whoText('es', 'Ana', 'k3f9abcdef12', 'zzz')).toBe('Ana · dispositivo k3f9');
    expect(historyValue('es', undefined, true)).toBe('sí');
    // A writer the model does not know comes back as '': the reader's language names them.
    expect(whoText('en', '', '', 'zzz')).toBe('someone');
    expect(whoText('es', '', 'k3f9abcdef12', 'zzz')).toBe('alguien · dispositivo k3f9');
  });
});

describe('claim holders in words', () => {
  it('a claim someone took is their name; an assignment says who gave it, and “You” to the person it was given to', () => {
    expect(claimText('en', [])).toBe('');
    expect(claimText('en', [{ name: 'Luis', assignedBy: null, mine: false }, { name: 'Ana', assignedBy: null, mine: true }])).toBe('Luis, Ana');
    expect(claimText('en', [{ name: 'Ana', assignedBy: 'Maria', mine: false }])).toBe('Ana (assigned by Maria)');
    expect(claimText('en', [{ name: 'Ana', assignedBy: 'Maria', mine: true }])).toBe('You (assigned by Maria)');
    expect(claimText('es', [{ name: 'Ana', assignedBy: 'Maria', mine: true }])).toBe('Tú (asignado por Maria)');
    expect(claimText('en', [{ name: 'Luis', assignedBy: null, mine: false }, { name: 'Ana', assignedBy: 'Maria', mine: false }], 'and')).toBe('Luis and Ana (assigned by Maria)');
  });

  it('reads the model: the assignee’s device sees it as theirs', () => {
    const { ana, luis, sheet, driver, rows } = setup();
    luis.wb.setCell(sheet, rows[2], ana.wb.columns(sheet)[0].id, 'here');
    syncWorkbooks(ana.wb, luis.wb);
    const person = ana.wb.people().find((p) => p.name === 'Luis')!.person;
    ana.wb.assignClaim(sheet, rows[0], driver, { name: 'Luis', person });
    syncWorkbooks(ana.wb, luis.wb);
    const [entry] = luis.wb.claims(sheet, rows[0], driver);
    expect([luis.wb.isMine(entry), luis.wb.assignedBy(entry), ana.wb.isMine(entry)]).toEqual([true, 'Ana', false]);
  });
});

describe('conflicts in the column figures', () => {
  it('counts open same-cell conflicts per column, says them with a plural, and a resolution takes them away', () => {
    const { ana, luis, sheet, status, rows } = setup();
    ana.wb.setCell(sheet, rows[0], status, 'o1');
    luis.wb.setCell(sheet, rows[0], status, 'o2');
    ana.wb.setCell(sheet, rows[1], status, 'o2');
    luis.wb.setCell(sheet, rows[1], status, 'o1');
    syncWorkbooks(ana.wb, luis.wb);
    // Nothing asked yet: the index is not built (the grid asks only after first paint).
    expect(ana.wb.conflictsReady()).toBe(false);
    const agg = new SheetAggregates(ana.wb, sheet);
    expect(ana.wb.conflictsReady()).toBe(false);
    const counts = conflictCounts(ana.wb.conflicts(sheet));
    expect(ana.wb.conflictsReady()).toBe(true);
    expect(counts.get(status)).toBe(2);
    agg.setCellConflicts(counts);
    expect(agg.summary(status).conflicts).toBe(2);
    expect(summaryText('en', agg.summary(status))).toBe('Open 1 · Done 1 · 2 conflicts');
    ana.wb.resolveConflict(sheet, rows[0], status, 'o1');
    agg.setCellConflicts(conflictCounts(ana.wb.conflicts(sheet)));
    expect(summaryText('en', agg.summary(status))).toBe('Open 1 · Done 1 · 1 conflict');
    expect(summaryText('es', agg.summary(status))).toBe('Open 1 · Done 1 · 1 en conflicto');
  });

  it('a resolution settles the conflict even when nothing had asked for conflicts on that device before', () => {
    const { ana, luis, sheet, status, rows } = setup();
    ana.wb.setCell(sheet, rows[0], status, 'o1');
    luis.wb.setCell(sheet, rows[0], status, 'o2');
    syncWorkbooks(ana.wb, luis.wb);
    expect(ana.wb.conflictsReady()).toBe(false);
    ana.wb.resolveConflict(sheet, rows[0], status, 'o2');
    syncWorkbooks(ana.wb, luis.wb);
    expect(luis.wb.conflict(sheet, rows[0], status)).toBeNull();
    expect(ana.wb.conflicts(sheet)).toEqual([]);
  });
});
