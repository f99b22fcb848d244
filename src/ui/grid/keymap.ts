/**
 * The grid's keymap, pure (no DOM, no Lit): a key with its modifiers, in the
 * grid's context, becomes one typed command that the element carries out.
 * `null` means the key is not the grid's (the browser's default stands).
 *
 * Moves carry their target cell, not yet clamped to the sheet (the grid
 * clamps). Tab and Shift+Tab wrap at a row's ends and stay at the sheet's
 * ends, so focus never leaves the grid by Tab; a run of Tabs remembers the
 * column it began in (`tabStart`, grid state) and Enter that commits an edit
 * returns there, one row down, as Sheets does.
 *
 * Shift-moves extend the range from its far corner (`focusRow` / `focusCol`)
 * while the active cell stays; a plain move starts from the active cell, so an
 * arrow after Shift-extending moves from where the range began, as in Sheets.
 *
 * In the multi-line editor (long text) Enter still commits; Alt+Enter and
 * Shift+Enter put a line break in. In a one-line editor Alt+Enter does.
 * Editing a status or choice, ArrowUp / ArrowDown go through the options on
 * offer and Enter takes the current one. Alt+ArrowDown on a date cell opens
 * the calendar, on a status or choice cell every option (editing or not).
 *
 * Editing a formula with the caret where a reference may go (`pointing`), the
 * arrows point at cells instead of moving the caret (Shift+arrows stretch a
 * range, Ctrl+arrows jump to the data's edge), as in Sheets and Excel;
 * elsewhere in a formula they are the editor's.
 */
import { dataEdge, type CellPos } from '../../model/range.js';

export interface KeyInput {
  /** `KeyboardEvent.key`. */
  key: string;
  shift?: boolean;
  /** Ctrl, or ⌘ on a Mac. */
  ctrl?: boolean;
  alt?: boolean;
  /** An IME is composing: Enter, Tab and Escape belong to it. */
  composing?: boolean;
}

export interface KeyContext {
  /** The cell editor is open. */
  editing: boolean;
  /** The find bar is open. */
  findOpen?: boolean;
  /** The active cell. */
  row: number;
  col: number;
  /** The range's far corner, which Shift-moves extend from; the active cell when absent. */
  focusRow?: number;
  focusCol?: number;
  /** Rows and columns shown (after the view's filters). */
  nRows: number;
  nCols: number;
  /** Rows a PageUp / PageDown moves. */
  page: number;
  /** The active column's type ('checkbox' and 'claim' are not typed into). */
  colType?: string;
  /** The column where the current run of Tabs began, or null outside a run. */
  tabStart?: number | null;
  /** Whether cell (r, c) holds a value, for Ctrl+Arrow jumps; all empty when absent. */
  filled?: (r: number, c: number) => boolean;
  /** Where Ctrl+End goes: the last row and column holding data (asked only on Ctrl+End); the sheet's last cell when absent. */
  lastData?: () => CellPos;
  /** The editor open is the multi-line one (long text): Shift+Enter is a line break there. */
  multiline?: boolean;
  /** The editor shows a list of options (a status or choice cell) with one of them current. */
  optionList?: boolean;
  /** The editor holds a formula and its caret stands where a reference may go (formula-pointing.ts). */
  pointing?: boolean;
}

