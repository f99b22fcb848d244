import { ModelError } from './errors.js';
import type { Column, SelectOption } from './types.js';

/**
 * Entry as people type it: what parseInput (values.ts) accepts beyond the stored forms —
 * dates in the reader's order, money, percents, a number with its unit in either number,
 * and a choice by any unambiguous part of its label. Everything here reads text into the
 * stored form; nothing is guessed that could mean two things.
 */

/** Which of day and month comes first in a date written with slashes. */
export type DateOrder = 'mdy' | 'dmy';

/** How the person writes: their language decides the decimal mark, the date order and unit plurals. */
export interface InputOptions {
  decimal?: '.' | ',';
  /** a BCP 47 language tag ("en", "es"); English rules when unset */
  locale?: string;
  /** overrides the locale's date order */
  dateOrder?: DateOrder;
  /** choices by their whole label or id only: what a file says is kept as it is, not completed */
  exactChoices?: boolean;
}

/** Languages that write the month first; every other language we speak writes the day first. */
const MONTH_FIRST = new Set(['en']);

export function dateOrderOf(options: InputOptions): DateOrder {
  if (options.dateOrder) return options.dateOrder;
  const language = (options.locale ?? 'en').toLowerCase().split('-')[0];
  return MONTH_FIRST.has(language) ? 'mdy' : 'dmy';
}

// ── numbers ──────────────────────────────────────────────────────────────

const PLAIN_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const GROUPED_NUMBER = /^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const COMMA_DECIMAL = /^[-+]?\d+(,\d+)?$/;
const DOT_GROUPED_COMMA_DECIMAL = /^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$/;

/**
 * A number as a person writes it. With a decimal comma, "1.234,5" is
 * 1234.5 and "1.234" is 1234 (as a Spanish spreadsheet reads it), while an
 * unambiguous "12.5" is still 12.5; with a decimal point, "1,234.5" is 1234.5.
 */
export function readNumber(text: string, decimal: '.' | ',' = '.'): number | null {
  if (decimal === ',') {
    if (DOT_GROUPED_COMMA_DECIMAL.test(text)) return Number(text.replace(/\./g, '').replace(',', '.'));
    if (COMMA_DECIMAL.test(text)) return Number(text.replace(',', '.'));
    if (PLAIN_NUMBER.test(text)) return Number(text);
    return null;
  }
  if (PLAIN_NUMBER.test(text)) return Number(text);
  if (GROUPED_NUMBER.test(text)) return Number(text.replace(/,/g, ''));
  return null;
}

// Longest first, so "US$" is not read as "$" with "US" left over.
const CURRENCY_SYMBOLS = ['US$', 'MX$', 'CA$', 'C$', 'A$', 'R$', 'S/', '$', '€', '£', '¥', '₹', '₱', '₡', '₲', '₩', '₦', '₽', '₺', '₴', '₫', '₪'];
const CURRENCY_CODE = /^[A-Z]{3}$/;

function isCurrencyUnit(unit: string): boolean {
  return CURRENCY_SYMBOLS.includes(unit) || CURRENCY_CODE.test(unit);
}

/** Folds case and accents, so "Entregado", "ENTREGADO" and "entregadó" compare alike. */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase().trim();
}

const WORDLIKE = /^\p{L}+$/u;
// Abbreviations and symbols read the same for one or many: "3 kg", never "3 kgs".
const INVARIANT_UNITS = new Set([
  'kg', 'g', 'mg', 'lb', 'lbs', 'oz', 'l', 'ml', 'cl', 'dl', 'km', 'm', 'cm', 'mm', 'mi', 'ft', 'in', 'yd', 'gal', 'qt', 'pt',
  'pc', 'pcs', 'h', 'hr', 'hrs', 'min', 's', 'sec', 'uds', 'ud', 'x', 'kcal', 'cal', 'kwh', 'w', 'kw', 'v',
]);

function pluralizes(unit: string): boolean {
  if (!WORDLIKE.test(unit) || unit.length < 2) return false;
  if (unit === unit.toUpperCase()) return false;
  const lower = unit.toLowerCase();
  return !INVARIANT_UNITS.has(lower) && !lower.endsWith('s');
}

/**
 * Every way a unit may be typed after a number, folded: "box" also as "boxes", "caja" as
 * "cajas", "baby" as "babies", "luz" as "luces"; a plural unit ("bags") also as its singular.
 * Both languages' forms are accepted whatever the reader's language: a form that is not a
 * plural in one is not a different unit either.
 */
