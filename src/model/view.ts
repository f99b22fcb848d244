import type { CellValue, Column } from './types.js';
import { formatValue } from './values.js';
import { activeConditions, compileCondition, parseConditions, type Condition } from './filters.js';

export type { Condition, RuleCondition, RuleOp, ValuesCondition } from './filters.js';

/**
 * A personal view of a sheet: sort, filters and hidden columns. Kept on the
 * device, never in the shared doc, so one coordinator's filter never changes
 * what a colleague sees (Google Sheets' shared filter does).
 */
export interface SortKey {
  colId: string;
  dir: 'asc' | 'desc';
}

/** The text filters views held before conditions (still read, still applied). */
export type FilterOp = 'contains' | 'is' | 'empty' | 'filled';

export interface Filter {
  colId: string;
  op: FilterOp;
  value: string;
}

export interface ViewSpec {
  sort: SortKey[];
  filters: Filter[];
  hidden: string[];
  /**
   * Checklists and typed rules, at most one per column, all met (filters.ts).
   * Optional so views built before it (and literals elsewhere) stay valid.
   */
  conditions?: Condition[];
}

export const EMPTY_VIEW: ViewSpec = { sort: [], filters: [], hidden: [], conditions: [] };

export function isEmptyView(v: ViewSpec): boolean {
  return v.sort.length === 0 && v.filters.length === 0 && v.hidden.length === 0 && !v.conditions?.length;
}

/** Whether the view leaves rows out (old text filters or conditions), so a cell edit can change which rows show. */
export function filtersRows(v: ViewSpec): boolean {
  return v.filters.length > 0 || (v.conditions?.length ?? 0) > 0;
}

/** Reads a stored view defensively: a corrupt entry becomes the empty view, never an error. */
export function parseView(raw: unknown): ViewSpec {
  if (!raw || typeof raw !== 'object') return { sort: [], filters: [], hidden: [], conditions: [] };
  const r = raw as Record<string, unknown>;
  const str = (x: unknown) => typeof x === 'string';
  const sort = Array.isArray(r.sort)
    ? r.sort.filter((s) => s && str(s.colId) && (s.dir === 'asc' || s.dir === 'desc')).map((s) => ({ colId: s.colId, dir: s.dir }))
    : [];
  const filters = Array.isArray(r.filters)
    ? r.filters
        .filter((f) => f && str(f.colId) && ['contains', 'is', 'empty', 'filled'].includes(f.op) && str(f.value))
        .map((f) => ({ colId: f.colId, op: f.op, value: f.value }))
    : [];
  const hidden = Array.isArray(r.hidden) ? r.hidden.filter(str) : [];
  return { sort, filters, hidden, conditions: parseConditions(r.conditions) };
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Orders two values of one column; empty cells always sort last, in either direction. */
export function compareValues(col: Column, a: CellValue, b: CellValue): number {
  const ea = a === null || a === '';
  const eb = b === null || b === '';
  if (ea || eb) return ea === eb ? 0 : ea ? 1 : -1;
  if (col.type === 'select') {
    const ia = col.options.findIndex((o) => o.id === a);
    const ib = col.options.findIndex((o) => o.id === b);
    if (ia !== ib) return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib);
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a !== typeof b) return typeof a < typeof b ? -1 : 1;
  return collator.compare(String(a), String(b));
}

export function matchesFilter(col: Column, value: CellValue, f: Filter): boolean {
  const text = formatValue(col, value);
  switch (f.op) {
    case 'empty':
      return text === '';
    case 'filled':
      return text !== '';
    case 'is':
      return text.toLowerCase() === f.value.trim().toLowerCase();
    case 'contains':
      return text.toLowerCase().includes(f.value.trim().toLowerCase());
  }
}

/**
 * The rows and columns a view shows, in order. `get` reads a cell's value;
 * ties keep the sheet's own order, so sorting is stable for everyone.
 */
export function applyView(
  rows: readonly string[],
  columns: readonly Column[],
  spec: ViewSpec,
  get: (rowId: string, colId: string) => CellValue,
): { rows: string[]; columns: Column[] } {
  const byId = new Map(columns.map((c) => [c.id, c]));
  const filters = spec.filters.filter((f) => byId.has(f.colId));
  const tests = activeConditions(spec.conditions ?? [], columns).map(({ column, condition }) => ({
    colId: column.id,
    test: compileCondition(column, condition),
  }));
  const sort = spec.sort.filter((s) => byId.has(s.colId));
  let out =
    filters.length || tests.length
      ? rows.filter(
          (r) => filters.every((f) => matchesFilter(byId.get(f.colId)!, get(r, f.colId), f)) && tests.every((c) => c.test(get(r, c.colId))),
        )
      : rows.slice();
  if (sort.length) {
    const index = new Map(rows.map((r, i) => [r, i]));
    const keys = sort.map((s) => ({ col: byId.get(s.colId)!, sign: s.dir === 'asc' ? 1 : -1 }));
    // Read every sort value once: a 100k-row sort must not decode cells n·log n times.
    const cache = new Map(out.map((r) => [r, keys.map((k) => get(r, k.col.id))]));
    out = out.sort((x, y) => {
      const vx = cache.get(x)!;
      const vy = cache.get(y)!;
      for (let i = 0; i < keys.length; i++) {
        const c = compareValues(keys[i].col, vx[i], vy[i]);
        const empty = vx[i] === null || vx[i] === '' || vy[i] === null || vy[i] === '';
        if (c !== 0) return empty ? c : c * keys[i].sign;
      }
      return index.get(x)! - index.get(y)!;
    });
  }
  const hidden = new Set(spec.hidden);
  return { rows: out, columns: columns.filter((c) => !hidden.has(c.id)) };
}
