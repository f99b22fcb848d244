import type { ColumnSummary } from '../../model/aggregates.js';
import type { CellValue, Column } from '../../model/types.js';
import { unitText } from '../../model/entry.js';
import { formatValue, type InputOptions } from '../../model/values.js';
import { DECIMAL_MARK, translate, translatePlural, type Locale } from './locale.js';

/** A number as the reader writes it: their decimal mark, every digit kept, no grouping (so it reads back exactly). */
export function numberText(locale: Locale, n: number): string {
  const text = String(n);
  return DECIMAL_MARK[locale] === '.' ? text : text.replace('.', DECIMAL_MARK[locale]);
}

/**
 * A cell's value for reading (grid, lists, cards, history): numbers with the
 * reader's decimal mark and the column's unit, yes/no in their words. Dates
 * stay YYYY-MM-DD in every language: one unambiguous form to read and type.
 */
export function displayValue(locale: Locale, column: Column, value: CellValue): string {
  if (typeof value === 'boolean') return translate(locale, value ? 'value.yes' : 'value.no');
  if (typeof value === 'number') return column.unit ? `${numberText(locale, value)} ${unitText(column.unit, value, locale)}` : numberText(locale, value);
  return formatValue(column, value, { locale });
}

/** What an editor starts with: the value as the reader would type it (parseInput with `inputOptions` reads it back). */
export function editText(locale: Locale, column: Column, value: CellValue): string {
  if (typeof value === 'number') return numberText(locale, value);
  return formatValue(column, value);
}

/** Who wrote something, in the reader's words when the model does not know (a writer whose record never arrived). */
export function personText(locale: Locale, by: string | null | undefined): string {
  return by && by.trim() ? by : translate(locale, 'who.unknown');
}

/** A workbook's title as shown: the model's '' (untitled) in the reader's language. */
export function titleText(locale: Locale, title: string | null | undefined): string {
  return title && title.trim() ? title : translate(locale, 'title.untitled');
}

/** How the reader types: decimal mark, and (through the locale) date order — 3/14/2026 in English, 14/3/2026 in Spanish. */
export function inputOptions(locale: Locale): InputOptions {
  return { decimal: DECIMAL_MARK[locale], locale };
}

/** A figure under the grid: sums and counts with the locale's digits. */
export function summaryText(locale: Locale, summary: ColumnSummary): string {
  const num = (n: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(n);
  const f = summary.figures;
  const parts: string[] = [];
  switch (f.kind) {
    case 'numbers':
      parts.push(f.count ? translate(locale, 'grid.sumNumbers', { sum: num(f.sum), min: num(f.min), max: num(f.max) }) : translate(locale, 'grid.sumNoNumbers'));
      break;
    case 'choices':
      parts.push(f.counts.length ? f.counts.map((c) => `${c.label} ${num(c.n)}`).join(' · ') : translate(locale, 'grid.sumNoneChosen'));
      break;
    case 'checked':
      parts.push(translate(locale, 'grid.sumChecked', { checked: num(f.checked), rows: num(f.rows) }));
      break;
    case 'claims':
      parts.push(translate(locale, 'grid.sumClaims', { claimed: num(f.claimed), open: num(f.open) }));
      break;
    case 'filled':
      parts.push(translate(locale, 'grid.sumFilled', { filled: num(f.filled), empty: num(f.empty) }));
      break;
    case 'none':
      break;
  }
  if (summary.low) parts.push(translate(locale, 'grid.sumLow', { n: num(summary.low) }));
  if (summary.conflicts) parts.push(translatePlural(locale, 'grid.sumConflicts', summary.conflicts));
  if (summary.stale) parts.push(translate(locale, 'grid.sumStale', { n: num(summary.stale) }));
  return parts.join(' · ');
}

/** "just now", "5 min ago", … and a date past a day. */
export function relativeTime(locale: Locale, at: number, now = Date.now()): string {
  const s = Math.round((now - at) / 1000);
  if (s < 45) return translate(locale, 'grid.justNow');
  if (s < 3600) return translate(locale, 'grid.minutesAgo', { n: Math.round(s / 60) });
  if (s < 86_400) return translate(locale, 'grid.hoursAgo', { n: Math.round(s / 3600) });
  return new Date(at).toLocaleDateString(locale);
}

/** "Ana and Luis", "Ana, Luis and Marta" in the locale's words. */
export function listAnd(locale: Locale, names: string[]): string {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(names);
}

