import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IoError } from '../../src/io/errors.js';
import { importSnapshot } from '../../src/io/snapshot-json.js';
import { ModelError, type ModelErrorCode } from '../../src/model/errors.js';
import { FormulaError, type FormulaErrorCode } from '../../src/model/formula/errors.js';
import { TEMPLATES, applyTemplate, templateWords } from '../../src/model/templates.js';
import { parseInput } from '../../src/model/values.js';
import { Workbook } from '../../src/model/workbook.js';
import { CLOSE_REASONS } from '../../src/protocol/messages.js';
import { SnapshotApiError } from '../../src/protocol/snapshots.js';
import { errorTextIn } from '../../src/ui/i18n/error-text.js';
import { detectLocale, messageKey, translate, translatePlural } from '../../src/ui/i18n/locale.js';
import { en, type MessageKey } from '../../src/ui/i18n/messages.js';
import { es } from '../../src/ui/i18n/messages-es.js';
import { closeReason } from '../../src/ui/i18n/status-text.js';
import { TEMPLATE_WORDS, localizeTemplate } from '../../src/ui/i18n/template-text.js';
import { displayValue, editText, inputOptions, listAnd, relativeTime } from '../../src/ui/i18n/value-text.js';
import { parseInput as parse } from '../../src/model/values.js';
import * as Y from 'yjs';

const keys = Object.keys(en) as MessageKey[];
const placeholders = (text: string) => Array.from(text.matchAll(/\{(\w+)\}/g), (m) => m[1]).sort();

function refusal(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal');
}

