import type { BinaryOp, IdPoint, Node } from './ast.js';
import { LAZY, type CallContext, type FnTable } from './functions.js';
import { compare, ERRORS, isError, isMatrix, toBool, toNumber, toScalar, toText, type Matrix, type Scalar, type Value } from './values.js';

/** How evaluation reads the workbook: a reference's cells by id, already checked to exist. */
export interface Resolver {
  /** one cell (`key` is cellKey of it, made once when compiled); #REF! when its sheet, row or column is gone */
  cell(sheetId: string, point: IdPoint, key: string): Scalar;
  /** a rectangle between two ends in the current order (a whole column when rows are null) */
  range(sheetId: string, start: IdPoint, end: IdPoint): Matrix | typeof ERRORS['#REF!'];
  /** a column of the formula's own row (`[Needed]`) */
  sameRow(colId: string): Scalar;
}

/** How the engine names a cell in its maps: built once per reference when compiled, not on every read. */
export const cellKey = (sheetId: string, rowId: string, colId: string): string => `${sheetId} ${rowId} ${colId}`;

/** Spills past this many cells are refused (#SPILL!): a FILTER over a whole sheet must not freeze a phone. */
export const MAX_ARRAY_CELLS = 1_000_000;

function lift1(v: Value, f: (s: Scalar) => Scalar): Value {
  return isMatrix(v) ? v.map((r) => r.map(f)) : f(v);
}

/** Element by element, stretching a single row or column across the other operand as Excel does. */
function lift2(a: Value, b: Value, f: (x: Scalar, y: Scalar) => Scalar): Value {
  if (!isMatrix(a) && !isMatrix(b)) return f(a, b);
  const A = isMatrix(a) ? a : [[a]];
  const B = isMatrix(b) ? b : [[b]];
  const rows = Math.max(A.length, B.length);
  const cols = Math.max(A[0]?.length ?? 0, B[0]?.length ?? 0);
  if (rows * cols > MAX_ARRAY_CELLS) return ERRORS['#SPILL!'];
  const at = (m: Matrix, r: number, c: number): Scalar | undefined => {
    const rr = m.length === 1 ? 0 : r;
    const cc = m[0].length === 1 ? 0 : c;
    return m[rr]?.[cc];
  };
  const out: Matrix = [];
  for (let r = 0; r < rows; r++) {
    const line: Scalar[] = [];
    for (let c = 0; c < cols; c++) {
      const x = at(A, r, c);
      const y = at(B, r, c);
      line.push(x === undefined || y === undefined ? ERRORS['#N/A'] : f(x, y));
    }
    out.push(line);
  }
  return out;
}

function arithmetic(op: BinaryOp, x: Scalar, y: Scalar): Scalar {
  const a = toNumber(x);
  if (isError(a)) return a;
  const b = toNumber(y);
  if (isError(b)) return b;
  let r: number;
  switch (op) {
    case '+':
      r = a + b;
      break;
    case '-':
      r = a - b;
      break;
    case '*':
      r = a * b;
      break;
    case '/':
      if (b === 0) return ERRORS['#DIV/0!'];
      r = a / b;
      break;
    default:
      if (a === 0 && b === 0) return ERRORS['#NUM!'];
      r = a ** b;
  }
  return Number.isFinite(r) ? r : ERRORS['#NUM!'];
}

function binary(op: BinaryOp, x: Scalar, y: Scalar): Scalar {
  if (isError(x)) return x;
  if (isError(y)) return y;
  switch (op) {
    case '&': {
      const a = toText(x);
      const b = toText(y);
      return isError(a) ? a : isError(b) ? b : a + b;
    }
    case '=':
      return compare(x, y) === 0;
    case '<>':
      return compare(x, y) !== 0;
    case '<':
      return compare(x, y) < 0;
    case '>':
      return compare(x, y) > 0;
    case '<=':
      return compare(x, y) <= 0;
    case '>=':
      return compare(x, y) >= 0;
    default:
      return arithmetic(op, x, y);
  }
}

/** A formula tree compiled once into closures: run with the reads of the cell being evaluated. */
export type Code = (res: Resolver) => Value;

function negate(s: Scalar): Scalar {
  const v = toNumber(s);
  return isError(v) ? v : -v;
}

function percent(s: Scalar): Scalar {
  const v = toNumber(s);
  return isError(v) ? v : v / 100;
}

/**
 * Compiles trees into closures. A tree is walked once, when its formula is placed, rather than on
 * every evaluation; a column formula's rows share one compiled formula (the reads of the row being
 * evaluated come in through the Resolver).
 */
export class Evaluator {
  constructor(
    private readonly fns: FnTable,
    private readonly ctx: CallContext,
  ) {}

