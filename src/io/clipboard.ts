/**
 * Clipboard formats spreadsheets exchange: TSV as text/plain and an HTML
 * <table> as text/html. Pure string code (no DOM) so it runs in Node tests and
 * in the relay's future CLI alike.
 */

import { markerAttribute } from './clipboard-marker.js';

export type Grid = string[][];

const NEEDS_QUOTES = /[\t\n\r"]/;

/** TSV as Google Sheets and Excel write it: fields holding tab, newline or `"` are quoted, inner quotes doubled. */
export function encodeTsv(grid: Grid): string {
  return grid.map((row) => row.map((f) => (NEEDS_QUOTES.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join('\t')).join('\n');
}

/** Reads TSV, honouring quoted fields; a trailing newline does not make an extra row. */
export function decodeTsv(text: string): Grid {
  const rows: Grid = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let atFieldStart = true;
  const s = text.replace(/\r\n?/g, '\n');
  while (i < s.length) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
      i++;
      continue;
    }
    if (ch === '\t') {
      row.push(field);
      field = '';
      atFieldStart = true;
      i++;
      continue;
    }
    if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      atFieldStart = true;
      i++;
      continue;
    }
    field += ch;
    atFieldStart = false;
    i++;
  }
  if (field !== '' || row.length > 0 || quoted) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Keeps a cell's exact text through HTML's whitespace collapsing: newlines
 * become <br>, tabs and repeated, leading or trailing spaces become entities.
 */
function htmlCellText(f: string): string {
  return escapeHtml(f)
    .replace(/\t/g, '&#9;')
    .replace(/ (?= )|^ | $/gm, '&nbsp;')
    .replace(/\n/g, '<br>');
}

/** An HTML table Sheets and Excel both paste as cells; `marker` (clipboard-marker.ts) rides on the table for a paste in the app. */
export function encodeHtml(grid: Grid, marker: string | null = null): string {
  const body = grid.map((row) => `<tr>${row.map((f) => `<td>${htmlCellText(f)}</td>`).join('')}</tr>`).join('');
  return `<meta charset="utf-8"><table${marker === null ? '' : ` ${markerAttribute(marker)}`}><tbody>${body}</tbody></table>`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** What a pasted cell holds beneath its text, when the source says: Sheets' `data-sheets-value`, Excel's `x:num` / `x:bool`, LibreOffice's `sdval`. */
export type RawValue = number | boolean | string;

export interface PastedCells {
  /** the cells as shown in the source, placed where they sit (merged cells once, top-left) */
  text: Grid;
  /** the value under each cell's text, or null: numbers as numbers, dates as ISO text, booleans */
  raw: (RawValue | null)[][];
}

const HIDDEN = /display\s*:\s*none/i;

function attr(attrs: string, name: string): string | null {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attrs);
  return m ? decodeEntities(m[1] ?? m[2] ?? m[3] ?? '') : null;
}

function hasAttr(attrs: string, name: string): boolean {
  return new RegExp(`(?:^|\\s)${name}(?:\\s*=|\\s|$)`, 'i').test(attrs);
}

/** Excel's and Sheets' day numbers (days since 1899-12-30) as ISO dates or date-times. */
function serialToIso(serial: number): string {
  const ms = Math.round(serial * 86_400_000);
  const d = new Date(Date.UTC(1899, 11, 30) + ms);
  const date = d.toISOString().slice(0, 10);
  const hm = d.toISOString().slice(11, 16);
  return ms % 86_400_000 === 0 ? date : `${date}T${hm}`;
}

/** A time of day or a duration as shown (9:30, 09:30:15 PM, 36:00:00): a fraction of a day underneath, never a number to paste. */
const TIME_TEXT = /^\s*-?\d{1,4}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[ap]\.?m\.?)?\s*$/i;

const DATE_TEXT = /^\s*\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?)?\s*$/i;

/**
 * The raw value of a cell: Sheets' JSON (`{"1":3,"3":1234.5}` a number, `"1":4` a
 * boolean, `"1":2` text) read with its number format (type 5 or 7: a date),
 * Excel's `x:num` (empty: the text itself is the number) and `x:bool`. A number
 * shown as a date (by format, or by its text when no format is given) becomes
 * the ISO date, so 12/1/2026 means what the source meant in every locale.
 */
