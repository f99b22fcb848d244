import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { restoreTo } from '../../src/model/restore-to.js';
import { Workbook } from '../../src/model/workbook.js';
import { BeforeRetentionError } from '../../src/protocol/retained.js';
import { SnapshotApiError } from '../../src/protocol/snapshots.js';
import { errorTextIn } from '../../src/ui/i18n/error-text.js';
import { missingEntries, previewRestore } from '../../src/ui/restore-plan.js';
import {
  changeText,
  combineTimelines,
  extendLog,
  fromLocalInput,
  groupByMinute,
  groupText,
  justBefore,
  justBeforeLabel,
  olderQuery,
  sizeText,
  timeText,
  toLocalInput,
  type Change,
} from '../../src/ui/restore-timeline.js';
import { newWorkbook } from '../support/model.js';
import { deleteEverythingUpdate } from '../support/vandal.js';

const UTC = { timeZone: 'UTC', now: Date.UTC(2026, 2, 3, 18, 0) };
const at = (h: number, m: number, s = 0, ms = 0) => Date.UTC(2026, 2, 3, h, m, s, ms);
/** Intl puts narrow no-break spaces before AM/PM; the words are what is tested. */
const plain = (s: string) => s.replace(/[\u202f\u00a0]/g, ' ');

describe('restore timeline: both rooms, newest first, grouped by minute', () => {
  it('merges the sheets and the history into one list, newest first, each change kept with its room', () => {
    const combined = combineTimelines(
      { entries: [{ at: at(14, 33, 5), bytes: 12 }, { at: at(14, 32, 1), bytes: 300 }], truncated: false, earliest: at(9, 0) },
      { entries: [{ at: at(14, 33, 6), bytes: 14 }, { at: at(14, 32, 2), bytes: 200 }], truncated: false, earliest: at(8, 0) },
    );
    expect(combined.changes.map((c) => [c.room, c.at])).toEqual([
      ['history', at(14, 33, 6)],
      ['sheets', at(14, 33, 5)],
      ['history', at(14, 32, 2)],
      ['sheets', at(14, 32, 1)],
    ]);
    expect(combined).toMatchObject({ completeFrom: 0, more: false, earliest: at(9, 0) });
    // No journal on the hub: the sheets alone.
    expect(combineTimelines({ entries: [{ at: 5, bytes: 1 }], truncated: false, earliest: 0 }, null).changes).toEqual([{ at: 5, bytes: 1, room: 'sheets' }]);
  });

  it('shows nothing older than a partly listed room reaches, so a page boundary never looks like a quiet hour; older pages extend it', () => {
    const sheets = { entries: [{ at: 900, bytes: 1 }, { at: 500, bytes: 1 }], truncated: true, earliest: 0 };
    const history = { entries: [{ at: 800, bytes: 1 }, { at: 100, bytes: 1 }], truncated: false, earliest: 0 };
    const first = combineTimelines(sheets, history);
    expect(first.changes.map((c) => c.at)).toEqual([900, 800, 500]);
    expect(first).toMatchObject({ completeFrom: 500, more: true });
    expect(olderQuery(sheets)).toEqual({ to: 499 });
    expect(olderQuery(history)).toBeNull();
    // The hub's next page; an entry it repeats is not listed twice.
    const extended = extendLog(sheets, { entries: [{ at: 500, bytes: 1 }, { at: 300, bytes: 1 }], truncated: false, earliest: 0 });
    const second = combineTimelines(extended, history);
    expect(second.changes.map((c) => c.at)).toEqual([900, 800, 500, 300, 100]);
    expect(second).toMatchObject({ completeFrom: 0, more: false });
  });

  it('groups consecutive changes of one minute and says them as a coordinator would', () => {
    const changes: Change[] = [
      { at: at(14, 33, 40), bytes: 12 * 1024 + 100, room: 'sheets' },
      { at: at(14, 32, 59), bytes: 90, room: 'history' },
      { at: at(14, 32, 10), bytes: 120, room: 'sheets' },
      { at: at(14, 32, 3), bytes: 2048, room: 'sheets' },
      { at: at(14, 30, 0), bytes: 30 * 1024, room: 'sheets' },
      { at: at(14, 30, 0, 5), bytes: 100, room: 'history' },
    ].sort((a, b) => b.at - a.at) as Change[];
    const groups = groupByMinute(changes);
    expect(groups.map((g) => [g.minute, g.changes.length, g.oldest])).toEqual([
      [at(14, 33), 1, at(14, 33, 40)],
      [at(14, 32), 3, at(14, 32, 3)],
      [at(14, 30), 2, at(14, 30, 0)],
    ]);
    expect(groups.map((g) => plain(groupText('en', g, UTC)))).toEqual([
      '2:33 PM — a large change (12 KB)',
      '2:32 PM — 3 changes (2.2 KB)',
      '2:30 PM — 2 changes, one of them large (30 KB)',
    ]);
    expect(groups.map((g) => groupText('es', g, UTC))).toEqual(['14:33 — un cambio grande (12 KB)', '14:32 — 3 cambios (2,2 KB)', '14:30 — 2 cambios, uno de ellos grande (30 KB)']);
    expect(plain(changeText('en', groups[1].changes[0], UTC))).toBe('2:32:59 PM — a small change to the history (under 1 KB)');
    expect(changeText('es', groups[1].changes[2], UTC)).toBe('14:32:03 — un cambio en las hojas (2 KB)');
    expect(plain(justBeforeLabel('en', groups[1].changes[1], UTC))).toBe('Just before the change to the sheets at 2:32:10 PM');
    expect(justBeforeLabel('es', groups[1].changes[0], UTC)).toBe('Justo antes del cambio en el historial (14:32:59)');
  });

  it('puts the date in front of a time that is not today, and the year when it is not this year', () => {
    expect(plain(timeText('en', at(14, 32), UTC))).toBe('2:32 PM');
    expect(plain(timeText('en', Date.UTC(2026, 1, 27, 9, 5), UTC))).toBe('Feb 27, 9:05 AM');
    expect(timeText('es', Date.UTC(2025, 11, 31, 23, 59, 7), { ...UTC, seconds: true })).toMatch(/^31 dic 2025, 23:59:07$/);
  });

  it('says sizes in KB and MB, never in bytes', () => {
    expect([sizeText('en', 0), sizeText('en', 1023), sizeText('en', 1536), sizeText('en', 12 * 1024 + 500), sizeText('en', 3.4 * 1024 * 1024)]).toEqual([
      'under 1 KB',
      'under 1 KB',
      '1.5 KB',
      '12 KB',
      '3.4 MB',
    ]);
    expect(sizeText('es', 1536)).toBe('1,5 KB');
  });

  it('“just before” a change is one millisecond earlier: the hub’s times are whole, unique ms per room', () => {
    expect(justBefore(1_764_000_000_123)).toBe(1_764_000_000_122);
    expect(justBefore(0)).toBe(0);
  });

  it('reads the date/time input as the instant it shows, in this device’s zone, and refuses what is not a moment', () => {
    const moment = new Date(2026, 2, 3, 14, 32, 5, 0).getTime();
    expect(toLocalInput(moment + 456)).toBe('2026-03-03T14:32:05');
    expect(fromLocalInput('2026-03-03T14:32:05')).toBe(moment);
    expect(fromLocalInput('2026-03-03T14:32')).toBe(moment - 5000);
    expect(fromLocalInput('2026-03-03T14:32:05.25')).toBe(moment + 250);
    for (const bad of ['', 'yesterday', '2026-02-30T10:00', '2026-13-01T10:00', '0099-01-01T00:00']) expect(fromLocalInput(bad), bad).toBeNull();
  });
});

