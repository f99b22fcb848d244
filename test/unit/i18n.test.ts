import { describe, expect, it } from 'vitest';
import { detectLocale, translate } from '../../src/ui/i18n/locale.js';
import { en, es } from '../../src/ui/i18n/messages.js';

describe('localisation', () => {
  it('follows the stored choice, else the browser, else English', () => {
    expect(detectLocale(['es-MX', 'en'], null)).toBe('es');
    expect(detectLocale(['fr-FR', 'es'], null)).toBe('es');
    expect(detectLocale(['fr-FR'], null)).toBe('en');
    expect(detectLocale(['es-ES'], 'en')).toBe('en');
    expect(detectLocale(['en'], 'xx')).toBe('en');
  });

  it('has a Spanish message for every English one, with the same placeholders, and fills them in', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(es[key], key).toBeTruthy();
      const names = (text: string) => Array.from(text.matchAll(/\{(\w+)\}/g), (m) => m[1]).sort();
      expect(names(es[key]), key).toEqual(names(en[key]));
    }
    expect(translate('es', 'home.removeLabel', { title: 'Despensa' })).toBe('Quitar Despensa de este dispositivo');
    expect(translate('en', 'home.storage', { used: '1.2', quota: '300' })).toBe('This device keeps 1.2 MB of workbooks (room for 300 MB).');
  });
});
