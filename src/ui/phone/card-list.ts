import { defaultCardFields } from '../../model/card-fields.js';
import { holders } from '../../model/claim.js';
import type { CellValue, Column } from '../../model/types.js';
import type { Workbook } from '../../model/workbook.js';

/**
 * What the phone's list shows, kept apart from its look so Node can test it:
 * which rows are cards (empty ones are not), which of them the volunteer's
 * search and filters keep, and how a card lays out the sheet's card fields.
 */

/** The phone's own filters for one sheet, remembered on this device (phone-filter-store.ts). */
export interface PhoneFilter {
  /** words every shown row contains somewhere (any field, any holder's name) */
  search: string;
  /** an option id of the sheet's status column, or null for any status */
  status: string | null;
  /** only rows claimed by or assigned to this person */
  mine: boolean;
  /** only rows with a counter under its minimum */
  low: boolean;
}

export const NO_FILTER: PhoneFilter = { search: '', status: null, mine: false, low: false };

/** Longer than anyone types into a phone's search box; a stored value past it is not one this app wrote. */
export const MAX_SEARCH_LENGTH = 200;

/** Reads a stored filter defensively: each field that is not what this app writes falls back to its default. */
export function parsePhoneFilter(raw: unknown): PhoneFilter {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ...NO_FILTER };
  const r = raw as Record<string, unknown>;
  return {
    search: typeof r.search === 'string' && r.search.length <= MAX_SEARCH_LENGTH ? r.search : '',
    status: typeof r.status === 'string' && r.status.length > 0 && r.status.length <= 64 ? r.status : null,
    mine: r.mine === true,
    low: r.low === true,
  };
}

/** How many of the filters narrow the list (the "Filters" button says so); Mine has its own button. */
export function activeFilterCount(f: PhoneFilter): number {
  return (f.search.trim() ? 1 : 0) + (f.status !== null ? 1 : 0) + (f.low ? 1 : 0);
}

const isBlank = (v: CellValue) => v === null || v === '';

/**
 * A row with nothing in any column: a template's spare rows, not something to act on. A cell's
 * own formula is something (its value is null); a column formula is not, or every spare row would count.
 */
export function isEmptyRow(wb: Workbook, sheetId: string, rowId: string, columns: readonly Column[]): boolean {
  return columns.every((c) => isBlank(wb.getValue(sheetId, rowId, c.id)) && wb.getFormula(sheetId, rowId, c.id) === null);
}

/** The minimum a counter cell is low below: the column's own, or the row's reorder level; null when it has none. */
export function counterMinimum(wb: Workbook, sheetId: string, rowId: string, col: Column): number | null {
  if (col.type !== 'counter') return null;
  if (col.min !== null) return col.min;
  if (!col.minColumn) return null;
  const v = wb.getValue(sheetId, rowId, col.minColumn);
  return typeof v === 'number' ? v : null;
}

/** The counter is under its minimum, as the grid's low-stock flag says (aggregates.ts). */
export function isLowCell(wb: Workbook, sheetId: string, rowId: string, col: Column): boolean {
  const min = counterMinimum(wb, sheetId, rowId, col);
  const value = wb.getValue(sheetId, rowId, col.id);
  return min !== null && typeof value === 'number' && value < min;
}

/** The sheet has a counter with a minimum, so "low stock" means something here. */
export function hasLowStock(columns: readonly Column[]): boolean {
  return columns.some((c) => c.type === 'counter' && (c.min !== null || c.minColumn !== null));
}

/** The sheet has claim columns, so "Mine" means something here. */
export function hasClaims(columns: readonly Column[]): boolean {
  return columns.some((c) => c.type === 'claim');
}

/**
 * The filter as it applies to this sheet: a remembered Mine or low stock on a sheet that has
 * (now) no claim or counter with a minimum would hide every row, so it is set aside until it has.
 */
export function effectiveFilter(filter: PhoneFilter, columns: readonly Column[]): PhoneFilter {
  return { ...filter, mine: filter.mine && hasClaims(columns), low: filter.low && hasLowStock(columns) };
}

/** Some claim cell of the row is held by this person: their own claim, or one a coordinator gave their name. */
export function isMineRow(wb: Workbook, sheetId: string, rowId: string, columns: readonly Column[]): boolean {
  return columns.some((c) => c.type === 'claim' && holders(wb.claims(sheetId, rowId, c.id)).some((e) => wb.isMine(e)));
}

/** Lower case without accents, so "maria" finds "María" and "CALLE" finds "calle". */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The fields a card shows: the sheet's setting, or the default when it has none (or its fields are all gone). */
export function cardFieldIds(wb: Workbook, sheetId: string, columns: readonly Column[]): string[] {
  const chosen = wb.cardFields(sheetId);
  return chosen && chosen.length > 0 ? chosen : defaultCardFields(columns);
}

