import { holders } from './claim.js';
import type { CellValue, Column } from './types.js';
import type { SheetChange, Workbook } from './workbook.js';

const DAY_MS = 86_400_000;

/** What a column's figures say, as numbers: the UI puts them in words. */
export type ColumnFigures =
  | { kind: 'numbers'; count: number; sum: number; min: number; max: number }
  | { kind: 'choices'; counts: { label: string; n: number }[] }
  | { kind: 'checked'; checked: number; rows: number }
  | { kind: 'claims'; claimed: number; open: number }
  | { kind: 'filled'; filled: number; empty: number }
  | { kind: 'none' };

export interface ColumnSummary {
  figures: ColumnFigures;
  /** counter rows under their minimum */
  low: number;
  /** claim cells held by more than one person, and cells with an open same-cell conflict (conflicts.ts) */
  conflicts: number;
  /** claims older than the column's expiry */
  stale: number;
}

interface RowFacts {
  value: CellValue;
  low: boolean;
  conflict: boolean;
  stale: boolean;
}

/**
 * Per-column footer figures for one sheet (sum/min/max, counts per option,
 * checked, claimed, low stock), kept up to date incrementally: a cell change
 * re-reads that one row and column, so a count ticking on a 10k-row sheet does
 * not rescan the sheet. Structural changes rebuild.
 */
export class SheetAggregates {
  private facts = new Map<string, Map<string, RowFacts>>();
  private totals = new Map<string, Totals>();
  private columns: Column[] = [];
  /** columns still to read, when built a column at a time (so opening a big sheet is not blocked) */
  private unbuilt: Column[] = [];
  /** open same-cell conflicts per column, from the journal (see setCellConflicts) */
  private cellConflicts: ReadonlyMap<string, number> = new Map();

  constructor(
    private readonly wb: Workbook,
    private readonly sheetId: string,
    private readonly now: () => number = Date.now,
    private readonly lazy = false,
    /** what a cell shows, when that is not what the doc holds (a formula's result, computed by the UI) */
    private readonly value: ((rowId: string, colId: string) => CellValue) | null = null,
  ) {
    this.rebuild();
  }

  /** True once every column has been read. */
  get ready(): boolean {
    return this.unbuilt.length === 0;
  }

  rebuild(): void {
    this.columns = this.wb.columns(this.sheetId);
    this.facts = new Map();
    this.totals = new Map();
    this.unbuilt = this.columns.slice();
    if (!this.lazy) while (this.buildNext());
  }

  /** Reads one more column; returns whether any remain. Changes to unread columns need no folding in. */
  buildNext(): boolean {
    const col = this.unbuilt.shift();
    if (!col) return false;
    const m = new Map<string, RowFacts>();
    const t = emptyTotals();
    for (const row of this.wb.rowIds(this.sheetId)) {
      const f = this.read(row, col);
      m.set(row, f);
      account(t, f, 1);
    }
    this.facts.set(col.id, m);
    this.totals.set(col.id, t);
    return this.unbuilt.length > 0;
  }

