import type { ImportColumnPlan, ImportFormula, ImportTable } from '../import.js';
import { headerRowOf } from '../import-header.js';
import { mapChildren, type A1Point, type IdPoint, type Node } from './ast.js';
import { isFormulaError } from './errors.js';
import { foldName } from './layout.js';
import { MAX_FORMULA_LENGTH, parseStored, parseTyped } from './parse.js';
import { printStored } from './refs.js';
import { asColumnFormula } from './shift.js';

/**
 * A file's formulas, converted to the stored form before anything is written (docs/formulas.md,
 * "Import"). The file's A1 is its own grid: its row 1 is usually the header, which becomes column
 * names, so file row `h + 1 + k` is data row k. The ids are placeholders (`S<sheet>`, `R<row>`,
 * `C<file column>`) until the rows and columns exist; `placeIds` puts the real ones in.
 */

/** One sheet of the import: what the preview shows, and whether its rows go under an existing sheet. */
export interface ImportFormulaSheet {
  table: ImportTable;
  plans: readonly ImportColumnPlan[];
  append?: boolean;
}

/** Why a file's formula came in as its cached value instead. */
export type ImportFormulaReason =
  /** not a formula this app reads: whole rows (1:1), array constants, external workbooks, table columns */
  | 'syntax'
  /** points at a cell of the header row or above it, which became column names */
  | 'header'
  /** points past the data, or a column the file has no data in */
  | 'outside'
  /** points at a column left out of the import */
  | 'excluded'
  /** points at a sheet that is not part of this import */
  | 'sheet'
  /** one formula over several cells (Excel's array formulas) */
  | 'array'
  /** a counter or claim column computes its own value */
  | 'column-type'
  /** rows added under an existing sheet: a range over several columns or whole columns would take in its other rows and columns */
  | 'append-range'
  /** longer than a stored formula may be, once references are ids */
  | 'too-long';

export interface ImportedCellFormula {
  /** data row (0-based, below the header) and the file's column */
  row: number;
  source: number;
  stored: string;
  /** as the file wrote it */
  text: string;
}

export interface DroppedFormula {
  row: number;
  source: number;
  text: string;
  reason: ImportFormulaReason;
}

export interface SheetFormulaPlan {
  cells: ImportedCellFormula[];
  /** columns whose every data row held the same formula relative to its row: one column formula each */
  columns: { source: number; stored: string; text: string }[];
  /** formulas brought in as their cached value, with why */
  dropped: DroppedFormula[];
}

class Unkept extends Error {
  constructor(readonly reason: ImportFormulaReason) {
    super(reason);
  }
}

// As long as the workbook's own ids (12 characters), so a formula's length is known before they exist.
const pad = (n: number) => String(n).padStart(11, '0');
export const placeholderSheet = (i: number): string => `S${pad(i)}`;
export const placeholderRow = (r: number): string => `R${pad(r)}`;
export const placeholderCol = (source: number): string => `C${pad(source)}`;

/** Excel writes functions newer than 2007 with a prefix in the file (`_xlfn.XLOOKUP`); people never see it. */
function bareName(name: string): string {
  return name.replace(/^(?:_XLFN\.|_XLWS\.)+/, '');
}

interface SheetShape {
  index: number;
  headerRow: number;
  dataRows: number;
  /** file column → included in the import */
  included: Set<number>;
  /** columns the file has (with data or a header): past them a reference points at nothing imported */
  width: number;
  append: boolean;
  /** whether the file's cell at a row of the header or above it holds a number or a boolean (the header keeps it as text) */
  valueAbove: (row: number, col: number) => boolean;
}

