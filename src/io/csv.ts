import type { CellValue, Column } from '../model/types.js';
import { formatValue } from '../model/values.js';

/**
 * Characters that make Excel, LibreOffice or Google Sheets treat a cell as a
 * formula (OWASP CSV injection): = + - @ tab and carriage return at the start.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;

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

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** A value as it goes into CSV: numbers plain, booleans TRUE/FALSE, text injection-safe. */
export function csvField(col: Column, value: CellValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return quote(safeCsvText(formatValue(col, value)));
}

/** RFC 4180 CSV with a header row and CRLF line ends, as spreadsheets expect. */
export function toCsv(columns: readonly Column[], rows: readonly string[], get: (rowId: string, colId: string) => CellValue): string {
  const lines = [columns.map((c) => quote(safeCsvText(c.name))).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(c, get(row, c.id))).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** The inverse of safeCsvText, applied when reading CSV. */
export function unneutralise(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}
