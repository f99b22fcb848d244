// @e965/xlsx replaces exceljs in src/io's allowed packages (issue 16); the layer lists in eslint.config.js and layers.test.ts are the lead's to update.
// eslint-disable-next-line no-restricted-imports
import type { CellObject, WorkBook, WorkSheet } from '@e965/xlsx';
import type { ImportCell, ImportMerge } from '../model/import.js';
import { IoError, isCfb, isZip } from './errors.js';

/**
 * Reading XLSX, XLSM, XLS and ODS with SheetJS (`@e965/xlsx`, the maintained
 * build): on the interop corpus it agreed with LibreOffice on far more files
 * than exceljs, in a fraction of the time and memory (test/bench/import.ts).
 * It is loaded on first use only, so it is its own chunk and never in the
 * page's initial JavaScript.
 */
// eslint-disable-next-line no-restricted-syntax -- see the import above
export type SheetJs = typeof import('@e965/xlsx');

export async function loadSheetJs(): Promise<SheetJs> {
  // eslint-disable-next-line no-restricted-syntax -- see the import above
  const mod = (await import('@e965/xlsx')) as SheetJs & { default?: SheetJs };
  // The ESM build exports names directly; a bundler's CommonJS interop puts them under default.
  return typeof mod.read === 'function' ? mod : (mod.default as SheetJs);
}

/** One sheet as read: every row from the file's first, cells as ImportCell, merges as ranges. */
export interface ReadSheet {
  name: string;
  hidden: boolean;
  rows: ImportCell[][];
  merges: ImportMerge[];
}

export interface ReadLimits {
  /** cells holding values, over every sheet together */
  maxCells: number;
}

/** More than the import could ever take (3 million cells), so the reader stops early instead of building what is refused anyway. */
export const MAX_READ_CELLS = 3_000_000;

const ERRORS: Record<number, string> = { 0x00: '#NULL!', 0x07: '#DIV/0!', 0x0f: '#VALUE!', 0x17: '#REF!', 0x1d: '#NAME?', 0x24: '#NUM!', 0x2a: '#N/A', 0x2b: '#GETTING_DATA' };

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Whether a number format shows a calendar date (not only a time of day or a duration). */
function showsDate(format: string): boolean {
  const bare = format.replace(/"[^"]*"|\\.|\[[^\]]*\]/g, '');
  return /[dy]/i.test(bare) || /(^|[^h:])m{3,}/i.test(bare);
}

/** A duration format (`[h]:mm:ss`) counts hours past 24, which a time of day never does. */
function isDuration(format: string): boolean {
  return /\[(h+|m+|s+)\]/i.test(format);
}

/**
 * A date-formatted number as the text LibreOffice and the importer share:
 * `2026-03-14`, `2026-03-14T09:30` (seconds only when not zero, since the
 * model's date-times are to the minute and seconds are never rounded away),
 * a time of day as `09:30:15`, a duration as `255:10:10`.
 */
