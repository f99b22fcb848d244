import { criteriaFunctions, wildcardSource } from './criteria.js';
import { dateFunctions } from './dates.js';
import { lookupFunctions } from './lookup.js';
import { roundHalfAway } from './number-format.js';
import { ERRORS, isError, isMatrix, toBool, toNumber, toScalar, toText, type ErrorResult, type FormulaClock, type Scalar, type Value } from './values.js';

export interface CallContext {
  clock: FormulaClock;
}
export type Fn = (args: Value[], ctx: CallContext) => Value;
export type FnTable = Record<string, Fn>;

/** Functions whose arguments are evaluated only when needed (an IF's untaken branch may be an error, or a cycle). */
export const LAZY = new Set(['IF', 'IFS', 'IFERROR', 'IFNA', 'SWITCH']);
/** Results change with the clock, not with any cell: recomputed on a tick. */
export const VOLATILE = new Set(['TODAY', 'NOW']);

const scalar = (v: Value | undefined): Scalar => (v === undefined ? null : toScalar(v));

/** SUM and friends, as Excel: in a range only numbers count; a value given directly is coerced; any error is the result. */
function numbers(args: Value[]): number[] | ErrorResult {
  const out: number[] = [];
  for (const a of args) {
    if (isMatrix(a)) {
      for (const row of a) for (const c of row) {
        if (isError(c)) return c;
        if (typeof c === 'number') out.push(c);
      }
    } else {
      if (a === null) continue;
      const n = toNumber(a);
      if (isError(n)) return n;
      out.push(n);
    }
  }
  return out;
}

function cells(args: Value[]): Scalar[] {
  const out: Scalar[] = [];
  for (const a of args) {
    if (isMatrix(a)) for (const row of a) out.push(...row);
    else out.push(a);
  }
  return out;
}

function textArg(v: Value | undefined): string | ErrorResult {
  return toText(scalar(v));
}

function numArg(v: Value | undefined, fallback?: number): number | ErrorResult {
  if (v === undefined && fallback !== undefined) return fallback;
  return toNumber(scalar(v));
}

/** Runs `f` on the arguments once each is text/number as asked, or returns the first error. */
function withArgs<T extends (string | number)[]>(parts: (string | number | ErrorResult)[], f: (...a: T) => Scalar): Scalar {
  for (const p of parts) if (isError(p)) return p;
  return f(...(parts as T));
}

function logical(args: Value[], combine: (acc: boolean, b: boolean) => boolean, start: boolean): Scalar {
  let acc = start;
  let seen = false;
  for (const a of args) {
    const list = isMatrix(a) ? a.flat().filter((c) => typeof c === 'boolean' || typeof c === 'number' || isError(c)) : [a];
    for (const c of list) {
      if (c === null) continue;
      const b = toBool(c);
      if (isError(b)) return b;
      acc = combine(acc, b);
      seen = true;
    }
  }
  return seen ? acc : ERRORS['#VALUE!'];
}

const mathFunctions: FnTable = {
  SUM: (args) => {
    const ns = numbers(args);
    return isError(ns) ? ns : ns.reduce((a, b) => a + b, 0);
  },
  AVERAGE: (args) => {
    const ns = numbers(args);
    if (isError(ns)) return ns;
    return ns.length ? ns.reduce((a, b) => a + b, 0) / ns.length : ERRORS['#DIV/0!'];
  },
  MIN: (args) => {
    const ns = numbers(args);
    return isError(ns) ? ns : ns.length ? Math.min(...ns) : 0;
  },
  MAX: (args) => {
    const ns = numbers(args);
    return isError(ns) ? ns : ns.length ? Math.max(...ns) : 0;
  },
  COUNT: (args) => cells(args).filter((c) => typeof c === 'number').length,
  COUNTA: (args) => cells(args).filter((c) => c !== null).length,
  COUNTBLANK: (args) => cells(args).filter((c) => c === null || c === '').length,
  ROUND: (args) => withArgs([numArg(args[0]), numArg(args[1], 0)], (n: number, d: number) => roundHalfAway(n, Math.trunc(d))),
  ABS: (args) => withArgs([numArg(args[0])], (n: number) => Math.abs(n)),
  AND: (args) => logical(args, (a, b) => a && b, true),
  OR: (args) => logical(args, (a, b) => a || b, false),
  NOT: (args) => {
    const b = toBool(scalar(args[0]));
    return isError(b) ? b : !b;
  },
  ISBLANK: (args) => scalar(args[0]) === null,
  ISERROR: (args) => isError(scalar(args[0])),
  ISNUMBER: (args) => typeof scalar(args[0]) === 'number',
  ISTEXT: (args) => typeof scalar(args[0]) === 'string',
};

