import type { Workbook as ExcelWorkbook, Worksheet, CellValue as ExcelCellValue } from 'exceljs';
import type { ImportCell, ImportColumnMeta, ImportTable } from '../model/import.js';
import type { CellValue, Column } from '../model/types.js';
import { fitsColumn, formatValue, isSafeLink } from '../model/values.js';
import type { Workbook } from '../model/workbook.js';
import { IoError, MAX_XLSX_BYTES } from './errors.js';

/** A hidden sheet in our own XLSX files saying exactly what each column is, so importing one back is exact. */
export const META_SHEET = '_mutual_sheets';
const META_FORMAT = 'mutual-sheets-xlsx/1';

/** What to write: by default every visible sheet, all rows and columns; "export this view" passes the view's rows and columns. */
export interface XlsxSheetChoice {
  sheetId: string;
  rows?: readonly string[];
  columns?: readonly Column[];
}

/** exceljs is big (≈250 KB gzip): it is loaded the first time someone imports or exports XLSX, never at start. */
async function loadExcel(): Promise<typeof import('exceljs')> {
  const mod = (await import('exceljs')) as unknown as { default?: typeof import('exceljs') } & typeof import('exceljs');
  return mod.default ?? mod;
}

function sheetTitle(name: string, taken: Set<string>): string {
  // Excel refuses these characters and names longer than 31; "History" is reserved.
  let base = name.replace(/[\\/*?:[\]]/g, ' ').replace(/^'+|'+$/g, '').trim().slice(0, 31) || 'Sheet';
  if (base.toLowerCase() === 'history' || base === META_SHEET) base = `${base} 1`.slice(0, 31);
  let title = base;
  for (let n = 2; taken.has(title.toLowerCase()); n++) title = `${base.slice(0, 27)} (${n})`;
  taken.add(title.toLowerCase());
  return title;
}

function dateCell(iso: string): Date {
  const [d, t] = iso.split('T');
  const [y, m, day] = d.split('-').map(Number);
  const [h, min] = (t ?? '00:00').split(':').map(Number);
  return new Date(Date.UTC(y, m - 1, day, h, min));
}

/**
 * XML cannot carry a carriage return or most control characters as they are;
 * Excel's own escape (`_x000D_`) can, and exceljs and Excel read it back. A
 * literal `_x…_` in the text is escaped in turn so it reads back unchanged.
 */
function xlsxText(text: string): string {
  return text.replace(/_x([0-9A-F]{4})_/g, '_x005F_x$1_').replace(/[\u0000-\u0008\u000b-\u001f]/g, (ch) => `_x${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
}

function excelValue(col: Column, value: CellValue): ExcelCellValue {
  if (value === null) return null;
  // A value left over from a retype goes out as the text it is.
  if (!fitsColumn(col, value) && col.type !== 'claim') return xlsxText(String(value));
  switch (col.type) {
    case 'number':
    case 'counter':
    case 'checkbox':
      return value;
    case 'date':
    case 'datetime':
      return dateCell(String(value));
    case 'select':
    case 'multiselect':
      return formatValue({ ...col, unit: null }, value);
    case 'link':
      return isSafeLink(String(value)) ? { text: xlsxText(String(value)), hyperlink: String(value).trim() } : xlsxText(String(value));
    default:
      return xlsxText(String(value));
  }
}

function numberFormat(col: Column): string | undefined {
  if (col.type === 'date') return 'yyyy-mm-dd';
  if (col.type === 'datetime') return 'yyyy-mm-dd hh:mm';
  if ((col.type === 'number' || col.type === 'counter') && col.unit) return `General" ${col.unit.replace(/"/g, '')}"`;
  return undefined;
}

function metaOf(col: Column): ImportColumnMeta {
  return {
    name: col.name,
    type: col.type,
    width: col.width,
    ...(col.options.length ? { options: col.options } : {}),
    unit: col.unit,
    min: col.min,
    expiresDays: col.expiresDays,
  };
}

/**
 * The workbook as an .xlsx with real types: numbers and counters as numbers,
 * dates as dates, checkboxes as booleans, selects as their labels, claims as
 * the holders' names. Text is always written as a string cell, never as a
 * formula, so "=cmd|…" stays inert in Excel and Sheets.
 */
export async function writeXlsx(wb: Workbook, choices?: readonly XlsxSheetChoice[]): Promise<Uint8Array> {
  const Excel = await loadExcel();
  const book: ExcelWorkbook = new Excel.Workbook();
  book.creator = 'Mutual Sheets';
  book.title = wb.title();
  const picked: readonly XlsxSheetChoice[] = choices ?? wb.sheets().map((s) => ({ sheetId: s.id }));
  const taken = new Set<string>();
  const meta: [string, string][] = [];
  for (const choice of picked) {
    const info = wb.sheets().find((s) => s.id === choice.sheetId);
    if (!info) continue;
    const columns = choice.columns ?? wb.columns(info.id);
    const rows = choice.rows ?? wb.rowIds(info.id);
    const title = sheetTitle(info.name, taken);
    const ws: Worksheet = book.addWorksheet(title, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = columns.map((c) => ({ header: xlsxText(c.name), key: c.id, width: Math.max(8, Math.round(c.width / 7)) }));
    ws.getRow(1).font = { bold: true };
    columns.forEach((c, i) => {
      const fmt = numberFormat(c);
      if (fmt) ws.getColumn(i + 1).numFmt = fmt;
    });
    for (const rowId of rows) ws.addRow(columns.map((c) => excelValue(c, wb.getValue(info.id, rowId, c.id))));
    meta.push([title, JSON.stringify({ name: info.name, rows: rows.length, columns: columns.map(metaOf) })]);
  }
  const hidden = book.addWorksheet(META_SHEET, { state: 'veryHidden' });
  hidden.addRow([META_FORMAT]);
  for (const m of meta) hidden.addRow(m);
  const buffer = await book.xlsx.writeBuffer();
  return new Uint8Array(buffer as ArrayBuffer);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** exceljs reads date cells as UTC Dates; a time of exactly midnight is a calendar date. */
function fromDate(d: Date): string {
  // Excel stores times as fractions of a day; round to the minute so 14:29:59.998 reads as 14:30.
  const t = new Date(Math.round(d.getTime() / 60_000) * 60_000);
  const date = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  if (t.getUTCHours() === 0 && t.getUTCMinutes() === 0) return date;
  return `${date}T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`;
}

function importCell(v: ExcelCellValue | undefined): ImportCell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : fromDate(v);
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('formula' in v || 'sharedFormula' in v) return importCell((v as { result?: ExcelCellValue }).result ?? null);
    if ('hyperlink' in v) {
      const text = (v as { text?: unknown }).text;
      if (typeof text === 'string') return text;
      if (text && typeof text === 'object' && 'richText' in text) return importCell(text as ExcelCellValue);
      return String((v as { hyperlink: string }).hyperlink);
    }
    if ('error' in v) return String((v as { error: string }).error);
  }
  return String(v);
}

interface SheetMeta {
  name: string;
  rows: number | null;
  columns: ImportColumnMeta[];
}

function readMeta(book: ExcelWorkbook): Map<string, SheetMeta> {
  const out = new Map<string, SheetMeta>();
  const ws = book.getWorksheet(META_SHEET);
  if (!ws || ws.getCell(1, 1).value !== META_FORMAT) return out;
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const title = row.getCell(1).value;
    const json = row.getCell(2).value;
    if (typeof title !== 'string' || typeof json !== 'string') return;
    try {
      const parsed = JSON.parse(json) as { name?: unknown; rows?: unknown; columns?: unknown };
      if (typeof parsed.name === 'string' && Array.isArray(parsed.columns)) {
        const rows = typeof parsed.rows === 'number' && Number.isInteger(parsed.rows) && parsed.rows >= 0 ? parsed.rows : null;
        out.set(title, { name: parsed.name, rows, columns: parsed.columns as ImportColumnMeta[] });
      }
    } catch {
      // A damaged description only loses the exact types: the sheet is still imported by inference.
    }
  });
  return out;
}

