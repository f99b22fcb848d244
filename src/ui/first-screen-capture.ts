import type { CellValue, Column } from '../model/types.js';
import { DEFAULT_COLUMN_WIDTH, MAX_COLUMN_WIDTH, MIN_COLUMN_WIDTH, type Workbook } from '../model/workbook.js';
import { MULTI_SEPARATOR, fitsColumn, isSafeLink } from '../model/values.js';
import { claimHolders, claimText } from './claim-text.js';
import { currentLocale, type Locale } from './i18n/locale.js';
import { displayValue, numberText, titleText } from './i18n/value-text.js';
import { isErrorResult, resultText } from './result-text.js';
import { safePx } from './safe-style.js';
import type { SheetGrid } from './grid/sheet-grid.js';
import { cellSelection } from './grid/selection.js';
import type { Handoff } from './first-screen.js';
import type { PendingEdit } from './first-screen-edits.js';
import { columnOffsets, columnWindow } from './grid/window.js';
import { keptWindow } from './first-screen-window.js';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { MAX_COLUMNS, MAX_ROWS, cachePolicy, saveFirstScreen, type CachePolicy, type FirstScreen } from './first-screen-cache.js';
import type { Credential } from '../protocol/access.js';
import type { DeviceProfile } from './device-profile.js';

/** What is on screen is kept at most this often, and when the page is hidden or closed. */
const SAVE_MS = 1_000;

/** The workbook whose live view the page set up (workbook-view.ts open()), with the id and key it was opened with. */
export interface LiveWorkbook {
  workbook: Workbook;
  workbookId: string;
  credential: Credential | null;
}

/** The device's side of a save: whether it still lists the workbook, and its lock. */
export type KeepProfile = Pick<DeviceProfile, 'entry' | 'lockState'>;

/**
 * Whose first screen a keeper may save now, and under what policy; null for nothing. Only the
 * workbook whose live view is still the page's (`shown`, once the sheet is in), under the id and
 * key it was opened with: never the id and key of the workbook the page is leaving it for (its
 * `workbookId` and `credential` change before the live view goes, and the keepers save as it goes).
 * The policy follows the lock as it is now, so a lock set since the open keeps it sealed. Nothing
 * once this device no longer lists the workbook: removed here, or in another tab whose keeper
 * would otherwise put the entry back when this page is hidden or closed.
 */
export function keepFor(live: LiveWorkbook | null, shown: Workbook | null, ready: boolean, profile: KeepProfile | null): { workbook: Workbook; workbookId: string; policy: CachePolicy } | null {
  if (!live || !ready || !profile || shown !== live.workbook || !profile.entry(live.workbookId)) return null;
  return { workbook: live.workbook, workbookId: live.workbookId, policy: cachePolicy(live.workbookId, live.credential, profile.lockState) };
}

/** What a save needs from the workbook page, or null while it shows no live grid. */
export interface KeepTarget {
  grid: SheetGrid | null | undefined;
  workbook: Workbook;
  sheetId: string;
  workbookId: string;
  policy: CachePolicy;
}

/**
 * Keeps what the workbook page shows for next time's first screen: a second after it draws (once
 * a second at most, so scrolling costs one capture, not one per frame), and at once when the page
 * is hidden or closed (a phone's tab may never come back to run a timer). `save` captures and
 * stores; the grid's keeper is below, the phone's cards' in first-cards-capture.ts.
 */
