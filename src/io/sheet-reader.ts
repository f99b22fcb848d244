import type { CellObject, WorkBook, WorkSheet } from '@e965/xlsx';
import type { ImportCell, ImportFormula, ImportMerge } from '../model/import.js';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { IoError, isCfb, isZip } from './errors.js';

/**
 * Reading XLSX, XLSM, XLS and ODS with SheetJS (`@e965/xlsx`, the maintained
 * build): on the interop corpus it agreed with LibreOffice on far more files
 * than exceljs, in a fraction of the time and memory (test/bench/import.ts).
 * It is loaded on first use only, so it is its own chunk and never in the
 * page's initial JavaScript.
 */
export type SheetJs = typeof import('@e965/xlsx');

export async function loadSheetJs(): Promise<SheetJs> {
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
  /** every cell's formula, A1 as the file wrote it (SheetJS expands shared formulas and turns ODS's `of:=[.A1]` into A1) */
  formulas: ImportFormula[];
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
  // A time-of-day format over a day or more is a duration, as LibreOffice shows it (24:00:00, -28:48:00).
  if (isDuration(format) || (!showsDate(format) && Math.abs(serial) >= 1)) {
    const all = Math.round(totalMs / 1000);
    const sign = all < 0 ? '-' : '';
    const abs = Math.abs(all);
    return `${sign}${Math.floor(abs / 3600)}:${pad(Math.floor((abs % 3600) / 60))}:${pad(abs % 60)}`;
  }
  const clock = `${pad(h)}:${pad(m)}${s || /s/i.test(format) ? `:${pad(s)}` : ''}`;
  if (!showsDate(format)) return clock;
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  // Day 0 is 1899-12-30, as LibreOffice counts: Excel's phantom 29 February 1900 only shifts dates before March 1900.
  const days = Math.floor(totalMs / 86_400_000);
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
function refusal(err: unknown, kind: 'zip' | 'cfb'): IoError {
  const message = err instanceof Error ? err.message : String(err);
  // Office encrypts a workbook into an OLE file; an encrypted zip entry is something else.
  if (kind === 'cfb' && /password|encrypt/i.test(message)) return new IoError('PASSWORD_PROTECTED', 'This file is protected by a password: open it in Excel, remove the password (File › Info › Protect), save and import again.');
  if (/unsupported file|not a spreadsheet|cannot find|invalid html|zip file|unrecognized/i.test(message)) {
    return new IoError('NOT_A_SPREADSHEET', 'This file is not a spreadsheet any program here can read.', { failure: message });
  }
  return new IoError('MALFORMED_XLSX', `This spreadsheet file cannot be read: ${message}`, { failure: message });
}

export function checkSpreadsheetBytes(bytes: Uint8Array): 'zip' | 'cfb' {
  if (bytes.length === 0) throw new IoError('EMPTY_FILE', 'The file is empty.', { reason: 'empty' });
  if (isCfb(bytes)) return 'cfb';
  if (!isZip(bytes)) throw new IoError('NOT_A_SPREADSHEET', 'This file is not a spreadsheet (.xlsx, .xlsm, .xls or .ods), whatever its name says.');
  return 'zip';
}

/** A cell's formula as `=…`, or null; an array formula says whether it covers more than its own cell. */
function formulaOf(cell: CellObject, r: number, c: number): ImportFormula | null {
  if (typeof cell.f !== 'string' || cell.f.trim() === '') return null;
  const out: ImportFormula = { row: r, col: c, text: `=${cell.f}` };
  if (typeof cell.F === 'string' && cell.F.includes(':')) {
    const [a, b] = cell.F.split(':');
    if (a !== b) out.array = true;
  }
  return out;
}

function sheetRows(X: SheetJs, ws: WorkSheet, date1904: boolean, budget: { left: number }, formulas: ImportFormula[]): ImportCell[][] {
  const rows: ImportCell[][] = [];
  const data = (ws['!data'] ?? []) as (CellObject[] | undefined)[];
  // forEach skips holes: the work is the cells that exist, never the sheet's declared range.
  data.forEach((row, r) => {
    if (!row) return;
    let out: ImportCell[] | null = null;
    row.forEach((cell, c) => {
      if (!cell) return;
      const value = cellValue(X, cell, date1904);
      const formula = formulaOf(cell, r, c);
      if (formula) formulas.push(formula);
      // A formula whose cached result is empty is still a cell the import has to bring in.
      if (value === null && !formula) return;
      if (--budget.left < 0) throw new IoError('TOO_MANY_CELLS', `The file holds more than ${MAX_READ_CELLS} cells with values.`, { max: MAX_READ_CELLS });
      if (value === null) return;
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

// No sheetRows: it would cut a value far down a sheet silently, where the size check refuses it aloud.
const READ_OPTIONS = { type: 'array', dense: true, cellNF: true, cellText: false, cellHTML: false, cellStyles: false, sheetStubs: false, bookVBA: false, WTF: false } as const;

function parse(X: SheetJs, bytes: Uint8Array): WorkBook {
  return X.read(bytes, READ_OPTIONS);
}

const EMPTY_XLSX_STYLES =
  '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellXfs count="1"><xf/></cellXfs></styleSheet>';
const EMPTY_ODS_STYLES = '<?xml version="1.0" encoding="UTF-8"?><office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"/>';

function withPart(bytes: Uint8Array, path: string, xml: string): Uint8Array {
  const files = unzipSync(bytes);
  files[path] = strToU8(xml);
  return zipSync(files);
}

/**
 * Cells an ODS file declares, counting repeats (`number-rows-repeated`,
 * `number-columns-repeated`) of cells that hold a value: a 1 KB file can
 * declare a billion billion of them, which the reader would build one by
 * one. Counted over content.xml in one pass before anything is built.
 */
export function odsDeclaredCells(bytes: Uint8Array, stopAt: number): number {
  let xml: string;
  try {
    const files = unzipSync(bytes, { filter: (f) => f.name === 'content.xml' });
    if (!files['content.xml']) return 0;
    xml = new TextDecoder().decode(files['content.xml']);
  } catch {
    return 0;
  }
  const tag = /<table:(table-row|table-cell|covered-table-cell)\b([^>]*)>/g;
  let rowRepeat = 1;
  let total = 0;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const attrs = m[2];
    if (m[1] === 'table-row') {
      rowRepeat = Number(/number-rows-repeated="(\d+)"/.exec(attrs)?.[1] ?? 1);
      continue;
    }
    // An empty self-closed cell holds nothing, however often repeated (rows of formatting).
    if (attrs.endsWith('/') && !/office:value-type=/.test(attrs)) continue;
    const cols = Number(/number-columns-repeated="(\d+)"/.exec(attrs)?.[1] ?? 1);
    total += rowRepeat * cols;
    if (total > stopAt) return total;
  }
  return total;
}

/** What a workbook may unpack to: its XML is held as text while it is read, twice its size in memory. */
export const MAX_UNPACKED_BYTES = 512 * 1024 * 1024;

/**
 * The unpacked size a zip declares for all its entries, from its central
 * directory (read, never unpacked): a zip bomb, or a workbook too big to
 * read on a phone, is refused before a byte is inflated.
 */
export function zipUnpackedBytes(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record sits in the last 64 KB (after an optional comment).
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
    if (view.getUint32(i, true) !== 0x06054b50) continue;
    const entries = view.getUint16(i + 10, true);
    let at = view.getUint32(i + 16, true);
    let total = 0;
    for (let n = 0; n < entries && at + 46 <= bytes.length && view.getUint32(at, true) === 0x02014b50; n++) {
      total += view.getUint32(at + 24, true);
      at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    }
    return total;
  }
  return 0;
}

/** Every sheet of a workbook file (XLSX, XLSM, XLS, ODS), chart sheets and other non-grid sheets left out. */
export function readSpreadsheet(
  X: SheetJs,
  bytes: Uint8Array,
  limits: ReadLimits = { maxCells: MAX_READ_CELLS },
  onProgress?: (fraction: number) => void,
): ReadSheet[] {
  const kind = checkSpreadsheetBytes(bytes);
  if (kind === 'zip' && zipUnpackedBytes(bytes) > MAX_UNPACKED_BYTES) {
    throw new IoError('TOO_MANY_CELLS', `The file unpacks to more than ${MAX_UNPACKED_BYTES / 1024 / 1024} MB.`, { max: limits.maxCells, mb: MAX_UNPACKED_BYTES / 1024 / 1024, reason: 'unpacked' });
  }
  if (kind === 'zip' && odsDeclaredCells(bytes, limits.maxCells) > limits.maxCells) {
    throw new IoError('TOO_MANY_CELLS', `The file declares more than ${limits.maxCells} cells with values.`, { max: limits.maxCells });
  }
  let book: WorkBook;
  try {
    book = parse(X, bytes);
  } catch (err) {
    // Some writers leave out the styles part, which LibreOffice does without: so do we, by giving the reader an empty one.
    const missing = /Cannot find file (xl\/styles\.xml|styles\.xml)/.exec(err instanceof Error ? err.message : '');
    if (!missing) throw refusal(err, kind);
    try {
      book = parse(X, withPart(bytes, missing[1], missing[1] === 'styles.xml' ? EMPTY_ODS_STYLES : EMPTY_XLSX_STYLES));
    } catch (again) {
      throw refusal(again, kind);
    }
  }
  // SheetJS parses in one synchronous call, so progress can only move around it: after it, and sheet by sheet.
  onProgress?.(0.4);
  const date1904 = Boolean(book.Workbook?.WBProps?.date1904);
  const budget = { left: limits.maxCells };
  const meta = book.Workbook?.Sheets ?? [];
  const out: ReadSheet[] = [];
  book.SheetNames.forEach((name, i) => {
    const ws = book.Sheets[name];
    if (!ws || (ws as { '!type'?: string })['!type'] === 'chart') return;
    const merges = (ws['!merges'] ?? []).map((m) => ({ row: m.s.r, col: m.s.c, rows: m.e.r - m.s.r + 1, cols: m.e.c - m.s.c + 1 }));
    const formulas: ImportFormula[] = [];
    const rows = sheetRows(X, ws, date1904, budget, formulas);
    out.push({ name, hidden: Boolean(meta[i]?.Hidden), rows, merges, formulas });
    onProgress?.(0.4 + (0.1 * (i + 1)) / book.SheetNames.length);
  });
  if (out.length === 0) throw new IoError('EMPTY_FILE', 'The workbook has no sheets.', { reason: 'sheets' });
  return out;
}
