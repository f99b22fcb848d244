import { css, html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { conflictCounts } from '../model/aggregates.js';
import type { CellConflict } from '../model/conflicts.js';
import type { CellPos } from '../model/range.js';
import type { Column } from '../model/types.js';
import type { Workbook } from '../model/workbook.js';
import { currentLocale, formatDateTime, t, tn, translate, type Locale } from './i18n/locale.js';
import { listAnd, personText, relativeTime } from './i18n/value-text.js';
import { alternativeText } from './history-text.js';

const REFRESH_MS = 100;

/**
 * The open same-cell conflicts of the sheet a `<sheet-grid>` shows, for its
 * markers, its figures and its "N conflicts" filter.
 *
 * The model builds its conflict index from the whole history journal on first
 * use (`Workbook.conflictsReady()` is false until then), which on a big
 * workbook is real work: so nothing here asks before the grid has painted —
 * the first read waits for an animation frame and a macrotask, as the column
 * figures do — and after that the sheet's list is re-read (one pass over the
 * forked cells, not the sheet) when the journal or the sheet's cells change,
 * coalesced to one read per burst.
 */
export class ConflictTracker implements ReactiveController {
  private wb: Workbook | null = null;
  private sheetId = '';
  private off: (() => void)[] = [];
  private started = false;
  private pending: ReturnType<typeof setTimeout> | null = null;
  private signature = '';
  private byCell = new Map<string, CellConflict>();
  private rows = new Set<string>();
  private list: CellConflict[] = [];
  /** open conflicts per column, for the figures under the grid */
  byColumn: ReadonlyMap<string, number> = new Map();
  /** the grid shows only rows with conflicts */
  only = false;

  /** `onRowsChanged`: the rows a conflicts-only view shows have changed (the grid recomputes what it shows). */
  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly onRowsChanged: () => void,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.detach();
    this.wb = null;
  }

  /** Follows the grid's workbook and sheet; called on every update, does nothing when they are the same. */
  watch(wb: Workbook, sheetId: string): void {
    if (wb === this.wb && sheetId === this.sheetId) return;
    this.detach();
    this.wb = wb;
    this.sheetId = sheetId;
    this.set([]);
    this.only = false;
    const schedule = () => this.schedule();
    this.off = [
      wb.observeHistory((sheets) => {
        // An empty set is entries removed (pruning): any sheet may have changed.
        if (sheets.size === 0 || sheets.has(sheetId)) schedule();
      }),
      // The shown value decides which head is "the other": a cell arriving after its journal entry changes it.
      wb.observe((change) => {
        if (change.sheets.get(sheetId)?.cells.size || change.sheets.get(sheetId)?.structure) schedule();
      }),
    ];
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (this.wb !== wb || this.sheetId !== sheetId) return;
        this.started = true;
        this.refresh();
      }, 0),
    );
  }

  at(rowId: string, colId: string): CellConflict | undefined {
    return this.byCell.get(`${rowId}:${colId}`);
  }

  get total(): number {
    return this.list.length;
  }

  /** The rows of `rows` that hold a conflict, in their order. */
  filterRows(rows: readonly string[]): string[] {
    return rows.filter((r) => this.rows.has(r));
  }

  toggleOnly(): void {
    this.only = !this.only;
    this.onRowsChanged();
    this.host.requestUpdate();
  }

  /** The next (or previous) conflicting cell after `focus`, in view coordinates, wrapping round. */
  step(dir: 1 | -1, rows: readonly string[], columns: readonly Column[], focus: CellPos): CellPos | null {
    const cols = new Map(columns.map((c, i) => [c.id, i]));
    const at = new Map(rows.map((r, i) => [r, i]));
    const cells: CellPos[] = [];
    for (const c of this.list) {
      const row = at.get(c.rowId);
      const col = cols.get(c.colId);
      if (row !== undefined && col !== undefined) cells.push({ row, col });
    }
    if (!cells.length) return null;
    cells.sort((a, b) => a.row - b.row || a.col - b.col);
    const after = (p: CellPos) => p.row > focus.row || (p.row === focus.row && p.col > focus.col);
    const before = (p: CellPos) => p.row < focus.row || (p.row === focus.row && p.col < focus.col);
    return dir > 0 ? (cells.find(after) ?? cells[0]) : ([...cells].reverse().find(before) ?? cells[cells.length - 1]);
  }

  /**
   * One re-read per burst: a read builds a row index of the sheet (a few ms at
   * 100k rows), so a colleague typing steadily costs a few percent, not a
   * re-read per keystroke.
   */
  private schedule(): void {
    if (!this.started || this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      this.refresh();
    }, REFRESH_MS);
  }

  private refresh(): void {
    const wb = this.wb;
    if (!wb) return;
    let list: CellConflict[];
    try {
      list = wb.conflicts(this.sheetId);
    } catch {
      // the sheet went to the trash meanwhile
      list = [];
    }
    const signature = list.map((c) => `${c.rowId}:${c.colId}:${c.current.id}:${c.others.map((o) => o.id).join(',')}`).join('|');
    if (signature === this.signature) return;
    const rowsBefore = Array.from(this.rows).join('|');
    this.set(list);
    this.signature = signature;
    if (this.only && Array.from(this.rows).join('|') !== rowsBefore) this.onRowsChanged();
    this.host.requestUpdate();
  }

  private set(list: CellConflict[]): void {
    this.list = list;
    this.signature = '';
    this.byCell = new Map(list.map((c) => [`${c.rowId}:${c.colId}`, c]));
    this.rows = new Set(list.map((c) => c.rowId));
    this.byColumn = conflictCounts(list);
  }

  private detach(): void {
    for (const off of this.off) off();
    this.off = [];
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
    this.started = false;
  }
}

