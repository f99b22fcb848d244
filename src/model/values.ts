import { ModelError } from './errors.js';
import type { CellValue, Column, ColumnType, SelectOption } from './types.js';
import { COLUMN_TYPES } from './types.js';
import { chooseOption, dateOrderOf, readAmount, readTypedDate, readTypedDateTime, unitText, type InputOptions } from './entry.js';

export const MAX_TEXT_LENGTH = 50_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)$/;
// An area code in brackets may lead, as North American numbers are written ("(555) 123-4567");
// it must close on digits, so an accountant's "(1234.50)" is not a phone.
const PHONE = /^(?:\+?[0-9]|\(\+?[0-9]{1,5}\)[ \-.]?[0-9])[0-9 ()\-.]{2,29}$/;
/** Links open only with these schemes; anything else in a link column is shown as plain text. */
const LINK_SCHEMES = /^(https?:\/\/|mailto:|tel:)/i;
export const MULTI_SEPARATOR = ',';
const COLOR = /^#[0-9a-fA-F]{6}$/;

export function isColumnType(t: unknown): t is ColumnType {
  return typeof t === 'string' && (COLUMN_TYPES as readonly string[]).includes(t);
}

export function isIsoDateTime(s: string): boolean {
  const m = ISO_DATETIME.exec(s);
  return !!m && isIsoDate(m[1]);
}

export function isSafeLink(s: string): boolean {
  return LINK_SCHEMES.test(s.trim());
}

export function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= days;
}

/**
 * Checks a value against its column's type. Throws, never coerces: "12" is not a
 * number here, because guessing is how spreadsheets silently corrupt counts.
 */
export function validateValue(column: Column, value: CellValue): void {
  if (value === null) return;
  const ctx = { column: column.name, value };
  switch (column.type) {
    case 'text':
    case 'longtext':
    case 'link':
      if (typeof value !== 'string') throw new ModelError('NOT_TEXT', `${column.name} holds text`, ctx);
      if (value.length > MAX_TEXT_LENGTH) {
        throw new ModelError('TEXT_TOO_LONG', `${column.name}: text is longer than ${MAX_TEXT_LENGTH} characters`, { ...ctx, max: MAX_TEXT_LENGTH });
      }
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ModelError('NOT_A_NUMBER', `${column.name} holds numbers`, ctx);
      }
      return;
    case 'date':
      if (typeof value !== 'string' || !isIsoDate(value)) {
        throw new ModelError('NOT_A_DATE', `${column.name} holds dates (YYYY-MM-DD)`, ctx);
      }
      return;
    case 'datetime':
      if (typeof value !== 'string' || !isIsoDateTime(value)) {
        throw new ModelError('NOT_A_DATETIME', `${column.name} holds a date and time (YYYY-MM-DD HH:MM)`, ctx);
      }
      return;
    case 'phone':
      if (typeof value !== 'string' || !PHONE.test(value)) throw new ModelError('NOT_A_PHONE', `${column.name} holds phone numbers`, ctx);
      return;
    case 'multiselect': {
      const ids = typeof value === 'string' ? value.split(MULTI_SEPARATOR) : [];
      if (!ids.length || ids.some((id) => !column.options.some((o) => o.id === id)) || new Set(ids).size !== ids.length) {
        throw new ModelError('NOT_AN_OPTION', `${column.name}: not among its options`, ctx);
      }
      return;
    }
    case 'checkbox':
      if (typeof value !== 'boolean') throw new ModelError('NOT_A_CHECKBOX', `${column.name} holds yes/no`, ctx);
      return;
    case 'select':
      if (typeof value !== 'string' || !column.options.some((o) => o.id === value)) {
        throw new ModelError('NOT_AN_OPTION', `${column.name}: not one of its options`, ctx);
      }
      return;
    case 'counter':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new ModelError('NOT_A_COUNTER', `${column.name} holds counts`, ctx);
      return;
    case 'claim':
      // Claims change through claim/release, never by writing a value: that would overwrite someone's claim.
      throw new ModelError('NOT_A_CLAIM', `${column.name}: use Claim or Release`, ctx);
  }
}

/** Does a stored value still fit its column? (A retype keeps old values; the UI flags the misfits.) */
/** Text a column can keep as it came, flagged as not fitting (an import, a restore): counts and claims hold no text. */
export function canHoldAsText(column: Column, text: string): boolean {
  return column.type !== 'counter' && column.type !== 'claim' && text.length <= MAX_TEXT_LENGTH;
}

/** A phone number as people write it: digits, optionally a leading +, spaces, dashes, dots and brackets. */
export function isPhoneText(text: string): boolean {
  return PHONE.test(text);
}

export function fitsColumn(column: Column, value: CellValue): boolean {
  try {
    validateValue(column, value);
    return true;
  } catch {
    return false;
  }
}

