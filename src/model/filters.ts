import type { CellValue, Column, ColumnType } from './types.js';
import { MULTI_SEPARATOR, formatValue, isIsoDate } from './values.js';

/**
 * Filter conditions of a personal view, one per column, all of which a row
 * must meet. Pure: the grid, the cards and exports all filter through here,
 * and the counts a checklist shows come from the model, not from the page.
 */

/** A checklist of a column's values: rows whose value is unticked are hidden. */
export interface ValuesCondition {
  colId: string;
  kind: 'values';
  /**
   * The unticked value keys (see valueKeys). Kept as what is hidden rather than
   * what is shown, so a value that turns up later (a new status, a new
   * claimer) shows until someone unticks it, as Sheets does.
   */
  hide: string[];
}

export type RuleOp = 'contains' | 'is' | 'isNot' | 'startsWith' | 'lt' | 'gt' | 'between' | 'empty' | 'filled';

/** A typed comparison. `value` and `to` are canonical: numbers as JS writes them, dates ISO. */
export interface RuleCondition {
  colId: string;
  kind: 'rule';
  op: RuleOp;
  value: string;
  /** upper end of `between`, inclusive */
  to: string;
}

export type Condition = ValuesCondition | RuleCondition;

export const RULE_OPS: readonly RuleOp[] = ['contains', 'is', 'isNot', 'startsWith', 'lt', 'gt', 'between', 'empty', 'filled'];

/** How a column's values compare: as text, as numbers, as calendar dates, or only by checklist. */
export type RuleFamily = 'text' | 'number' | 'date' | 'none';

export function ruleFamily(type: ColumnType): RuleFamily {
  switch (type) {
    case 'number':
    case 'counter':
      return 'number';
    case 'date':
    case 'datetime':
      return 'date';
    case 'checkbox':
      return 'none';
    default:
      return 'text';
  }
}

const OPS_BY_FAMILY: Record<RuleFamily, readonly RuleOp[]> = {
  text: ['contains', 'is', 'isNot', 'startsWith', 'empty', 'filled'],
  number: ['is', 'isNot', 'lt', 'gt', 'between', 'empty', 'filled'],
  date: ['is', 'isNot', 'lt', 'gt', 'between', 'empty', 'filled'],
  none: [],
};

/** The comparisons that make sense for a column's type (a checkbox has only its checklist). */
export function opsFor(column: Column): readonly RuleOp[] {
  return OPS_BY_FAMILY[ruleFamily(column.type)];
}

/** Whether an op needs a value typed for it (and `between` a second one). */
export function opArity(op: RuleOp): 0 | 1 | 2 {
  return op === 'empty' || op === 'filled' ? 0 : op === 'between' ? 2 : 1;
}

/** The key of an empty cell in a checklist. */
export const EMPTY_KEY = '';

const CLAIM_SEPARATOR = ', ';

/**
 * What a checklist lists for one cell: the option ids of a status or tags
 * cell (so renaming an option keeps the filter), each claimer's name, yes/no
 * of a checkbox, else the text the cell shows. An empty cell is EMPTY_KEY; an
 * unticked checkbox reads as "no", as it looks.
 */
