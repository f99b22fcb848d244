import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { en, type MessageKey } from './messages.js';

export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', es: 'Español' };
/** How each language writes a decimal: what number cells show and accept. */
export const DECIMAL_MARK: Record<Locale, '.' | ','> = { en: '.', es: ',' };

const STORAGE_KEY = 'mutual-sheets:locale';
const CHANGE_EVENT = 'mutual-sheets-locale';
type Dictionary = Record<MessageKey, string>;
/** The languages other than English are chunks of their own: a page loads only the one it shows. */
const LOADERS: Record<Exclude<Locale, 'en'>, () => Promise<Dictionary>> = {
  es: () => import('./messages-es.js').then((m) => m.es),
};
/**
 * The dictionaries loaded so far: a cache of fixed data, filled once per language by loadLocale
 * (what is shown is still chosen by `<html lang>`). English is built in.
 */
const loaded = new Map<Locale, Dictionary>([['en', en]]);

/** Makes a language's words available (t, translate); English always is. Rejects if its chunk cannot be fetched. */
export async function loadLocale(locale: Locale): Promise<void> {
  if (loaded.has(locale) || locale === 'en') return;
  loaded.set(locale, await LOADERS[locale]());
}

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

/** Before the first render: the page's language, its words loaded (English if they cannot be). */
export async function initLocale(): Promise<void> {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  const locale = detectLocale(navigator.languages ?? [navigator.language], stored);
  try {
    await loadLocale(locale);
    document.documentElement.lang = locale;
  } catch {
    document.documentElement.lang = 'en';
  }
}

export async function setLocale(locale: Locale): Promise<void> {
  await loadLocale(locale);
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
  // A language whose chunk is not in yet reads in English rather than failing.
  const dictionary = loaded.get(locale) ?? en;
  return (dictionary[key] ?? en[key]).replace(/\{(\w+)\}/g, (all, name: string) => (name in params ? String(params[name]) : all));
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
