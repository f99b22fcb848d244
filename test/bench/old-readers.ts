/**
 * The readers the app used before issue 16 — exceljs for workbooks, papaparse
 * for CSV — kept here only so the benchmark can compare old and new on the
 * same files: every row from A1, the way the old readers read them.
 */
import type { Workbook as ExcelWorkbook, CellValue as ExcelCellValue } from 'exceljs';
import Papa from 'papaparse';
import type { ImportCell } from '../../src/model/import.js';

/** The old CSV path: UTF-8 else Windows-1252, papaparse with its delimiter guess, an unclosed quote refusing the file. */
export function readCsvWithPapa(bytes: Uint8Array): { name: string; rows: ImportCell[][] }[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('windows-1252').decode(bytes);
  }
  const rows: string[][] = [];
  let failure = false;
  Papa.parse<string[]>(text, {
    skipEmptyLines: true,
    step(results: Papa.ParseStepResult<string[]>, parser: Papa.Parser) {
      if (results.errors.some((e) => e.type === 'Quotes')) {
        failure = true;
        parser.abort();
        return;
      }
      rows.push(results.data);
    },
  });
  if (failure) throw new Error('MALFORMED_CSV');
  return [{ name: 'csv', rows }];
}

export async function readWithExceljs(bytes: Uint8Array): Promise<{ name: string; rows: ImportCell[][] }[]> {
  const mod = (await import('exceljs')) as unknown as { default?: typeof import('exceljs') } & typeof import('exceljs');
  const Excel = mod.default ?? mod;
  const book: ExcelWorkbook = new Excel.Workbook();
  await book.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const out: { name: string; rows: ImportCell[][] }[] = [];
  book.worksheets.forEach((ws) => {
    const rows: ImportCell[][] = [];
    const width = ws.actualColumnCount > 0 ? ws.columnCount : 0;
    ws.eachRow({ includeEmpty: true }, (row, n) => {
      const cells: ImportCell[] = [];
      for (let c = 1; c <= width; c++) cells.push(importCell(row.getCell(c).value));
      rows[n - 1] = cells;
    });
    for (let r = 0; r < rows.length; r++) rows[r] ??= [];
    out.push({ name: ws.name, rows });
  });
  return out;
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