describe('restore preview: what going back would do', () => {
  /** Ana's workbook: two sheets, a few values; `then` is a copy of both docs as they are now. */
  function setup() {
    const ana = newWorkbook('Ana');
    const stock = ana.wb.initialize({ title: 'Depot', sheetName: 'Stock', rows: 0, columns: 0 });
    const item = ana.wb.addColumn(stock, { name: 'Item', type: 'text' });
    const qty = ana.wb.addColumn(stock, { name: 'Qty', type: 'number' });
    const rows = ana.wb.insertRows(stock, 0, 3);
    ana.wb.setCells(stock, rows.flatMap((rowId, i) => [{ rowId, colId: item, value: ['Rice', 'Beans', 'Oil'][i] }, { rowId, colId: qty, value: i + 1 }]));
    const shifts = ana.wb.addSheet('Shifts');
    const who = ana.wb.addColumn(shifts, { name: 'Volunteer', type: 'text' });
    const [shift] = ana.wb.insertRows(shifts, 0, 1);
    ana.wb.setCell(shifts, shift, who, 'Luis');
    return { ana, stock, item, qty, rows, shifts, who };
  }

  function copyOf(wb: Workbook): Workbook {
    const doc = new Y.Doc();
    const journal = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(wb.doc));
    Y.applyUpdate(journal, Y.encodeStateAsUpdate(wb.journal.doc));
    return new Workbook(doc, { actor: { name: 'restore preview', deviceId: 'restore-preview' }, history: journal });
  }

  it('after a delete-everything update: empty now, every sheet comes back with its rows and filled cells, and the history; restoring leaves nothing to do', () => {
    const { ana } = setup();
    const then = copyOf(ana.wb);
    const journalEntries = ana.wb.journal.rawEntries().length;
    expect(journalEntries).toBeGreaterThan(0);
    Y.applyUpdate(ana.doc, deleteEverythingUpdate(ana.doc));
    Y.applyUpdate(ana.wb.journal.doc, deleteEverythingUpdate(ana.wb.journal.doc));
    expect(ana.wb.isInitialized()).toBe(false);

    const p = previewRestore(then, ana.wb, null);
    expect(p.emptyNow).toBe(true);
    expect(p.sheets.map((s) => [s.name, s.fate, s.rowsBack, s.cellsBack])).toEqual([
      ['Stock', 'back', 3, 6],
      ['Shifts', 'back', 1, 1],
    ]);
    expect(p.totals).toEqual({ sheets: 2, rows: 4, cells: 7, sheetsToTrash: 0 });
    expect(p.historyBack).toBe(journalEntries);
    expect(p.changes).toBe(true);
    // One sheet only: the other is not mentioned; the history still comes back (restoreTo appends it whatever the scope).
    const stockOnly = previewRestore(then, ana.wb, then.sheets()[0].id);
    expect(stockOnly.sheets.map((s) => s.name)).toEqual(['Stock']);
    expect(stockOnly.titleBack).toBeNull();

    const result = restoreTo(then, ana.wb, { at: 1, sheetId: undefined });
    expect(result.journalBack).toBe(journalEntries);
    const after = previewRestore(then, ana.wb, null);
    expect(after).toMatchObject({ emptyNow: false, changes: false, historyBack: 0, totals: { sheets: 0, rows: 0, cells: 0, sheetsToTrash: 0 } });
    expect(after.sheets.every((s) => s.fate === 'unchanged')).toBe(true);
  });

  it('on a live workbook: cells set back and whose they were, rows added since to the trash, a later sheet to the trash, the title', () => {
    const { ana, stock, item, rows } = setup();
    const then = copyOf(ana.wb);
    const ben = newWorkbook('Ben', { doc: ana.doc });
    ben.wb.setCell(stock, rows[0], item, 'Brown rice');
    ben.wb.setCell(stock, rows[1], item, 'Lentils');
    ana.wb.setCell(stock, rows[2], item, 'Olive oil');
    ana.wb.insertRows(stock, 3, 2);
    ana.wb.addSheet('Later');
    ana.wb.setTitle('Depot (old)');

    const p = previewRestore(then, ana.wb, null);
    expect(p.emptyNow).toBe(false);
    expect(p.sheets.map((s) => [s.name, s.fate, s.cellsBack, s.rowsToTrash])).toEqual([
      ['Stock', 'changes', 3, 2],
      ['Shifts', 'unchanged', 0, 0],
      ['Later', 'toTrash', 0, 0],
    ]);
    expect(p.overwrites).toEqual([
      { by: 'Ben', cells: 2 },
      { by: 'Ana', cells: 1 },
    ]);
    expect(p.titleBack).toBe('Depot');
    expect(p.totals.sheetsToTrash).toBe(1);
    expect(p.historyBack).toBe(0);
  });

  it('a moment before the workbook existed has nothing to restore', () => {
    const { ana } = setup();
    const empty = new Workbook(new Y.Doc(), { actor: { name: 'restore preview', deviceId: 'restore-preview' } });
    expect(previewRestore(empty, ana.wb, null)).toMatchObject({ emptyThen: true, changes: false, sheets: [] });
  });

  it('counts missing history entries as a multiset: a repeated entry is a real second change', () => {
    expect(missingEntries(['a', 'a', 'b'], ['a'])).toBe(2);
    expect(missingEntries(['a', 'b'], ['b', 'a', 'c'])).toBe(0);
  });
});

describe('restore refusals in words', () => {
  it('says from when the hub keeps changes, and why a moment could not be looked up', () => {
    const earliest = Date.UTC(2026, 0, 5, 9, 30, 15);
    const en = errorTextIn('en', new BeforeRetentionError('x', earliest));
    expect(en).toMatch(/^Changes from before .*2026.* are no longer kept on the hub\.$/);
    expect(errorTextIn('es', new BeforeRetentionError('x', earliest))).toMatch(/^Los cambios de antes del .*2026.* ya no se guardan en el hub\.$/);
    expect(errorTextIn('en', new SnapshotApiError('BEFORE_RETENTION', 'x'))).toBe('The hub no longer keeps changes from that long ago.');
    expect(errorTextIn('es', new SnapshotApiError('BAD_TIME', 'x'))).toBe('Ese no es un momento que el hub pueda buscar: elige una fecha y una hora.');
  });
});
