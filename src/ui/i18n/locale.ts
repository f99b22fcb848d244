import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { en, es, type MessageKey } from './messages.js';

export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', es: 'Español' };
/** How each language writes a decimal: what number cells show and accept. */
export const DECIMAL_MARK: Record<Locale, '.' | ','> = { en: '.', es: ',' };

const STORAGE_KEY = 'mutual-sheets:locale';
const CHANGE_EVENT = 'mutual-sheets-locale';
const DICTIONARIES: Record<Locale, Record<MessageKey, string>> = { en, es };

/** The chosen language, else the browser's first one we speak, else English. */
export function detectLocale(preferred: readonly string[], stored: string | null): Locale {
  if (stored && (LOCALES as readonly string[]).includes(stored)) return stored as Locale;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if ((LOCALES as readonly string[]).includes(base)) return base as Locale;
  }
  return 'en';
}

/**
 * The page's language, held by the document (`<html lang>`), so there is no
 * module-level state: read it, change it with setLocale, listen for the change.
 */
export function currentLocale(): Locale {
  const lang = typeof document !== 'undefined' ? document.documentElement.lang : 'en';
  return (LOCALES as readonly string[]).includes(lang) ? (lang as Locale) : 'en';
}

export function initLocale(): void {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  document.documentElement.lang = detectLocale(navigator.languages ?? [navigator.language], stored);
}

export function setLocale(locale: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // not remembered, but applied for this page
  }
  document.documentElement.lang = locale;
  window.dispatchEvent(new Event(CHANGE_EVENT));
}

/** A message in a locale, with `{name}` placeholders filled in. */
export function translate(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  return DICTIONARIES[locale][key].replace(/\{(\w+)\}/g, (all, name: string) => (name in params ? String(params[name]) : all));
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(currentLocale(), key, params);
}

type PluralBase<K> = K extends `${infer B}.other` ? B : never;
/** A message whose keys end `.one` / `.other`: `{n}` is the count, formatted for the locale. */
export type PluralKey = PluralBase<MessageKey>;

export function translatePlural(locale: Locale, base: PluralKey, n: number, params: Record<string, string | number> = {}): string {
  // English and Spanish both have only "one" and "other".
  const form = new Intl.PluralRules(locale).select(n) === 'one' ? 'one' : 'other';
  return translate(locale, `${base}.${form}` as MessageKey, { n: new Intl.NumberFormat(locale).format(n), ...params });
}

export function tn(base: PluralKey, n: number, params?: Record<string, string | number>): string {
  return translatePlural(currentLocale(), base, n, params);
}

/** For messages looked up by a code from elsewhere (an error, a close code): the key if it exists. */
export function messageKey(key: string): MessageKey | null {
  return key in en ? (key as MessageKey) : null;
}

export function formatDateTime(ms: number): string {
  return new Date(ms).toLocaleString(currentLocale(), { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatNumber(n: number, digits = 1): string {
  return new Intl.NumberFormat(currentLocale(), { maximumFractionDigits: digits }).format(n);
}

/** Re-renders its element when the language changes. */
export class LocaleController implements ReactiveController {
  private readonly onChange = () => this.host.requestUpdate();

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener(CHANGE_EVENT, this.onChange);
  }

  hostDisconnected(): void {
    window.removeEventListener(CHANGE_EVENT, this.onChange);
  }
}
