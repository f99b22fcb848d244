import type { ImportTable } from '../model/import.js';
import { checkTableSize } from '../model/import.js';
import { unneutralise } from './csv.js';
import { decodeText, parseCsv, sheetNameFromFile, type CsvOptions } from './csv-import.js';
import { unzipSync } from 'fflate';
import { IoError, MAX_CSV_BYTES, isCfb, isZip } from './errors.js';
import type { TextEncodingName } from './text-encoding.js';
import { readXlsx } from './xlsx.js';

/** What the preview lets a person set for a text file; each is detected when absent. */
export interface TextImportOptions extends CsvOptions {
  encoding?: TextEncodingName;
}

export type ImportKind = 'csv' | 'xlsx';

const WORKBOOK = new Set(['xlsx', 'xlsm', 'xls', 'ods', 'numbers', 'xlsb', 'fods']);
const TEXT = new Set(['csv', 'tsv', 'txt', 'tab', 'text']);

/** By name, for the size limit checked before a byte is read; the content decides how it is read. */
export function importKind(fileName: string): ImportKind {
  const ext = /\.([^.]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
  if (WORKBOOK.has(ext)) return 'xlsx';
  if (TEXT.has(ext)) return 'csv';
  throw new IoError('UNSUPPORTED_FILE', 'Choose a .csv, .xlsx, .xls or .ods file.');
}

/**
 * Reads a file's bytes into tables, refusing anything broken or too big. A zip
 * or an OLE file is read as a workbook whatever its name; text is CSV, except
 * under a workbook's name (.xls is the one web exports write as text, and is
 * read so), where it is refused as not what it says.
 */
export async function readImportFile(bytes: Uint8Array, fileName: string, onProgress?: (fraction: number) => void, options: TextImportOptions = {}): Promise<ImportTable[]> {
  const kind = importKind(fileName);
  const ext = /\.([^.]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
  let tables: ImportTable[];
  const inner = isZip(bytes) ? zippedText(bytes) : null;
  if (inner) return readImportFile(inner.bytes, inner.name, onProgress, options);
  if (isZip(bytes) || isCfb(bytes)) tables = await readXlsx(bytes, onProgress);
  else if (kind === 'xlsx' && ext !== 'xls' && bytes.length > 0) {
    throw new IoError('NOT_A_SPREADSHEET', `This file is not a spreadsheet (.${ext}), whatever its name says.`);
  } else {
    const decoded = decodeText(bytes, options.encoding);
    const table = parseCsv(decoded.text, sheetNameFromFile(fileName), onProgress, options);
    table.notes = [{ kind: 'encoding', encoding: decoded.encoding, alternatives: decoded.alternatives }, ...(table.notes ?? [])];
    tables = [unneutraliseTable(table)];
  }
  for (const t of tables) checkTableSize(t);
  return tables;
}

/** A zip holding one text file and nothing else (how some portals ship a CSV): that file, unpacked, or null. */
function zippedText(bytes: Uint8Array): { name: string; bytes: Uint8Array } | null {
  let files: Record<string, Uint8Array>;
  try {
    const names: string[] = [];
    files = unzipSync(bytes, {
      filter: (f) => {
        if (!f.name.endsWith('/')) names.push(f.name);
        return TEXT.has(/\.([^.]+)$/.exec(f.name)?.[1]?.toLowerCase() ?? '') && f.originalSize <= MAX_CSV_BYTES;
      },
    });
    if (names.length !== 1) return null;
  } catch {
    return null;
  }
  const [name] = Object.keys(files);
  return name ? { name: name.replace(/^.*\//, ''), bytes: files[name] } : null;
}

function unneutraliseTable(t: ImportTable): ImportTable {
  const fix = (row: ImportTable['rows'][number]) => {
    for (let i = 0; i < row.length; i++) if (typeof row[i] === 'string') row[i] = unneutralise(row[i] as string);
  };
  for (const row of t.rows) fix(row);
  for (const row of t.above ?? []) fix(row);
  return { ...t, header: t.header.map(unneutralise) };
}
