import { EMPTY_KEY, activeConditions, checklistShown, opArity, ruleFamily, valueCounts, withCondition, type Condition, type RuleOp, type ValueCount } from '../model/filters.js';
import type { Column } from '../model/types.js';
import { isIsoDate, readNumber } from '../model/values.js';
import type { Filter, ViewSpec } from '../model/view.js';
import type { Workbook } from '../model/workbook.js';
import type { ValueReader } from './result-values.js';
import { DECIMAL_MARK, currentLocale, translate, translatePlural, type Locale } from './i18n/locale.js';
import type { MessageKey } from './i18n/messages.js';
import { displayValue, numberText } from './i18n/value-text.js';

/** What a checklist entry reads as: the cell's text in the reader's words, "(empty)" for empty cells. */
export function valueLabel(locale: Locale, column: Column, key: string): string {
  if (key === EMPTY_KEY) return translate(locale, 'filter.empty');
  if (column.type === 'checkbox') return displayValue(locale, column, key === 'true');
  if (ruleFamily(column.type) === 'number' && Number.isFinite(Number(key))) return displayValue(locale, column, Number(key));
  return displayValue(locale, column, key);
}

export function opLabel(locale: Locale, column: Column, op: RuleOp): string {
  if (op === 'empty' || op === 'filled') return translate(locale, `filter.op.${op}`);
  return translate(locale, `filter.op.${ruleFamily(column.type)}.${op}` as MessageKey);
}

/** A stored bound as the reader writes it (their decimal mark). */
export function boundText(locale: Locale, column: Column, value: string): string {
  return ruleFamily(column.type) === 'number' && value !== '' && Number.isFinite(Number(value)) ? numberText(locale, Number(value)) : value;
}

/** What the reader typed as a rule's bound, in the stored form, or null with the reason's words. */
export function readBound(locale: Locale, column: Column, text: string): { value: string } | { error: MessageKey } {
  const family = ruleFamily(column.type);
  const typed = text.trim();
  if (family === 'number') {
    const n = readNumber(typed, DECIMAL_MARK[locale]);
    return n === null ? { error: 'filter.badNumber' } : { value: String(n) };
  }
  if (family === 'date') return isIsoDate(typed) ? { value: typed } : { error: 'filter.badDate' };
  return typed ? { value: typed } : { error: 'filter.badText' };
}

/** A condition in a few words, for its chip: "Status: 2 of 5 values", "Qty < 10". */
export function conditionText(locale: Locale, column: Column, c: Condition, counts: readonly ValueCount[]): string {
  if (c.kind === 'values') {
    const { shown, total } = checklistShown(counts, c);
    return translatePlural(locale, 'filter.chipValues', total, { name: column.name, n: new Intl.NumberFormat(locale).format(shown), total: new Intl.NumberFormat(locale).format(total) });
  }
  const op = opLabel(locale, column, c.op);
  const arity = opArity(c.op);
  if (arity === 0) return translate(locale, 'filter.chipBare', { name: column.name, op });
  if (arity === 2) {
    return translate(locale, 'filter.chipBetween', { name: column.name, op, from: boundText(locale, column, c.value), to: boundText(locale, column, c.to) });
  }
  const key = ruleFamily(column.type) === 'text' ? 'filter.chipText' : 'filter.chipRule';
  return translate(locale, key, { name: column.name, op, value: boundText(locale, column, c.value) });
}

/** An old text filter (views saved before conditions) read as the rule it is. */
function asCondition(f: Filter): Condition {
  return { colId: f.colId, kind: 'rule', op: f.op, value: f.value, to: '' };
}

export interface FilterChip {
  colId: string;
  text: string;
}

/**
 * Every filter a view applies, in words, one per column: the view's conditions
 * and any older text filters, skipping those whose column is gone. `value` reads
 * a cell as shown (formula results, result-values.ts); the doc's values without it.
 */
export function filterChips(workbook: Workbook, sheetId: string, spec: ViewSpec, locale: Locale = currentLocale(), value?: ValueReader): FilterChip[] {
  const read: ValueReader = value ?? ((r, c) => workbook.getValue(sheetId, r, c));
  const columns = workbook.columns(sheetId);
  const byId = new Map<string, Column>(columns.map((c) => [c.id, c]));
  const rows = workbook.rowIds(sheetId);
  const chips: FilterChip[] = [];
  const legacy = spec.filters.filter((f) => byId.has(f.colId));
  // An old filter compared the text a cell shows, whatever its column's type: it reads in text words.
  for (const f of legacy) chips.push({ colId: f.colId, text: conditionText(locale, { ...byId.get(f.colId)!, type: 'text' }, asCondition(f), []) });
  for (const { column, condition } of activeConditions(spec.conditions ?? [], columns)) {
    const counts = condition.kind === 'values' ? valueCounts(rows, column, (r) => read(r, column.id)) : [];
    chips.push({ colId: column.id, text: conditionText(locale, column, condition, counts) });
  }
  return chips;
}

/** The view without any filter on this column (its condition and any old text filter). */
export function withoutFilter(spec: ViewSpec, colId: string): ViewSpec {
  return { ...spec, filters: spec.filters.filter((f) => f.colId !== colId), conditions: withCondition(spec.conditions ?? [], colId, null) };
}

/** The view with no filter at all; its sort and hidden columns stay. */
export function withoutFilters(spec: ViewSpec): ViewSpec {
  return { ...spec, filters: [], conditions: [] };
}
