import { describe, expect, it } from 'vitest';
import { keyCommand, tabTarget, type KeyContext, type KeyInput } from '../../src/ui/grid/keymap.js';

/** A 5×4 sheet, the active cell at (2, 1), nothing editing. */
const ctx = (over: Partial<KeyContext> = {}): KeyContext => ({ editing: false, row: 2, col: 1, nRows: 5, nCols: 4, page: 3, colType: 'text', tabStart: null, ...over });
const key = (k: string, mods: Omit<KeyInput, 'key'> = {}): KeyInput => ({ key: k, ...mods });

describe('grid keymap: navigation', () => {
  it('arrows move one cell, Shift extends; targets are not clamped (the grid clamps)', () => {
    expect(keyCommand(key('ArrowUp'), ctx())).toEqual({ kind: 'move', to: { row: 1, col: 1 }, extend: false });
    expect(keyCommand(key('ArrowDown', { shift: true }), ctx())).toEqual({ kind: 'move', to: { row: 3, col: 1 }, extend: true });
    expect(keyCommand(key('ArrowLeft'), ctx())).toEqual({ kind: 'move', to: { row: 2, col: 0 }, extend: false });
    expect(keyCommand(key('ArrowRight'), ctx())).toEqual({ kind: 'move', to: { row: 2, col: 2 }, extend: false });
    // First row / first column: the target is off the sheet, the grid clamps it back.
    expect(keyCommand(key('ArrowUp'), ctx({ row: 0 }))).toEqual({ kind: 'move', to: { row: -1, col: 1 }, extend: false });
    expect(keyCommand(key('ArrowLeft'), ctx({ col: 0 }))).toEqual({ kind: 'move', to: { row: 2, col: -1 }, extend: false });
    // Alt+Arrow moves as the plain arrow did before the keymap.
    expect(keyCommand(key('ArrowDown', { alt: true }), ctx())).toEqual({ kind: 'move', to: { row: 3, col: 1 }, extend: false });
  });

  it('Home / End go to the row ends, PageUp / PageDown by a page', () => {
    expect(keyCommand(key('Home'), ctx())).toEqual({ kind: 'move', to: { row: 2, col: 0 }, extend: false });
    expect(keyCommand(key('End', { shift: true }), ctx())).toEqual({ kind: 'move', to: { row: 2, col: 3 }, extend: true });
    expect(keyCommand(key('PageUp'), ctx())).toEqual({ kind: 'move', to: { row: -1, col: 1 }, extend: false });
    expect(keyCommand(key('PageDown'), ctx())).toEqual({ kind: 'move', to: { row: 5, col: 1 }, extend: false });
  });

  it('Ctrl+Home / Ctrl+End go to the sheet corners; Ctrl+Arrow jumps to the edge of data', () => {
    expect(keyCommand(key('Home', { ctrl: true }), ctx())).toEqual({ kind: 'move', to: { row: 0, col: 0 }, extend: false });
    expect(keyCommand(key('End', { ctrl: true, shift: true }), ctx())).toEqual({ kind: 'move', to: { row: 4, col: 3 }, extend: true });
    // Column 1 holds values in rows 0..2; row 2 holds values in columns 0..1.
    const filled = (r: number, c: number) => (c === 1 && r <= 2) || (r === 2 && c <= 1);
    expect(keyCommand(key('ArrowUp', { ctrl: true }), ctx({ filled }))).toEqual({ kind: 'move', to: { row: 0, col: 1 }, extend: false });
    expect(keyCommand(key('ArrowDown', { ctrl: true }), ctx({ filled }))).toEqual({ kind: 'move', to: { row: 4, col: 1 }, extend: false });
    expect(keyCommand(key('ArrowLeft', { ctrl: true }), ctx({ filled }))).toEqual({ kind: 'move', to: { row: 2, col: 0 }, extend: false });
    expect(keyCommand(key('ArrowRight', { ctrl: true }), ctx({ filled }))).toEqual({ kind: 'move', to: { row: 2, col: 3 }, extend: false });
    // Already at the last row: stays.
    expect(keyCommand(key('ArrowDown', { ctrl: true }), ctx({ row: 4 }))).toEqual({ kind: 'move', to: { row: 4, col: 1 }, extend: false });
  });

  it('Escape collapses the selection, or closes the find bar when open', () => {
    expect(keyCommand(key('Escape'), ctx())).toEqual({ kind: 'collapse' });
    expect(keyCommand(key('Escape'), ctx({ findOpen: true }))).toEqual({ kind: 'close-find' });
  });
});