export function valueKeys(column: Column, value: CellValue): string[] {
  if (column.type === 'checkbox') return [value === true ? 'true' : 'false'];
  if (value === null || value === '') return [EMPTY_KEY];
  if (column.type === 'multiselect' && typeof value === 'string') {
    const ids = value.split(MULTI_SEPARATOR).filter((id) => id !== '');
    return ids.length ? ids : [EMPTY_KEY];
  }
  if (column.type === 'claim' && typeof value === 'string') return value.split(CLAIM_SEPARATOR);
  if (column.type === 'select' || typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return [formatValue(column, value).trim()];
}

export interface ValueCount {
  key: string;
  count: number;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Every value the column holds in these rows, with how many rows hold it: a
 * status's options in their order (those no row holds left out), numbers and
 * dates ascending, text in natural order, empty last.
 */
export function valueCounts(rows: readonly string[], column: Column, get: (rowId: string) => CellValue): ValueCount[] {
  const counts = new Map<string, number>();
  for (const r of rows) {
    // A row counts once per value even if a tags cell lists it twice.
    for (const key of new Set(valueKeys(column, get(r)))) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const order = new Map(column.options.map((o, i) => [o.id, i]));
  const numeric = ruleFamily(column.type) === 'number';
  const rank = (key: string) => (key === EMPTY_KEY ? 2 : order.has(key) ? 0 : 1);
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => {
      const ra = rank(a.key);
      const rb = rank(b.key);
      if (ra !== rb) return ra - rb;
      if (ra === 0) return order.get(a.key)! - order.get(b.key)!;
      if (numeric && Number.isFinite(Number(a.key)) && Number.isFinite(Number(b.key))) return Number(a.key) - Number(b.key);
      return collator.compare(a.key, b.key) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    });
}

/** A rule's bound read for its column, or null when it cannot be compared (a stored value that no longer parses). */
function bound(family: RuleFamily, text: string): number | string | null {
  if (family === 'number') {
    const n = text.trim() === '' ? NaN : Number(text);
    return Number.isFinite(n) ? n : null;
  }
  if (family === 'date') return isIsoDate(text) ? text : null;
  return text;
}

/** A value as its family compares it: a date-time by its calendar day. */
function comparable(family: RuleFamily, value: CellValue): number | string | null {
  if (family === 'number') return typeof value === 'number' && Number.isFinite(value) ? value : null;
  if (family === 'date') {
    if (typeof value !== 'string') return null;
    const day = value.slice(0, 10);
    return isIsoDate(day) ? day : null;
  }
  return null;
}

/**
 * Whether a condition can apply to this column: its op fits the column's type
 * and its values parse. One that cannot (a column retyped since, a stored view
 * tampered with) is left out rather than hiding every row.
 */
export function conditionApplies(column: Column, c: Condition): boolean {
  if (c.kind === 'values') return true;
  const family = ruleFamily(column.type);
  if (!OPS_BY_FAMILY[family].includes(c.op)) return false;
  const arity = opArity(c.op);
  if (arity >= 1 && bound(family, c.value) === null) return false;
  if (arity === 2 && bound(family, c.to) === null) return false;
  if (family === 'text' && arity >= 1 && c.value.trim() === '') return false;
  return true;
}

/** A row test for one condition, with its bounds read once rather than per row. */
export function compileCondition(column: Column, c: Condition): (value: CellValue) => boolean {
  if (c.kind === 'values') {
    const hidden = new Set(c.hide);
    return (v) => valueKeys(column, v).some((k) => !hidden.has(k));
  }
  const family = ruleFamily(column.type);
  const isEmpty = (v: CellValue) => formatValue(column, v) === '';
  if (c.op === 'empty') return isEmpty;
  if (c.op === 'filled') return (v) => !isEmpty(v);
  if (family === 'text') {
    const needle = c.value.trim().toLowerCase();
    const text = (v: CellValue) => formatValue(column, v).toLowerCase();
    switch (c.op) {
      case 'contains':
        return (v) => text(v).includes(needle);
      case 'startsWith':
        return (v) => text(v).startsWith(needle);
      case 'isNot':
        return (v) => text(v).trim() !== needle;
      default:
        return (v) => text(v).trim() === needle;
    }
  }
  const lo = bound(family, c.value)!;
  const hi = c.op === 'between' ? bound(family, c.to)! : lo;
  const [from, to] = lo <= hi ? [lo, hi] : [hi, lo];
  const read = (v: CellValue) => comparable(family, v);
  switch (c.op) {
    case 'isNot':
      return (v) => read(v) !== lo;
    case 'lt':
      return (v) => {
        const x = read(v);
        return x !== null && x < lo;
      };
    case 'gt':
      return (v) => {
        const x = read(v);
        return x !== null && x > lo;
      };
    case 'between':
      return (v) => {
        const x = read(v);
        return x !== null && x >= from && x <= to;
      };
    default:
      return (v) => read(v) === lo;
  }
}

/** The conditions that apply to these columns, the last one kept if a column somehow has two. */
export function activeConditions(conditions: readonly Condition[], columns: readonly Column[]): { column: Column; condition: Condition }[] {
  const byId = new Map(columns.map((c) => [c.id, c]));
  const out = new Map<string, { column: Column; condition: Condition }>();
  for (const c of conditions) {
    const column = byId.get(c.colId);
    if (column && conditionApplies(column, c)) out.set(c.colId, { column, condition: c });
  }
  return [...out.values()];
}

/** How many of the values present a checklist leaves ticked: "2 of 5 values". */
export function checklistShown(counts: readonly ValueCount[], c: ValuesCondition): { shown: number; total: number } {
  const hidden = new Set(c.hide);
  return { shown: counts.filter((v) => !hidden.has(v.key)).length, total: counts.length };
}

function isStringList(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

/** Reads stored conditions defensively: anything malformed is dropped, never an error. */
export function parseConditions(raw: unknown): Condition[] {
  if (!Array.isArray(raw)) return [];
  const out: Condition[] = [];
  for (const c of raw as unknown[]) {
    if (!c || typeof c !== 'object') continue;
    const r = c as Record<string, unknown>;
    if (typeof r.colId !== 'string') continue;
    if (r.kind === 'values' && isStringList(r.hide)) out.push({ colId: r.colId, kind: 'values', hide: [...new Set(r.hide)] });
    else if (r.kind === 'rule' && RULE_OPS.includes(r.op as RuleOp) && typeof r.value === 'string') {
      out.push({ colId: r.colId, kind: 'rule', op: r.op as RuleOp, value: r.value, to: typeof r.to === 'string' ? r.to : '' });
    }
  }
  return out;
}

/** The condition list with this column's replaced (or removed, given null), others kept in order. */
export function withCondition(conditions: readonly Condition[], colId: string, next: Condition | null): Condition[] {
  const others = conditions.filter((c) => c.colId !== colId);
  return next ? [...others, next] : others;
}
