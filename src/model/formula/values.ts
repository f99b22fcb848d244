import type { ErrorValue } from './ast.js';

/**
 * Values formulas compute with. An error is a value (it flows through arithmetic as Excel's do);
 * a matrix is a range's contents or an array result (rows of columns), which spills when it is a
 * cell's result.
 */
export interface ErrorResult {
  readonly error: ErrorValue;
}
export type Scalar = number | string | boolean | null | ErrorResult;
export type Matrix = Scalar[][];
export type Value = Scalar | Matrix;

/** One object per error value, frozen: results compare equal by reference or by `.error`. */
export const ERRORS: { readonly [K in ErrorValue]: ErrorResult } = Object.freeze({
  '#NULL!': Object.freeze({ error: '#NULL!' }),
  '#DIV/0!': Object.freeze({ error: '#DIV/0!' }),
  '#VALUE!': Object.freeze({ error: '#VALUE!' }),
  '#REF!': Object.freeze({ error: '#REF!' }),
  '#NAME?': Object.freeze({ error: '#NAME?' }),
  '#NUM!': Object.freeze({ error: '#NUM!' }),
  '#N/A': Object.freeze({ error: '#N/A' }),
  '#SPILL!': Object.freeze({ error: '#SPILL!' }),
  '#CALC!': Object.freeze({ error: '#CALC!' }),
  '#CYCLE!': Object.freeze({ error: '#CYCLE!' }),
});

export function isError(v: unknown): v is ErrorResult {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as ErrorResult).error === 'string';
}

export function isMatrix(v: Value): v is Matrix {
  return Array.isArray(v);
}

/** A range of one cell, or an array result used where one value is wanted: its first value. */
export function toScalar(v: Value): Scalar {
  if (!isMatrix(v)) return v;
  return v[0]?.[0] ?? null;
}

/** Excel shows at most 15 significant digits: 0.1+0.2 reads 0.3 and joins as "0.3". */
export function numberToText(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  return String(Number(n.toPrecision(15)));
}

const NUMERIC_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** A value as a number (arithmetic): text that is a number reads as one, anything else is #VALUE!. */
export function toNumber(v: Scalar): number | ErrorResult {
  if (typeof v === 'number') return v;
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isError(v)) return v;
  if (v.trim() === '') return ERRORS['#VALUE!'];
  if (NUMERIC_TEXT.test(v)) return Number(v);
  const pct = /^\s*([-+]?(?:\d+\.?\d*|\.\d+))\s*%\s*$/.exec(v);
  if (pct) return Number(pct[1]) / 100;
  return ERRORS['#VALUE!'];
}

export function toText(v: Scalar): string | ErrorResult {
  if (isError(v)) return v;
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') return numberToText(v);
  return v;
}

export function toBool(v: Scalar): boolean | ErrorResult {
  if (isError(v)) return v;
  if (typeof v === 'boolean') return v;
  if (v === null) return false;
  if (typeof v === 'number') return v !== 0;
  const upper = v.toUpperCase();
  if (upper === 'TRUE') return true;
  if (upper === 'FALSE') return false;
  return ERRORS['#VALUE!'];
}

/** Excel's order across types: numbers < text < booleans; text compares without case. A blank is 0 or "". */
export function compare(a: Scalar, b: Scalar): number {
  const rank = (v: Scalar) => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : 2);
  let x = a;
  let y = b;
  if (x === null) x = typeof y === 'string' ? '' : typeof y === 'boolean' ? false : 0;
  if (y === null) y = typeof x === 'string' ? '' : typeof x === 'boolean' ? false : 0;
  const rx = rank(x);
  const ry = rank(y);
  if (rx !== ry) return rx - ry;
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'string' && typeof y === 'string') {
    const p = x.toLowerCase();
    const q = y.toLowerCase();
    return p < q ? -1 : p > q ? 1 : 0;
  }
  return Number(x) - Number(y);
}

// ── dates: Excel serial numbers (days since 1899-12-30), computed in UTC so no device's zone enters ──

const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(1899, 11, 30);

export function serialFromParts(y: number, m: number, d: number): number {
  return (Date.UTC(y, m - 1, d) - EPOCH) / DAY_MS;
}

export function partsFromSerial(serial: number): { y: number; m: number; d: number; weekday: number } {
  const date = new Date(EPOCH + Math.floor(serial) * DAY_MS);
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate(), weekday: date.getUTCDay() };
}

/** `2026-12-01` → its serial; `2026-12-01T09:30` → the serial plus the time as a fraction of a day. */
export function serialFromIso(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(text);
  if (!m) return null;
  const day = serialFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
  return m[4] === undefined ? day : day + (Number(m[4]) * 60 + Number(m[5])) / 1440;
}

/**
 * The workbook's clock: TODAY() and NOW() read the wall time of the workbook's time zone (an IANA
 * name such as "America/New_York"), not the device's, so every device shows the same date.
 */
export interface FormulaClock {
  now(): number;
  timeZone: string;
}

/** Wall-clock serial (days and fraction) of `ms` in `timeZone`. */
export function wallSerial(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const day = serialFromParts(get('year'), get('month'), get('day'));
  return day + (get('hour') * 3600 + get('minute') * 60 + get('second')) / 86400;
}
