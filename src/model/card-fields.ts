import type { Column } from './types.js';

/** How many fields a phone card shows when nobody chose: more than this crowds a 390 px card. */
const DEFAULT_CARD_LIMIT = 6;

/**
 * The fields a phone card shows when the sheet has no setting: what a volunteer acts on
 * (statuses and choices, who holds it, counts), then the first two text fields to say what it is.
 * Kept in the sheet's column order, so the card reads like the row.
 */
export function defaultCardFields(columns: readonly Column[]): string[] {
  const chosen = new Set<string>();
  const texts = columns.filter((c) => c.type === 'text').slice(0, 2);
  for (const c of texts) chosen.add(c.id);
  for (const c of columns) {
    if (c.type === 'select' || c.type === 'claim' || c.type === 'counter') chosen.add(c.id);
  }
  return columns
    .filter((c) => chosen.has(c.id))
    .slice(0, DEFAULT_CARD_LIMIT)
    .map((c) => c.id);
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
