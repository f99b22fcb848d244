import { describe, expect, it } from 'vitest';
import { isModelError, isSafeLink, parseInput, formatValue, validateValue, type Column } from '../../src/model/index.js';
import { decodeCell, encodeCell } from '../../src/model/cell-codec.js';

const col = (type: Column['type'], options: Column['options'] = []): Column => ({ id: 'c', name: 'Col', type, width: 100, options, min: null, minColumn: null, expiresDays: null, unit: null });
const status = col('select', [
  { id: 'o1', label: 'Intake needed', color: '#cf222e' },
  { id: 'o2', label: 'Delivery assigned', color: '#1a7f37' },
]);

function code(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (e) {
    return isModelError(e) ? e.code : 'other';
  }
}

describe('parseInput turns typed text into values, or says why not', () => {
  it('numbers', () => {
    expect(parseInput(col('number'), ' 42 ')).toBe(42);
    expect(parseInput(col('number'), '-3.5')).toBe(-3.5);
    expect(parseInput(col('number'), '1,250')).toBe(1250);
    expect(parseInput(col('number'), '1e3')).toBe(1000);
    expect(parseInput(col('number'), '')).toBe(null);
    expect(code(() => parseInput(col('number'), '12 boxes'))).toBe('NOT_A_NUMBER');
    expect(code(() => parseInput(col('number'), '1,2'))).toBe('NOT_A_NUMBER');
    expect(code(() => parseInput(col('number'), '1e999'))).toBe('NOT_A_NUMBER');
  });

  it('numbers as a Spanish speaker writes them, with a decimal comma', () => {
    const comma = { decimal: ',' as const };
    expect(parseInput(col('number'), '12,5', comma)).toBe(12.5);
    expect(parseInput(col('number'), '-0,25', comma)).toBe(-0.25);
    expect(parseInput(col('number'), '1.234,5', comma)).toBe(1234.5);
    expect(parseInput(col('number'), '1.234', comma)).toBe(1234);
    expect(parseInput(col('number'), '12.5', comma)).toBe(12.5);
    expect(parseInput(col('counter'), '7', comma)).toBe(7);
    expect(code(() => parseInput(col('number'), '1,2,3', comma))).toBe('NOT_A_NUMBER');
    expect(code(() => parseInput(col('number'), '1.23,4', comma))).toBe('NOT_A_NUMBER');
    // With a decimal point (the default), a comma only groups thousands.
    expect(code(() => parseInput(col('number'), '12,5'))).toBe('NOT_A_NUMBER');
  });

  it('yes and no in English or Spanish', () => {
    expect(parseInput(col('checkbox'), 'Sí')).toBe(true);
    expect(parseInput(col('checkbox'), 'falso')).toBe(false);
  });
  it('dates', () => {
    expect(parseInput(col('date'), '2026-12-01')).toBe('2026-12-01');
    expect(parseInput(col('date'), '2024-02-29')).toBe('2024-02-29');
    expect(code(() => parseInput(col('date'), '2025-02-29'))).toBe('NOT_A_DATE');
    expect(code(() => parseInput(col('date'), '01/12/2026'))).toBe('NOT_A_DATE');
  });
  it('checkboxes', () => {
    expect(parseInput(col('checkbox'), 'Yes')).toBe(true);
    expect(parseInput(col('checkbox'), 'x')).toBe(true);
    expect(parseInput(col('checkbox'), 'no')).toBe(false);
    expect(code(() => parseInput(col('checkbox'), 'maybe'))).toBe('NOT_A_CHECKBOX');
  });
  it('select options by label, case-insensitive', () => {
    expect(parseInput(status, 'delivery ASSIGNED')).toBe('o2');
    expect(code(() => parseInput(status, 'Lost'))).toBe('NOT_AN_OPTION');
    expect(formatValue(status, 'o1')).toBe('Intake needed');
  });
  it('text keeps spaces as typed; empty clears', () => {
    expect(parseInput(col('text'), '  padded ')).toBe('  padded ');
    expect(parseInput(col('text'), '')).toBe(null);
  });
});