describe('grid keymap: Tab never leaves the grid', () => {
  it('Tab moves right, Shift+Tab left, inside a row; a run keeps its start column', () => {
    expect(keyCommand(key('Tab'), ctx())).toEqual({ kind: 'move-tab', back: false, to: { row: 2, col: 2 }, tabStart: 1 });
    expect(keyCommand(key('Tab', { shift: true }), ctx())).toEqual({ kind: 'move-tab', back: true, to: { row: 2, col: 0 }, tabStart: 1 });
    expect(keyCommand(key('Tab'), ctx({ col: 2, tabStart: 0 }))).toEqual({ kind: 'move-tab', back: false, to: { row: 2, col: 3 }, tabStart: 0 });
  });

  it('Tab on the last column goes to the next row’s first column', () => {
    expect(keyCommand(key('Tab'), ctx({ col: 3 }))).toEqual({ kind: 'move-tab', back: false, to: { row: 3, col: 0 }, tabStart: 3 });
  });

  it('Shift+Tab on the first column goes to the previous row’s last column', () => {
    expect(keyCommand(key('Tab', { shift: true }), ctx({ col: 0 }))).toEqual({ kind: 'move-tab', back: true, to: { row: 1, col: 3 }, tabStart: 0 });
  });

  it('at the very last / first cell Tab stays in place (still handled, so focus stays)', () => {
    expect(keyCommand(key('Tab'), ctx({ row: 4, col: 3 }))).toEqual({ kind: 'move-tab', back: false, to: { row: 4, col: 3 }, tabStart: 3 });
    expect(keyCommand(key('Tab', { shift: true }), ctx({ row: 0, col: 0 }))).toEqual({ kind: 'move-tab', back: true, to: { row: 0, col: 0 }, tabStart: 0 });
  });

  it('a one-column sheet wraps row to row; a one-cell sheet stays', () => {
    expect(tabTarget(0, 0, 3, 1, false)).toEqual({ row: 1, col: 0 });
    expect(tabTarget(1, 0, 3, 1, true)).toEqual({ row: 0, col: 0 });
    expect(tabTarget(0, 0, 1, 1, false)).toEqual({ row: 0, col: 0 });
    expect(tabTarget(0, 0, 1, 1, true)).toEqual({ row: 0, col: 0 });
  });

  it('an empty sheet (no rows or no columns) does not take Tab', () => {
    expect(keyCommand(key('Tab'), ctx({ nRows: 0, row: 0, col: 0 }))).toBeNull();
    expect(keyCommand(key('Tab'), ctx({ nCols: 0, row: 0, col: 0 }))).toBeNull();
    expect(keyCommand(key('Tab'), ctx({ editing: true, nRows: 0, row: 0, col: 0 }))).toBeNull();
  });
});

