import { describe, expect, it } from 'vitest';
import type { CellValue, Column } from '../../src/model/types.js';
import { EditingController, isLongText } from '../../src/ui/grid/editing.js';
import type { GridHost } from '../../src/ui/grid/host.js';
import { LONG_TEXT_CHARS } from '../../src/ui/grid/metrics.js';
import { newWorkbook } from '../support/model.js';

const column = (type: Column['type']): Column => ({ id: 'c', name: 'Notes', type, width: 120, options: [] }) as unknown as Column;

describe('grid editing: which editor opens', () => {
  it('a long-text column always opens the multi-line editor', () => {
    expect(isLongText(column('longtext'), '')).toBe(true);
  });

  it('a text column opens it for text over the limit or with line breaks, else edits in the cell', () => {
    expect(isLongText(column('text'), 'x'.repeat(LONG_TEXT_CHARS))).toBe(false);
    expect(isLongText(column('text'), 'x'.repeat(LONG_TEXT_CHARS + 1))).toBe(true);
    expect(isLongText(column('text'), 'two\nlines')).toBe(true);
  });

  it('other columns never do, however long what is typed', () => {
    for (const type of ['number', 'date', 'select', 'phone', 'link'] as const) expect(isLongText(column(type), 'x'.repeat(200))).toBe(false);
  });
});

/**
 * The editor's part of Alt+ArrowDown, in Node: a stand-in grid whose active cell is (0, 0) of a
 * workbook sheet, with no DOM (no option list or calendar is rendered, so nothing is focused).
 */
function editorOn(type: 'select' | 'multiselect' | 'date' | 'text', value: CellValue, readOnly = false) {
  const { wb } = newWorkbook('Ana');
  const s = wb.initialize({ rows: 1, columns: 0 });
  const options = [
    { id: 'o1', label: 'Food', color: '#cf222e' },
    { id: 'o2', label: 'Water', color: '#1a7f37' },
    { id: 'o3', label: 'Blankets', color: '#0969da' },
  ];
  const colId = wb.addColumn(s, { name: 'Needs', type, ...(type === 'select' || type === 'multiselect' ? { options } : {}) });
  const rowId = wb.rowIds(s)[0];
  if (value !== null) wb.setCell(s, rowId, colId, value);
  const col = wb.columns(s).find((c) => c.id === colId)!;
  let refused = 0;
  const host = {
    workbook: wb,
    sheetId: s,
    error: '',
    renderRoot: { querySelector: () => null },
    updateComplete: Promise.resolve(true),
    selection: { activeCell: () => ({ rowId, col }) },
    addController: () => {},
    requestUpdate: () => {},
    refuseReadOnly: () => (readOnly ? (refused++, true) : false),
    focusGrid: () => {},
  } as unknown as GridHost;
  return { editor: new EditingController(host), refused: () => refused, host, value: () => wb.getValue(s, rowId, colId) };
}

describe('grid editing: Alt+ArrowDown opens a picker without editing first', () => {
  it('a status / choice cell starts editing with every option on offer, its current one active', () => {
    const { editor } = editorOn('select', 'o2');
    editor.openPicker();
    expect(editor.editing).toBe(true);
    expect(editor.browsing).toBe(true);
    expect(editor.draft).toBe('Water');
    expect(editor.optionActive).toBe(1);
    expect(editor.pickerOpen).toBe(false);
  });

  it('a several-choices cell keeps what it holds and adds after a comma', () => {
    const { editor } = editorOn('multiselect', 'o1');
    editor.openPicker();
    expect([editor.editing, editor.browsing, editor.draft]).toEqual([true, true, 'Food, ']);
    // Already after a comma: no second one.
    editor.openPicker();
    expect(editor.draft).toBe('Food, ');
  });

  it('a date cell starts editing with the calendar open', () => {
    const { editor } = editorOn('date', '2026-03-14');
    editor.openPicker();
    expect([editor.editing, editor.pickerOpen, editor.browsing]).toEqual([true, true, false]);
  });

  it('on a view link nothing opens (the grid says why); on a text cell Alt+ArrowDown opens nothing', () => {
    const viewer = editorOn('select', 'o1', true);
    viewer.editor.openPicker();
    expect([viewer.editor.editing, viewer.refused()]).toEqual([false, 1]);
    const text = editorOn('text', 'hello');
    text.editor.openPicker();
    expect(text.editor.editing).toBe(false);
  });

  it('editing again by typing or F2 is not browsing: the arrows are the editor\'s until an option matches', () => {
    const { editor } = editorOn('select', 'o1');
    editor.openPicker();
    editor.cancel();
    editor.start();
    expect([editor.editing, editor.browsing]).toEqual([true, false]);
  });

  it('saving what was typed: a choice by any unambiguous prefix or case; a word that fits no option keeps the editor open, saying why', () => {
    const { editor, host, value } = editorOn('select', null);
    editor.start('WAT');
    expect(editor.commit()).toBe(true);
    expect([value(), editor.editing]).toEqual(['o2', false]);
    editor.start('Soap');
    expect(editor.commit()).toBe(false);
    expect(editor.editing).toBe(true);
    expect(host.error).toMatch(/Soap/);
    expect(value()).toBe('o2');
  });
});