describe('localisation', () => {
  it('follows the stored choice, else the browser, else English', () => {
    expect(detectLocale(['es-MX', 'en'], null)).toBe('es');
    expect(detectLocale(['fr-FR', 'es'], null)).toBe('es');
    expect(detectLocale(['fr-FR'], null)).toBe('en');
    expect(detectLocale(['es-ES'], 'en')).toBe('en');
    expect(detectLocale(['en'], 'xx')).toBe('en');
  });

  it('has a Spanish message for every English one, with the same placeholders, and fills them in', () => {
    for (const key of keys) {
      expect(es[key], key).toBeTruthy();
      expect(placeholders(es[key]), key).toEqual(placeholders(en[key]));
    }
    expect(translate('es', 'home.removeLabel', { title: 'Despensa' })).toBe('Quitar Despensa de este dispositivo');
    expect(translate('en', 'home.storage', { used: '1.2', quota: '300' })).toBe('This device keeps 1.2 MB of workbooks (room for 300 MB).');
  });

  it('has both plural forms for every counted message, and picks them by count', () => {
    for (const key of keys) {
      if (key.endsWith('.one')) expect(keys, key).toContain(key.replace(/\.one$/, '.other'));
      if (key.endsWith('.other')) expect(keys, key).toContain(key.replace(/\.other$/, '.one'));
    }
    expect(translatePlural('en', 'import.imported', 1)).toBe('Imported 1 row.');
    expect(translatePlural('en', 'import.imported', 0)).toBe('Imported 0 rows.');
    expect(translatePlural('es', 'import.imported', 1)).toBe('Se importó 1 fila.');
    expect(translatePlural('es', 'import.imported', 25000)).toBe('Se importaron 25.000 filas.');
  });

  it('leaves no Spanish message identical to its English one, except words both languages share', () => {
    const shared = new Set<MessageKey>([
      'value.no',
      'grid.columnTitle',
      'grid.sumNumbers',
      'activity.cell',
      'activity.delta',
      'activity.whereGone',
      'close.1001',
    ].filter((k): k is MessageKey => messageKey(k) !== null));
    const same = keys.filter((k) => es[k] === en[k] && !shared.has(k) && /[a-z]{3}/i.test(en[k].replace(/\{\w+\}/g, '')));
    expect(same).toEqual([]);
  });

  it('says every model, file, hub and snapshot refusal in words, with what was typed', () => {
    const wb = new Workbook(new Y.Doc(), { actor: { name: 'Ana', deviceId: 'a' } });
    const sheet = wb.initialize({ title: 'T' });
    const qty = wb.addColumn(sheet, { name: 'Qty', type: 'number' });
    const col = wb.columns(sheet).find((c) => c.id === qty)!;

    const notANumber = refusal(() => parseInput(col, 'lots'));
    expect(errorTextIn('en', notANumber)).toBe('“lots” is not a number (Qty holds numbers).');
    expect(errorTextIn('es', notANumber)).toBe('«lots» no es un número (Qty contiene números).');
    const emptyName = refusal(() => wb.renameSheet(sheet, '   '));
    expect(errorTextIn('es', emptyName)).toBe('El nombre no puede estar vacío.');
    const lastSheet = refusal(() => wb.deleteSheet(sheet));
    expect(errorTextIn('es', lastSheet)).toBe('Un libro necesita al menos una hoja.');
    expect(errorTextIn('es', new IoError('FILE_TOO_LARGE', 'x', { mb: 100 }))).toBe('El archivo pasa de 100 MB.');
    expect(errorTextIn('es', new IoError('NOT_TEXT', 'x', { reason: 'binary' }))).toBe('Este archivo no es texto CSV (contiene datos binarios).');
    expect(errorTextIn('es', new SnapshotApiError('OFFLINE', 'x'))).toBe('No se puede llegar al hub: las instantáneas se guardan en el hub.');
    expect(errorTextIn('es', refusal(() => importSnapshot('{not json')))).toBe('Este archivo no es JSON.');
    // An error without a code keeps its own words rather than vanishing.
    expect(errorTextIn('es', new Error('disk on fire'))).toBe('disk on fire');
  });

  it('has words for every model error code and each of its variants, in both languages', () => {
    // The codes come from the type in src/model/errors.ts itself, so a new code without words fails here.
    const source = readFileSync(new URL('../../src/model/errors.ts', import.meta.url), 'utf8');
    const union = /export type ModelErrorCode =([^;]+);/.exec(source)?.[1] ?? '';
    const codes = Array.from(union.matchAll(/'([A-Z_]+)'/g), (m) => m[1] as ModelErrorCode);
    expect(codes.length).toBeGreaterThanOrEqual(24);
    expect(new Set(codes).size).toBe(codes.length);
    expect(union.replace(/\|\s*'[A-Z_]+'/g, '').trim()).toBe('');
    // every placeholder any error message uses, filled (input and reason choose variants)
    const names = new Set(keys.filter((k) => k.startsWith('err.')).flatMap((k) => placeholders(en[k])));
    const filled = Object.fromEntries([...names].filter((n) => n !== 'input').map((n) => [n, `<${n}>`]));
    for (const code of codes) {
      expect(messageKey(`err.${code}`), code).not.toBeNull();
      const variants = keys.filter((k) => k.startsWith(`err.${code}.`)).map((k) => k.slice(`err.${code}.`.length));
      for (const variant of [null, ...variants]) {
        const detail: Record<string, unknown> = { ...filled };
        if (variant === 'input') detail.input = 'lots';
        else if (variant) detail.reason = variant;
        const key = (variant ? `err.${code}.${variant}` : `err.${code}`) as MessageKey;
        for (const locale of ['en', 'es'] as const) {
          const text = errorTextIn(locale, new ModelError(code, 'x', detail));
          expect(text, `${locale} ${key}`).toBe(translate(locale, key, { ...filled, input: 'lots' }));
          expect(text, `${locale} ${key}`).not.toMatch(/\{\w+\}|^x$/);
        }
      }
    }
  });

  it('has words for every formula error code, in both languages, with what the entry names filled in', () => {
    const source = readFileSync(new URL('../../src/model/formula/errors.ts', import.meta.url), 'utf8');
    const union = /export type FormulaErrorCode =([^;]+);/.exec(source)?.[1] ?? '';
    const codes = Array.from(union.matchAll(/'([A-Z_]+)'/g), (m) => m[1] as FormulaErrorCode);
    expect(codes.length).toBeGreaterThanOrEqual(8);
    for (const code of codes) {
      for (const locale of ['en', 'es'] as const) {
        const text = errorTextIn(locale, new FormulaError(code, 'x', null, { sheet: 'Shifts', name: 'Needed' }));
        expect(text, `${locale} ${code}`).toBe(translate(locale, `err.${code}` as MessageKey, { sheet: 'Shifts', name: 'Needed' }));
        expect(text, `${locale} ${code}`).not.toMatch(/\{\w+\}|^x$/);
      }
    }
    expect(errorTextIn('es', new FormulaError('FORMULA_UNKNOWN_SHEET', 'x', null, { sheet: 'Turnos' }))).toBe('Ninguna hoja se llama «Turnos».');
  });

  it('names every close code the hub sends', () => {
    for (const code of Object.keys(CLOSE_REASONS).map(Number)) {
      expect(messageKey(`close.${code}`), String(code)).not.toBeNull();
      expect(closeReason('es', { code, reason: 'english' })).not.toBe('english');
    }
    expect(closeReason('es', { code: 4999, reason: 'hub words' })).toBe('hub words');
  });

  it('translates every word of every template and builds the same workbook in Spanish', () => {
    for (const template of TEMPLATES) {
      for (const word of templateWords(template)) {
        if (/^[A-E]$/.test(word)) continue;
        expect(TEMPLATE_WORDS.es[word], `${template.id}: ${word}`).toBeTruthy();
      }
    }
    const inventory = TEMPLATES.find((x) => x.id === 'inventory')!;
    const wb = new Workbook(new Y.Doc(), { actor: { name: 'Ana', deviceId: 'a' } });
    const sheet = applyTemplate(wb, localizeTemplate('es', inventory));
    expect(wb.title()).toBe('Inventario de suministros');
    expect(wb.sheets()[0].name).toBe('Inventario');
    const columns = wb.columns(sheet);
    expect(columns.map((c) => c.name)).toContain('Disponibles');
    expect(columns.find((c) => c.name === 'Categoría')!.options.map((o) => o.label)).toContain('Agua');
    // The reorder link survives translation: it is made by position, not by name.
    expect(columns.find((c) => c.name === 'Disponibles')!.minColumn).toBe(columns.find((c) => c.name === 'Reponer con')!.id);
    const blank = new Workbook(new Y.Doc(), { actor: { name: 'Ana', deviceId: 'a' } });
    applyTemplate(blank, localizeTemplate('es', TEMPLATES[0]));
    expect([blank.title(), blank.sheets()[0].name]).toEqual(['Libro sin título', 'Hoja 1']);
  });

  it('formats values, times and lists for the locale', () => {
    const done = { id: 'c', name: 'Done', type: 'checkbox' } as never;
    expect(displayValue('es', done, true)).toBe('sí');
    expect(displayValue('en', done, false)).toBe('no');
    const weight = { id: 'w', name: 'Weight', type: 'number', unit: 'kg', options: [] } as never;
    expect(displayValue('es', weight, 1234.5)).toBe('1234,5 kg');
    expect(displayValue('en', weight, 1234.5)).toBe('1234.5 kg');
    // What an editor starts with reads back to the same value in each language, shown form too.
    for (const locale of ['en', 'es'] as const) {
      for (const n of [0.1 + 0.2, -1234.5, 1e21, 42]) {
        expect(parse(weight, editText(locale, weight, n), inputOptions(locale))).toBe(n);
        expect(parse(weight, displayValue(locale, weight, n), inputOptions(locale))).toBe(n);
      }
    }
    const now = Date.UTC(2026, 10, 29, 12);
    expect(relativeTime('es', now - 10 * 60_000, now)).toBe('hace 10 min');
    expect(relativeTime('en', now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(listAnd('es', ['Ana', 'Luis'])).toBe('Ana y Luis');
    expect(listAnd('en', ['Ana', 'Luis', 'Marta'])).toBe('Ana, Luis, and Marta');
  });
});