export type GridCommand =
  /** Make `to` the active cell (extend: keep the anchor). Ends a Tab run. */
  | { kind: 'move'; to: CellPos; extend: boolean }
  /** Tab / Shift+Tab to `to` (wrapped); `tabStart` is the run's start column to keep. Commits an open edit first. */
  | { kind: 'move-tab'; back: boolean; to: CellPos; tabStart: number }
  /** Enter on a cell that is typed into (not a checkbox or claim): start editing its value. */
  | { kind: 'enter' }
  /** Start editing, with `char` replacing the value when given. */
  | { kind: 'edit-start'; char?: string }
  /** Editor: commit, then move to `to` (Enter returns to a Tab run's start column). Ends a Tab run. */
  | { kind: 'edit-commit'; to: CellPos }
  | { kind: 'edit-cancel' }
  /** Editor: Alt+Enter (and Shift+Enter in the multi-line editor) puts a line break in. */
  | { kind: 'edit-newline' }
  /** Editor of a status / choice cell: ArrowDown / ArrowUp move through the options shown. */
  | { kind: 'option-move'; delta: 1 | -1 }
  /** Editor of a status / choice cell: Enter takes the current option. */
  | { kind: 'option-pick' }
  /**
   * Editor of a formula, pointing: move the pointed cell by (dRow, dCol), or with `jump` (Ctrl) to
   * the data edge that way; extend: stretch the range from where it began.
   */
  | { kind: 'point-move'; dRow: number; dCol: number; extend: boolean; jump: boolean }
  /** Alt+ArrowDown on a date, status or choice cell (editing or not): the calendar, or every option to pick from. */
  | { kind: 'open-picker' }
  | { kind: 'toggle' }
  | { kind: 'claim-menu' }
  | { kind: 'clear' }
  | { kind: 'select-all' }
  | { kind: 'select-row' }
  | { kind: 'select-col' }
  /** Escape outside the editor: collapse the selection to the active cell. */
  | { kind: 'collapse' }
  | { kind: 'close-find' }
  | { kind: 'undo' }
  | { kind: 'redo' }
  | { kind: 'fill-down' }
  | { kind: 'find' }
  /** Ctrl+H: find and replace. */
  | { kind: 'replace' }
  | { kind: 'history' }
  | { kind: 'conflict' };

/**
 * Where Tab (or Shift+Tab when `back`) goes from (row, col): the next column,
 * or the next row's first column past the last; the previous column, or the
 * previous row's last column before the first. At the sheet's first / last
 * cell it stays put.
 */
export function tabTarget(row: number, col: number, nRows: number, nCols: number, back: boolean): CellPos {
  if (back) {
    if (col > 0) return { row, col: col - 1 };
    return row > 0 ? { row: row - 1, col: nCols - 1 } : { row, col };
  }
  if (col < nCols - 1) return { row, col: col + 1 };
  return row < nRows - 1 ? { row: row + 1, col: 0 } : { row, col };
}

function tab(k: KeyInput, c: KeyContext): GridCommand | null {
  // Nothing to move between: focus may leave an empty grid.
  if (c.nRows === 0 || c.nCols === 0) return null;
  const back = !!k.shift;
  return { kind: 'move-tab', back, to: tabTarget(c.row, c.col, c.nRows, c.nCols, back), tabStart: c.tabStart ?? c.col };
}

/** Column types with something to pick from under the cell: a calendar, or the options. */
const PICKED = new Set<string | undefined>(['date', 'datetime', 'select', 'multiselect']);

/** Row and column steps of the arrow keys. */
const ARROW_STEPS = new Map([
  ['ArrowUp', { dRow: -1, dCol: 0 }],
  ['ArrowDown', { dRow: 1, dCol: 0 }],
  ['ArrowLeft', { dRow: 0, dCol: -1 }],
  ['ArrowRight', { dRow: 0, dCol: 1 }],
]);

/** Keys while the cell editor is open (everything else is the editor's own typing). */
function editorKey(k: KeyInput, c: KeyContext): GridCommand | null {
  if (k.composing) return null;
  const step = ARROW_STEPS.get(k.key);
  if (c.pointing && step && !k.alt) return { kind: 'point-move', ...step, extend: !!k.shift, jump: !!k.ctrl };
  if (k.alt && k.key === 'ArrowDown' && PICKED.has(c.colType)) return { kind: 'open-picker' };
  if (c.optionList && !k.alt && !k.ctrl) {
    if (k.key === 'ArrowDown') return { kind: 'option-move', delta: 1 };
    if (k.key === 'ArrowUp') return { kind: 'option-move', delta: -1 };
    if (k.key === 'Enter' && !k.shift) return { kind: 'option-pick' };
  }
  switch (k.key) {
    case 'Escape':
      return { kind: 'edit-cancel' };
    case 'Enter':
      if (k.alt || (k.shift && c.multiline)) return { kind: 'edit-newline' };
      if (k.shift) return { kind: 'edit-commit', to: { row: c.row - 1, col: c.col } };
      return { kind: 'edit-commit', to: { row: c.row + 1, col: c.tabStart ?? c.col } };
    case 'Tab':
      return tab(k, c);
    default:
      return null;
  }
}

/** Where a move starts: the far corner when Shift extends the range, else the active cell. */
function origin(k: KeyInput, c: KeyContext): CellPos {
  return k.shift ? { row: c.focusRow ?? c.row, col: c.focusCol ?? c.col } : { row: c.row, col: c.col };
}

