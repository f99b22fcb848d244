/**
 * The interop corpus (test/fixtures/interop-corpus, or INTEROP_CORPUS) and
 * LibreOffice's reading of it, shared by the corpus test and the reader
 * benchmark: where it is, which files it holds, and how a reading compares.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import type { ImportCell } from '../../src/model/import.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the corpus is: INTEROP_CORPUS, the copy vendored with the repo, or the shared one beside the work tree. */
export function corpusDir(): string | null {
  const candidates = [process.env.INTEROP_CORPUS, join(ROOT, 'test/fixtures/interop-corpus'), resolve(ROOT, '../shared/interop-corpus'), '/work/shared/interop-corpus'];
  for (const c of candidates) if (c && existsSync(join(c, 'files'))) return c;
  return null;
}

export interface CorpusFile {
  source: string;
  name: string;
  path: string;
  /** LibreOffice's reading, by sheet name; empty when LibreOffice wrote none for this file */
  reference: Map<string, string[][]>;
}

export function corpusFiles(dir: string): CorpusFile[] {
  const out: CorpusFile[] = [];
  for (const source of readdirSync(join(dir, 'files')).sort()) {
    const refDir = join(dir, 'libreoffice', source);
    const refs = existsSync(refDir) ? readdirSync(refDir) : [];
    for (const name of readdirSync(join(dir, 'files', source)).sort()) {
      const stem = name.replace(/\.[^.]+$/, '');
      const reference = new Map<string, string[][]>();
      for (const r of refs) {
        if (!r.startsWith(`${stem}-`) || !r.endsWith('.csv')) continue;
        const sheet = r.slice(stem.length + 1, -4);
        // Another file's stem may extend this one's ("a" and "a-b"): only a sheet of this file counts, checked by the caller's names.
        const parsed = Papa.parse<string[]>(readFileSync(join(refDir, r), 'utf8'), { delimiter: ',', quoteChar: '"', skipEmptyLines: false });
        reference.set(sheet, parsed.data);
      }
      out.push({ source, name, path: join(dir, 'files', source, name), reference });
    }
  }
  return out;
}

/** A cell as LibreOffice's CSV writes it (raw values, dates as ISO with a space), for comparing as text. */
export function asReferenceText(cell: ImportCell): string {
  if (cell === null) return '';
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  if (typeof cell === 'number') return String(cell);
  return cell;
}

function sameNumber(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

const DATEISH = /^(\d{4}-\d{2}-\d{2})?[ T]?(\d{1,}:\d{2}(:\d{2})?)?$/;

function normalDate(text: string): string {
  return text.replace('T', ' ').replace(/^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}):00$/, '$1').replace(/^(\d{2}:\d{2}):00$/, '$1');
}

/** Whether our cell holds what LibreOffice shows: numbers and dates as values, everything else as the same text. */
export function sameValue(ours: ImportCell, theirs: string): boolean {
  if (typeof ours === 'number') {
    const n = Number(theirs);
    return theirs.trim() !== '' && Number.isFinite(n) && sameNumber(ours, n);
  }
  if (typeof ours === 'boolean') return theirs.toUpperCase() === (ours ? 'TRUE' : 'FALSE') || theirs === (ours ? '1' : '0');
  const text = String(ours ?? '');
  if (text === theirs) return true;
  if (text.replace(/\r\n?/g, '\n') === theirs.replace(/\r\n?/g, '\n')) return true;
  if (DATEISH.test(text) && DATEISH.test(theirs) && text !== '' && theirs !== '') return normalDate(text) === normalDate(theirs);
  return false;
}

export interface SheetComparison {
  cells: number;
  missing: number;
  extra: number;
  different: number;
  /** a few examples, `A1: ours ≠ theirs`, for the report */
  examples: string[];
}

function ref(r: number, c: number): string {
  let n = c + 1;
  let letters = '';
  while (n > 0) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return `${letters}${r + 1}`;
}

/** Cell by cell over both grids, both counted from the file's A1. */
export function compareSheet(ours: readonly (readonly ImportCell[])[], theirs: readonly string[][]): SheetComparison {
  const out: SheetComparison = { cells: 0, missing: 0, extra: 0, different: 0, examples: [] };
  const rows = Math.max(ours.length, theirs.length);
  for (let r = 0; r < rows; r++) {
    const a = ours[r] ?? [];
    const b = theirs[r] ?? [];
    const cols = Math.max(a.length, b.length);
    for (let c = 0; c < cols; c++) {
      const mine = a[c] ?? null;
      const lo = b[c] ?? '';
      const mineEmpty = mine === null || mine === '';
      if (lo !== '') out.cells++;
      if (mineEmpty && lo === '') continue;
      if (mineEmpty) out.missing++;
      else if (lo === '') out.extra++;
      else if (!sameValue(mine, lo)) out.different++;
      else continue;
      if (out.examples.length < 3) out.examples.push(`${ref(r, c)}: ${JSON.stringify(mine)} ≠ ${JSON.stringify(lo)}`);
    }
  }
  return out;
}

export function fileLabel(f: CorpusFile): string {
  return `${f.source}/${basename(f.path)}`;
}