  /** Folds in one model change for this sheet. */
  apply(change: SheetChange): void {
    if (change.structure) {
      this.rebuild();
      return;
    }
    const byId = new Map(this.columns.map((c) => [c.id, c]));
    for (const key of change.cells) {
      const i = key.indexOf(':');
      const rowId = key.slice(0, i);
      // Counter ops and claims are stored under `col#…` / `col@…` keys.
      const colId = key.slice(i + 1).split(/[#@]/)[0];
      const col = byId.get(colId);
      const m = this.facts.get(colId);
      if (!col || !m || !m.has(rowId)) continue;
      this.reread(rowId, col);
      // A counter's minimum may live in another column of the same row.
      for (const c of this.columns) if (c.type === 'counter' && c.minColumn === colId && this.facts.has(c.id)) this.reread(rowId, c);
    }
  }

  /** Re-reads cells whose shown value changed with no change to the doc (formula results). */
  refresh(cells: readonly { rowId: string; colId: string }[]): void {
    const byId = new Map(this.columns.map((c) => [c.id, c]));
    for (const { rowId, colId } of cells) {
      const col = byId.get(colId);
      if (col && this.facts.get(colId)?.has(rowId)) this.reread(rowId, col);
    }
  }

  private reread(rowId: string, col: Column): void {
    const m = this.facts.get(col.id)!;
    const t = this.totals.get(col.id)!;
    account(t, m.get(rowId)!, -1);
    const f = this.read(rowId, col);
    m.set(rowId, f);
    account(t, f, 1);
  }

  private read(rowId: string, col: Column): RowFacts {
    const value = this.value ? this.value(rowId, col.id) : this.wb.getValue(this.sheetId, rowId, col.id);
    const facts: RowFacts = { value, low: false, conflict: false, stale: false };
    if (col.type === 'counter') {
      const min = col.min ?? (col.minColumn ? this.wb.getValue(this.sheetId, rowId, col.minColumn) : null);
      facts.low = typeof min === 'number' && typeof value === 'number' && value < min;
    }
    if (col.type === 'claim') {
      const held = holders(this.wb.claims(this.sheetId, rowId, col.id));
      facts.conflict = new Set(held.map((e) => e.name)).size > 1;
      facts.stale = col.expiresDays !== null && held.some((e) => this.now() - e.at > col.expiresDays! * DAY_MS);
    }
    return facts;
  }

  isLow(rowId: string, colId: string): boolean {
    return this.facts.get(colId)?.get(rowId)?.low ?? false;
  }

  isStale(rowId: string, colId: string): boolean {
    return this.facts.get(colId)?.get(rowId)?.stale ?? false;
  }

  /** Counter cells under their minimum, across the sheet. */
  lowCount(): number {
    let n = 0;
    for (const t of this.totals.values()) n += t.low;
    return n;
  }

  /**
   * Same-cell conflicts come from the history journal, not from the cells, and
   * the journal's index is built only once the grid has asked for it (after
   * first paint): the grid hands the per-column counts over (`conflictCounts`
   * of `Workbook.conflicts(sheetId)`) whenever they change.
   */
  setCellConflicts(counts: ReadonlyMap<string, number>): void {
    this.cellConflicts = counts;
  }

  summary(colId: string): ColumnSummary {
    const col = this.columns.find((c) => c.id === colId);
    const t = this.totals.get(colId);
    const out: ColumnSummary = { figures: { kind: 'none' }, low: 0, conflicts: 0, stale: 0 };
    if (!col || !t) return out;
    out.low = t.low;
    // Claims never have same-cell conflicts (two holders are their conflict), so nothing counts twice.
    out.conflicts = t.conflicts + (this.cellConflicts.get(colId) ?? 0);
    out.stale = t.stale;
    switch (col.type) {
      case 'number':
      case 'counter': {
        if (!t.numbers) {
          out.figures = { kind: 'numbers', count: 0, sum: 0, min: 0, max: 0 };
          break;
        }
        const [min, max] = this.extremes(colId);
        out.figures = { kind: 'numbers', count: t.numbers, sum: t.sum, min, max };
        break;
      }
      case 'select': {
        const counts = col.options.map((o) => ({ label: o.label, n: t.byValue.get(o.id) ?? 0 })).filter((c) => c.n > 0);
        out.figures = { kind: 'choices', counts };
        break;
      }
      case 'checkbox':
        out.figures = { kind: 'checked', checked: t.byValue.get(true) ?? 0, rows: t.rows };
        break;
      case 'claim':
        out.figures = { kind: 'claims', claimed: t.filled, open: t.rows - t.filled };
        break;
      default:
        out.figures = { kind: 'filled', filled: t.filled, empty: t.rows - t.filled };
    }
    return out;
  }

  /** min/max, recomputed only after a change removed the current one. */
  private extremes(colId: string): [number, number] {
    const t = this.totals.get(colId)!;
    if (t.min === null || t.max === null) {
      let min = Infinity;
      let max = -Infinity;
      for (const f of this.facts.get(colId)!.values()) {
        if (typeof f.value === 'number') {
          if (f.value < min) min = f.value;
          if (f.value > max) max = f.value;
        }
      }
      t.min = min;
      t.max = max;
    }
    return [t.min, t.max];
  }
}

interface Totals {
  rows: number;
  filled: number;
  numbers: number;
  sum: number;
  min: number | null;
  max: number | null;
  byValue: Map<CellValue, number>;
  low: number;
  conflicts: number;
  stale: number;
}

function emptyTotals(): Totals {
  return { rows: 0, filled: 0, numbers: 0, sum: 0, min: null, max: null, byValue: new Map(), low: 0, conflicts: 0, stale: 0 };
}

/** Adds (sign 1) or removes (sign −1) one row's facts from a column's running totals. */
function account(t: Totals, f: RowFacts, sign: 1 | -1): void {
  t.rows += sign;
  if (f.value !== null && f.value !== '') t.filled += sign;
  if (typeof f.value === 'number') {
    t.numbers += sign;
    t.sum += sign * f.value;
    if (sign > 0) {
      if (t.min !== null && f.value < t.min) t.min = f.value;
      if (t.max !== null && f.value > t.max) t.max = f.value;
    } else if (f.value === t.min || f.value === t.max) {
      t.min = null;
      t.max = null;
    }
  }
  if (f.value !== null) t.byValue.set(f.value, (t.byValue.get(f.value) ?? 0) + sign);
  if (f.low) t.low += sign;
  if (f.conflict) t.conflicts += sign;
  if (f.stale) t.stale += sign;
}

/** Open conflicts per column, from `Workbook.conflicts(sheetId)`. */
export function conflictCounts(conflicts: readonly { colId: string }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of conflicts) out.set(c.colId, (out.get(c.colId) ?? 0) + 1);
  return out;
}
