import type { ReactiveControllerHost } from 'lit';
import type * as Y from 'yjs';
import type { CellPos } from '../../model/range.js';
import type { Column } from '../../model/types.js';
import type { Workbook } from '../../model/workbook.js';
import type { ConflictTracker } from '../conflict-tracker.js';
import type { FormulaResults } from '../formula-results.js';
import type { EditingController } from './editing.js';
import type { FindHits } from './find.js';
import type { GridCommand, KeyContext } from './keymap.js';
import type { PointerController } from './pointer.js';
import type { SelectionController } from './selection-controller.js';
import type { SheetData } from './sheet-data.js';
import type { ViewportController } from './viewport.js';

/** What the grid shows: row ids and columns after the reader's view (filters, sort, hidden columns). */
export interface Shown {
  rows: string[];
  columns: Column[];
}

/**
 * What the grid's controllers and render parts see of `<sheet-grid>`: its
 * inputs, its two message lines, and each other (through the element, so no
 * controller holds another before the element has made them all).
 */
export interface GridHost extends ReactiveControllerHost {
  readonly workbook: Workbook | null;
  readonly sheetId: string;
  readonly undo: Y.UndoManager | null;
  readonly renderRoot: HTMLElement | DocumentFragment;
  /** The notice bar's text ('' hides it). */
  notice: string;
  /** The footer's error ('' shows the active cell instead). */
  error: string;
  readonly data: SheetData;
  readonly selection: SelectionController;
  readonly editor: EditingController;
  readonly viewport: ViewportController;
  readonly pointer: PointerController;
  readonly conflicts: ConflictTracker;
  /** Formula results, computed on this device (the engine loads once the workbook has a formula). */
  readonly formulas: FormulaResults;
  /** While find is open, the cells matching it (marked in the grid); null when it is closed. */
  readonly findHits: FindHits | null;
  /** Puts keyboard focus on the active cell after the next render. */
  focusGrid(): void;
  /** On a view link: says so in the notice bar and returns true, so the caller writes nothing. */
  refuseReadOnly(): boolean;
  /** Runs a write, showing a model error in the footer rather than throwing it. */
  guard(fn: () => void): void;
  /** Carries out a keymap command. */
  run(command: GridCommand): void;
  /** The keymap's view of the grid now. */
  keyContext(editing: boolean): KeyContext;
  /** Column settings for the shown column at `index`. */
  openColumnSettings(index: number): void;
  /** Sort and filter for the shown column at `index`. */
  openViewMenu(index: number): void;
  /** The conflict menu on the cell at a view position (selecting it first). */
  openConflictAt(pos: CellPos): void;
  /** −1 / +1 on a counter cell. */
  step(rowId: string, col: Column, delta: number): void;
}
