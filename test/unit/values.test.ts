import { describe, expect, it } from 'vitest';
import { isModelError, isSafeLink, parseInput, formatValue, validateValue, type Column } from '../../src/model/index.js';
import { decodeCell, encodeCell } from '../../src/model/cell-codec.js';
import { matchOptions, unitForms, unitText } from '../../src/model/entry.js';
import type { ModelError } from '../../src/model/errors.js';

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
    // Slashes follow the reader's order; English (month first) when no locale is given.
    expect(parseInput(col('date'), '01/12/2026')).toBe('2026-01-12');
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

function refusal(fn: () => unknown): ModelError {
  try {
    fn();
  } catch (e) {
    if (isModelError(e)) return e;
    throw e;
  }
  throw new Error('expected a ModelError, nothing was thrown');
}

const en = { decimal: '.' as const, locale: 'en' };
const es = { decimal: ',' as const, locale: 'es' };

describe('dates as the reader writes them', () => {
  it('month first in English, day first in Spanish, ISO always', () => {
    expect(parseInput(col('date'), '3/14/2025', en)).toBe('2025-03-14');
    expect(parseInput(col('date'), '14/3/2025', es)).toBe('2025-03-14');
    expect(parseInput(col('date'), '14.03.2025', es)).toBe('2025-03-14');
    expect(parseInput(col('date'), '14-3-2025', es)).toBe('2025-03-14');
    for (const options of [en, es]) {
      expect(parseInput(col('date'), '2025-03-14', options)).toBe('2025-03-14');
      expect(parseInput(col('date'), '2025-3-4', options)).toBe('2025-03-04');
    }
    // The same text is a different day in each language.
    expect(parseInput(col('date'), '4/3/2025', en)).toBe('2025-04-03');
    expect(parseInput(col('date'), '4/3/2025', es)).toBe('2025-03-04');
    expect(parseInput(col('date'), '4/3/2025', { dateOrder: 'dmy' })).toBe('2025-03-04');
  });

  it('two-digit years are 2000–2069 or 1970–1999', () => {
    expect(parseInput(col('date'), '3/14/25', en)).toBe('2025-03-14');
    expect(parseInput(col('date'), '14/3/69', es)).toBe('2069-03-14');
    expect(parseInput(col('date'), '14/3/70', es)).toBe('1970-03-14');
    expect(parseInput(col('date'), '1/2/99', en)).toBe('1999-01-02');
  });

  it('refuses impossible days, saying what was typed', () => {
    for (const [text, options] of [['2/30/2025', en], ['14/3/2025', en], ['3/14/2025', es], ['2025-02-29', en], ['31/4/2025', es], ['0/1/2025', en]] as const) {
      const e = refusal(() => parseInput(col('date'), text, options));
      expect(e.code, text).toBe('NOT_A_DATE');
      expect(e.detail).toMatchObject({ input: text, reason: 'impossible' });
      expect(e.message).toContain(text);
    }
    expect(parseInput(col('date'), '2/29/2024', en)).toBe('2024-02-29');
    const e = refusal(() => parseInput(col('date'), 'next tuesday', en));
    expect([e.code, e.detail.input, e.detail.reason]).toEqual(['NOT_A_DATE', 'next tuesday', undefined]);
    expect(code(() => parseInput(col('date'), '3/14', en))).toBe('NOT_A_DATE');
    expect(code(() => parseInput(col('date'), '3/14-2025', en))).toBe('NOT_A_DATE');
  });

  it('date and time in the same orders, with a 24-hour or am/pm time', () => {
    const dt = col('datetime');
    expect(parseInput(dt, '3/14/2025 9:30', en)).toBe('2025-03-14T09:30');
    expect(parseInput(dt, '3/14/2025 9:30 pm', en)).toBe('2025-03-14T21:30');
    expect(parseInput(dt, '3/14/2025, 12:05 a.m.', en)).toBe('2025-03-14T00:05');
    expect(parseInput(dt, '14/3/2025 21:30', es)).toBe('2025-03-14T21:30');
    expect(parseInput(dt, '2025-03-14T09:30', es)).toBe('2025-03-14T09:30');
    expect(parseInput(dt, '2025-03-14 09:30:00', en)).toBe('2025-03-14T09:30');
    for (const text of ['2/30/2025 9:30', '3/14/2025 24:00', '3/14/2025 13:00 pm', '3/14/2025 9:61']) {
      const e = refusal(() => parseInput(dt, text, en));
      expect([e.code, e.detail.reason, e.detail.input], text).toEqual(['NOT_A_DATETIME', 'impossible', text]);
    }
    expect(code(() => parseInput(dt, '3/14/2025', en))).toBe('NOT_A_DATETIME');
  });
});