// English and Spanish words for yes and no: a copied "sí" pastes back as a tick.
const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'x', '✓', '✔', 'on', 'sí', 'si', 'verdadero']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'off', 'falso']);

export { readNumber, matchOptions, type InputOptions, type DateOrder } from './entry.js';

/**
 * Turns what a person typed into a typed value for the column, or throws a
 * ModelError saying why it does not fit. Empty input clears the cell.
 */
export function parseInput(column: Column, text: string, options: InputOptions = {}): CellValue {
  const trimmed = text.trim();
  if (column.type === 'text' || column.type === 'longtext' || column.type === 'link') {
    const value = text === '' ? null : text;
    validateValue(column, value);
    return value;
  }
  if (trimmed === '') return null;
  const ctx = { column: column.name, input: text };
  switch (column.type) {
    case 'counter':
    case 'number': {
      const n = readAmount(column, trimmed, options);
      if (n !== null) return checkFinite(column, n, ctx);
      throw new ModelError('NOT_A_NUMBER', `“${trimmed}” is not a number (${column.name} holds numbers)`, ctx);
    }
    case 'date': {
      const date = readTypedDate(trimmed, dateOrderOf(options));
      if (date !== null && date !== 'impossible') return date.iso;
      throw new ModelError('NOT_A_DATE', `“${trimmed}” is not a date`, date === 'impossible' ? { ...ctx, reason: 'impossible', typed: trimmed } : ctx);
    }
    case 'datetime': {
      const at = readTypedDateTime(trimmed, dateOrderOf(options));
      if (at !== null && at !== 'impossible') return at.iso;
      throw new ModelError('NOT_A_DATETIME', `“${trimmed}” is not a date and time`, at === 'impossible' ? { ...ctx, reason: 'impossible', typed: trimmed } : ctx);
    }
    case 'phone':
      if (PHONE.test(trimmed)) return trimmed;
      throw new ModelError('NOT_A_PHONE', `“${trimmed}” is not a phone number`, ctx);
    case 'multiselect': {
      const ids: string[] = [];
      for (const part of trimmed.split(/[,;]/).map((p) => p.trim()).filter(Boolean)) {
        const hit = chooseOption(column, part, options);
        if (!ids.includes(hit.id)) ids.push(hit.id);
      }
      return ids.length ? ids.join(MULTI_SEPARATOR) : null;
    }
    case 'checkbox': {
      const lower = trimmed.toLowerCase();
      if (TRUE_WORDS.has(lower)) return true;
      if (FALSE_WORDS.has(lower)) return false;
      throw new ModelError('NOT_A_CHECKBOX', `“${trimmed}” is not yes or no`, ctx);
    }
    case 'select':
      return chooseOption(column, trimmed, options).id;
    case 'claim':
      throw new ModelError('NOT_A_CLAIM', `${column.name}: use Claim or Release`, ctx);
  }
}

function checkFinite(column: Column, n: number, ctx: Record<string, unknown>): number {
  if (!Number.isFinite(n)) throw new ModelError('NOT_A_NUMBER', `${column.name}: number out of range`, { ...ctx, reason: 'range' });
  return n;
}

/** How a stored value reads as text (the editor's starting text, and plain-text export); `locale` picks unit plurals. */
export function formatValue(column: Column, value: CellValue, options: Pick<InputOptions, 'locale'> = {}): string {
  if (value === null) return '';
  if (column.type === 'select' && typeof value === 'string') {
    return column.options.find((o) => o.id === value)?.label ?? value;
  }
  if (column.type === 'multiselect' && typeof value === 'string') {
    return value
      .split(MULTI_SEPARATOR)
      .map((id) => column.options.find((o) => o.id === id)?.label ?? id)
      .join(', ');
  }
  if (column.type === 'datetime' && typeof value === 'string') return value.replace('T', ' ');
  if (typeof value === 'number' && column.unit) return `${value} ${unitText(column.unit, value, options.locale)}`;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

export function validateOptions(options: unknown): SelectOption[] {
  if (!Array.isArray(options)) throw new ModelError('INVALID_OPTIONS', 'options must be a list', { reason: 'list' });
  const ids = new Set<string>();
  for (const o of options) {
    const ok =
      o !== null &&
      typeof o === 'object' &&
      typeof o.id === 'string' &&
      o.id.length > 0 &&
      typeof o.label === 'string' &&
      o.label.trim().length > 0 &&
      typeof o.color === 'string' &&
      COLOR.test(o.color);
    if (!ok) throw new ModelError('INVALID_OPTIONS', 'each option needs an id, a label and a #rrggbb colour', { option: o, reason: 'option' });
    if (ids.has(o.id)) throw new ModelError('INVALID_OPTIONS', `duplicate option id ${o.id}`, { reason: 'duplicate' });
    ids.add(o.id);
  }
  return options.map((o: SelectOption) => ({ id: o.id, label: o.label, color: o.color }));
}
