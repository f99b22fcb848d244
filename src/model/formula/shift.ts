import { mapChildren, type A1Point, type IdPoint, type Node } from './ast.js';
import { FormulaError } from './errors.js';
import type { LayoutIndex } from './layout.js';
import { MAX_FORMULA_LENGTH, parseStored, parseTyped } from './parse.js';
import { printStored, type FormulaPlace } from './refs.js';

function mapTree(node: Node, f: (n: Extract<Node, { t: 'ref' }>) => Node): Node {
  switch (node.t) {
    case 'ref':
      return f(node);
    default:
      return mapChildren(node, (child) => mapTree(child, f));
  }
}

/**
 * A formula copied from one cell and pasted at another, as Sheets does: relative rows and columns
 * move by the distance between the two cells in the current order, `$` parts stay. A reference
 * pushed off the sheet becomes #REF!. Same-row column references (`[Needed]`) need no shifting.
 */
export function shiftStored(stored: string, from: FormulaPlace & { colId: string }, to: FormulaPlace & { colId: string }, layout: LayoutIndex): string {
  const L = layout;
  const dr = (L.rowIndex(to.sheetId, to.rowId ?? '') ?? 0) - (L.rowIndex(from.sheetId, from.rowId ?? '') ?? 0);
  const dc = (L.colIndex(to.sheetId, to.colId) ?? 0) - (L.colIndex(from.sheetId, from.colId) ?? 0);
  const tree = mapTree(parseStored(stored), (ref) => {
    const sheet = ref.sheet ?? to.sheetId;
    const move = (p: IdPoint): IdPoint | null => {
      const ci = L.colIndex(sheet, p.col);
      if (ci === undefined) return null;
      const col = p.colAbs ? p.col : L.colAt(sheet, ci + dc);
      if (col === undefined) return null;
      if (p.row === null) return { ...p, col };
      const ri = L.rowIndex(sheet, p.row);
      if (ri === undefined) return null;
      const row = p.rowAbs ? p.row : L.rowAt(sheet, ri + dr);
      return row === undefined ? null : { ...p, col, row };
    };
    const start = move(ref.start);
    const end = ref.end ? move(ref.end) : null;
    if (!start || (ref.end && !end)) return { t: 'err', v: '#REF!' };
    return { ...ref, start, end };
  });
  return printStored(tree);
}

/**
 * The same formula as a column formula, when it reads only its own row through relative rows
 * (`=B2-C2` in row 2 → `=[Needed]-[Signed up]`); null otherwise. An import turns a filled-down
 * column into one column formula when every row gives the same text here.
 */
export function asColumnFormula(stored: string, place: FormulaPlace): string | null {
  let ok = true;
  const tree = mapTree(parseStored(stored), (ref) => {
    const sameSheet = ref.sheet === null || ref.sheet === place.sheetId;
    if (!sameSheet || ref.end || ref.start.row !== place.rowId || ref.start.rowAbs) {
      ok = false;
      return ref;
    }
    return { t: 'col', col: ref.start.col };
  });
  return ok ? printStored(tree) : null;
}

type Leaf = Extract<Node, { t: 'ref' } | { t: 'a1' } | { t: 'name' } | { t: 'col' }>;

function mapLeaves(node: Node, f: (n: Leaf) => Node): Node {
  switch (node.t) {
    case 'ref':
    case 'a1':
    case 'name':
    case 'col':
      return f(node);
    default:
      return mapChildren(node, (child) => mapLeaves(child, f));
  }
}

export interface ShiftTypedOptions {
  /**
   * The sheet a reference without a sheet name means (default: the sheet pasted into). A cut moved
   * to another sheet of the same workbook keeps reading the sheet it came from, as in Sheets.
   */
  ownSheetId?: string;
}

const REF_ERROR: Node = { t: 'err', v: '#REF!' };

/**
 * A formula as it was shown at its source (A1 for the source's order, `.` decimals: the clipboard
 * marker's form) pasted `rows` rows and `cols` columns away into `place`, to store there: relative
 * parts move by that distance, `$` parts stay, and the result is resolved against the workbook
 * pasted into. Anything that names no cell there — pushed above row 1 or left of column A, past the
 * last row or column, a sheet or column name it does not have — becomes #REF!, as Sheets does, so a
 * paste into another workbook never fails on a reference. Throws FormulaError only when the text is
 * not a formula at all (syntax) or its stored form is too long.
 */
export function shiftTyped(typed: string, rows: number, cols: number, place: FormulaPlace, layout: LayoutIndex, options: ShiftTypedOptions = {}): string {
  const tree = mapLeaves(parseTyped(typed, { decimal: '.' }), (n) => {
    if (n.t === 'name') {
      const col = layout.columnByName(place.sheetId, n.name);
      return col === undefined ? REF_ERROR : { t: 'col', col };
    }
    // the source's text holds no ids; stored parts cannot come from it
    if (n.t !== 'a1') return REF_ERROR;
    const sheetId = n.sheet !== null ? layout.sheetByName(n.sheet) : (options.ownSheetId ?? place.sheetId);
    if (sheetId === undefined || layout.sheetName(sheetId) === undefined) return REF_ERROR;
    const move = (p: A1Point): IdPoint | null => {
      const ci = p.colAbs ? p.col : p.col + cols;
      const col = ci < 0 ? undefined : layout.colAt(sheetId, ci);
      if (col === undefined) return null;
      if (p.row === null) return { col, row: null, colAbs: p.colAbs, rowAbs: p.rowAbs };
      const ri = p.rowAbs ? p.row : p.row + rows;
      const row = ri < 0 ? undefined : layout.rowAt(sheetId, ri);
      return row === undefined ? null : { col, row, colAbs: p.colAbs, rowAbs: p.rowAbs };
    };
    const start = move(n.start);
    const end = n.end ? move(n.end) : null;
    if (!start || (n.end && !end)) return REF_ERROR;
    return { t: 'ref', sheet: n.sheet !== null || sheetId !== place.sheetId ? sheetId : null, start, end };
  });
  const stored = printStored(tree);
  // ids are longer than A1: a formula near the limit can outgrow it
  if (stored.length > MAX_FORMULA_LENGTH) throw new FormulaError('FORMULA_TOO_LARGE', 'formula too long', null, { max: MAX_FORMULA_LENGTH });
  return stored;
}
