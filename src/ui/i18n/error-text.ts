import { ModelError } from '../../model/errors.js';
import { FormulaError } from '../../model/formula/errors.js';
import { IoError } from '../../io/errors.js';
import { BeforeRetentionError } from '../../protocol/retained.js';
import { SnapshotApiError } from '../../protocol/snapshots.js';
import { currentLocale, messageKey, translate, type Locale } from './locale.js';

/**
 * A refusal in the reader's language, chosen by its code (and `reason` or typed
 * `input` for the variants). An error without a code, or with one we have no
 * words for, keeps its own message: better English than nothing.
 */
export function errorTextIn(locale: Locale, err: unknown): string {
  const coded = codeOf(err, locale);
  if (coded) {
    const { code, detail } = coded;
    const params: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(detail)) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
    const key =
      (typeof detail.reason === 'string' ? messageKey(`err.${code}.${detail.reason}`) : null) ??
      (typeof detail.input === 'string' ? messageKey(`err.${code}.input`) : null) ??
      messageKey(`err.${code}`);
    if (key) return translate(locale, key, params);
  }
  return err instanceof Error ? err.message : String(err);
}

export function errorText(err: unknown): string {
  return errorTextIn(currentLocale(), err);
}

function codeOf(err: unknown, locale: Locale): { code: string; detail: Record<string, unknown> } | null {
  if (err instanceof ModelError || err instanceof IoError || err instanceof FormulaError) return { code: err.code, detail: err.detail };
  // The hub says from when it still keeps changes: that moment, in the reader's words, is the useful part.
  if (err instanceof BeforeRetentionError) {
    const earliest = new Date(err.earliest).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'medium' });
    return { code: err.code, detail: { reason: 'earliest', earliest } };
  }
  if (err instanceof SnapshotApiError) return { code: err.code, detail: {} };
  return null;
}
