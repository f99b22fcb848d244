import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import type { Column } from '../../src/model/types.js';
import type { SyncStatus } from '../../src/sync/status.js';
import { RowEdits, TYPING_PAUSE_MS, savedKey } from '../../src/ui/row-edits.js';
import { newWorkbook, syncWorkbooks } from '../support/model.js';

function host(): ReactiveControllerHost & { updates: number } {
  return {
    updates: 0,
    addController() {},
    removeController() {},
    requestUpdate() {
      this.updates++;
    },
    updateComplete: Promise.resolve(true),
  };
}

function sheet() {
  const { wb, doc } = newWorkbook('Ana');
  const sheetId = wb.initialize({ title: 'T', columns: 0, rows: 2 });
  const name = wb.addColumn(sheetId, { name: 'Name' });
  const qty = wb.addColumn(sheetId, { name: 'Qty', type: 'number' });
  const status = wb.addColumn(sheetId, { name: 'Status', type: 'select', options: [{ id: 'o1', label: 'Open', color: '#cf222e' }, { id: 'o2', label: 'Done', color: '#1a7f37' }] });
  const water = wb.addColumn(sheetId, { name: 'Water', type: 'counter' });
  const columns = wb.columns(sheetId);
  const col = (id: string) => columns.find((c) => c.id === id) as Column;
  const [row, other] = wb.rowIds(sheetId);
  const edits = new RowEdits(host());
  edits.bind(wb, sheetId, row, columns);
  const value = (colId: string, rowId = row) => wb.getValue(sheetId, rowId, colId);
  return { wb, doc, sheetId, row, other, columns, edits, value, name: col(name), qty: col(qty), status: col(status), water: col(water) };
}

const status = (s: Partial<SyncStatus>): SyncStatus => ({ connection: 'online', caughtUp: true, pending: 0, lastClose: null, local: 'saved', localError: null, ...s });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RowEdits: the phone form saves as it goes', () => {
  it('writes typed text at a pause in typing, and at once on leaving the field', () => {
    const s = sheet();
    s.edits.type(s.name, 'Mar');
    expect(s.value(s.name.id)).toBeNull();
    expect(s.edits.note(s.name.id, null)).toBe('Saving…');
    vi.advanceTimersByTime(TYPING_PAUSE_MS);
    expect(s.value(s.name.id)).toBe('Mar');
    s.edits.type(s.name, 'Marta');
    s.edits.leave(s.name.id);
    expect(s.value(s.name.id)).toBe('Marta');
    expect(s.edits.drafts.has(s.name.id)).toBe(false);
    expect(s.edits.note(s.name.id, status({}))).toBe('✓ Saved, and on the hub');
  });

  it('a choice is written at once; leaving the row writes what is still being typed', () => {
    const s = sheet();
    s.edits.choose(s.status, 'Done');
    expect(s.value(s.status.id)).toBe('o2');
    s.edits.type(s.name, 'Luis');
    // Next row: the last row gets its typing before the form moves on.
    s.edits.bind(s.wb, s.sheetId, s.other, s.columns);
    expect(s.value(s.name.id, s.row)).toBe('Luis');
    expect(s.value(s.name.id, s.other)).toBeNull();
    expect(s.edits.saved.size).toBe(0);
  });

  it('keeps a value that does not fit in the field with the model’s reason, and keeps it as flagged text on leaving', () => {
    const s = sheet();
    s.edits.type(s.qty, 'twelve');
    s.edits.leave(s.qty.id);
    expect(s.edits.errors.get(s.qty.id)).toBe('“twelve” is not a number (Qty holds numbers).');
    expect(s.edits.drafts.get(s.qty.id)).toBe('twelve');
    expect(s.value(s.qty.id)).toBeNull();
    s.edits.flush(true);
    expect(s.value(s.qty.id)).toBe('twelve');
    expect(s.edits.drafts.has(s.qty.id)).toBe(false);
  });

  it('a recount that is not a number cannot be kept, and an empty one is no recount', () => {
    const s = sheet();
    s.edits.type(s.water, '');
    s.edits.leave(s.water.id);
    expect(s.wb.counterOps(s.sheetId, s.row, s.water.id)).toHaveLength(0);
    s.edits.type(s.water, '40');
    s.edits.leave(s.water.id);
    expect(s.value(s.water.id)).toBe(40);
  });

  it('undo takes back one field’s whole typing as one step, then the step before, and never a colleague’s change', () => {
    const s = sheet();
    const colleague = newWorkbook('Luis');
    syncWorkbooks(s.wb, colleague.wb);
    s.edits.choose(s.status, 'Open');
    s.edits.type(s.name, 'Ma');
    vi.advanceTimersByTime(TYPING_PAUSE_MS);
    s.edits.type(s.name, 'Marta');
    vi.advanceTimersByTime(TYPING_PAUSE_MS);
    s.edits.leave(s.name.id);
    colleague.wb.setCell(s.sheetId, s.row, s.qty.id, 7);
    syncWorkbooks(s.wb, colleague.wb);
    expect(s.edits.canUndo).toBe(true);

    s.edits.undoLast();
    expect(s.value(s.name.id)).toBeNull();
    expect(s.edits.undone).toBe('Name');
    expect(s.value(s.status.id)).toBe('o1');
    s.edits.undoLast();
    expect(s.value(s.status.id)).toBeNull();
    expect(s.edits.canUndo).toBe(false);
    expect(s.value(s.qty.id)).toBe(7);
  });

  it('undo writes typing that was waiting first, and takes that back', () => {
    const s = sheet();
    s.edits.type(s.name, 'Ana');
    s.edits.leave(s.name.id);
    s.edits.type(s.name, 'Ana María');
    s.edits.undoLast();
    expect(s.value(s.name.id)).toBe('Ana');
  });

  it('counter taps are steps of their own', () => {
    const s = sheet();
    s.edits.act(s.water, (wb, sheetId, rowId) => wb.adjustCounter(sheetId, rowId, s.water.id, 1));
    s.edits.act(s.water, (wb, sheetId, rowId) => wb.adjustCounter(sheetId, rowId, s.water.id, 1));
    expect(s.value(s.water.id)).toBe(2);
    s.edits.undoLast();
    expect(s.value(s.water.id)).toBe(1);
  });
});

describe('savedKey: where a change saved from this device is', () => {
  it('says on the hub only when the hub has everything, else on this device, and says a refused local write', () => {
    expect(savedKey(status({}))).toBe('phone.savedHub');
    expect(savedKey(status({ connection: 'offline', caughtUp: false, pending: 1 }))).toBe('phone.savedDevice');
    expect(savedKey(status({ pending: 2 }))).toBe('phone.savedDevice');
    expect(savedKey(status({ connection: 'offline', pending: 1, local: 'saving' }))).toBe('phone.savingDevice');
    expect(savedKey(status({ connection: 'offline', pending: 1, local: 'failed' }))).toBe('phone.failedDevice');
    expect(savedKey(status({ connection: 'offline', pending: 1, local: 'none' }))).toBe('phone.savedPage');
  });
});
