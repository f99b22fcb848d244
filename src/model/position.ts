/**
 * Fractional position keys: rows, columns and sheets are ordered by a string key
 * stored on each item instead of by their place in a shared array. A move is then
 * one LWW write of one key, so two people moving the same row at once can never
 * duplicate it (a Y.Array delete+insert move can), and a concurrent insert never
 * shifts anyone else's row.
 *
 * Keys are base-62 fractions compared with plain `<` on strings. A valid key
 * never ends in the lowest digit, so there is always room below it.
 */

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = DIGITS.length;
const LOWEST = DIGITS[0];
/** Width of the tail that `keyAfter` increments, so appends grow keys by a char only every 62^4 rows. */
const APPEND_WIDTH = 4;

function digitValue(ch: string): number {
  const v = DIGITS.indexOf(ch);
  if (v < 0) throw new RangeError(`invalid position key digit ${JSON.stringify(ch)}`);
  return v;
}

export function isValidKey(key: unknown): key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) return false;
  if (key.endsWith(LOWEST)) return false;
  for (const ch of key) if (DIGITS.indexOf(ch) < 0) return false;
  return true;
}

/** A key strictly between `a` and `b` (`b === null` means "no upper bound"); requires a < b. */
function midpoint(a: string, b: string | null): string {
  if (b !== null) {
    let n = 0;
    while ((a[n] ?? LOWEST) === b[n]) n++;
    if (n > 0) return b.slice(0, n) + midpoint(a.slice(n), b.slice(n));
  }
  const da = a.length > 0 ? digitValue(a[0]) : 0;
  const db = b !== null ? digitValue(b[0]) : BASE;
  if (db - da > 1) return DIGITS[Math.round((da + db) / 2)];
  if (b !== null && b.length > 1) return b[0];
  return DIGITS[da] + midpoint(a.slice(1), null);
}

/** A key greater than `a`, short and cheap to repeat: appending row after row stays O(1) in key length. */
export function keyAfter(a: string): string {
  const digits = a.padEnd(APPEND_WIDTH, LOWEST).split('');
  for (let i = digits.length - 1; i >= 0; i--) {
    const v = digitValue(digits[i]);
    if (v < BASE - 1) {
      digits[i] = DIGITS[v + 1];
      return digits.slice(0, i + 1).join('');
    }
  }
  // Every digit is the highest: extend instead of carrying past the front.
  return a + midpoint('', null);
}

/** A key between `a` and `b`; either may be null for "start" / "end". */
export function keyBetween(a: string | null, b: string | null): string {
  if (a !== null && b !== null && a >= b) {
    throw new RangeError(`keyBetween: ${a} is not below ${b}`);
  }
  if (a !== null && b === null) return keyAfter(a);
  return midpoint(a ?? '', b);
}

/**
 * `count` keys, ascending, all strictly between `a` and `b`. Spread evenly by
 * bisection so a bulk insert (a paste of 10,000 rows) stays short-keyed.
 */
export function keysBetween(a: string | null, b: string | null, count: number): string[] {
  if (count <= 0) return [];
  if (b === null) {
    const out: string[] = [];
    let prev = a;
    for (let i = 0; i < count; i++) {
      prev = prev === null ? midpoint('', null) : keyAfter(prev);
      out.push(prev);
    }
    return out;
  }
  if (count === 1) return [keyBetween(a, b)];
  const mid = keyBetween(a, b);
  const left = Math.floor((count - 1) / 2);
  return [...keysBetween(a, mid, left), mid, ...keysBetween(mid, b, count - 1 - left)];
}

/** Stable order for items whose keys collided (two peers inserted at one spot): tie-break on id. */
export function comparePositioned(a: { pos: string; id: string }, b: { pos: string; id: string }): number {
  if (a.pos < b.pos) return -1;
  if (a.pos > b.pos) return 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