const textFunctions: FnTable = {
  CONCAT: (args) => {
    let s = '';
    for (const c of cells(args)) {
      const t = toText(c);
      if (isError(t)) return t;
      s += t;
    }
    return s;
  },
  CONCATENATE: (args) => {
    let s = '';
    for (const a of args) {
      const t = textArg(a);
      if (isError(t)) return t;
      s += t;
    }
    return s;
  },
  LEN: (args) => withArgs([textArg(args[0])], (s: string) => [...s].length),
  TRIM: (args) => withArgs([textArg(args[0])], (s: string) => s.replace(/ +/g, ' ').trim()),
  UPPER: (args) => withArgs([textArg(args[0])], (s: string) => s.toUpperCase()),
  LOWER: (args) => withArgs([textArg(args[0])], (s: string) => s.toLowerCase()),
  PROPER: (args) => withArgs([textArg(args[0])], (s: string) => s.toLowerCase().replace(/(^|[^\p{L}])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase())),
  LEFT: (args) =>
    withArgs([textArg(args[0]), numArg(args[1], 1)], (s: string, n: number) => (n < 0 ? ERRORS['#VALUE!'] : [...s].slice(0, Math.trunc(n)).join(''))),
  RIGHT: (args) =>
    withArgs([textArg(args[0]), numArg(args[1], 1)], (s: string, n: number) => {
      if (n < 0) return ERRORS['#VALUE!'];
      const chars = [...s];
      return chars.slice(Math.max(0, chars.length - Math.trunc(n))).join('');
    }),
  MID: (args) =>
    withArgs([textArg(args[0]), numArg(args[1]), numArg(args[2])], (s: string, start: number, n: number) =>
      start < 1 || n < 0 ? ERRORS['#VALUE!'] : [...s].slice(Math.trunc(start) - 1, Math.trunc(start) - 1 + Math.trunc(n)).join(''),
    ),
  SUBSTITUTE: (args) => {
    const parts = [textArg(args[0]), textArg(args[1]), textArg(args[2])];
    const which = args[3] === undefined ? null : numArg(args[3]);
    if (isError(which)) return which;
    return withArgs(parts, (s: string, from: string, to: string) => {
      if (from === '') return s;
      if (which === null) return s.split(from).join(to);
      if (which < 1) return ERRORS['#VALUE!'];
      let at = -1;
      for (let k = 0; k < which; k++) {
        at = s.indexOf(from, at + 1);
        if (at < 0) return s;
      }
      return s.slice(0, at) + to + s.slice(at + from.length);
    });
  },
  FIND: (args) =>
    withArgs([textArg(args[0]), textArg(args[1]), numArg(args[2], 1)], (needle: string, hay: string, start: number) => {
      if (start < 1 || start > hay.length + 1) return ERRORS['#VALUE!'];
      const at = hay.indexOf(needle, start - 1);
      return at < 0 ? ERRORS['#VALUE!'] : at + 1;
    }),
  SEARCH: (args) =>
    withArgs([textArg(args[0]), textArg(args[1]), numArg(args[2], 1)], (needle: string, hay: string, start: number) => {
      if (start < 1 || start > hay.length + 1) return ERRORS['#VALUE!'];
      const m = new RegExp(wildcardSource(needle), 'i').exec(hay.slice(start - 1));
      return m ? m.index + start : ERRORS['#VALUE!'];
    }),
  VALUE: (args) => {
    const v = scalar(args[0]);
    if (isError(v) || typeof v === 'number') return v;
    if (typeof v === 'boolean') return ERRORS['#VALUE!'];
    const n = toNumber(v);
    return n;
  },
  T: (args) => {
    const v = scalar(args[0]);
    return typeof v === 'string' || isError(v) ? v : '';
  },
  N: (args) => {
    const v = scalar(args[0]);
    return typeof v === 'number' || isError(v) ? v : typeof v === 'boolean' ? Number(v) : 0;
  },
};

/** Every function a formula may call, by upper-case name. An unknown name evaluates to #NAME?. */
export function functionTable(): FnTable {
  return { ...mathFunctions, ...criteriaFunctions, ...textFunctions, ...dateFunctions(scalar), ...lookupFunctions(scalar) };
}

/** For the editor's hints and the docs: the names the engine knows, lazy ones included. */
export function functionNames(): string[] {
  return [...Object.keys(functionTable()), ...LAZY].sort();
}

