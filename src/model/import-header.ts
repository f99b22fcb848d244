import type { ImportCell, ImportMerge, ImportNote, ImportTable } from './import.js';


/** How far down a header is looked for: title blocks are a few rows, never pages. */
const HEADER_SEARCH_ROWS = 10;
const SAMPLE_ROWS = 50;

function filled(row: readonly ImportCell[] | undefined): number {
  let n = 0;
  if (row) for (const c of row) if (c !== null && c !== '') n++;
  return n;
}

/**
 * Which of the file's rows is the header: the first of the top rows that is
 * filled across at least half the table's width with text only. A title row
 * ("Volunteer roster — March") fills one cell and is skipped; a file whose
 * first row holds numbers has no header to find, and row 0 stays the header.
 */
export function guessHeaderRow(rows: readonly (readonly ImportCell[])[]): number {
  let width = 0;
  for (let r = 0; r < Math.min(rows.length, SAMPLE_ROWS); r++) width = Math.max(width, filled(rows[r]));
  if (width < 2) return 0;
  for (let r = 0; r < Math.min(rows.length, HEADER_SEARCH_ROWS); r++) {
    const row = rows[r];
    const n = filled(row);
    if (n * 2 < width) continue;
    if (row.every((c) => c === null || typeof c === 'string')) return r;
    return 0;
  }
  return 0;
}

/**
 * Header names from the header row, where a merged header cell ("Contact"
 * across Name and Phone) names every column under it: the first keeps the
 * name, the rest get it numbered by headerNames, instead of "Column 5".
 */
export function mergedHeader(table: ImportTable): string[] {
  const out = [...table.header];
  const at = headerRowOf(table);
  for (const m of table.merges ?? []) {
    if (m.row > at || m.row + m.rows <= at || m.cols < 2) continue;
    const name = out[m.col] ?? '';
    for (let c = m.col + 1; c < m.col + m.cols; c++) if (!out[c]) out[c] = name;
  }
  return out;
}

/** A table whose header is the file's row `at` (0-based); rows above are kept aside as `above`. */
export function tableFromRows(name: string, rows: ImportCell[][], at: number, extra: { merges?: ImportMerge[]; notes?: ImportNote[] } = {}): ImportTable {
  const header = rows[at] ?? [];
  const table: ImportTable = { name, header: header.map((h) => (h === null ? '' : String(h))), rows: rows.slice(at + 1) };
  if (at > 0) table.above = rows.slice(0, at);
  if (extra.merges?.length) table.merges = extra.merges;
  if (extra.notes?.length) table.notes = extra.notes;
  return table;
}

/** Every row of the file, header included, in the file's order. */
export function fileRows(table: ImportTable): ImportCell[][] {
  return [...(table.above ?? []), table.header, ...table.rows];
}

/** The row of the file the header is on (0-based). */
export function headerRowOf(table: ImportTable): number {
  return table.above?.length ?? 0;
}

/** The same file read with another row as its header: what the preview's header-row choice does. Our own files' exact types stay only on their own header. */
export function withHeaderRow(table: ImportTable, at: number): ImportTable {
  const all = fileRows(table);
  const row = Math.max(0, Math.min(at, all.length - 1));
  const next = tableFromRows(table.name, all, row, { merges: table.merges, notes: table.notes });
  if (table.meta && row === headerRowOf(table)) next.meta = table.meta;
  // Formulas sit at the file's own rows, whichever of them is the header.
  if (table.formulas) next.formulas = table.formulas;
  if (table.fileSheet !== undefined) next.fileSheet = table.fileSheet;
  return next;
}
