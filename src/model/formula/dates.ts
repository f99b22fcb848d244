import { ERRORS, isError, partsFromSerial, serialFromIso, serialFromParts, toNumber, wallSerial, type ErrorResult, type Matrix, type Scalar, type Value } from './values.js';
import type { FnTable } from './functions.js';
import { formatNumber } from './number-format.js';

/** A date argument: a serial number, or an ISO date as text (the only text date every device reads alike). */
export function toSerial(v: Scalar): number | ErrorResult {
  if (typeof v === 'string') {
    const s = serialFromIso(v.trim());
    if (s !== null) return s;
  }
  const n = toNumber(v);
  if (isError(n)) return n;
  return n < 0 ? ERRORS['#NUM!'] : n;
}

function monthsBetween(a: { y: number; m: number; d: number }, b: { y: number; m: number; d: number }): number {
  let months = (b.y - a.y) * 12 + (b.m - a.m);
  if (b.d < a.d) months--;
  return months;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function datedif(start: number, end: number, unit: string): number | ErrorResult {
  if (start > end) return ERRORS['#NUM!'];
  const a = partsFromSerial(start);
  const b = partsFromSerial(end);
  switch (unit.toUpperCase()) {
    case 'Y':
      return Math.floor(monthsBetween(a, b) / 12);
    case 'M':
      return monthsBetween(a, b);
    case 'D':
      return Math.floor(end) - Math.floor(start);
    case 'YM':
      return monthsBetween(a, b) % 12;
    case 'MD': {
      if (b.d >= a.d) return b.d - a.d;
      const py = b.m === 1 ? b.y - 1 : b.y;
      const pm = b.m === 1 ? 12 : b.m - 1;
      return daysInMonth(py, pm) - a.d + b.d;
    }
    case 'YD': {
      // days between the start's month/day and the end, within one year
      const year = b.m > a.m || (b.m === a.m && b.d >= a.d) ? b.y : b.y - 1;
      return Math.floor(end) - serialFromParts(year, a.m, Math.min(a.d, daysInMonth(year, a.m)));
    }
    default:
      return ERRORS['#NUM!'];
  }
}

function networkdays(start: number, end: number, holidays: Set<number>): number {
  const sign = start <= end ? 1 : -1;
  const [lo, hi] = sign === 1 ? [Math.floor(start), Math.floor(end)] : [Math.floor(end), Math.floor(start)];
  let count = 0;
  for (let d = lo; d <= hi; d++) {
    const wd = partsFromSerial(d).weekday;
    if (wd !== 0 && wd !== 6 && !holidays.has(d)) count++;
  }
  return sign * count;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DATE_FORMAT = /(yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am\/pm|"[^"]*"|.)/gi;

/** TEXT with a date format (`yyyy-mm-dd`, `dddd d mmmm`): English names; `mm` after an hour is minutes, as in Excel. */
function formatDate(serial: number, format: string): string {
  const p = partsFromSerial(serial);
  const secs = Math.round((serial - Math.floor(serial)) * 86400);
  const hour = Math.floor(secs / 3600);
  const minute = Math.floor((secs % 3600) / 60);
  const second = secs % 60;
  const ampm = /am\/pm/i.test(format);
  const tokens = format.match(DATE_FORMAT) ?? [];
  let afterHour = false;
  const pad = (n: number) => String(n).padStart(2, '0');
  return tokens
    .map((tok) => {
      const t = tok.toLowerCase();
      if (t.startsWith('"')) return tok.slice(1, -1);
      switch (t) {
        case 'yyyy':
          return String(p.y);
        case 'yy':
          return pad(p.y % 100);
        case 'mmmm':
          return MONTHS[p.m - 1];
        case 'mmm':
          return MONTHS[p.m - 1].slice(0, 3);
        case 'mm':
          return afterHour ? pad(minute) : pad(p.m);
        case 'm':
          return afterHour ? String(minute) : String(p.m);
        case 'dddd':
          return DAYS[p.weekday];
        case 'ddd':
          return DAYS[p.weekday].slice(0, 3);
        case 'dd':
          return pad(p.d);
        case 'd':
          return String(p.d);
        case 'hh':
        case 'h': {
          afterHour = true;
          const h = ampm ? ((hour + 11) % 12) + 1 : hour;
          return t === 'hh' ? pad(h) : String(h);
        }
        case 'ss':
          return pad(second);
        case 's':
          return String(second);
        case 'am/pm':
          return hour < 12 ? 'AM' : 'PM';
        default:
          return tok;
      }
    })
    .join('');
}

function isDateFormat(format: string): boolean {
  const unquoted = format.replace(/"[^"]*"/g, '');
  return /[ydhs]/i.test(unquoted) || (/m/i.test(unquoted) && !/[0#]/.test(unquoted));
}

export function text(value: Scalar, format: string): Scalar {
  if (isError(value)) return value;
  if (isDateFormat(format)) {
    const s = toSerial(value);
    return isError(s) ? s : formatDate(s, format);
  }
  if (typeof value !== 'number') {
    const n = toNumber(value);
    if (isError(n)) return typeof value === 'string' ? value : n;
    value = n;
  }
  return format === '' ? '' : formatNumber(value, format);
}

function flatNumbers(v: Value | undefined): number[] {
  if (v === undefined) return [];
  const cells = Array.isArray(v) ? (v as Matrix).flat() : [v];
  const out: number[] = [];
  for (const c of cells) {
    const s = c === null ? null : toSerial(c);
    if (s !== null && !isError(s)) out.push(Math.floor(s));
  }
  return out;
}

/** The date functions, on serial numbers in UTC, so no device's own time zone enters a result. */
export function dateFunctions(scalar: (v: Value | undefined) => Scalar): FnTable {
  const serialArg = (v: Value | undefined) => toSerial(scalar(v));
  return {
    TODAY: (_args, ctx) => Math.floor(wallSerial(ctx.clock.now(), ctx.clock.timeZone)),
    NOW: (_args, ctx) => wallSerial(ctx.clock.now(), ctx.clock.timeZone),
    DATE: (args) => {
      const [y, m, d] = args.map((a) => toNumber(scalar(a)));
      for (const x of [y, m, d]) if (isError(x)) return x;
      let year = Math.trunc(y as number);
      if (year >= 0 && year < 1900) year += 1900;
      if (year < 0 || year > 9999) return ERRORS['#NUM!'];
      const s = serialFromParts(year, Math.trunc(m as number), Math.trunc(d as number));
      return s < 0 ? ERRORS['#NUM!'] : s;
    },
    DATEDIF: (args) => {
      const a = serialArg(args[0]);
      const b = serialArg(args[1]);
      if (isError(a)) return a;
      if (isError(b)) return b;
      const unit = scalar(args[2]);
      if (isError(unit)) return unit;
      return datedif(a, b, String(unit ?? ''));
    },
    DAYS: (args) => {
      const end = serialArg(args[0]);
      const start = serialArg(args[1]);
      if (isError(end)) return end;
      if (isError(start)) return start;
      return Math.floor(end) - Math.floor(start);
    },
    NETWORKDAYS: (args) => {
      const a = serialArg(args[0]);
      const b = serialArg(args[1]);
      if (isError(a)) return a;
      if (isError(b)) return b;
      return networkdays(a, b, new Set(flatNumbers(args[2])));
    },
    WEEKDAY: (args) => {
      const s = serialArg(args[0]);
      if (isError(s)) return s;
      const type = args[1] === undefined ? 1 : toNumber(scalar(args[1]));
      if (isError(type)) return type;
      const wd = partsFromSerial(s).weekday;
      if (type === 1) return wd + 1;
      if (type === 2) return ((wd + 6) % 7) + 1;
      if (type === 3) return (wd + 6) % 7;
      return ERRORS['#NUM!'];
    },
    EDATE: (args) => {
      const s = serialArg(args[0]);
      if (isError(s)) return s;
      const months = toNumber(scalar(args[1]));
      if (isError(months)) return months;
      const p = partsFromSerial(s);
      const total = p.y * 12 + (p.m - 1) + Math.trunc(months);
      const y = Math.floor(total / 12);
      const m = (total % 12) + 1;
      return serialFromParts(y, m, Math.min(p.d, daysInMonth(y, m)));
    },
    TEXT: (args) => {
      const f = scalar(args[1]);
      if (isError(f)) return f;
      return text(scalar(args[0]), f === null ? '' : String(f));
    },
  };
}