describe('grid keymap: entering and editing', () => {
  it('Enter starts editing; on a checkbox it toggles, on a claim it opens the claim menu; Shift+Enter moves up', () => {
    expect(keyCommand(key('Enter'), ctx())).toEqual({ kind: 'enter' });
    expect(keyCommand(key('Enter'), ctx({ colType: 'checkbox' }))).toEqual({ kind: 'toggle' });
    expect(keyCommand(key('Enter'), ctx({ colType: 'claim' }))).toEqual({ kind: 'claim-menu' });
    expect(keyCommand(key('Enter', { shift: true }), ctx())).toEqual({ kind: 'move', to: { row: 1, col: 1 }, extend: false });
  });

  it('F2 edits; a printable key edits with that character; not on checkbox or claim columns, not with Alt', () => {
    expect(keyCommand(key('F2'), ctx())).toEqual({ kind: 'edit-start' });
    expect(keyCommand(key('x'), ctx())).toEqual({ kind: 'edit-start', char: 'x' });
    expect(keyCommand(key('X', { shift: true }), ctx())).toEqual({ kind: 'edit-start', char: 'X' });
    expect(keyCommand(key('x'), ctx({ colType: 'checkbox' }))).toBeNull();
    expect(keyCommand(key('x'), ctx({ colType: 'claim' }))).toBeNull();
    expect(keyCommand(key('x', { alt: true }), ctx())).toBeNull();
    expect(keyCommand(key('Shift', { shift: true }), ctx())).toBeNull();
  });

  it('Space edits with a space, toggles a checkbox, opens a claim; Shift+Space selects the row', () => {
    expect(keyCommand(key(' '), ctx())).toEqual({ kind: 'edit-start', char: ' ' });
    expect(keyCommand(key(' '), ctx({ colType: 'checkbox' }))).toEqual({ kind: 'toggle' });
    expect(keyCommand(key(' '), ctx({ colType: 'claim' }))).toEqual({ kind: 'claim-menu' });
    expect(keyCommand(key(' ', { shift: true }), ctx())).toEqual({ kind: 'select-row' });
  });

  it('Delete and Backspace clear', () => {
    expect(keyCommand(key('Delete'), ctx())).toEqual({ kind: 'clear' });
    expect(keyCommand(key('Backspace'), ctx())).toEqual({ kind: 'clear' });
  });

  it('while composing (IME) no key is the grid’s', () => {
    for (const k of ['Enter', 'Tab', 'Escape', 'a']) {
      expect(keyCommand(key(k, { composing: true }), ctx())).toBeNull();
      expect(keyCommand(key(k, { composing: true }), ctx({ editing: true }))).toBeNull();
    }
  });

  it('editor: Enter commits and moves down, Shift+Enter up, Alt+Enter adds a line, Escape cancels, typing is the editor’s', () => {
    const e = ctx({ editing: true });
    expect(keyCommand(key('Enter'), e)).toEqual({ kind: 'edit-commit', to: { row: 3, col: 1 } });
    expect(keyCommand(key('Enter', { shift: true }), e)).toEqual({ kind: 'edit-commit', to: { row: 1, col: 1 } });
    expect(keyCommand(key('Enter', { alt: true }), e)).toEqual({ kind: 'edit-newline' });
    expect(keyCommand(key('Escape'), e)).toEqual({ kind: 'edit-cancel' });
    for (const k of ['a', ' ', 'ArrowLeft', 'Delete', 'Home', 'F2']) expect(keyCommand(key(k), e)).toBeNull();
    expect(keyCommand(key('z', { ctrl: true }), e)).toBeNull();
  });

  it('editor: Tab commits and moves (wrapping as outside); Enter after a Tab run returns to its start column one row down', () => {
    expect(keyCommand(key('Tab'), ctx({ editing: true, col: 3 }))).toEqual({ kind: 'move-tab', back: false, to: { row: 3, col: 0 }, tabStart: 3 });
    expect(keyCommand(key('Tab', { shift: true }), ctx({ editing: true, col: 0 }))).toEqual({ kind: 'move-tab', back: true, to: { row: 1, col: 3 }, tabStart: 0 });
    expect(keyCommand(key('Enter'), ctx({ editing: true, col: 3, tabStart: 1 }))).toEqual({ kind: 'edit-commit', to: { row: 3, col: 1 } });
    // Shift+Enter goes up in the same column, run or not.
    expect(keyCommand(key('Enter', { shift: true }), ctx({ editing: true, col: 3, tabStart: 1 }))).toEqual({ kind: 'edit-commit', to: { row: 1, col: 3 } });
    // At the last row the target is past the sheet: the grid clamps it to the last row.
    expect(keyCommand(key('Enter'), ctx({ editing: true, row: 4, col: 2, tabStart: 0 }))).toEqual({ kind: 'edit-commit', to: { row: 5, col: 0 } });
  });
});