function rawValue(attrs: string, text: string): RawValue | null {
  const sheets = attr(attrs, 'data-sheets-value');
  if (sheets) {
    try {
      const v = JSON.parse(sheets) as Record<string, unknown>;
      let format: Record<string, unknown> = {};
      try {
        format = JSON.parse(attr(attrs, 'data-sheets-numberformat') ?? '{}') as Record<string, unknown>;
      } catch {
        format = {};
      }
      if (v['1'] === 3 && typeof v['3'] === 'number') {
        const kind = format['1'];
        // A time of day or a duration (format 6) is no number a number column means: its text is what there is.
        if (kind === 6 || (kind === undefined && TIME_TEXT.test(text))) return null;
        if (kind === 5 || kind === 7 || (kind === undefined && DATE_TEXT.test(text))) return serialToIso(v['3']);
        return v['3'];
      }
      if (v['1'] === 4) return v['4'] === true || v['4'] === 1;
      if (v['1'] === 2 && typeof v['2'] === 'string') return v['2'];
    } catch {
      // a damaged value: the text is what there is
    }
    return null;
  }
  // LibreOffice Calc: `sdval` the number, `sdnum` "language;0;format" (a date format counts days as Excel does).
  const sdval = attr(attrs, 'sdval');
  if (sdval !== null) {
    const n = Number(sdval);
    if (sdval.trim() === '' || !Number.isFinite(n)) return null;
    const format = (attr(attrs, 'sdnum') ?? '').split(';').slice(2).join(';');
    if (/^BOOLEAN$/i.test(format)) return n !== 0;
    // Quoted text, escapes, [colour]/[$currency] sections and the name of the general format hold no date letters.
    const bare = format.replace(/"[^"]*"|\\.|\[[^\]]*\]|General|Standard/gi, '');
    if (/[HS]/i.test(bare) && !/[DY]/i.test(bare)) return null;
    return /[DY]/i.test(bare) || (bare === '' && DATE_TEXT.test(text)) ? serialToIso(n) : TIME_TEXT.test(text) ? null : n;
  }
  const bool = attr(attrs, 'x:bool');
  if (bool !== null) return /^true$/i.test(bool);
  if (hasAttr(attrs, 'x:num')) {
    const given = attr(attrs, 'x:num');
    const n = Number(given === null || given === '' ? text.replace(/[^\d.eE+-]/g, '') : given);
    if (!Number.isFinite(n) || TIME_TEXT.test(text)) return null;
    return DATE_TEXT.test(text) ? serialToIso(n) : n;
  }
  return null;
}

/**
 * Reads the first <table> of clipboard HTML as Sheets (inside a
 * <google-sheets-html-origin> element) and Excel (desktop and web, a full
 * document with styles) write it. Cells sit where the source shows them: a
 * rowspan or colspan cell once, in its top-left, the cells it covers empty;
 * Excel's in-cell line break (`<br style="mso-data-placement:same-cell">`) is a
 * line break; hidden rows and cells (Excel's column-alignment row, filtered-out
 * rows) are left out. Returns null when there is no table, so the caller falls
 * back to text/plain.
 */
