import type { Fn, FnTable } from './functions.js';
import { compare, ERRORS, isError, isMatrix, toNumber, type Matrix, type Scalar, type Value } from './values.js';

/**
 * Criteria as SUMIF, COUNTIF and the rest read them: an optional operator (= <> < > <= >=) and a
 * value; text matches without case, with * ? and ~ wildcards for = and <>; a number matches only
 * numbers; "" matches blanks and "<>" anything that is not blank. (formulajs matches case-sensitively
 * and without wildcards after an operator, so these are the engine's own.)
 */
export function criterion(c: Scalar): (v: Scalar) => boolean {
  if (isError(c)) return (v) => isError(v) && v.error === c.error;
  if (typeof c === 'number') return (v) => typeof v === 'number' && v === c;
  if (typeof c === 'boolean') return (v) => v === c;
  if (c === null) return (v) => v === null || v === '';
  const m = /^(<=|>=|<>|=|<|>)?([\s\S]*)$/.exec(c)!;
  const op = m[1] ?? '=';
  const raw = m[2];
  const num = raw.trim() !== '' && !isError(toNumber(raw)) ? (toNumber(raw) as number) : null;
  const upper = raw.toUpperCase();
  const bool = upper === 'TRUE' ? true : upper === 'FALSE' ? false : null;
  if (op === '=' || op === '<>') {
    let eq: (v: Scalar) => boolean;
    if (raw === '') eq = (v) => v === null || v === '';
    else if (num !== null) eq = (v) => typeof v === 'number' && v === num;
    else if (bool !== null) eq = (v) => v === bool;
    else if (raw.startsWith('#')) eq = (v) => isError(v) && v.error === upper;
    else {
      const re = wildcard(raw);
      eq = (v) => typeof v === 'string' && re.test(v);
    }
    return op === '=' ? eq : (v) => !eq(v);
  }
  const test = (cmp: number) => (op === '<' ? cmp < 0 : op === '>' ? cmp > 0 : op === '<=' ? cmp <= 0 : cmp >= 0);
  if (num !== null) return (v) => typeof v === 'number' && test(compare(v, num));
  return (v) => typeof v === 'string' && test(compare(v, raw));
}

/** A wildcard pattern as Excel reads it (? one character, * any run, ~ escapes) as regex source. */
export function wildcardSource(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '~' && i + 1 < pattern.length) out += escapeRegex(pattern[++i]);
    else if (ch === '*') out += '[\\s\\S]*';
    else if (ch === '?') out += '[\\s\\S]';
    else out += escapeRegex(ch);
  }
  return out;
}

/** The whole text matches, without case. */
export function wildcard(pattern: string): RegExp {
  return new RegExp(`^${wildcardSource(pattern)}$`, 'i');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const grid = (v: Value | undefined): Matrix => (v === undefined ? [[null]] : isMatrix(v) ? v : [[v]]);
const one = (v: Value | undefined): Scalar => (v === undefined ? null : isMatrix(v) ? (v[0]?.[0] ?? null) : v);

/** Positions (row, col) of `target` shaped like `first` where every (range, criterion) pair holds. */
function matching(pairs: [Value | undefined, Value | undefined][]): { rows: number; cols: number; hits: boolean[][] } | typeof ERRORS['#VALUE!'] {
  const first = grid(pairs[0][0]);
  const rows = first.length;
  const cols = first[0]?.length ?? 0;
  const hits = first.map((r) => r.map(() => true));
  for (const [range, crit] of pairs) {
    const m = grid(range);
    if (m.length !== rows || (m[0]?.length ?? 0) !== cols) return ERRORS['#VALUE!'];
    const test = criterion(one(crit));
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (hits[r][c] && !test(m[r][c])) hits[r][c] = false;
  }
  return { rows, cols, hits };
}

function aggregate(target: Value | undefined, pairs: [Value | undefined, Value | undefined][], kind: 'sum' | 'count' | 'average'): Scalar {
  for (const [, c] of pairs) if (isError(one(c)) && !isMatrix(c as Value)) return one(c);
  const found = matching(pairs);
  if (isError(found)) return found;
  const values = grid(target);
  let sum = 0;
  let count = 0;
  for (let r = 0; r < found.rows; r++) {
    for (let c = 0; c < found.cols; c++) {
      if (!found.hits[r][c]) continue;
      if (kind === 'count') {
        count++;
        continue;
      }
      const v = values[r]?.[c] ?? null;
      if (isError(v)) return v;
      if (typeof v === 'number') {
        sum += v;
        count++;
      }
    }
  }
  if (kind === 'count') return count;
  if (kind === 'sum') return sum;
  return count ? sum / count : ERRORS['#DIV/0!'];
}

function pairsFrom(args: Value[], from: number): [Value | undefined, Value | undefined][] | null {
  if ((args.length - from) % 2 || args.length <= from) return null;
  const out: [Value | undefined, Value | undefined][] = [];
  for (let i = from; i < args.length; i += 2) out.push([args[i], args[i + 1]]);
  return out;
}

const ifs = (kind: 'sum' | 'average'): Fn => (args) => {
  const pairs = pairsFrom(args, 1);
  return pairs ? aggregate(args[0], pairs, kind) : ERRORS['#VALUE!'];
};

export const criteriaFunctions: FnTable = {
  SUMIF: (args) => aggregate(args[2] ?? args[0], [[args[0], args[1]]], 'sum'),
  AVERAGEIF: (args) => aggregate(args[2] ?? args[0], [[args[0], args[1]]], 'average'),
  COUNTIF: (args) => aggregate(args[0], [[args[0], args[1]]], 'count'),
  SUMIFS: ifs('sum'),
  AVERAGEIFS: ifs('average'),
  COUNTIFS: (args) => {
    const pairs = pairsFrom(args, 0);
    return pairs ? aggregate(args[0], pairs, 'count') : ERRORS['#VALUE!'];
  },
};