export function unitForms(unit: string): string[] {
  const u = foldText(unit);
  const forms = new Set([u]);
  if (WORDLIKE.test(u) && u.length >= 2) {
    forms.add(`${u}s`);
    forms.add(`${u}es`);
    if (/[^aeiou]y$/.test(u)) forms.add(`${u.slice(0, -1)}ies`);
    if (u.endsWith('z')) forms.add(`${u.slice(0, -1)}ces`);
    if (u.endsWith('es')) forms.add(u.slice(0, -2));
    if (u.endsWith('s')) forms.add(u.slice(0, -1));
  }
  return [...forms].filter(Boolean).sort((a, b) => b.length - a.length);
}

/**
 * A unit as shown after a number: plural for any amount but one ("1 box", "3 boxes",
 * "0 cajas"), in the reader's language's rules; abbreviations and symbols unchanged.
 */
export function unitText(unit: string, n: number, locale = 'en'): string {
  if (Math.abs(n) === 1 || !pluralizes(unit)) return unit;
  const language = locale.toLowerCase().split('-')[0];
  if (language === 'es') {
    if (/[aeiouéáó]$/i.test(unit)) return `${unit}s`;
    if (/z$/i.test(unit)) return `${unit.slice(0, -1)}ces`;
    if (/ón$/i.test(unit)) return `${unit.slice(0, -2)}ones`;
    return `${unit}es`;
  }
  if (/(s|x|z|ch|sh)$/i.test(unit)) return `${unit}es`;
  if (/[^aeiou]y$/i.test(unit)) return `${unit.slice(0, -1)}ies`;
  return `${unit}s`;
}

/** Strips `suffix` (already folded) from the end of `s`, ignoring case and accents; null when it is not there. */
function withoutSuffix(s: string, suffix: string): string | null {
  const folded = foldText(s);
  if (!folded.endsWith(suffix)) return null;
  // Folding can shorten text (combining marks), so cut by what remains rather than by length.
  for (let cut = s.length; cut >= 0; cut--) {
    if (foldText(s.slice(cut)) === suffix) return s.slice(0, cut).trimEnd();
  }
  return null;
}

/**
 * An amount as people write it in a number column: "$1,234.50", "1.234,50 €", "-$3",
 * "(12.50)" (an accountant's negative), "25 %", "3 boxes" in a column whose unit is "box".
 * Percent is a unit, not a scale: "25%" stores 25 (docs/schema.md). A currency sign or
 * percent is accepted only where the column has no other unit, so "5 €" cannot land in kg.
 */
export function readAmount(column: Column, text: string, options: InputOptions = {}): number | null {
  let s = text.trim().replace(/\u2212/g, '-');
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  let sign = '';
  const takeSign = (): boolean => {
    if (!/^[-+]/.test(s)) return true;
    if (sign || negative) return false;
    sign = s[0];
    s = s.slice(1).trim();
    return true;
  };
  if (!takeSign()) return null;
  const unit = column.unit?.trim() || null;
  const moneyAllowed = unit === null || isCurrencyUnit(unit);
  if (moneyAllowed) {
    const symbol = CURRENCY_SYMBOLS.find((c) => s.startsWith(c));
    if (symbol) {
      s = s.slice(symbol.length).trim();
      if (!takeSign()) return null;
    } else {
      const suffix = CURRENCY_SYMBOLS.find((c) => s.endsWith(c));
      if (suffix) s = s.slice(0, -suffix.length).trim();
    }
  }
  if (unit !== null) {
    for (const form of unitForms(unit)) {
      const rest = withoutSuffix(s, form);
      if (rest !== null && rest !== '') {
        s = rest;
        break;
      }
    }
  } else if (s.endsWith('%')) {
    s = s.slice(0, -1).trim();
  }
  // One sign only: "--3" or "(-3)" is a typo, not a number.
  if ((sign || negative) && /^[-+]/.test(s)) return null;
  const n = readNumber(s, options.decimal ?? '.');
  if (n === null) return null;
  return negative || sign === '-' ? -n : n;
}

// ── dates ────────────────────────────────────────────────────────────────

const ISO_LOOSE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const LOCAL_DATE = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})$/;
const TIME = /^(\d{1,2})[:.h](\d{2})(?::(\d{2}))?\s*([ap])?\.?\s*(m\.?)?$/i;

/** Two-digit years: 00–69 are this century's, 70–99 the last one's (the POSIX rule). */
function fullYear(text: string): number {
  const y = Number(text);
  if (text.length === 4) return y;
  return y < 70 ? 2000 + y : 1900 + y;
}

