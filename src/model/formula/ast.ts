/**
 * The formula syntax tree. One tree type serves both forms of a formula: what a person types
 * (references by A1 position and column name) and what the workbook stores (references by row and
 * column id). The parser produces the first from typed text and the second from stored text;
 * refs.ts converts between them with a sheet's current order.
 */

/** Excel's error values, plus #CYCLE! (a formula that depends on itself) which Excel shows as 0 and a warning. */
export const ERROR_VALUES = ['#NULL!', '#DIV/0!', '#VALUE!', '#REF!', '#NAME?', '#NUM!', '#N/A', '#SPILL!', '#CALC!', '#CYCLE!'] as const;
export type ErrorValue = (typeof ERROR_VALUES)[number];

export type BinaryOp = '+' | '-' | '*' | '/' | '^' | '&' | '=' | '<>' | '<' | '>' | '<=' | '>=';

/** A position in A1 form: 0-based column and row indices in the sheet's current order. Row null: the whole column. */
export interface A1Point {
  col: number;
  row: number | null;
  colAbs: boolean;
  rowAbs: boolean;
}

/** A position by id: the column and row it named when it was typed, whatever the order is now. */
export interface IdPoint {
  col: string;
  row: string | null;
  colAbs: boolean;
  rowAbs: boolean;
}

export type Node =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'err'; v: ErrorValue }
  | { t: 'neg'; a: Node }
  | { t: 'plus'; a: Node }
  | { t: 'pct'; a: Node }
  | { t: 'paren'; a: Node }
  | { t: 'bin'; op: BinaryOp; a: Node; b: Node }
  | { t: 'call'; name: string; args: Node[] }
  /** typed: `B2`, `$B$2:C9`, `B:B`, `'Shift roster'!C3` (sheet by name, null: the formula's own) */
  | { t: 'a1'; sheet: string | null; start: A1Point; end: A1Point | null }
  /** typed: `[Needed]`, a column of the same row by name */
  | { t: 'name'; name: string }
  /** stored: a cell or range by ids (sheet by id, null: the formula's own) */
  | { t: 'ref'; sheet: string | null; start: IdPoint; end: IdPoint | null }
  /** stored: a column of the same row by id (column formulas) */
  | { t: 'col'; col: string };

/** `n` with each child replaced by `f(child)`, leaves as they are: the recursive step every tree rewrite shares. */
export function mapChildren(n: Node, f: (child: Node) => Node): Node {
  switch (n.t) {
    case 'neg':
    case 'plus':
    case 'pct':
    case 'paren':
      return { ...n, a: f(n.a) };
    case 'bin':
      return { ...n, a: f(n.a), b: f(n.b) };
    case 'call':
      return { ...n, args: n.args.map(f) };
    default:
      return n;
  }
}
