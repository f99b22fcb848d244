import type { IdPoint, Node } from './ast.js';
import type { LayoutIndex } from './layout.js';
import { parseStored } from './parse.js';
import { printStored, type FormulaPlace } from './refs.js';

function mapTree(node: Node, f: (n: Extract<Node, { t: 'ref' }>) => Node): Node {
  switch (node.t) {
    case 'ref':
      return f(node);
    case 'neg':
    case 'plus':
    case 'pct':
    case 'paren':
      return { ...node, a: mapTree(node.a, f) };
    case 'bin':
      return { ...node, a: mapTree(node.a, f), b: mapTree(node.b, f) };
    case 'call':
      return { ...node, args: node.args.map((a) => mapTree(a, f)) };
    default:
      return node;
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