/** The column whose options are a row's status: the first choice among the card fields, else the sheet's first. */
export function statusColumn(columns: readonly Column[], fieldIds: readonly string[]): Column | null {
  const byId = new Map(columns.map((c) => [c.id, c]));
  for (const id of fieldIds) if (byId.get(id)?.type === 'select') return byId.get(id)!;
  return columns.find((c) => c.type === 'select') ?? null;
}

/** The stored status filter, if it still names one of the status column's options. */
export function validStatus(filter: PhoneFilter, status: Column | null): string | null {
  return status && filter.status && status.options.some((o) => o.id === filter.status) ? filter.status : null;
}

export interface RowFilterContext {
  wb: Workbook;
  sheetId: string;
  columns: readonly Column[];
  status: Column | null;
  /** a cell as the reader sees it, which is what they search for */
  text: (col: Column, value: CellValue) => string;
  /** a computed cell's result as the reader sees it (what they search for there), or null for a typed one */
  computed?: (rowId: string, col: Column) => string | null;
}

/** The rows, in their order, the phone's filters keep (empty rows already left out). */
export function filterRows(rows: readonly string[], filter: PhoneFilter, ctx: RowFilterContext): string[] {
  const { wb, sheetId, columns } = ctx;
  const words = foldText(filter.search).split(/\s+/).filter(Boolean);
  const status = validStatus(filter, ctx.status);
  const counters = columns.filter((c) => c.type === 'counter');
  return rows.filter((rowId) => {
    if (status !== null && wb.getValue(sheetId, rowId, ctx.status!.id) !== status) return false;
    if (filter.mine && !isMineRow(wb, sheetId, rowId, columns)) return false;
    if (filter.low && !counters.some((c) => isLowCell(wb, sheetId, rowId, c))) return false;
    if (words.length === 0) return true;
    const haystack = foldText(columns.map((c) => ctx.computed?.(rowId, c) ?? ctx.text(c, wb.getValue(sheetId, rowId, c.id))).join('\n'));
    return words.every((w) => haystack.includes(w));
  });
}

/** Where the card fields go on a card: a title line with the status chip, lines of text, claims, then counters with − / +. */
export interface CardLayout {
  /** the first text-like field, which names the row */
  title: Column | null;
  /** the status column, as a chip to tap, when it is a card field */
  status: Column | null;
  /** every other field but claims and counters, one line each: choices, text, dates */
  lines: Column[];
  /** who holds it, with Claim / Release beside it */
  claims: Column[];
  counters: Column[];
}

const TITLE_TYPES: ReadonlySet<Column['type']> = new Set(['text', 'longtext', 'phone', 'link']);

export function cardLayout(columns: readonly Column[], fieldIds: readonly string[]): CardLayout {
  const byId = new Map(columns.map((c) => [c.id, c]));
  const fields = fieldIds.map((id) => byId.get(id)).filter((c): c is Column => c !== undefined);
  const status = statusColumn(columns, fieldIds);
  const shownStatus = status && fields.includes(status) ? status : null;
  const title = fields.find((c) => TITLE_TYPES.has(c.type)) ?? null;
  return {
    title,
    status: shownStatus,
    lines: fields.filter((c) => c !== title && c !== shownStatus && c.type !== 'counter' && c.type !== 'claim'),
    claims: fields.filter((c) => c.type === 'claim'),
    counters: fields.filter((c) => c.type === 'counter'),
  };
}

/** Where a new row goes: just after the last row with something in it, before a template's spare rows. */
export function addIndex(wb: Workbook, sheetId: string, columns: readonly Column[]): number {
  const rows = wb.rowIds(sheetId);
  for (let i = rows.length - 1; i >= 0; i--) if (!isEmptyRow(wb, sheetId, rows[i], columns)) return i + 1;
  return 0;
}

/**
 * Where each card starts in the list. Every card has the same height but one
 * holding a conflict, which has a line more per conflicting field; with no
 * conflict the positions are arithmetic (no pass over a 10k-row list per frame).
 */
export function cardTops(rows: readonly string[], height: number, extra: ((rowId: string) => number) | null) {
  let starts: number[] | null = null;
  if (extra) {
    const out = new Array<number>(rows.length + 1);
    let y = 0;
    let any = false;
    for (let i = 0; i < rows.length; i++) {
      out[i] = y;
      const more = extra(rows[i]);
      if (more) any = true;
      y += height + more;
    }
    out[rows.length] = y;
    if (any) starts = out;
  }
  return {
    /** the top of card `i` (of the end, for `i` = the number of cards) */
    top: (i: number): number => (starts ? starts[i] : i * height),
    /** the card under `y` (the last one past the end) */
    indexAt: (y: number): number => {
      if (!starts) return Math.max(0, Math.floor(y / height));
      let lo = 0;
      let hi = rows.length;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= y) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    },
  };
}
