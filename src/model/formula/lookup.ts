import { wildcard } from './criteria.js';
import type { FnTable } from './functions.js';
import { compare, ERRORS, isError, isMatrix, toBool, toNumber, toText, type Matrix, type Scalar, type Value } from './values.js';

const asMatrix = (v: Value | undefined): Matrix => (v === undefined ? [[null]] : isMatrix(v) ? v : [[v]]);

/** Exact match as Excel's lookups do it: text without case, with * and ? wildcards when the key is text. */
function exactMatcher(key: Scalar, wildcards: boolean): (c: Scalar) => boolean {
  if (typeof key === 'string' && wildcards && /[*?~]/.test(key)) {
    const re = wildcard(key);
    return (c) => typeof c === 'string' && re.test(c);
  }
  return (c) => c !== null && !isError(c) && typeof c === typeof key && compare(c, key) === 0;
}

/**
 * Position (0-based) of `key` in `list`: mode 0 exact; 1 the largest value ≤ key in an ascending
 * list; -1 the smallest ≥ key in a descending one (MATCH's match_type; VLOOKUP uses 0 and 1).
 */
function findIn(list: Scalar[], key: Scalar, mode: number, wildcards = true): number {
  if (mode === 0) {
    const hit = exactMatcher(key, wildcards);
    return list.findIndex(hit);
  }
  let best = -1;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === null || isError(c) || typeof c !== typeof key) continue;
    const cmp = compare(c, key);
    if (mode > 0 ? cmp <= 0 : cmp >= 0) best = i;
    else break;
  }
  return best;
}

function column(m: Matrix, i: number): Scalar[] {
  return m.map((r) => r[i] ?? null);
}

function sortKey(a: Scalar, b: Scalar): number {
  // blanks last, errors after them, as Excel's SORT leaves them
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  if (isError(a) || isError(b)) return isError(a) ? (isError(b) ? 0 : 1) : -1;
  return compare(a, b);
}

const rowKey = (row: Scalar[]): string => JSON.stringify(row.map((c) => (typeof c === 'string' ? `s${c.toLowerCase()}` : isError(c) ? `e${c.error}` : c)));

