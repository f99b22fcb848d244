import Papa from 'papaparse';
import type { ImportCell, ImportTable } from '../model/import.js';
import { IoError, MAX_CSV_BYTES, isZip } from './errors.js';

/**
 * Text from a CSV file's bytes. UTF-8 (with or without BOM, as Sheets and Excel
 * write it); bytes that are not UTF-8 are read as Windows-1252, what older Excel
 * writes. NUL bytes mean it is not a text file at all (an XLSX or an image renamed).
 */
export function decodeCsvBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new IoError('EMPTY_FILE', 'The file is empty.', { reason: 'empty' });
  if (bytes.length > MAX_CSV_BYTES) throw new IoError('FILE_TOO_LARGE', `The file is larger than ${MAX_CSV_BYTES / 1024 / 1024} MB.`, { mb: MAX_CSV_BYTES / 1024 / 1024 });
  if (isZip(bytes)) {
    throw new IoError('NOT_TEXT', 'This file is a spreadsheet (XLSX) or an archive, not CSV text. Import it as XLSX.', { reason: 'archive' });
  }
  const probe = bytes.subarray(0, Math.min(bytes.length, 64 * 1024));
  if (probe.includes(0)) throw new IoError('NOT_TEXT', 'This file is not CSV text (it holds binary data).', { reason: 'binary' });
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/**
 * Parses CSV text (comma, semicolon, tab or pipe, detected) into a table whose
 * first row is the header. Quoted fields keep their newlines and quotes exactly.
 * An unterminated quote means the file is cut or broken: refused, not guessed.
 */
export function parseCsv(text: string, name: string, onProgress?: (fraction: number) => void): ImportTable {
  const rows: string[][] = [];
  let failure: string | null = null;
  const total = text.length || 1;
  let next = 0;
  Papa.parse<string[]>(text, {
    skipEmptyLines: true,
    step(results: Papa.ParseStepResult<string[]>, parser: Papa.Parser) {
      const quote = results.errors.find((e) => e.type === 'Quotes');
      if (quote) {
        failure = `a quoted field is never closed (line ${rows.length + 1})`;
        parser.abort();
        return;
      }
      rows.push(results.data);
      if (onProgress && results.meta.cursor >= next) {
        onProgress(Math.min(1, results.meta.cursor / total));
        next = results.meta.cursor + total / 100;
      }
    },
  });
  if (failure) throw new IoError('MALFORMED_CSV', `This CSV file is broken: ${failure}.`, { failure });
  if (rows.length === 0) throw new IoError('EMPTY_FILE', 'The file has no rows.', { reason: 'rows' });
  const [header, ...body] = rows;
  return { name, header, rows: body as ImportCell[][] };
}

export function sheetNameFromFile(fileName: string): string {
  return fileName.replace(/\.[^.]+$/, '').trim() || 'Imported';
}
