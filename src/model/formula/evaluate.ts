import type { BinaryOp, IdPoint, Node } from './ast.js';
import { LAZY, type CallContext, type FnTable } from './functions.js';
import { compare, ERRORS, isError, isMatrix, toBool, toNumber, toScalar, toText, type Matrix, type Scalar, type Value } from './values.js';

/** How evaluation reads the workbook: a reference's cells by id, already checked to exist. */
export interface Resolver {
  /** one cell; #REF! when its sheet, row or column is gone */
  cell(sheetId: string, point: IdPoint): Scalar;
  /** a rectangle between two ends in the current order (a whole column when rows are null) */
  range(sheetId: string, start: IdPoint, end: IdPoint): Matrix | typeof ERRORS['#REF!'];
  /** a column of the formula's own row (`[Needed]`) */
  sameRow(colId: string): Scalar;
}

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

export class Evaluator {
  constructor(
    private readonly fns: FnTable,
    private readonly ctx: CallContext,
  ) {}

  evaluate(node: Node, res: Resolver): Value {
    const ev = (n: Node): Value => {
      switch (n.t) {
        case 'num':
          return n.v;
        case 'str':
          return n.v;
        case 'bool':
          return n.v;
        case 'err':
          return ERRORS[n.v];
        case 'paren':
          return ev(n.a);
        case 'plus':
          return ev(n.a);
        case 'neg':
          return lift1(ev(n.a), (s) => {
            const v = toNumber(s);
            return isError(v) ? v : -v;
          });
        case 'pct':
          return lift1(ev(n.a), (s) => {
            const v = toNumber(s);
            return isError(v) ? v : v / 100;
          });
        case 'bin':
          return lift2(ev(n.a), ev(n.b), (x, y) => binary(n.op, x, y));
        case 'ref': {
          const sheet = n.sheet ?? '';
          return n.end ? res.range(sheet, n.start, n.end) : res.cell(sheet, n.start);
        }
        case 'col':
          return res.sameRow(n.col);
        case 'call':
          return this.call(n.name, n.args, ev);
        default:
          // a typed tree (A1, names) is converted before it is stored; never evaluated
          return ERRORS['#NAME?'];
      }
    };
    return ev(node);
  }

  private call(name: string, args: Node[], ev: (n: Node) => Value): Value {
    if (LAZY.has(name)) return this.lazy(name, args, ev);
    const fn = this.fns[name];
    if (!fn) return ERRORS['#NAME?'];
    return fn(args.map(ev), this.ctx);
  }

  /** IF and friends evaluate only the branch they take, as Excel does. */
  private lazy(name: string, args: Node[], ev: (n: Node) => Value): Value {
    const cond = (n: Node) => toBool(toScalar(ev(n)));
    switch (name) {
      case 'IF': {
        if (args.length < 2 || args.length > 3) return ERRORS['#VALUE!'];
        const c = cond(args[0]);
        if (isError(c)) return c;
        return c ? ev(args[1]) : args[2] === undefined ? false : ev(args[2]);
      }
      case 'IFS': {
        if (args.length < 2 || args.length % 2) return ERRORS['#VALUE!'];
        for (let i = 0; i < args.length; i += 2) {
          const c = cond(args[i]);
          if (isError(c)) return c;
          if (c) return ev(args[i + 1]);
        }
        return ERRORS['#N/A'];
      }
      case 'IFERROR':
      case 'IFNA': {
        if (args.length !== 2) return ERRORS['#VALUE!'];
        const v = ev(args[0]);
        const caught = (s: Scalar) => isError(s) && (name === 'IFERROR' || s.error === '#N/A');
        if (isMatrix(v)) {
          if (!v.flat().some(caught)) return v;
          const fallback = toScalar(ev(args[1]));
          return v.map((r) => r.map((s) => (caught(s) ? fallback : s)));
        }
        return caught(v) ? ev(args[1]) : v;
      }
      default: {
        // SWITCH(expr, value1, result1, …, [default])
        if (args.length < 3) return ERRORS['#VALUE!'];
        const key = toScalar(ev(args[0]));
        if (isError(key)) return key;
        let i = 1;
        for (; i + 1 < args.length; i += 2) {
          const v = toScalar(ev(args[i]));
          if (isError(v)) return v;
          if (compare(key, v) === 0 && typeof key === typeof v) return ev(args[i + 1]);
        }
        return i < args.length ? ev(args[i]) : ERRORS['#N/A'];
      }
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