describe('cell codec', () => {
  it('round-trips every value kind, including separators inside text', () => {
    for (const v of ['', 'a|b|c', 'zzz', 0, -1.25, 1e21, true, false, null]) {
      expect(decodeCell(encodeCell('ref1', 1_764_000_000_123, v))).toEqual({ ref: 'ref1', at: 1_764_000_000_123, v, before: null });
    }
  });
  it('reads records from before the journal, which kept the one they replaced in front', () => {
    const first = encodeCell('a', 1, '~3~abc|x|y');
    const second = `~${first.length}~${first}${encodeCell('b', 2, 'new')}`;
    expect(decodeCell(second)).toEqual({ ref: 'b', at: 2, v: 'new', before: first });
    // A text that merely starts like one is still itself.
    expect(decodeCell(first)).toEqual({ ref: 'a', at: 1, v: '~3~abc|x|y', before: null });
  });
  it('refuses what it did not write', () => {
    for (const raw of [42, null, {}, '', 'ref', 'ref|', 'ref|abc|', 'ref|abc|q', 'ref|abc|nNaN', 'ref|abc|n']) {
      expect(decodeCell(raw)).toBe(null);
    }
  });
});

describe('the other column types', () => {
  const tags = col('multiselect', [
    { id: 'a', label: 'Vegan', color: '#1a7f37' },
    { id: 'b', label: 'Halal', color: '#1f6feb' },
  ]);
  it('date and time, as typed with a space or a T', () => {
    expect(parseInput(col('datetime'), '2026-12-01 09:30')).toBe('2026-12-01T09:30');
    expect(code(() => parseInput(col('datetime'), '2026-12-01 25:00'))).toBe('NOT_A_DATETIME');
    expect(formatValue(col('datetime'), '2026-12-01T09:30')).toBe('2026-12-01 09:30');
  });
  it('phone numbers', () => {
    expect(parseInput(col('phone'), ' +1 (212) 555-0199 ')).toBe('+1 (212) 555-0199');
    expect(code(() => parseInput(col('phone'), 'call me'))).toBe('NOT_A_PHONE');
  });
  it('links keep any text, but only web, mail and phone links count as links', () => {
    expect(parseInput(col('link'), 'javascript:alert(1)')).toBe('javascript:alert(1)');
    expect(isSafeLink('https://example.org')).toBe(true);
    expect(isSafeLink('mailto:a@b.org') && isSafeLink('tel:+15550100')).toBe(true);
    expect(isSafeLink('javascript:alert(1)') || isSafeLink('data:text/html,x') || isSafeLink('example.org')).toBe(false);
  });
  it('several choices, by label, without repeats', () => {
    expect(parseInput(tags, 'halal, vegan; Halal')).toBe('b,a');
    expect(formatValue(tags, 'b,a')).toBe('Halal, Vegan');
    expect(code(() => parseInput(tags, 'Vegan, Kosher'))).toBe('NOT_AN_OPTION');
    expect(code(() => validateValue(tags, 'a,a'))).toBe('NOT_AN_OPTION');
  });
  it('numbers with a unit show it, and long text keeps its lines', () => {
    expect(formatValue({ ...col('number'), unit: 'kg' }, 12)).toBe('12 kg');
    // What the cell shows reads back: the column's own unit may follow the number.
    expect(parseInput({ ...col('number'), unit: 'kg' }, '12 kg')).toBe(12);
    expect(parseInput({ ...col('number'), unit: 'kg' }, '2,5 kg', { decimal: ',' })).toBe(2.5);
    expect(code(() => parseInput({ ...col('number'), unit: 'kg' }, '12 boxes'))).toBe('NOT_A_NUMBER');
    expect(parseInput(col('longtext'), 'line one\nline two')).toBe('line one\nline two');
  });
});
