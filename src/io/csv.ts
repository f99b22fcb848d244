import type { CellValue, Column } from '../model/types.js';
import { formatValue } from '../model/values.js';

/**
 * Characters that make Excel, LibreOffice or Google Sheets treat a cell as a
 * formula (OWASP CSV injection): = + - @ tab and carriage return at the start,
 * also after leading spaces, which LibreOffice and Sheets skip before looking.
 */
const FORMULA_START = /^'*[ \u00a0]*[=+\-@\t\r]/;

/**
 * What a formula needs to do harm: a name (a function, DDE's cmd|, a
 * reference) or a character beyond arithmetic. Text made only of digits,
 * spaces and `+ - ( ) . , /` — a phone number, a negative amount — can at
 * worst be read as arithmetic, never run anything.
 */
const ONLY_ARITHMETIC = /^[ \u00a0]*[+-]?[\d ().,/+-]*\d[\d ().,/+-]*$/;

/**
 * Neutralises a text cell that a spreadsheet would run as a formula by putting
 * a single quote in front (what Sheets and Excel show as a text marker).
 * Numbers stay numbers: -3 is a number, not a formula. Text that already starts
 * with quotes before such a character gets one more, so importing (which
 * removes exactly one) gives back the text exactly.
 */
export function safeCsvText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export type CsvSeparator = ',' | ';' | '\t';

export interface CsvExportOptions {
  /** `;` is what Excel uses where the comma is the decimal mark (much of Europe and Latin America) */
  separator?: CsvSeparator;
  /**
   * For tools that are not spreadsheets (SMS senders, mail merges, databases):
   * text that can only be arithmetic (`+1 555 0100`, `-5`) goes out without
   * the neutralising apostrophe, which those tools would keep as part of the
   * value. Anything that could run as a formula is still neutralised.
   */
  forOtherTools?: boolean;
}

/** Byte-order mark: Excel reads a CSV as UTF-8 only when it starts with one (names like Zoë or 李雷 stay intact). Both the app and the CLI write it. */
export const CSV_BOM = '\ufeff';

function neutral(text: string, options: CsvExportOptions): string {
  if (options.forOtherTools && ONLY_ARITHMETIC.test(text)) return text;
  return safeCsvText(text);
}

/**
 * Quotes a field holding either separator (a file written with `,` is often
 * opened with `;`, and the other way round), a quote, a tab or a line break.
 */
function quote(field: string): string {
  return /[",;\t\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** A value as it goes into CSV: numbers plain, booleans TRUE/FALSE, text injection-safe. */
export function csvField(col: Column, value: CellValue, options: CsvExportOptions = {}): string {
  if (value === null) return '';
  if (typeof value === 'number') return options.separator === ';' ? String(value).replace('.', ',') : String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return quote(neutral(formatValue(col, value), options));
}

/** RFC 4180 CSV with a header row and CRLF line ends, as spreadsheets expect; with `;` numbers get a decimal comma, as the tools using `;` read them. */
export function toCsv(columns: readonly Column[], rows: readonly string[], get: (rowId: string, colId: string) => CellValue, options: CsvExportOptions = {}): string {
  const sep = options.separator ?? ',';
  const lines = [columns.map((c) => quote(neutral(c.name, options))).join(sep)];
  for (const row of rows) lines.push(columns.map((c) => csvField(c, get(row, c.id), options)).join(sep));
  return lines.join('\r\n') + '\r\n';
}

/** The whole file as the app downloads it and the CLI writes it: BOM first. */
export function csvFile(columns: readonly Column[], rows: readonly string[], get: (rowId: string, colId: string) => CellValue, options: CsvExportOptions = {}): string {
  return CSV_BOM + toCsv(columns, rows, get, options);
}

/** The inverse of safeCsvText, applied when reading CSV. */
export function unneutralise(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}