  /** `sheet`: the sheet the formula is on, which a reference without one reads. */
  compile(n: Node, sheet: string): Code {
    switch (n.t) {
      case 'num':
      case 'str':
      case 'bool': {
        const v = n.v;
        return () => v;
      }
      case 'err': {
        const e = ERRORS[n.v];
        return () => e;
      }
      case 'paren':
      case 'plus':
        return this.compile(n.a, sheet);
      case 'neg': {
        const a = this.compile(n.a, sheet);
        return (r) => lift1(a(r), negate);
      }
      case 'pct': {
        const a = this.compile(n.a, sheet);
        return (r) => lift1(a(r), percent);
      }
      case 'bin': {
        const a = this.compile(n.a, sheet);
        const b = this.compile(n.b, sheet);
        const op = n.op;
        const f = (x: Scalar, y: Scalar) => binary(op, x, y);
        return (r) => {
          const x = a(r);
          const y = b(r);
          return isMatrix(x) || isMatrix(y) ? lift2(x, y, f) : binary(op, x, y);
        };
      }
      case 'ref': {
        const s = n.sheet ?? sheet;
        const { start, end } = n;
        if (end) return (r) => r.range(s, start, end);
        const key = cellKey(s, start.row ?? '', start.col);
        return (r) => r.cell(s, start, key);
      }
      case 'col': {
        const col = n.col;
        return (r) => r.sameRow(col);
      }
      case 'call':
        return this.compileCall(n.name, n.args, sheet);
      default: {
        // a typed tree (A1, names) is converted before it is stored; never evaluated
        const e = ERRORS['#NAME?'];
        return () => e;
      }
    }
  }

  private compileCall(name: string, argNodes: Node[], sheet: string): Code {
    const args = argNodes.map((a) => this.compile(a, sheet));
    if (LAZY.has(name)) return this.lazy(name, args);
    const fn = this.fns[name];
    if (!fn) {
      const e = ERRORS['#NAME?'];
      return () => e;
    }
    const ctx = this.ctx;
    return (r) => {
      const values: Value[] = new Array(args.length);
      for (let i = 0; i < args.length; i++) values[i] = args[i](r);
      return fn(values, ctx);
    };
  }

  /** IF and friends evaluate only the branch they take, as Excel does. */
  private lazy(name: string, args: Code[]): Code {
    const cond = (c: Code, r: Resolver) => toBool(toScalar(c(r)));
    const wrong = ERRORS['#VALUE!'];
    switch (name) {
      case 'IF': {
        if (args.length < 2 || args.length > 3) return () => wrong;
        const [test, yes, no] = args;
        return (r) => {
          const c = cond(test, r);
          if (isError(c)) return c;
          return c ? yes(r) : no === undefined ? false : no(r);
        };
      }
      case 'IFS':
        if (args.length < 2 || args.length % 2) return () => wrong;
        return (r) => {
          for (let i = 0; i < args.length; i += 2) {
            const c = cond(args[i], r);
            if (isError(c)) return c;
            if (c) return args[i + 1](r);
          }
          return ERRORS['#N/A'];
        };
      case 'IFERROR':
      case 'IFNA': {
        if (args.length !== 2) return () => wrong;
        const [value, other] = args;
        const caught = (s: Scalar) => isError(s) && (name === 'IFERROR' || s.error === '#N/A');
        return (r) => {
          const v = value(r);
          if (isMatrix(v)) {
            if (!v.flat().some(caught)) return v;
            const fallback = toScalar(other(r));
            return v.map((row) => row.map((s) => (caught(s) ? fallback : s)));
          }
          return caught(v) ? other(r) : v;
        };
      }
      default:
        // SWITCH(expr, value1, result1, …, [default])
        if (args.length < 3) return () => wrong;
        return (r) => {
          const key = toScalar(args[0](r));
          if (isError(key)) return key;
          let i = 1;
          for (; i + 1 < args.length; i += 2) {
            const v = toScalar(args[i](r));
            if (isError(v)) return v;
            if (compare(key, v) === 0 && typeof key === typeof v) return args[i + 1](r);
          }
          return i < args.length ? args[i](r) : ERRORS['#N/A'];
        };
    }
  }
}

/** Every reference a tree holds, for the dependency graph. */
export function referencesOf(node: Node): { refs: Extract<Node, { t: 'ref' }>[]; cols: string[]; volatile: boolean; calls: string[] } {
  const refs: Extract<Node, { t: 'ref' }>[] = [];
  const cols: string[] = [];
  const calls: string[] = [];
  const walk = (n: Node) => {
    switch (n.t) {
      case 'ref':
        refs.push(n);
        return;
      case 'col':
        cols.push(n.col);
        return;
      case 'neg':
      case 'plus':
      case 'pct':
      case 'paren':
        walk(n.a);
        return;
      case 'bin':
        walk(n.a);
        walk(n.b);
        return;
      case 'call':
        calls.push(n.name);
        n.args.forEach(walk);
        return;
      default:
        return;
    }
  };
  walk(node);
  return { refs, cols, calls, volatile: calls.some((c) => c === 'TODAY' || c === 'NOW') };
}