export function lookupFunctions(scalar: (v: Value | undefined) => Scalar): FnTable {
  const int = (v: Value | undefined, fallback: number): number | ReturnType<typeof toNumber> => (v === undefined ? fallback : toNumber(scalar(v)));
  return {
    VLOOKUP: (args) => {
      const key = scalar(args[0]);
      if (isError(key)) return key;
      const table = asMatrix(args[1]);
      const col = int(args[2], 1);
      if (isError(col)) return col;
      const approx = args[3] === undefined ? true : toBool(scalar(args[3]));
      if (isError(approx)) return approx;
      if (col < 1) return ERRORS['#VALUE!'];
      if (col > (table[0]?.length ?? 0)) return ERRORS['#REF!'];
      const at = findIn(column(table, 0), key, approx ? 1 : 0);
      return at < 0 ? ERRORS['#N/A'] : table[at][Math.trunc(col) - 1];
    },
    HLOOKUP: (args) => {
      const key = scalar(args[0]);
      if (isError(key)) return key;
      const table = asMatrix(args[1]);
      const row = int(args[2], 1);
      if (isError(row)) return row;
      const approx = args[3] === undefined ? true : toBool(scalar(args[3]));
      if (isError(approx)) return approx;
      if (row < 1) return ERRORS['#VALUE!'];
      if (row > table.length) return ERRORS['#REF!'];
      const at = findIn(table[0], key, approx ? 1 : 0);
      return at < 0 ? ERRORS['#N/A'] : table[Math.trunc(row) - 1][at];
    },
    XLOOKUP: (args) => {
      const key = scalar(args[0]);
      if (isError(key)) return key;
      const look = asMatrix(args[1]);
      const ret = asMatrix(args[2]);
      const vertical = look.length > 1 || (look[0]?.length ?? 0) === 1;
      const list = vertical ? column(look, 0) : look[0];
      const mode = int(args[4], 0);
      const search = int(args[5], 1);
      if (isError(mode)) return mode;
      if (isError(search)) return search;
      if ((vertical ? ret.length : ret[0]?.length) !== list.length) return ERRORS['#VALUE!'];
      const order = list.map((_, i) => i);
      if (search < 0) order.reverse();
      let at = -1;
      if (mode === 0 || mode === 2) {
        const hit = exactMatcher(key, mode === 2);
        at = order.find((i) => hit(list[i])) ?? -1;
      } else {
        // -1: exact or the next smaller; 1: exact or the next larger
        let best = -1;
        for (const i of order) {
          const c = list[i];
          if (c === null || isError(c) || typeof c !== typeof key) continue;
          const cmp = compare(c, key);
          if (cmp === 0) {
            best = i;
            break;
          }
          if (mode < 0 ? cmp < 0 && (best < 0 || compare(c, list[best]) > 0) : cmp > 0 && (best < 0 || compare(c, list[best]) < 0)) best = i;
        }
        at = best;
      }
      if (at < 0) return args[3] === undefined ? ERRORS['#N/A'] : args[3];
      return vertical ? (ret[0].length === 1 ? ret[at][0] : [ret[at]]) : ret.length === 1 ? ret[0][at] : ret.map((r) => [r[at]]);
    },
    MATCH: (args) => {
      const key = scalar(args[0]);
      if (isError(key)) return key;
      const m = asMatrix(args[1]);
      const list = m.length === 1 ? m[0] : column(m, 0);
      const mode = int(args[2], 1);
      if (isError(mode)) return mode;
      const at = findIn(list, key, Math.sign(mode));
      return at < 0 ? ERRORS['#N/A'] : at + 1;
    },
    INDEX: (args) => {
      const m = asMatrix(args[0]);
      let r = int(args[1], 0);
      let c = int(args[2], 0);
      if (isError(r)) return r;
      if (isError(c)) return c;
      // INDEX(one row, n) picks the nth column
      if (m.length === 1 && args[2] === undefined) [r, c] = [1, r];
      if (r < 0 || c < 0 || r > m.length || c > (m[0]?.length ?? 0)) return ERRORS['#REF!'];
      if (r === 0 && c === 0) return m;
      if (r === 0) return m.map((row) => [row[c - 1]]);
      if (c === 0) return m[0].length === 1 ? m[r - 1][0] : [m[r - 1]];
      return m[r - 1][c - 1];
    },
    UNIQUE: (args) => {
      const m = asMatrix(args[0]);
      const byCol = args[1] === undefined ? false : toBool(scalar(args[1]));
      const once = args[2] === undefined ? false : toBool(scalar(args[2]));
      if (isError(byCol)) return byCol;
      if (isError(once)) return once;
      const lines = byCol ? m[0].map((_, i) => column(m, i)) : m;
      const counts = new Map<string, number>();
      for (const l of lines) counts.set(rowKey(l), (counts.get(rowKey(l)) ?? 0) + 1);
      const seen = new Set<string>();
      const out: Scalar[][] = [];
      for (const l of lines) {
        const k = rowKey(l);
        if (seen.has(k) || (once && counts.get(k) !== 1)) continue;
        seen.add(k);
        out.push(l);
      }
      if (!out.length) return ERRORS['#CALC!'];
      return byCol ? out[0].map((_, i) => out.map((l) => l[i])) : out;
    },
    FILTER: (args) => {
      const m = asMatrix(args[0]);
      const inc = asMatrix(args[1]);
      const byRows = inc.length === m.length && inc[0]?.length === 1;
      const byCols = inc.length === 1 && inc[0]?.length === m[0]?.length;
      if (!byRows && !byCols) return ERRORS['#VALUE!'];
      const flags: boolean[] = [];
      for (const c of byRows ? column(inc, 0) : inc[0]) {
        if (isError(c)) return c;
        const b = c === null ? false : toBool(c);
        if (isError(b)) return b;
        flags.push(b);
      }
      const out = byRows ? m.filter((_, i) => flags[i]) : m.map((r) => r.filter((_, i) => flags[i]));
      if (!out.length || !out[0].length) return args[2] === undefined ? ERRORS['#CALC!'] : args[2];
      return out;
    },
    SORT: (args) => {
      const m = asMatrix(args[0]);
      const index = int(args[1], 1);
      const order = int(args[2], 1);
      const byCol = args[3] === undefined ? false : toBool(scalar(args[3]));
      for (const x of [index, order, byCol]) if (isError(x)) return x;
      if ((order !== 1 && order !== -1) || (index as number) < 1) return ERRORS['#VALUE!'];
      const lines = byCol ? m[0].map((_, i) => column(m, i)) : m.slice();
      if ((index as number) > (lines[0]?.length ?? 0)) return ERRORS['#VALUE!'];
      const k = (index as number) - 1;
      // stable, so rows with equal keys keep their order on every device
      const rank = (v: Scalar) => (v === null ? 1 : isError(v) ? 2 : 0);
      const sorted = lines
        .map((l, i) => ({ l, i }))
        .sort((a, b) => rank(a.l[k]) - rank(b.l[k]) || (rank(a.l[k]) ? 0 : sortKey(a.l[k], b.l[k]) * (order as number)) || a.i - b.i)
        .map((x) => x.l);
      return byCol ? sorted[0].map((_, i) => sorted.map((l) => l[i])) : sorted;
    },
    TEXTJOIN: (args) => {
      const sep = toText(scalar(args[0]));
      const skip = toBool(scalar(args[1]));
      if (isError(sep)) return sep;
      if (isError(skip)) return skip;
      const parts: string[] = [];
      for (const a of args.slice(2)) for (const c of asMatrix(a).flat()) {
        const t = toText(c);
        if (isError(t)) return t;
        if (!(skip && t === '')) parts.push(t);
      }
      return parts.join(sep);
    },
  };
}
