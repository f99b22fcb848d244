import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IoError, type IoErrorCode } from '../../src/io/errors.js';
import { errorTextIn } from '../../src/ui/i18n/error-text.js';
import { messageKey, translate } from '../../src/ui/i18n/locale.js';
import { en, type MessageKey } from '../../src/ui/i18n/messages.js';

const keys = Object.keys(en) as MessageKey[];
const placeholders = (text: string) => Array.from(text.matchAll(/\{(\w+)\}/g), (m) => m[1]);

/** The codes of the IoErrorCode union, read from src/io/errors.ts itself, so a new code without words fails here. */
function ioCodes(): IoErrorCode[] {
  const source = readFileSync(new URL('../../src/io/errors.ts', import.meta.url), 'utf8');
  // Doc comments between the members are not codes (and may hold a semicolon).
  const members = /export type IoErrorCode =([^;]+);/.exec(source.replace(/\/\*\*[\s\S]*?\*\//g, ''))?.[1] ?? '';
  const codes = Array.from(members.matchAll(/'([A-Z_]+)'/g), (m) => m[1] as IoErrorCode);
  expect(members.replace(/\|\s*'[A-Z_]+'/g, '').trim()).toBe('');
  return codes;
}

/** Every `new IoError('CODE', …, { …reason: 'x'… })` the readers and writers throw, as CODE and its reason (or null). */
function thrown(): { code: string; reason: string | null; detail: string[] }[] {
  const dir = new URL('../../src/io/', import.meta.url);
  const out: { code: string; reason: string | null; detail: string[] }[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(new URL(name, dir), 'utf8');
    // The call up to its semicolon; the detail is its last object literal (a message's `${…}` holds no `name:`).
    for (const m of source.matchAll(/new IoError\('([A-Z_]+)'([^;]*)\)/g)) {
      const last = /\{([^{}]*)\}[^{}]*$/.exec(m[2])?.[1] ?? '';
      const detail = Array.from(last.matchAll(/(\w+):/g), (d) => d[1]);
      out.push({ code: m[1], reason: /reason: '(\w+)'/.exec(last)?.[1] ?? null, detail });
    }
  }
  return out;
}

describe('words for every file refusal', () => {
  it('has English and Spanish words for every io error code and each variant, every placeholder filled', () => {
    const codes = ioCodes();
    expect(codes).toEqual(expect.arrayContaining(['PASSWORD_PROTECTED', 'NOT_A_SPREADSHEET', 'TOO_MANY_CELLS', 'TOO_SLOW', 'UNREADABLE_FILE']));
    const names = new Set(keys.filter((k) => k.startsWith('err.')).flatMap((k) => placeholders(en[k])));
    const filled = Object.fromEntries([...names].map((n) => [n, `<${n}>`]));
    for (const code of codes) {
      expect(messageKey(`err.${code}`), code).not.toBeNull();
      const variants = keys.filter((k) => k.startsWith(`err.${code}.`)).map((k) => k.slice(`err.${code}.`.length));
      for (const variant of [null, ...variants]) {
        const key = (variant ? `err.${code}.${variant}` : `err.${code}`) as MessageKey;
        for (const locale of ['en', 'es'] as const) {
          const text = errorTextIn(locale, new IoError(code, 'x', variant ? { ...filled, reason: variant } : filled));
          expect(text, `${locale} ${key}`).toBe(translate(locale, key, filled));
          expect(text, `${locale} ${key}`).not.toMatch(/\{\w+\}|^x$/);
        }
        // Spanish is not English left untranslated.
        expect(translate('es', key, filled), key).not.toBe(translate('en', key, filled));
      }
    }
  });

  it('every refusal the readers throw finds its own words, with the details its words need', () => {
    const sites = thrown();
    expect(sites.length).toBeGreaterThanOrEqual(20);
    const codes = new Set(ioCodes());
    for (const { code, reason, detail } of sites) {
      expect(codes.has(code as IoErrorCode), code).toBe(true);
      const key = (reason && messageKey(`err.${code}.${reason}`)) || messageKey(`err.${code}`);
      expect(key, `${code}.${reason}`).not.toBeNull();
      // A reason with no words of its own would fall back to the code's general words: say so here instead.
      if (reason) expect(messageKey(`err.${code}.${reason}`), `${code}.${reason}`).not.toBeNull();
      for (const p of placeholders(en[key!])) expect(detail, `${code}${reason ? `.${reason}` : ''} needs {${p}}`).toContain(p);
    }
  });

  it('says the unpacked-size refusal in megabytes, not as a cell count', () => {
    const err = new IoError('TOO_MANY_CELLS', 'x', { max: 3_000_000, mb: 512, reason: 'unpacked' });
    expect(errorTextIn('en', err)).toBe('This file unpacks to more than 512 MB, more than a phone can read. Split it into smaller files.');
    expect(errorTextIn('es', new IoError('TOO_SLOW', 'x'))).toBe('Leer este archivo tardaba demasiado y se detuvo. Guárdalo como CSV e importa ese, o divídelo.');
  });
});