export class KeepSoon implements ReactiveController {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly save: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('pagehide', this.flush);
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  hostDisconnected(): void {
    this.flush();
    window.removeEventListener('pagehide', this.flush);
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  /** It drew. */
  readonly rendered = (): void => {
    this.timer ??= setTimeout(this.flush, SAVE_MS);
  };

  private readonly onVisibility = (): void => {
    if (document.visibilityState === 'hidden') this.flush();
  };

  /** Saves now, if it drew since the last save. */
  readonly flush = (): void => {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.save();
  };
}

/** Keeps what the workbook page's live grid shows for next time's first screen. */
export class FirstScreenKeeper extends KeepSoon {
  constructor(host: ReactiveControllerHost, target: () => KeepTarget | null) {
    super(host, () => {
      const to = target();
      const captured = to?.grid && captureFirstScreen(to.grid, to.workbook, to.sheetId);
      if (to && captured) saveFirstScreen(localStorage, to.workbookId, captured.screen, to.policy, captured.onScreen);
    });
  }
}

/**
 * What the live grid shows now, for the first screen of next time: the rows and columns on
 * screen and up to a screen of margin around them (capped at MAX_ROWS × MAX_COLUMNS, the cells
 * on screen kept first: first-screen-window.ts), each cell
 * as the text the grid draws for it (grid-rows.ts renderValue / renderResult, without the
 * controls), and where it is scrolled. Null while the grid has nothing to show.
 */
export function captureFirstScreen(grid: SheetGrid, wb: Workbook, sheetId: string): { screen: FirstScreen; onScreen: number } | null {
  if (!sheetId || grid.sheetId !== sheetId || grid.workbook !== wb) return null;
  const { rows, columns } = grid.data.shown();
  const sheets = wb.sheets();
  const sheet = sheets.find((s) => s.id === sheetId);
  if (!sheet) return null;
  const vp = grid.viewport;
  const h = vp.rowHeight;
  const widths = columns.map((c) => safePx(c.width, DEFAULT_COLUMN_WIDTH, MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH));
  const offsets = columnOffsets(widths);
  const locale = currentLocale();

  const firstVisible = Math.min(rows.length, Math.floor(vp.scrollTop / h));
  const visible = Math.ceil(vp.height / h) + 1;
  const { from: rowFrom, to: rowTo } = keptWindow(firstVisible, visible, rows.length, MAX_ROWS);
  // Sideways the same: the columns on screen first, then a margin to either side.
  const seen = columnWindow(offsets, vp.scrollLeft, vp.width, 0);
  const { from: colFrom, to: colTo } = keptWindow(seen.from, seen.to - seen.from, columns.length, MAX_COLUMNS);

  const cached = columns.slice(colFrom, colTo);
  const screen: FirstScreen = {
    sheetId,
    sheetName: sheet.name,
    title: titleText(locale, wb.title()),
    tabs: sheets.map((s) => ({ id: s.id, name: s.name })),
    totalRows: rows.length,
    totalCols: columns.length,
    colFrom,
    left: offsets[colFrom],
    right: offsets[columns.length] - offsets[colTo],
    columns: cached.map((c, k) => ({ id: c.id, name: c.name, width: widths[colFrom + k], type: c.type, computed: !!c.formula })),
    rowFrom,
    rows: rows.slice(rowFrom, rowTo).map((rowId, k) => ({
      id: rowId,
      n: grid.data.rowNumber(rowFrom + k),
      cells: cached.map((col) => shownText(grid, wb, locale, sheetId, rowId, col)),
      f: cached.flatMap((col, j) => (!col.formula && wb.getFormula(sheetId, rowId, col.id) !== null ? [j] : [])),
    })),
    scrollTop: vp.scrollTop,
    scrollLeft: vp.scrollLeft,
    bar: grid.renderRoot.querySelector<HTMLElement>('.toolbar')?.offsetHeight ?? 0,
    active: { ...grid.selection.active },
  };
  return { screen, onScreen: firstVisible };
}

/** A cell's text as the grid draws it. */
function shownText(grid: SheetGrid, wb: Workbook, locale: Locale, sheetId: string, rowId: string, col: Column): string {
  const record = wb.getCell(sheetId, rowId, col.id);
  const computed = grid.formulas.result(sheetId, rowId, col.id);
  if (computed !== undefined || record?.formula !== undefined) {
    if (computed === undefined || computed === null) return '';
    return isErrorResult(computed) ? computed.error : resultText(locale, col, computed);
  }
  const value: CellValue = record?.v ?? null;
  if (col.type === 'counter') return typeof value === 'number' ? numberText(locale, value) : String(value ?? '');
  if (col.type === 'claim') return claimText(locale, claimHolders(wb, sheetId, rowId, col.id));
  if (value === null) return '';
  const fits = fitsColumn(col, value);
  if (fits && col.type === 'checkbox') return value ? '☑' : '☐';
  if (fits && (col.type === 'select' || col.type === 'multiselect') && typeof value === 'string') {
    const labels = value.split(MULTI_SEPARATOR).map((id) => col.options.find((o) => o.id === id)?.label);
    if (labels.every((l) => l !== undefined)) return labels.join(' ');
  }
  if (col.type === 'link' && typeof value === 'string' && isSafeLink(value)) return value;
  if (col.type === 'longtext' && typeof value === 'string') return value.split('\n')[0];
  return displayValue(locale, col, value);
}

/**
 * The live grid goes on where its first screen was: the same scroll position, chosen cell and
 * keyboard, and an editor left open there opens again on its cell with what was typed in it.
 * Returns that draft when it could not (its cell is not the live grid's active one), to be applied as an edit.
 */
export async function resumeGrid(grid: SheetGrid | null | undefined, handoff: Handoff): Promise<PendingEdit | null> {
  if (!grid) return handoff.draft;
  await grid.updateComplete;
  const { rows, columns } = grid.data.shown();
  if (handoff.active.row < rows.length && handoff.active.col < columns.length) grid.selection.set(cellSelection(handoff.active));
  const scroller = grid.renderRoot.querySelector<HTMLElement>('.scroller');
  if (scroller) {
    scroller.scrollTop = handoff.scrollTop;
    scroller.scrollLeft = handoff.scrollLeft;
    // read back: the browser clamps to what the live sheet's extent allows
    grid.viewport.scrollTop = scroller.scrollTop;
    grid.viewport.scrollLeft = scroller.scrollLeft;
    grid.requestUpdate();
  }
  const draft = handoff.draft;
  if (draft) {
    const a = grid.selection.activeCell();
    if (!a || a.rowId !== draft.rowId || a.col.id !== draft.colId || grid.sheetId !== draft.sheetId) return draft;
    grid.editor.start(draft.text);
    if (!grid.editor.editing) return draft;
    return null;
  }
  if (handoff.focused) grid.focusGrid();
  return null;
}