export function serialText(serial: number, format: string, date1904: boolean): string {
  // Rounded to the millisecond first: Excel stores 09:30:15 as 0.39600694444…, a hair short of it.
  const totalMs = Math.round(serial * 86_400_000);
  const dayMs = ((totalMs % 86_400_000) + 86_400_000) % 86_400_000;
  const seconds = Math.round(dayMs / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (isDuration(format)) {
    const all = Math.round(totalMs / 1000);
    const sign = all < 0 ? '-' : '';
    const abs = Math.abs(all);
    return `${sign}${Math.floor(abs / 3600)}:${pad(Math.floor((abs % 3600) / 60))}:${pad(abs % 60)}`;
  }
  const clock = `${pad(h)}:${pad(m)}${s || /s/i.test(format) ? `:${pad(s)}` : ''}`;
  if (!showsDate(format)) return clock;
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  // Excel's 1900 system counts a 29 February 1900 that never was: serials before 61 are a day off.
  const days = Math.floor(totalMs / 86_400_000) + (!date1904 && serial < 61 && serial >= 1 ? 1 : 0);
  const d = new Date(epoch + days * 86_400_000);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (seconds === 0) return date;
  return `${date}T${pad(h)}:${pad(m)}${s ? `:${pad(s)}` : ''}`;
}

function isDateFormat(X: SheetJs, format: string | undefined): format is string {
  if (!format || format === 'General') return false;
  try {
    return X.SSF.is_date(format);
  } catch {
    return false;
  }
}

function cellValue(X: SheetJs, cell: CellObject, date1904: boolean): ImportCell {
  switch (cell.t) {
    case 'n': {
      const v = cell.v as number;
      if (!Number.isFinite(v)) return null;
      const format = typeof cell.z === 'string' ? cell.z : undefined;
      return isDateFormat(X, format) ? serialText(v, format, date1904) : v;
    }
    case 'b':
      return Boolean(cell.v);
    case 's': {
      const text = String(cell.v ?? '');
      return text === '' ? null : text;
    }
    case 'd': {
      const d = cell.v instanceof Date ? cell.v : new Date(String(cell.v));
      if (Number.isNaN(d.getTime())) return null;
      // SheetJS gives ODS dates as local Dates; back to a serial so one path formats every date.
      const serial = (d.getTime() - d.getTimezoneOffset() * 60_000 - Date.UTC(1899, 11, 30)) / 86_400_000;
      return serialText(serial, typeof cell.z === 'string' ? cell.z : 'yyyy-mm-dd hh:mm:ss', false);
    }
    case 'e':
      return typeof cell.w === 'string' ? cell.w : (ERRORS[cell.v as number] ?? '#ERROR!');
    default:
      return null;
  }
}

/** What SheetJS's own messages mean, as codes; anything else is a damaged file. */
function refusal(err: unknown): IoError {
  const message = err instanceof Error ? err.message : String(err);
  if (/password|encrypt/i.test(message)) return new IoError('PASSWORD_PROTECTED', 'This file is protected by a password: open it in Excel, remove the password (File › Info › Protect), save and import again.');
  if (/unsupported file|not a spreadsheet|cannot find|invalid html|zip file|unrecognized/i.test(message)) {
    return new IoError('NOT_A_SPREADSHEET', 'This file is not a spreadsheet any program here can read.', { failure: message });
  }
  return new IoError('MALFORMED_XLSX', `This spreadsheet file cannot be read: ${message}`, { failure: message });
}

/** Whether a zip holds a spreadsheet SheetJS reads (OOXML, ODS, Numbers), looked up in its central directory without unpacking. */
function zipNames(bytes: Uint8Array): string {
  // The names sit in plain bytes in the local headers and the directory; latin1 keeps each byte one character.
  const tail = bytes.subarray(Math.max(0, bytes.length - 256 * 1024));
  let out = '';
  for (let i = 0; i < tail.length; i += 65_536) out += String.fromCharCode(...tail.subarray(i, i + 65_536));
  return out;
}

export function checkSpreadsheetBytes(bytes: Uint8Array): 'zip' | 'cfb' {
  if (bytes.length === 0) throw new IoError('EMPTY_FILE', 'The file is empty.', { reason: 'empty' });
  if (isCfb(bytes)) return 'cfb';
  if (!isZip(bytes)) throw new IoError('NOT_A_SPREADSHEET', 'This file is not a spreadsheet (.xlsx, .xlsm, .xls or .ods), whatever its name says.');
  const names = zipNames(bytes);
  if (!/xl\/workbook|xl\/[^/]*\.xml|content\.xml|Index\/|\.iwa|workbook\.xml/i.test(names)) {
    throw new IoError('NOT_A_SPREADSHEET', 'This zip file holds no spreadsheet.', { reason: 'zip' });
  }
  return 'zip';
}

function sheetRows(X: SheetJs, ws: WorkSheet, date1904: boolean, budget: { left: number }): ImportCell[][] {
  const rows: ImportCell[][] = [];
  const data = (ws['!data'] ?? []) as (CellObject[] | undefined)[];
  // forEach skips holes: the work is the cells that exist, never the sheet's declared range.
  data.forEach((row, r) => {
    if (!row) return;
    let out: ImportCell[] | null = null;
    row.forEach((cell, c) => {
      if (!cell) return;
      const value = cellValue(X, cell, date1904);
      if (value === null) return;
      if (--budget.left < 0) throw new IoError('TOO_MANY_CELLS', `The file holds more than ${MAX_READ_CELLS} cells with values.`, { max: MAX_READ_CELLS });
      if (!out) {
        out = [];
        rows[r] = out;
      }
      out[c] = value;
    });
  });
  // Holes become real empty rows and cells, so every later loop is ordinary.
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] ?? [];
    for (let c = 0; c < row.length; c++) if (row[c] === undefined) row[c] = null;
    rows[r] = row;
  }
  return rows;
}

/** Every sheet of a workbook file (XLSX, XLSM, XLS, ODS), chart sheets and other non-grid sheets left out. */
export function readSpreadsheet(X: SheetJs, bytes: Uint8Array, limits: ReadLimits = { maxCells: MAX_READ_CELLS }): ReadSheet[] {
  checkSpreadsheetBytes(bytes);
  let book: WorkBook;
  try {
    book = X.read(bytes, { type: 'array', dense: true, cellNF: true, cellText: false, cellHTML: false, cellStyles: false, sheetStubs: false, bookVBA: false, WTF: false });
  } catch (err) {
    throw refusal(err);
  }
  const date1904 = Boolean(book.Workbook?.WBProps?.date1904);
  const budget = { left: limits.maxCells };
  const meta = book.Workbook?.Sheets ?? [];
  const out: ReadSheet[] = [];
  book.SheetNames.forEach((name, i) => {
    const ws = book.Sheets[name];
    if (!ws || (ws as { '!type'?: string })['!type'] === 'chart') return;
    const merges = (ws['!merges'] ?? []).map((m) => ({ row: m.s.r, col: m.s.c, rows: m.e.r - m.s.r + 1, cols: m.e.c - m.s.c + 1 }));
    out.push({ name, hidden: Boolean(meta[i]?.Hidden), rows: sheetRows(X, ws, date1904, budget), merges });
  });
  if (out.length === 0) throw new IoError('EMPTY_FILE', 'The workbook has no sheets.', { reason: 'sheets' });
  return out;
}