function ctrlKey(k: KeyInput, c: KeyContext): GridCommand | null {
  const { nRows, nCols } = c;
  const { row, col } = origin(k, c);
  const extend = !!k.shift;
  const filled = c.filled ?? (() => false);
  const has = (r: number, cc: number) => r >= 0 && r < nRows && cc >= 0 && cc < nCols && filled(r, cc);
  const lower = k.key.toLowerCase();
  // dataEdge walks towards an end that an empty sheet does not have: nothing to jump over.
  if ((nRows === 0 || nCols === 0) && lower.startsWith('arrow')) return null;
  switch (lower) {
    case 'z':
      return { kind: k.shift ? 'redo' : 'undo' };
    case 'y':
      return { kind: 'redo' };
    case 'a':
      return { kind: 'select-all' };
    case 'd':
      return { kind: 'fill-down' };
    case 'f':
      return { kind: 'find' };
    case 'h':
      return { kind: 'replace' };
    case ' ':
      return { kind: 'select-col' };
    case 'arrowup':
      return { kind: 'move', to: { row: dataEdge(row, -1, nRows, (r) => has(r, col)), col }, extend };
    case 'arrowdown':
      return { kind: 'move', to: { row: dataEdge(row, 1, nRows, (r) => has(r, col)), col }, extend };
    case 'arrowleft':
      return { kind: 'move', to: { row, col: dataEdge(col, -1, nCols, (cc) => has(row, cc)) }, extend };
    case 'arrowright':
      return { kind: 'move', to: { row, col: dataEdge(col, 1, nCols, (cc) => has(row, cc)) }, extend };
    case 'home':
      return { kind: 'move', to: { row: 0, col: 0 }, extend };
    case 'end':
      return { kind: 'move', to: c.lastData ? c.lastData() : { row: nRows - 1, col: nCols - 1 }, extend };
    default:
      // Ctrl+C / X / V reach the grid as copy / cut / paste events.
      return null;
  }
}

/** The command for a key, or null when the key is not the grid's. */
export function keyCommand(k: KeyInput, c: KeyContext): GridCommand | null {
  if (c.editing) return editorKey(k, c);
  if (k.composing) return null;
  // Alt+Shift+H / Alt+Shift+C (by physical key: see cellShortcut) are decided by the caller.
  if (k.ctrl && !k.alt) return ctrlKey(k, c);
  // As in Sheets, Alt+ArrowDown on a dropdown or date cell opens it rather than moving.
  if (k.alt && !k.shift && k.key === 'ArrowDown' && PICKED.has(c.colType)) return { kind: 'open-picker' };
  const { nCols } = c;
  const { row, col } = origin(k, c);
  const extend = !!k.shift;
  const special = c.colType === 'checkbox' ? 'toggle' : c.colType === 'claim' ? 'claim-menu' : null;
  switch (k.key) {
    case 'ArrowUp':
      return { kind: 'move', to: { row: row - 1, col }, extend };
    case 'ArrowDown':
      return { kind: 'move', to: { row: row + 1, col }, extend };
    case 'ArrowLeft':
      return { kind: 'move', to: { row, col: col - 1 }, extend };
    case 'ArrowRight':
      return { kind: 'move', to: { row, col: col + 1 }, extend };
    case 'Home':
      return { kind: 'move', to: { row, col: 0 }, extend };
    case 'End':
      return { kind: 'move', to: { row, col: nCols - 1 }, extend };
    case 'PageUp':
      return { kind: 'move', to: { row: row - c.page, col }, extend };
    case 'PageDown':
      return { kind: 'move', to: { row: row + c.page, col }, extend };
    case 'Tab':
      return tab(k, c);
    case 'Enter':
      // Shift+Enter is a plain move up, from the active cell.
      if (k.shift) return { kind: 'move', to: { row: c.row - 1, col: c.col }, extend: false };
      return special ? { kind: special } : { kind: 'enter' };
    case 'F2':
      return { kind: 'edit-start' };
    case ' ':
      if (k.shift) return { kind: 'select-row' };
      return special ? { kind: special } : { kind: 'edit-start', char: ' ' };
    case 'Delete':
    case 'Backspace':
      return { kind: 'clear' };
    case 'Escape':
      return c.findOpen ? { kind: 'close-find' } : { kind: 'collapse' };
    default:
      if (k.key.length === 1 && !k.alt && !special) return { kind: 'edit-start', char: k.key };
      return null;
  }
}
