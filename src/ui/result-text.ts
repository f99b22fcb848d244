import type { Scalar } from '../model/formula/values.js';
import type { Column } from '../model/types.js';
import { t, type Locale } from './i18n/locale.js';
import type { MessageKey } from './i18n/messages.js';
import { displayValue, numberText } from './i18n/value-text.js';

// A formula's result in words: the same in the grid's cell, its formula bar and the phone.

/** Kept apart from values.ts's isError so this file does not pull the engine's values into the first bundle. */
export const isErrorResult = (v: unknown): v is { error: string } =>
  typeof v === 'object' && v !== null && typeof (v as { error?: unknown }).error === 'string';

/** A result as the grid's cell shows it: numbers in the reader's way, TRUE/FALSE, an error value by its code. */
export function resultText(locale: Locale, col: Column | null, result: Scalar | undefined): string {
  if (result === undefined) return t('formula.computing');
  if (result === null) return '';
  if (isErrorResult(result)) return result.error;
  if (typeof result === 'boolean') return result ? 'TRUE' : 'FALSE';
  if (typeof result === 'number') return col?.type === 'number' ? displayValue(locale, col, result) : numberText(locale, result);
  return result;
}

/** What an error result means, in words; '' for any other result. */
export function resultMeaning(result: Scalar | undefined): string {
  return isErrorResult(result) ? t(`formula.means.${result.error}` as MessageKey) : '';
}
