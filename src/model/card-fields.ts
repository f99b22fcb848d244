import type { Column } from './types.js';

/** How many fields a phone card shows when nobody chose: more than this crowds a 390 px card. */
const DEFAULT_CARD_LIMIT = 6;

/** How many choice columns a default card shows: the status, and one more (a type of need, a category). */
const DEFAULT_CHOICES = 2;

/**
 * The fields a phone card shows when the sheet has no setting: what a volunteer acts on first —
 * the two longest choice lists (a status list is the longest a sheet has), who holds it, counts —
 * then the first two text fields, to say what it is; at most six, in the sheet's column order so
 * the card reads like the row.
 */
export function defaultCardFields(columns: readonly Column[]): string[] {
  const choices = columns
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.type === 'select')
    .sort((a, b) => b.c.options.length - a.c.options.length || a.i - b.i)
    .slice(0, DEFAULT_CHOICES)
    .map(({ c }) => c);
  const ranked = [
    ...choices,
    ...columns.filter((c) => c.type === 'claim' || c.type === 'counter'),
    ...columns.filter((c) => c.type === 'text').slice(0, 2),
  ];
  const chosen = new Set(ranked.slice(0, DEFAULT_CARD_LIMIT).map((c) => c.id));
  return columns.filter((c) => chosen.has(c.id)).map((c) => c.id);
}

/**
 * Reads a stored card-field setting. Anything other than a list of strings means "no setting"
 * (null: the default); ids of columns that are gone or deleted are dropped, and repeats kept once,
 * so a card never shows a hole or the same field twice.
 */
export function readCardFields(raw: unknown, columns: readonly Column[]): string[] | null {
  if (!Array.isArray(raw) || !raw.every((v) => typeof v === 'string')) return null;
  const live = new Set(columns.map((c) => c.id));
  return [...new Set(raw as string[])].filter((id) => live.has(id));
}
