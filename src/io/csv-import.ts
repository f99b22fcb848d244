import type { ImportCell, ImportNote, ImportTable } from '../model/import.js';
import { guessHeaderRow, tableFromRows } from '../model/import-header.js';
import { readNumber } from '../model/values.js';
import { IoError, MAX_CSV_BYTES, isCfb, isZip } from './errors.js';
import { detectEncoding, type TextEncodingName } from './text-encoding.js';

export interface DecodedText {
  text: string;
  encoding: TextEncodingName;
  /** other encodings that read these bytes plausibly: the preview offers them */
  alternatives: TextEncodingName[];
}

/**
 * Text from a CSV or text file's bytes, in the encoding asked for or the one
 * detected: a BOM (UTF-8, or UTF-16 as Excel's "Unicode text" writes it),
 * UTF-16 without one, UTF-8, else the legacy code page the letters fit best
 * (Windows-1252, ISO-8859-7 Greek, Windows-1251 Cyrillic…), with the others
 * that also fit listed. NUL bytes outside UTF-16 mean it is not text at all.
 */
export function decodeText(bytes: Uint8Array, encoding?: TextEncodingName): DecodedText {
  if (bytes.length === 0) throw new IoError('EMPTY_FILE', 'The file is empty.', { reason: 'empty' });
  if (bytes.length > MAX_CSV_BYTES) throw new IoError('FILE_TOO_LARGE', `The file is larger than ${MAX_CSV_BYTES / 1024 / 1024} MB.`, { mb: MAX_CSV_BYTES / 1024 / 1024 });
  if (isZip(bytes) || isCfb(bytes)) {
    throw new IoError('NOT_TEXT', 'This file is a spreadsheet (XLSX) or an archive, not CSV text. Import it as XLSX.', { reason: 'archive' });
  }
  const detected = detectEncoding(bytes);
  const chosen = encoding ?? detected.encoding;
  if (chosen !== 'utf-16le' && chosen !== 'utf-16be' && bytes.subarray(0, Math.min(bytes.length, 64 * 1024)).includes(0)) {
    throw new IoError('NOT_TEXT', 'This file is not CSV text (it holds binary data).', { reason: 'binary' });
  }
  const text = new TextDecoder(chosen, { ignoreBOM: false }).decode(bytes);
  return { text, encoding: chosen, alternatives: detected.alternatives.filter((a) => a !== chosen) };
}

/** Kept for callers that want the text only. */
export function decodeCsvBytes(bytes: Uint8Array): string {
  return decodeText(bytes).text;
}

export interface CsvOptions {
  /** the field separator; detected when absent */
  separator?: string;
  /** the decimal mark numbers are written with; detected when absent (a comma with `;` separators and numbers like 2,5) */
  decimal?: '.' | ',';
}

const SEPARATORS = [',', ';', '\t', '|'];

/** The separator that splits the first lines most consistently into more than one field, quotes respected. */
export function detectSeparator(text: string): string {
  const sample = text.slice(0, 64 * 1024);
  let best = ',';
  let bestScore = 0;
  for (const sep of SEPARATORS) {
    const counts = splitRecords(sample, sep, 20).records.map((r) => r.length);
    if (counts.length === 0) continue;
    const first = counts[0];
    const same = counts.filter((c) => c === first).length;
    const score = first > 1 ? first * (same / counts.length) : 0;
    if (score > bestScore) {
      bestScore = score;
      best = sep;
    }
  }
  return best;
}

interface Split {
  records: string[][];
  /** 1-based lines of the file where a quote was read as a literal character */
  strays: number[];
  /** 1-based line each record starts on */
  lines: number[];
}

/**
 * RFC 4180 records, read leniently: a quote inside an unquoted field, or text
 * after a closing quote, is kept as it is; a quote never closed is read as a
 * literal quote from where it opened (not as the rest of the file in one cell).
 * Either way the line is listed, so the preview can say which rows to check.
 * One pass over the text, so 9,000 columns cost what 9,000 cells cost.
 */