describe('grid keymap: Ctrl / ⌘ shortcuts', () => {
  it('undo, redo, select all, fill down, find, select column', () => {
    expect(keyCommand(key('z', { ctrl: true }), ctx())).toEqual({ kind: 'undo' });
    expect(keyCommand(key('Z', { ctrl: true, shift: true }), ctx())).toEqual({ kind: 'redo' });
    expect(keyCommand(key('y', { ctrl: true }), ctx())).toEqual({ kind: 'redo' });
    expect(keyCommand(key('a', { ctrl: true }), ctx())).toEqual({ kind: 'select-all' });
    expect(keyCommand(key('d', { ctrl: true }), ctx())).toEqual({ kind: 'fill-down' });
    expect(keyCommand(key('f', { ctrl: true }), ctx())).toEqual({ kind: 'find' });
    expect(keyCommand(key(' ', { ctrl: true }), ctx())).toEqual({ kind: 'select-col' });
  });

  it('copy / cut / paste and other Ctrl keys are left to the browser; Ctrl+Alt (AltGr) characters do not edit', () => {
    for (const k of ['c', 'x', 'v', 'p', 'Tab']) expect(keyCommand(key(k, { ctrl: true }), ctx())).toBeNull();
    expect(keyCommand(key('@', { ctrl: true, alt: true }), ctx())).toBeNull();
  });

  it('on an empty sheet Ctrl+End targets row/column -1 (the grid ignores moves on an empty sheet); Ctrl+Arrow is not taken (and does not hang)', () => {
    const empty = ctx({ nRows: 0, nCols: 0, row: 0, col: 0 });
    expect(keyCommand(key('End', { ctrl: true }), empty)).toEqual({ kind: 'move', to: { row: -1, col: -1 }, extend: false });
    for (const k of ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight']) {
      expect(keyCommand(key(k, { ctrl: true }), empty)).toBeNull();
      expect(keyCommand(key(k, { ctrl: true }), ctx({ nRows: 3, nCols: 0, row: 0, col: 0 }))).toBeNull();
    }
    // A one-row, one-column sheet: every jump stays on the one cell.
    for (const k of ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight']) {
      expect(keyCommand(key(k, { ctrl: true }), ctx({ nRows: 1, nCols: 1, row: 0, col: 0 }))).toEqual({ kind: 'move', to: { row: 0, col: 0 }, extend: false });
    }
  });
});

