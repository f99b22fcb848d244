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
    const names = readdirSync(join(dir, 'files', source)).sort();
    const stems = names.map((n) => n.replace(/\.[^.]+$/, ''));
    for (const name of names) {
      const stem = name.replace(/\.[^.]+$/, '');
      // Files sharing a stem (date.ods, date.xlsx) shared LibreOffice's output names: the one converted last, the greatest name, wrote them.
      const siblings = names.filter((n) => n.replace(/\.[^.]+$/, '') === stem);
      if (siblings[siblings.length - 1] !== name) {
        out.push({ source, name, path: join(dir, 'files', source, name), reference: new Map() });
        continue;
      }
      // Another file's stem may extend this one's ("table" and "table-output"): its sheets are not this file's.
      const longer = stems.filter((s) => s !== stem && s.startsWith(`${stem}-`));
      const reference = new Map<string, string[][]>();
      for (const r of refs) {
        if (!r.startsWith(`${stem}-`) || !r.endsWith('.csv')) continue;
        if (longer.some((s) => r.startsWith(`${s}-`))) continue;
        const sheet = r.slice(stem.length + 1, -4);
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

const ISOISH = /^(\d{4}-\d{2}-\d{2})?[ T]?(-?\d{1,}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;
/** LibreOffice writes dates in a format other than ISO in its default (en-US) form: 05/20/1973 09:15:02, 06:09:23 AM. */
const US_DATE = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}:\d{2}:\d{2}))?$/;
const AMPM = /^(\d{2}):(\d{2}):(\d{2}) (AM|PM)$/;

/** Seconds since 0000-01-01 of a date and/or time text, or null: compared to the second, as both sides round differently. */
function dateSeconds(text: string): number | null {
  let t = text;
  const us = US_DATE.exec(t);
  if (us) t = `${us[3]}-${us[1]}-${us[2]}${us[4] ? ` ${us[4]}` : ''}`;
  t = t.replace(/^(\d{4})\/(\d{2})\/(\d{2})/, '$1-$2-$3');
  const ampm = AMPM.exec(t);
  if (ampm) t = `${String((+ampm[1] % 12) + (ampm[4] === 'PM' ? 12 : 0)).padStart(2, '0')}:${ampm[2]}:${ampm[3]}`;
  const m = ISOISH.exec(t);
  if (!m || (!m[1] && !m[2])) return null;
  const day = m[1] ? Date.UTC(+m[1].slice(0, 4), +m[1].slice(5, 7) - 1, +m[1].slice(8, 10)) / 1000 : 0;
  const clock = m[2] ?? '';
  const sign = clock.startsWith('-') ? -1 : 1;
  const [h = 0, min = 0, sec = 0] = clock.replace('-', '').split(':').map(Number);
  return day + sign * (h * 3600 + min * 60 + sec);
}

/** LibreOffice leaves Excel's `_x000D_` escapes as they are; Excel (and we) read them as the character. */
function unescapeX(text: string): string {
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Whether our cell holds what LibreOffice shows: numbers and dates as values, everything else as the same text. */
export function sameValue(ours: ImportCell, theirs: string): boolean {
  if (typeof ours === 'number') {
    // Percent-formatted numbers come out of LibreOffice as shown: 52%.
    const n = theirs.endsWith('%') ? Number(theirs.slice(0, -1)) / 100 : Number(theirs);
    return theirs.trim() !== '' && Number.isFinite(n) && sameNumber(ours, n);
  }
  if (typeof ours === 'boolean') return theirs.toUpperCase() === (ours ? 'TRUE' : 'FALSE') || theirs === (ours ? '1' : '0');
  const text = String(ours ?? '');
  if (text === theirs) return true;
  if (text === unescapeX(theirs)) return true;
  if (text.replace(/\r\n?/g, '\n') === unescapeX(theirs).replace(/\r\n?/g, '\n')) return true;
  const a = dateSeconds(text);
  const b = dateSeconds(theirs);
  return a !== null && b !== null && Math.abs(a - b) <= 1;
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

/** Cell by cell over both grids, both counted from the file's A1; the header row (`headerRow`) holds our names as text, so numbers there compare as numbers. */
export function compareSheet(ours: readonly (readonly ImportCell[])[], theirs: readonly string[][], headerRow = -1): SheetComparison {
  const out: SheetComparison = { cells: 0, missing: 0, extra: 0, different: 0, examples: [] };
  const rows = Math.max(ours.length, theirs.length);
  for (let r = 0; r < rows; r++) {
    const a = ours[r] ?? [];
    const b = theirs[r] ?? [];
    const cols = Math.max(a.length, b.length);
    for (let c = 0; c < cols; c++) {
      const raw = a[c] ?? null;
      const mine = r === headerRow && typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
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