/** Every sheet of an .xlsx as a table (header in row 1); our own files bring their exact column types. */
export async function readXlsx(bytes: Uint8Array, onProgress?: (fraction: number) => void): Promise<ImportTable[]> {
  if (bytes.length === 0) throw new IoError('EMPTY_FILE', 'The file is empty.');
  if (bytes.length > MAX_XLSX_BYTES) throw new IoError('FILE_TOO_LARGE', `The file is larger than ${MAX_XLSX_BYTES / 1024 / 1024} MB.`);
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)) {
    throw new IoError('NOT_XLSX', 'This file is not an Excel workbook (.xlsx), whatever its name says.');
  }
  const Excel = await loadExcel();
  const book: ExcelWorkbook = new Excel.Workbook();
  try {
    await book.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } catch (err) {
    throw new IoError('MALFORMED_XLSX', `This Excel file cannot be read: ${(err as Error).message ?? String(err)}`);
  }
  onProgress?.(0.5);
  const meta = readMeta(book);
  const sheets = book.worksheets.filter((ws) => ws.name !== META_SHEET);
  const tables: ImportTable[] = [];
  sheets.forEach((ws, i) => {
    const rows: ImportCell[][] = [];
    const width = ws.actualColumnCount > 0 ? ws.columnCount : 0;
    ws.eachRow({ includeEmpty: true }, (row) => {
      const cells: ImportCell[] = [];
      for (let c = 1; c <= width; c++) cells.push(importCell(row.getCell(c).value));
      while (cells.length && (cells[cells.length - 1] === null || cells[cells.length - 1] === '')) cells.pop();
      rows.push(cells);
    });
    const described = meta.get(ws.name);
    // Trailing empty rows are formatting, not data — except in our own files, which say how many rows the sheet had.
    while (rows.length && rows[rows.length - 1].length === 0) rows.pop();
    if (described?.rows != null) while (rows.length < described.rows + 1) rows.push([]);
    const [header = [], ...body] = rows;
    tables.push({
      name: described?.name ?? ws.name,
      header: header.map((h) => (h === null ? '' : String(h))),
      rows: body,
      ...(described ? { meta: described.columns } : {}),
    });
    onProgress?.(0.5 + (0.5 * (i + 1)) / sheets.length);
  });
  if (tables.length === 0) throw new IoError('EMPTY_FILE', 'The workbook has no sheets.');
  return tables;
}