/** "Conflict: 2 values": the cell's accessible description (the marker itself is an icon). */
export function conflictLabel(locale: Locale, c: CellConflict): string {
  return translate(locale, 'conflict.label', { n: c.others.length + 1 });
}

/** The values the cell does not show, with who wrote each and when: “Done” by Luis, 5 min ago. */
export function otherValuesText(locale: Locale, wb: Workbook, col: Column, c: CellConflict, exact = false): string {
  return listAnd(
    locale,
    c.others.map((o) =>
      translate(locale, 'conflict.value', {
        value: alternativeText(locale, wb, col, c, o),
        by: personText(locale, wb.knownActor(o.ref)?.name),
        when: exact ? formatDateTime(o.at) : relativeTime(locale, o.at),
      }),
    ),
  );
}

/** The corner mark of a conflicting cell; a click on it opens the menu (keyboard: Alt+Shift+C on the cell). */
export function conflictMark(onOpen: () => void) {
  return html`<span
    class="conflict-mark"
    aria-hidden="true"
    @pointerdown=${(e: PointerEvent) => {
      if (e.button !== 0) return;
      e.preventDefault();
      e.stopPropagation();
      onOpen();
    }}
    >⚠</span
  >`;
}

/** The toolbar's "N conflicts" toggle: pressed, the grid shows only rows with conflicts. */
export function conflictToggle(tracker: ConflictTracker) {
  if (!tracker.total && !tracker.only) return nothing;
  return html`<button class="conflicts" aria-pressed=${tracker.only ? 'true' : 'false'} title=${t('grid.conflictsTitle')} @click=${() => tracker.toggleOnly()}>
    <span aria-hidden="true">⚠</span> ${tn('grid.conflicts', tracker.total)}
  </button>`;
}

/** Under the toolbar while only rows with conflicts are shown: step from one to the next, or show every row. */
export function conflictBar(tracker: ConflictTracker, step: (dir: 1 | -1) => void) {
  if (!tracker.only) return nothing;
  return html`<div class="findbar" role="region" aria-label=${t('grid.conflictsOnly')}>
    <span role="status">${t('grid.conflictsOnly')} ${tn('grid.conflicts', tracker.total)}</span>
    <button @click=${() => step(-1)} ?disabled=${!tracker.total}>${t('grid.conflictPrevious')}</button>
    <button @click=${() => step(1)} ?disabled=${!tracker.total}>${t('grid.conflictNext')}</button>
    <button @click=${() => tracker.toggleOnly()}>${t('grid.conflictsAll')}</button>
  </div>`;
}

/** The grid's keys for the active cell: Alt+Shift+H its history, Alt+Shift+C its conflict (by key position, so any layout works). */
export function cellShortcut(e: KeyboardEvent): 'history' | 'conflict' | null {
  if (!e.altKey || !e.shiftKey || e.ctrlKey || e.metaKey) return null;
  return e.code === 'KeyH' ? 'history' : e.code === 'KeyC' ? 'conflict' : null;
}

export function currentConflictText(wb: Workbook, col: Column, c: CellConflict): string {
  return t('conflict.footer', { values: otherValuesText(currentLocale(), wb, col, c) });
}

/** Styles the grid adds for conflicting cells and the toggle. */
export const conflictStyles = css`
  .cell.conflicted {
    background: #fff1e5;
  }
  /* The corner triangle and the ⚠ say it without colour; the cell's aria-description says it in words. */
  .cell.conflicted::after {
    content: '';
    position: absolute;
    top: 0;
    left: 0;
    border-top: 9px solid #bc4c00;
    border-right: 9px solid transparent;
    pointer-events: none;
  }
  .conflict-mark {
    float: right;
    margin-left: 0.25rem;
    color: #bc4c00;
    font-weight: 700;
    cursor: pointer;
  }
  button.conflicts {
    color: #bc4c00;
    font-weight: 600;
  }
  button.conflicts[aria-pressed='true'] {
    background: #fff1e5;
    border-color: #bc4c00;
  }
`;
