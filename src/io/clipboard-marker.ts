/**
 * The app's own note on the clipboard beside TSV and HTML: which copied cells hold formulas and
 * what they read at their source, so a paste in Mutual Sheets (this tab, another tab, another
 * workbook) enters formulas where another app would get values. Pure string code, like clipboard.ts.
 *
 * The clipboard is hostile: any page or program can put anything under our type, or a table with
 * our attribute. `decodeMarker` reads a bounded amount and returns null for anything that is not
 * exactly what `encodeMarker` writes, and the caller then pastes values.
 */

import { MAX_FORMULA_LENGTH } from '../model/formula/parse.js';

/** The clipboard type the marker goes under (browsers keep custom types within themselves). */
export const MARKER_TYPE = 'application/x-mutual-sheets+json';
/** The same marker as an attribute of our HTML table, for a browser that drops custom types. */
export const MARKER_ATTRIBUTE = 'data-mutual-sheets';

/** Longer markers are not read; a copy that would need one goes out with values only. */
export const MAX_MARKER_CHARS = 4_000_000;
/** More formulas than this in one copy: values only (the same bound a paste of cells asks about, ×10). */
export const MAX_MARKER_FORMULAS = 100_000;
/** A block taller or wider than this is nothing the app copied. */
const MAX_SIDE = 1_000_000;
/** Sheet-order positions a sheet can have (parse.ts's A1 limits). */
const MAX_ROW_INDEX = 10_000_000;
const MAX_COL_INDEX = 18_278;
const MAX_SHEET_NAME = 1000;
const ID = /^[0-9A-Za-z]{1,64}$/;

/** One copied formula cell. */
export interface CopiedFormula {
  /** where in the copied block (0-based, in the order the cells were shown) */
  r: number;
  c: number;
  /** where the cell sat in its sheet's order (0-based), the distance a paste shifts by is from here */
  row: number;
  col: number;
  /** the formula in A1 for the source's order, `.` decimals, `,` between arguments */
  formula: string;
}

export interface ClipboardMarker {
  /** the sheet copied from: a paste into the same workbook finds it by id */
  sheetId: string;
  sheetName: string;
  /** a cut: the formulas move as they are, nothing shifts */
  cut: boolean;
  /** the block's size, which the pasted text must have for the marker to be about it */
  rows: number;
  cols: number;
  formulas: CopiedFormula[];
}

const VERSION = 1;

/** The marker's text, or null when it would be larger than a paste reads (the copy carries values only). */
export function encodeMarker(m: ClipboardMarker): string | null {
  if (m.formulas.length > MAX_MARKER_FORMULAS) return null;
  const text = JSON.stringify({
    mutualSheets: VERSION,
    sheetId: m.sheetId,
    sheetName: m.sheetName,
    cut: m.cut,
    rows: m.rows,
    cols: m.cols,
    f: m.formulas.map((f) => [f.r, f.c, f.row, f.col, f.formula]),
  });
  return text.length > MAX_MARKER_CHARS ? null : text;
}

const isIndex = (v: unknown, below: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < below;

/** The marker in `text`, or null for anything `encodeMarker` would not have written. */
export function decodeMarker(text: unknown): ClipboardMarker | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_MARKER_CHARS) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  if (o.mutualSheets !== VERSION) return null;
  const { sheetId, sheetName, cut, rows, cols, f } = o;
  if (typeof sheetId !== 'string' || !ID.test(sheetId)) return null;
  if (typeof sheetName !== 'string' || sheetName.length > MAX_SHEET_NAME) return null;
  if (typeof cut !== 'boolean' || !isIndex(rows, MAX_SIDE + 1) || !isIndex(cols, MAX_SIDE + 1) || rows === 0 || cols === 0) return null;
  if (!Array.isArray(f) || f.length > MAX_MARKER_FORMULAS || f.length > rows * cols) return null;
  const seen = new Set<number>();
  const formulas: CopiedFormula[] = [];
  for (const entry of f as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 5) return null;
    const [r, c, row, col, formula] = entry as unknown[];
    if (!isIndex(r, rows) || !isIndex(c, cols) || !isIndex(row, MAX_ROW_INDEX) || !isIndex(col, MAX_COL_INDEX)) return null;
    if (typeof formula !== 'string' || !formula.startsWith('=') || formula.length < 2 || formula.length > MAX_FORMULA_LENGTH) return null;
    // one formula per cell: a second one for the same cell is nothing the app wrote
    const key = r * cols + c;
    if (seen.has(key)) return null;
    seen.add(key);
    formulas.push({ r, c, row, col, formula });
  }
  return { sheetId, sheetName, cut, rows, cols, formulas };
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The attribute our HTML table carries the marker in (see encodeHtml). */
export function markerAttribute(text: string): string {
  return `${MARKER_ATTRIBUTE}="${escapeAttribute(text)}"`;
}

const TABLE_TAG = /<table\b([^>]*)>/i;
const ATTRIBUTE = new RegExp(`(?:^|\\s)${MARKER_ATTRIBUTE}\\s*=\\s*"([^"]*)"`, 'i');

/** The marker text in clipboard HTML's first table, still to be decoded; null when it has none. */
export function markerFromHtml(html: string): string | null {
  const tag = TABLE_TAG.exec(html);
  const value = tag ? ATTRIBUTE.exec(tag[1]) : null;
  if (!value) return null;
  return value[1].replace(/&(quot|lt|gt|amp);/g, (_, e: string) => ({ quot: '"', lt: '<', gt: '>', amp: '&' })[e] ?? '');
}