describe('numbers with units, money and percent', () => {
  const boxes = { ...col('number'), unit: 'box' };
  const cajas = { ...col('number'), unit: 'caja' };
  it('"3 boxes" in a column whose unit is "box": singular, plural, any case, with or without a space', () => {
    for (const text of ['3 boxes', '3 box', '3boxes', '3 Boxes', '3 BOX', '3']) expect(parseInput(boxes, text, en), text).toBe(3);
    expect(parseInput(boxes, '-2 boxes', en)).toBe(-2);
    expect(parseInput(boxes, '2.5 boxes', en)).toBe(2.5);
    expect(parseInput(cajas, '3 cajas', es)).toBe(3);
    expect(parseInput(cajas, '2,5 cajas', es)).toBe(2.5);
    expect(parseInput({ ...col('counter'), unit: 'bag' }, '12 bags', en)).toBe(12);
    expect(parseInput({ ...col('number'), unit: 'baby' }, '2 babies', en)).toBe(2);
    expect(parseInput({ ...col('number'), unit: 'luz' }, '4 luces', es)).toBe(4);
    expect(parseInput({ ...col('number'), unit: 'bolsas' }, '1 bolsa', es)).toBe(1);
    expect(code(() => parseInput(boxes, '3 bags', en))).toBe('NOT_A_NUMBER');
    expect(code(() => parseInput(boxes, 'boxes', en))).toBe('NOT_A_NUMBER');
    expect(unitForms('box')).toContain('boxes');
  });

  it('shows the unit\'s plural for any amount but one, in the reader\'s rules', () => {
    expect(formatValue(boxes, 3)).toBe('3 boxes');
    expect(formatValue(boxes, 1)).toBe('1 box');
    expect(formatValue(boxes, 0)).toBe('0 boxes');
    expect(formatValue(cajas, 3, { locale: 'es' })).toBe('3 cajas');
    expect(unitText('bag', 2)).toBe('bags');
    expect(unitText('baby', 2)).toBe('babies');
    expect(unitText('papel', 2, 'es')).toBe('papeles');
    expect(unitText('camión', 2, 'es')).toBe('camiones');
    // Abbreviations, symbols, codes and units already plural stay as they are.
    for (const unit of ['kg', 'lb', 'ml', '%', '€', 'USD', 'bags']) expect(unitText(unit, 5), unit).toBe(unit);
    // What the cell shows reads back.
    expect(parseInput(boxes, formatValue(boxes, 3), en)).toBe(3);
    expect(parseInput(cajas, formatValue(cajas, 3, { locale: 'es' }), es)).toBe(3);
  });

  it('money as people write it, in either language', () => {
    const money = col('number');
    expect(parseInput(money, '$1,234.50', en)).toBe(1234.5);
    expect(parseInput(money, '1.234,50 €', es)).toBe(1234.5);
    expect(parseInput(money, '1.234,50€', es)).toBe(1234.5);
    expect(parseInput(money, '€5', en)).toBe(5);
    expect(parseInput(money, '-$3', en)).toBe(-3);
    expect(parseInput(money, '$-3', en)).toBe(-3);
    expect(parseInput(money, '(12.50)', en)).toBe(-12.5);
    expect(parseInput(money, '($12.50)', en)).toBe(-12.5);
    expect(parseInput(money, 'US$ 20', en)).toBe(20);
    expect(parseInput(money, '−4', en)).toBe(-4);
    expect(parseInput({ ...money, unit: 'USD' }, '$20', en)).toBe(20);
    expect(parseInput({ ...money, unit: 'USD' }, '20 USD', en)).toBe(20);
    for (const text of ['(-3)', '--3', '$', '$1,2', '(12.50']) expect(code(() => parseInput(money, text, en)), text).toBe('NOT_A_NUMBER');
    // A currency never lands in a column measured in something else.
    expect(code(() => parseInput({ ...money, unit: 'kg' }, '$5', en))).toBe('NOT_A_NUMBER');
  });

  it('percent is a unit: "25%" and "25 %" store 25', () => {
    const pct = { ...col('number'), unit: '%' };
    for (const text of ['25%', '25 %', '25']) expect(parseInput(pct, text, en), text).toBe(25);
    expect(parseInput(pct, '12,5 %', es)).toBe(12.5);
    expect(parseInput(col('number'), '25%', en)).toBe(25);
    expect(formatValue(pct, 25)).toBe('25 %');
    expect(code(() => parseInput({ ...col('number'), unit: 'kg' }, '25%', en))).toBe('NOT_A_NUMBER');
  });
});