const NUMBER_OR_BOOLEAN = /^\s*(?:[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?%?|true|false)\s*$/i;

function shapes(sheets: readonly ImportFormulaSheet[]): SheetShape[] {
  return sheets.map((s, index) => ({
    index,
    headerRow: headerRowOf(s.table),
    dataRows: s.table.rows.length,
    included: new Set(s.plans.filter((p) => p.include).map((p) => p.source)),
    width: s.plans.length,
    append: Boolean(s.append),
    valueAbove: (row, col) => {
      const above = s.table.above ?? [];
      const cell = row < above.length ? (above[row]?.[col] ?? null) : (s.table.header[col] ?? null);
      return typeof cell === 'number' || typeof cell === 'boolean' || (typeof cell === 'string' && NUMBER_OR_BOOLEAN.test(cell));
    },
  }));
}

function missing(shape: SheetShape, col: number): ImportFormulaReason {
  return col < shape.width ? 'excluded' : 'outside';
}

function idPoint(shape: SheetShape, p: A1Point, end: 'one' | 'lo' | 'hi'): IdPoint {
  if (!shape.included.has(p.col)) throw new Unkept(missing(shape, p.col));
  const col = placeholderCol(p.col);
  if (p.row === null) return { col, row: null, colAbs: p.colAbs, rowAbs: p.rowAbs };
  let data = p.row - shape.headerRow - 1;
  if (shape.dataRows === 0) throw new Unkept('outside');
  // A range that starts on the header (`SUM(B1:B9)`) means the data under it: the header is the column's name now.
  if (data < 0 && end === 'lo') data = 0;
  // and one that runs past the last row stops at it, as a range typed in the app does.
  if (data >= shape.dataRows && end === 'hi') data = shape.dataRows - 1;
  if (data < 0) throw new Unkept('header');
  if (data >= shape.dataRows) throw new Unkept('outside');
  return { col, row: placeholderRow(data), colAbs: p.colAbs, rowAbs: p.rowAbs };
}

function convertTree(node: Node, own: SheetShape, all: readonly SheetShape[], sheetByName: Map<string, number>): Node {
  const walk = (n: Node): Node => {
    switch (n.t) {
      case 'a1': {
        let shape = own;
        if (n.sheet !== null) {
          const i = sheetByName.get(foldName(n.sheet));
          if (i === undefined) throw new Unkept('sheet');
          shape = all[i];
        }
        if (n.end) {
          const [c0, c1] = [Math.min(n.start.col, n.end.col), Math.max(n.start.col, n.end.col)];
          // Every column between the ends has to come along, or the rectangle would close over others.
          for (let c = c0; c <= c1; c++) if (!shape.included.has(c)) throw new Unkept(missing(shape, c));
          if (shape.append && (c1 > c0 || n.start.row === null)) throw new Unkept('append-range');
          // A range may start on the header when what it takes in there is names and titles, which sums and counts of numbers pass over.
          const top = Math.min(n.start.row ?? Infinity, n.end.row ?? Infinity);
          for (let r = top; r <= shape.headerRow; r++) for (let c = c0; c <= c1; c++) if (shape.valueAbove(r, c)) throw new Unkept('header');
        }
        const flip = n.end && n.start.row !== null && n.end.row !== null && n.end.row < n.start.row;
        const [lo, hi] = flip ? [n.end!, n.start] : [n.start, n.end];
        const a = idPoint(shape, lo, hi ? 'lo' : 'one');
        const b = hi ? idPoint(shape, hi, 'hi') : null;
        const start = flip ? b! : a;
        const end = flip ? a : b;
        return { t: 'ref', sheet: n.sheet === null ? null : placeholderSheet(shape.index), start, end };
      }
      case 'name':
        throw new Unkept('syntax');
      case 'call':
        return { ...n, name: bareName(n.name), args: n.args.map(walk) };
      default:
        return mapChildren(n, walk);
    }
  };
  return walk(node);
}

/** One file formula → stored text with placeholder ids, or why it cannot be kept. */
function convertOne(f: ImportFormula, own: SheetShape, all: readonly SheetShape[], sheetByName: Map<string, number>): string {
  if (f.array) throw new Unkept('array');
  let tree: Node;
  try {
    // Files write English names, '.' decimals and ',' between arguments, whatever the writer's language.
    tree = parseTyped(f.text, { decimal: '.' });
  } catch (err) {
    if (isFormulaError(err)) throw new Unkept(err.code === 'FORMULA_TOO_LARGE' ? 'too-long' : err.code === 'FORMULA_NO_SUCH_CELL' ? 'outside' : 'syntax');
    throw err;
  }
  const stored = printStored(convertTree(tree, own, all, sheetByName));
  if (stored.length > MAX_FORMULA_LENGTH) throw new Unkept('too-long');
  try {
    // What the workbook would refuse to store must come in as its value, never fail the import.
    parseStored(stored);
  } catch {
    throw new Unkept('syntax');
  }
  return stored;
}

/**
 * Every formula of every sheet of an import, converted against the sheets as the preview plans
 * them (header row, columns left in or out). A column all of whose data rows hold the same formula
 * relative to their row (`=B2*C2` down the column) becomes one column formula (`=[Qty]*[Price]`),
 * except when rows are added to an existing sheet, whose other rows must keep what they hold.
 */
export function planImportFormulas(sheets: readonly ImportFormulaSheet[]): SheetFormulaPlan[] {
  const all = shapes(sheets);
  const sheetByName = new Map<string, number>();
  sheets.forEach((s, i) => {
    const key = foldName(s.table.fileSheet ?? s.table.name);
    if (!sheetByName.has(key)) sheetByName.set(key, i);
  });
  return sheets.map((s, i) => {
    const own = all[i];
    const plan: SheetFormulaPlan = { cells: [], columns: [], dropped: [] };
    const types = new Map(s.plans.filter((p) => p.include).map((p) => [p.source, p.type]));
    for (const f of s.table.formulas ?? []) {
      const row = f.row - own.headerRow - 1;
      // Formulas in the header row or above it became names and titles; in a column left out, nothing.
      if (row < 0 || row >= own.dataRows || !own.included.has(f.col)) continue;
      const type = types.get(f.col);
      try {
        if (type === 'counter' || type === 'claim') throw new Unkept('column-type');
        plan.cells.push({ row, source: f.col, stored: convertOne(f, own, all, sheetByName), text: f.text });
      } catch (err) {
        if (!(err instanceof Unkept)) throw err;
        plan.dropped.push({ row, source: f.col, text: f.text, reason: err.reason });
      }
    }
    if (!own.append && own.dataRows >= 2) columnFormulas(plan, own, i);
    return plan;
  });
}

function columnFormulas(plan: SheetFormulaPlan, own: SheetShape, index: number): void {
  const bySource = new Map<number, ImportedCellFormula[]>();
  for (const c of plan.cells) {
    const list = bySource.get(c.source) ?? [];
    list.push(c);
    bySource.set(c.source, list);
  }
  const folded = new Set<number>();
  for (const [source, cells] of bySource) {
    if (cells.length !== own.dataRows) continue;
    let same: string | null = null;
    let ok = true;
    for (const c of cells) {
      const column = asColumnFormula(c.stored, { sheetId: placeholderSheet(index), rowId: placeholderRow(c.row) });
      if (column === null || (same !== null && column !== same)) {
        ok = false;
        break;
      }
      same = column;
    }
    if (!ok || same === null) continue;
    plan.columns.push({ source, stored: same, text: cells[0].text });
    folded.add(source);
  }
  if (folded.size) plan.cells = plan.cells.filter((c) => !folded.has(c.source));
}

/** The table with each formula's cell emptied where the formula itself is written: its cached value is not the cell's own value. */
export function valuesOnly(table: ImportTable, plan: SheetFormulaPlan): ImportTable {
  const rows = table.rows.slice();
  const clear = (row: number, source: number) => {
    if (rows[row] === table.rows[row]) rows[row] = rows[row].slice();
    if (source < rows[row].length) rows[row][source] = null;
  };
  for (const c of plan.cells) clear(c.row, c.source);
  for (const c of plan.columns) for (let r = 0; r < rows.length; r++) clear(r, c.source);
  return { ...table, rows };
}

/** Where the placeholders land once the rows and columns exist. */
export interface PlacedSheet {
  sheetId: string;
  rowIds: readonly string[];
  /** file column → column id */
  colIds: ReadonlyMap<number, string>;
}

/** A placeholder-id stored formula with the real ids of the sheets, rows and columns the import made. */
export function placeIds(stored: string, ownIndex: number, placed: readonly PlacedSheet[]): string {
  const sheetIndex = (id: string) => Number(id.slice(1));
  const point = (p: IdPoint, sheet: PlacedSheet): IdPoint => {
    const col = sheet.colIds.get(Number(p.col.slice(1)));
    const row = p.row === null ? null : sheet.rowIds[Number(p.row.slice(1))];
    if (col === undefined || row === undefined) throw new RangeError(`placeholder ${p.col}@${p.row ?? ''} has no cell`);
    return { ...p, col, row };
  };
  const walk = (n: Node): Node => {
    switch (n.t) {
      case 'ref': {
        const i = n.sheet === null ? ownIndex : sheetIndex(n.sheet);
        const sheet = placed[i];
        return { ...n, sheet: n.sheet === null ? null : sheet.sheetId, start: point(n.start, sheet), end: n.end ? point(n.end, sheet) : null };
      }
      case 'col': {
        const col = placed[ownIndex].colIds.get(Number(n.col.slice(1)));
        if (col === undefined) throw new RangeError(`placeholder ${n.col} has no column`);
        return { t: 'col', col };
      }
      default:
        return mapChildren(n, walk);
    }
  };
  return printStored(walk(parseStored(stored)));
}