describe('grid keymap: ranges, long text, find and replace', () => {
  it('Shift-moves start from the range’s far corner; plain moves from the active cell', () => {
    // Active at (2, 1); the range's far corner at (4, 3).
    const c = ctx({ focusRow: 4, focusCol: 3 });
    expect(keyCommand(key('ArrowDown', { shift: true }), c)).toEqual({ kind: 'move', to: { row: 5, col: 3 }, extend: true });
    expect(keyCommand(key('ArrowLeft', { shift: true }), c)).toEqual({ kind: 'move', to: { row: 4, col: 2 }, extend: true });
    expect(keyCommand(key('ArrowDown'), c)).toEqual({ kind: 'move', to: { row: 3, col: 1 }, extend: false });
    expect(keyCommand(key('ArrowRight'), c)).toEqual({ kind: 'move', to: { row: 2, col: 2 }, extend: false });
    expect(keyCommand(key('Home', { shift: true }), c)).toEqual({ kind: 'move', to: { row: 4, col: 0 }, extend: true });
    expect(keyCommand(key('ArrowDown', { shift: true, ctrl: true }), c)).toEqual({ kind: 'move', to: { row: 4, col: 3 }, extend: true });
    // Shift+Enter is a plain move up from the active cell, and Tab moves from it too.
    expect(keyCommand(key('Enter', { shift: true }), c)).toEqual({ kind: 'move', to: { row: 1, col: 1 }, extend: false });
    expect(keyCommand(key('Tab'), c)).toEqual({ kind: 'move-tab', back: false, to: { row: 2, col: 2 }, tabStart: 1 });
  });

  it('in the multi-line editor Enter saves, Shift+Enter and Alt+Enter put a line break in', () => {
    const e = ctx({ editing: true, multiline: true });
    expect(keyCommand(key('Enter'), e)).toEqual({ kind: 'edit-commit', to: { row: 3, col: 1 } });
    expect(keyCommand(key('Enter', { shift: true }), e)).toEqual({ kind: 'edit-newline' });
    expect(keyCommand(key('Enter', { alt: true }), e)).toEqual({ kind: 'edit-newline' });
    expect(keyCommand(key('Escape'), e)).toEqual({ kind: 'edit-cancel' });
  });

  it('Ctrl+F finds, Ctrl+H finds and replaces', () => {
    expect(keyCommand(key('f', { ctrl: true }), ctx())).toEqual({ kind: 'find' });
    expect(keyCommand(key('h', { ctrl: true }), ctx())).toEqual({ kind: 'replace' });
  });
});

describe('grid keymap: entry helpers in the editor', () => {
  it('with options on offer, ArrowUp / ArrowDown move through them and Enter takes the current one', () => {
    const e = ctx({ editing: true, colType: 'select', optionList: true });
    expect(keyCommand(key('ArrowDown'), e)).toEqual({ kind: 'option-move', delta: 1 });
    expect(keyCommand(key('ArrowUp'), e)).toEqual({ kind: 'option-move', delta: -1 });
    expect(keyCommand(key('Enter'), e)).toEqual({ kind: 'option-pick' });
    // Tab and Escape keep their meaning; with nothing on offer Enter saves what was typed.
    expect(keyCommand(key('Escape'), e)).toEqual({ kind: 'edit-cancel' });
    expect(keyCommand(key('Enter'), ctx({ editing: true, colType: 'select', optionList: false }))).toEqual({ kind: 'edit-commit', to: { row: 3, col: 1 } });
    expect(keyCommand(key('ArrowDown'), ctx({ editing: true, colType: 'select' }))).toBeNull();
  });

  it('Alt+ArrowDown opens the calendar on a date or date-time cell, and nowhere else', () => {
    expect(keyCommand(key('ArrowDown', { alt: true }), ctx({ editing: true, colType: 'date' }))).toEqual({ kind: 'open-picker' });
    expect(keyCommand(key('ArrowDown', { alt: true }), ctx({ editing: true, colType: 'datetime' }))).toEqual({ kind: 'open-picker' });
    expect(keyCommand(key('ArrowDown', { alt: true }), ctx({ editing: true, colType: 'text' }))).toBeNull();
  });

  it('Alt+ArrowDown on a date, status or choice cell opens it without editing first; elsewhere it moves', () => {
    for (const colType of ['date', 'datetime', 'select', 'multiselect']) {
      expect(keyCommand(key('ArrowDown', { alt: true }), ctx({ colType }))).toEqual({ kind: 'open-picker' });
      expect(keyCommand(key('ArrowDown', { alt: true }), ctx({ editing: true, colType }))).toEqual({ kind: 'open-picker' });
    }
    for (const colType of ['text', 'number', 'checkbox', 'claim']) {
      expect(keyCommand(key('ArrowDown', { alt: true }), ctx({ colType }))).toEqual({ kind: 'move', to: { row: 3, col: 1 }, extend: false });
    }
    // Alt+Shift+ArrowDown still extends the selection.
    expect(keyCommand(key('ArrowDown', { alt: true, shift: true }), ctx({ colType: 'select' }))).toEqual({ kind: 'move', to: { row: 3, col: 1 }, extend: true });
  });
});