function isoOf(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || y < 1 || y > 9999) return null;
  if (d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return null;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/**
 * A typed date: `{ iso }`, `"impossible"` when it has a date's shape but names
 * no day (2/30/2025, 14/14/2025), or null when it is not a date at all.
 */
export function readTypedDate(text: string, order: DateOrder): { iso: string } | 'impossible' | null {
  const t = text.trim();
  const iso = ISO_LOOSE.exec(t);
  if (iso) {
    const out = isoOf(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    return out ? { iso: out } : 'impossible';
  }
  const local = LOCAL_DATE.exec(t);
  if (!local) return null;
  const [a, b] = [Number(local[1]), Number(local[3])];
  const [m, d] = order === 'mdy' ? [a, b] : [b, a];
  const out = isoOf(fullYear(local[4]), m, d);
  return out ? { iso: out } : 'impossible';
}

function readTime(text: string): string | 'impossible' | null {
  const m = TIME.exec(text.trim());
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = Number(m[2]);
  if (m[3] !== undefined && Number(m[3]) !== 0) return 'impossible';
  if (m[4]) {
    if (hour < 1 || hour > 12) return 'impossible';
    const pm = m[4].toLowerCase() === 'p';
    hour = (hour % 12) + (pm ? 12 : 0);
  } else if (m[5]) {
    return null;
  }
  if (hour > 23 || minute > 59) return 'impossible';
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** A typed date and time ("3/14/2025 9:30 pm", "14/3/2025 21:30", "2025-03-14T09:30"); same outcomes as readTypedDate. */
export function readTypedDateTime(text: string, order: DateOrder): { iso: string } | 'impossible' | null {
  const t = text.trim();
  const split = /^(\S+?)(?:\s*,\s*|\s+|T)(\d.*)$/.exec(t);
  if (!split) return null;
  const date = readTypedDate(split[1], order);
  const time = readTime(split[2]);
  if (date === null || time === null) return null;
  if (date === 'impossible' || time === 'impossible') return 'impossible';
  return { iso: `${date.iso}T${time}` };
}

// ── choices ──────────────────────────────────────────────────────────────

const WORD_BREAK = /[\s\-/(),.;:]+/;

/**
 * The options a typed text may mean, best first: those whose label starts with it (ignoring
 * case and accents), then those with a word starting with it ("back" → "Call back"), or whose
 * words the typed words start in order ("del ass" → "Delivery assigned"). Empty text: all.
 */
export function matchOptions(column: Column, text: string): SelectOption[] {
  const q = foldText(text);
  if (!q) return column.options.map((o) => ({ ...o }));
  const starts: SelectOption[] = [];
  const words: SelectOption[] = [];
  const typed = q.split(WORD_BREAK).filter(Boolean);
  for (const o of column.options) {
    const label = foldText(o.label);
    if (label.startsWith(q)) starts.push({ ...o });
    else if (wordsStartWith(label.split(WORD_BREAK).filter(Boolean), typed)) words.push({ ...o });
  }
  return [...starts, ...words];
}

function wordsStartWith(label: string[], typed: string[]): boolean {
  let i = 0;
  for (const word of label) {
    if (i < typed.length && word.startsWith(typed[i])) i++;
  }
  return i === typed.length;
}

/**
 * The one option a typed text names: its label (any case or accents), its id, or the only
 * option it begins (or the only one it begins a word of). Refused with NOT_AN_OPTION when it
 * names none, or with reason "ambiguous" and the candidates when it could be several.
 */
export function chooseOption(column: Column, text: string, options: Pick<InputOptions, 'exactChoices'> = {}): SelectOption {
  const trimmed = text.trim();
  const q = foldText(trimmed);
  const ctx = { column: column.name, input: trimmed };
  const exact = column.options.find((o) => foldText(o.label) === q) ?? column.options.find((o) => o.id === trimmed);
  if (exact) return exact;
  if (options.exactChoices) throw new ModelError('NOT_AN_OPTION', `“${trimmed}” is not an option of ${column.name}`, ctx);
  const matches = matchOptions(column, trimmed);
  if (matches.length === 1) return matches[0];
  const starting = matches.filter((o) => foldText(o.label).startsWith(q));
  if (starting.length === 1) return starting[0];
  if (matches.length === 0) throw new ModelError('NOT_AN_OPTION', `“${trimmed}” is not an option of ${column.name}`, ctx);
  const candidates = (starting.length ? starting : matches).map((o) => o.label);
  throw new ModelError('NOT_AN_OPTION', `“${trimmed}” could be ${candidates.join(', ')}`, {
    ...ctx,
    // `typed` as well as `input`: the words for a reason show what was typed under their own name.
    typed: trimmed,
    reason: 'ambiguous',
    options: candidates.join(', '),
    candidates,
  });
}
