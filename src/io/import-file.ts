import type { ImportTable } from '../model/import.js';
import { checkTableSize } from '../model/import.js';
import { unneutralise } from './csv.js';
import { decodeCsvBytes, parseCsv, sheetNameFromFile } from './csv-import.js';
import { IoError } from './errors.js';
import { readXlsx } from './xlsx.js';

export type ImportKind = 'csv' | 'xlsx';

/** By name first; a file whose content contradicts its name is refused by the reader with a clear message. */
export function importKind(fileName: string): ImportKind {
  const ext = /\.([^.]+)$/.exec(fileName)?.[1]?.toLowerCase();
  if (ext === 'xlsx' || ext === 'xlsm') return 'xlsx';
  if (ext === 'csv' || ext === 'tsv' || ext === 'txt') return 'csv';
  if (ext === 'xls' || ext === 'ods' || ext === 'numbers') {
    throw new IoError('UNSUPPORTED_FILE', `.${ext} files cannot be read: save it as .xlsx or .csv first.`, { reason: 'ext', ext });
  }
  throw new IoError('UNSUPPORTED_FILE', 'Choose a .csv or .xlsx file.');
}

/** Reads a CSV or XLSX file's bytes into tables, refusing anything broken, mislabelled or too big. */
export async function readImportFile(bytes: Uint8Array, fileName: string, onProgress?: (fraction: number) => void): Promise<ImportTable[]> {
  const kind = importKind(fileName);
  const tables =
    kind === 'xlsx' ? await readXlsx(bytes, onProgress) : [unneutraliseTable(parseCsv(decodeCsvBytes(bytes), sheetNameFromFile(fileName), onProgress))];
  for (const t of tables) checkTableSize(t);
  return tables;
}

function unneutraliseTable(t: ImportTable): ImportTable {
  for (const row of t.rows) for (let i = 0; i < row.length; i++) if (typeof row[i] === 'string') row[i] = unneutralise(row[i] as string);
  return { ...t, header: t.header.map(unneutralise) };
}