describe('choices by any unambiguous part', () => {
  const flow = col('select', [
    { id: 's1', label: 'Intake needed', color: '#cf222e' },
    { id: 's2', label: 'Delivery needed', color: '#bc4c00' },
    { id: 's3', label: 'Delivered', color: '#1a7f37' },
    { id: 's4', label: 'Call back', color: '#1f6feb' },
    { id: 's5', label: 'Canceló', color: '#57606a' },
  ]);
  it('a prefix of one label, in any case or accents, chooses it', () => {
    expect(parseInput(flow, 'deliverED', en)).toBe('s3');
    expect(parseInput(flow, 'int', en)).toBe('s1');
    expect(parseInput(flow, 'INTAKE', en)).toBe('s1');
    expect(parseInput(flow, 'cancelo', en)).toBe('s5');
    expect(parseInput(flow, 'back', en)).toBe('s4');
  });

  it('an ambiguous prefix is refused with the candidates', () => {
    const e = refusal(() => parseInput(flow, 'deliv', en));
    expect(e.code).toBe('NOT_AN_OPTION');
    expect(e.detail).toMatchObject({ reason: 'ambiguous', input: 'deliv', options: 'Delivery needed, Delivered' });
    expect(e.detail.candidates).toEqual(['Delivery needed', 'Delivered']);
    expect(refusal(() => parseInput(flow, 'ca', en)).detail.candidates).toEqual(['Call back', 'Canceló']);
    // A file's text is kept as it is: no completing it to an option.
    expect(code(() => parseInput(flow, 'int', { exactChoices: true }))).toBe('NOT_AN_OPTION');
    expect(parseInput(flow, 'intake NEEDED', { exactChoices: true })).toBe('s1');
    const none = refusal(() => parseInput(flow, 'lost', en));
    expect([none.code, none.detail.reason]).toEqual(['NOT_AN_OPTION', undefined]);
  });

  it('matchOptions lists label prefixes first, then word prefixes', () => {
    expect(matchOptions(flow, 'de').map((o) => o.id)).toEqual(['s2', 's3']);
    expect(matchOptions(flow, 'need').map((o) => o.id)).toEqual(['s1', 's2']);
    expect(matchOptions(flow, 'del need').map((o) => o.id)).toEqual(['s2']);
    expect(matchOptions(flow, 'c').map((o) => o.id)).toEqual(['s4', 's5']);
    expect(matchOptions(flow, '').map((o) => o.id)).toEqual(['s1', 's2', 's3', 's4', 's5']);
    expect(matchOptions(flow, 'zzz')).toEqual([]);
    const copy = matchOptions(flow, 'int');
    copy[0].label = 'changed';
    expect(flow.options[0].label).toBe('Intake needed');
  });

  it('several choices each by a part of their label', () => {
    const tags = col('multiselect', [
      { id: 'a', label: 'Vegan', color: '#1a7f37' },
      { id: 'b', label: 'Vegetarian', color: '#1f6feb' },
      { id: 'c', label: 'Halal', color: '#bc4c00' },
    ]);
    expect(parseInput(tags, 'hal, vegan', en)).toBe('c,a');
    expect(parseInput(tags, 'veget; HALAL', en)).toBe('b,c');
    expect(refusal(() => parseInput(tags, 'hal, veg', en)).detail).toMatchObject({ reason: 'ambiguous', input: 'veg' });
  });
});

describe('refusals in the reader\'s words say what was typed', () => {
  it('impossible dates, ambiguous choices and unreadable dates', async () => {
    const { errorTextIn } = await import('../../src/ui/i18n/error-text.js');
    const { inputOptions } = await import('../../src/ui/i18n/value-text.js');
    const when = { ...col('date'), name: 'When' };
    expect(errorTextIn('en', refusal(() => parseInput(when, '2/30/2025', inputOptions('en'))))).toBe('“2/30/2025” is not a day on the calendar.');
    expect(errorTextIn('es', refusal(() => parseInput(when, '30/2/2025', inputOptions('es'))))).toBe('«30/2/2025» no es un día del calendario.');
    expect(errorTextIn('en', refusal(() => parseInput(when, 'soon', inputOptions('en'))))).toBe('“soon” is not a date: write it as 3/14/2026 or 2026-03-14.');
    expect(errorTextIn('es', refusal(() => parseInput(when, 'pronto', inputOptions('es'))))).toBe('«pronto» no es una fecha: escríbela como 14/3/2026 o 2026-03-14.');
    const flow = col('select', [
      { id: 's2', label: 'Delivery needed', color: '#bc4c00' },
      { id: 's3', label: 'Delivered', color: '#1a7f37' },
    ]);
    expect(errorTextIn('en', refusal(() => parseInput(flow, 'deliv')))).toBe('“deliv” could be Delivery needed, Delivered: type more of it.');
    // The UI's options read dates in its language's order.
    expect(parseInput(when, '14/3/2025', inputOptions('es'))).toBe('2025-03-14');
    expect(parseInput(when, '3/14/2025', inputOptions('en'))).toBe('2025-03-14');
  });
});