export function decodeHtmlCells(html: string): PastedCells | null {
  const start = html.search(/<table[\s>]/i);
  if (start < 0) return null;
  const end = html.search(/<\/table\s*>/i);
  const table = html
    .slice(start, end < 0 ? undefined : end)
    // Excel's conditional comments (`<![if supportMisalignedColumns]>`) and ordinary ones carry no cells.
    .replace(/<!--[\s\S]*?-->|<!\[(?:if|endif)[^\]]*\]>/gi, '');
  const text: Grid = [];
  const raw: (RawValue | null)[][] = [];
  /** cells a rowspan from above still covers, by row then column */
  const covered = new Map<number, Set<number>>();
  const rowRe = /<tr([^>]*)>([\s\S]*?)(?=<tr[\s>]|$)/gi;
  for (const rowMatch of table.matchAll(rowRe)) {
    if (HIDDEN.test(rowMatch[1]) || attr(rowMatch[1], 'height') === '0') continue;
    const r = text.length;
    const line: string[] = [];
    const values: (RawValue | null)[] = [];
    const taken = covered.get(r) ?? new Set<number>();
    let c = 0;
    const cellRe = /<t([dh])([^>]*)>([\s\S]*?)(?=<t[dh][\s>]|<\/tr|$)/gi;
    for (const cell of rowMatch[2].matchAll(cellRe)) {
      const attrs = cell[2];
      if (HIDDEN.test(attr(attrs, 'style') ?? '')) continue;
      while (taken.has(c)) {
        line[c] = '';
        values[c] = null;
        c++;
      }
      const inner = cell[3]
        .replace(/<\/t[dh]\s*>[\s\S]*$/i, '')
        .replace(/<(style|script)[\s\S]*?<\/\1\s*>/gi, '')
        // HTML collapses source whitespace; only <br> (Excel's same-cell one included) is a line break in a cell.
        .replace(/[ \t\n\r]+/g, ' ')
        .replace(/\s*<br\b[^>]*>\s*/gi, '\n')
        .replace(/<[^>]*>/g, '')
        .trim();
      const shown = decodeEntities(inner).replace(/\u00a0/g, ' ');
      // Excel writes &nbsp; into cells that are empty.
      const value = /^\s*$/.test(shown) ? '' : shown;
      line[c] = value;
      values[c] = value === '' ? null : rawValue(attrs, value);
      const cols = Math.max(1, Math.min(Number(attr(attrs, 'colspan') ?? 1) || 1, 1000));
      const rows = Math.max(1, Math.min(Number(attr(attrs, 'rowspan') ?? 1) || 1, 10_000));
      for (let k = 1; k < cols; k++) {
        line[c + k] = '';
        values[c + k] = null;
      }
      for (let down = 1; down < rows; down++) {
        const set = covered.get(r + down) ?? new Set<number>();
        for (let k = 0; k < cols; k++) set.add(c + k);
        covered.set(r + down, set);
      }
      c += cols;
    }
    // Cells a rowspan covers at the end of the row.
    for (const k of taken) {
      if (k >= line.length) {
        for (let i = line.length; i <= k; i++) {
          line[i] ??= '';
          values[i] ??= null;
        }
      }
    }
    text.push(Array.from(line, (v) => v ?? ''));
    raw.push(Array.from(values, (v) => v ?? null));
  }
  return text.length ? { text, raw } : null;
}

/** The cells as shown, for a grid of text (see decodeHtmlCells). */
export function decodeHtml(html: string): Grid | null {
  return decodeHtmlCells(html)?.text ?? null;
}

/**
 * The block to paste into columns of the given types: where the source gave
 * a raw value and the column holds numbers, dates or checkboxes, that value
 * in the form those columns read (1234.5, 2026-12-01, TRUE) instead of the
 * text as shown ($1,234.50, 12/1/2026), so neither the source's currency
 * format nor its date order can be misread; text and phone columns keep the
 * text as shown. A percent shows its number (25% stores 25, docs/schema.md),
 * as typing or a text/plain paste of "25%" would. Numbers are written with the
 * reader's decimal mark: with a decimal comma "1.234" would read as 1234.
 */
export function pasteTexts(cells: PastedCells, typeAt: (column: number) => string | null, options: { decimal?: '.' | ',' } = {}): Grid {
  return cells.text.map((line, r) =>
    line.map((shown, c) => {
      const raw = cells.raw[r]?.[c] ?? null;
      const type = typeAt(c);
      if (raw === null) return shown;
      if ((type === 'number' || type === 'counter') && typeof raw === 'number') {
        const n = /%\s*$/.test(shown) ? Number((raw * 100).toPrecision(15)) : raw;
        const text = String(n);
        return options.decimal === ',' && !/e/i.test(text) ? text.replace('.', ',') : text;
      }
      if (typeof raw === 'string' && ISO_RAW.test(raw)) {
        if (type === 'date') return raw.slice(0, 10);
        if (type === 'datetime') return raw.length === 10 ? `${raw}T00:00` : raw;
      }
      if (type === 'checkbox' && typeof raw === 'boolean') return raw ? 'TRUE' : 'FALSE';
      return shown;
    }),
  );
}

const ISO_RAW = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2})?$/;