function splitRecords(text: string, sep: string, maxRecords = Infinity, onProgress?: (at: number) => void): Split {
  const records: string[][] = [];
  const strays: number[] = [];
  const lines: number[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let nextProgress = 0;
  // Past this point no quote closes (a quote never closed was seen): later opening quotes are literal at once, so stray quotes stay linear.
  let noCloseAfter = n;
  while (i < n && records.length < maxRecords) {
    const startLine = line;
    const record: string[] = [];
    const recordStart = i;
    let broken = false;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        const open = i;
        const openLine = line;
        i++;
        let closed = false;
        let chunkStart = i;
        if (open > noCloseAfter) i = n;
        while (i < n) {
          const ch = text.charCodeAt(i);
          if (ch === 34) {
            if (text.charCodeAt(i + 1) === 34) {
              field += text.slice(chunkStart, i + 1);
              i += 2;
              chunkStart = i;
              continue;
            }
            field += text.slice(chunkStart, i);
            i++;
            closed = true;
            break;
          }
          if (ch === 10) line++;
          i++;
        }
        if (!closed) {
          // Never closed: the quote was a character. Read this record again with it as one.
          broken = true;
          noCloseAfter = Math.min(noCloseAfter, open);
          i = open;
          line = openLine;
          strays.push(openLine);
          break;
        }
        // Text after the closing quote (`"a"b`) belongs to the field, as spreadsheets read it.
        let tail = i;
        while (tail < n && text[tail] !== sep && text[tail] !== '\n' && text[tail] !== '\r') tail++;
        if (tail > i) {
          field += text.slice(i, tail);
          if (!strays.includes(line)) strays.push(line);
          i = tail;
        }
      } else {
        let end = i;
        while (end < n) {
          const ch = text[end];
          if (ch === sep || ch === '\n' || ch === '\r') break;
          end++;
        }
        field = text.slice(i, end);
        if (field.includes('"') && !strays.includes(line)) strays.push(line);
        i = end;
      }
      record.push(field);
      if (i >= n) break;
      if (text[i] === sep) {
        i++;
        if (i >= n) {
          record.push('');
          break;
        }
        continue;
      }
      // a line end
      if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
      else i++;
      line++;
      break;
    }
    if (broken) {
      // The rest of this line, from the start of the record, split with no quoting at all.
      const lineEnd = text.slice(recordStart).search(/\r\n|\n|\r/);
      const end = lineEnd < 0 ? n : recordStart + lineEnd;
      const plain = text.slice(recordStart, end).split(sep);
      record.length = 0;
      record.push(...plain);
      i = end;
      if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
      else if (i < n) i++;
      line = startLine + 1;
    }
    // Blank lines are not rows.
    if (!(record.length === 1 && record[0] === '')) {
      records.push(record);
      lines.push(startLine);
    }
    if (onProgress && i >= nextProgress) {
      onProgress(i / n);
      nextProgress = i + n / 100;
    }
  }
  return { records, strays, lines };
}

const COMMA_DECIMAL = /^[-+]?\d+,\d+$/;
const DOT_DECIMAL = /^[-+]?\d+\.\d+$/;

/** A comma decimal mark when numbers like 2,5 outnumber 2.5 — only possible when the comma is not the separator. */
function detectDecimal(records: readonly string[][], sep: string): '.' | ',' {
  if (sep === ',') return '.';
  let comma = 0;
  let dot = 0;
  for (const r of records.slice(0, 1000)) {
    for (const f of r) {
      const t = f.trim();
      if (COMMA_DECIMAL.test(t)) comma++;
      else if (DOT_DECIMAL.test(t)) dot++;
    }
  }
  return comma > dot ? ',' : '.';
}

/**
 * Parses CSV text (comma, semicolon, tab or pipe, detected) into a table whose
 * header is the first row that looks like one. Quoted fields keep their
 * newlines and quotes exactly; stray quotes are kept as characters and their
 * lines noted. With a comma decimal mark, numbers are read as numbers here
 * (2,5 is 2.5), so every later step sees what the file meant.
 */
export function parseCsv(text: string, name: string, onProgress?: (fraction: number) => void, options: CsvOptions = {}): ImportTable {
  const sep = options.separator ?? detectSeparator(text);
  const split = splitRecords(text, sep, Infinity, onProgress);
  if (split.records.length === 0) throw new IoError('EMPTY_FILE', 'The file has no rows.', { reason: 'rows' });
  const decimal = options.decimal ?? detectDecimal(split.records, sep);
  const rows: ImportCell[][] = split.records;
  if (decimal === ',') {
    for (const r of rows) for (let c = 0; c < r.length; c++) {
      const t = (r[c] as string).trim();
      // Leading zeros are identifiers (postcodes), never numbers.
      if (!t.includes(',') || /^[-+]?0\d/.test(t)) continue;
      const n = readNumber(t, ',');
      if (n !== null) r[c] = n;
    }
  }
  const notes: ImportNote[] = [{ kind: 'csv', separator: sep, decimal }];
  if (split.strays.length) notes.push({ kind: 'stray-quote', lines: split.strays.slice(0, 100) });
  return tableFromRows(name, rows, guessHeaderRow(rows), { notes });
}

export function sheetNameFromFile(fileName: string): string {
  return fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '').trim() || 'Imported';
}
