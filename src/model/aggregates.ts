import { holders } from './claim.js';
import type { CellValue, Column } from './types.js';
import type { SheetChange, Workbook } from './workbook.js';

const DAY_MS = 86_400_000;
/** rows read per slice of a lazy build: about 5–15 ms on a laptop, under 60 ms on a phone */
const ROWS_PER_STEP = 2_000;

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
  /** the column being read, a slice at a time: its rows as they were when it started */
  private reading: { col: Column; rows: readonly string[]; next: number; facts: Map<string, RowFacts>; totals: Totals } | null = null;
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
    return this.unbuilt.length === 0 && this.reading === null;
  }

  rebuild(): void {
    this.columns = this.wb.columns(this.sheetId);
    this.facts = new Map();
    this.totals = new Map();
    this.unbuilt = this.columns.slice();
    this.reading = null;
    if (!this.lazy) while (this.buildNext());
  }

  /**
   * Reads one more slice (up to ROWS_PER_STEP rows of the column being read); returns whether any
   * remain. A 100k-row column is then many short tasks, not one long one that holds off a click.
   * A column's figures appear only once all its rows are read; changes to rows already read are
   * folded into the column being read, changes to unread columns and rows need no folding in.
   */
  buildNext(): boolean {
    if (!this.reading) {
      const col = this.unbuilt.shift();
      if (!col) return false;
      this.reading = { col, rows: this.wb.rowIds(this.sheetId), next: 0, facts: new Map(), totals: emptyTotals() };
    }
    const r = this.reading;
    const end = Math.min(r.rows.length, r.next + ROWS_PER_STEP);
    for (; r.next < end; r.next++) {
      const row = r.rows[r.next];
      const f = this.read(row, r.col);
      r.facts.set(row, f);
      account(r.totals, f, 1);
    }
    if (r.next < r.rows.length) return true;
    this.facts.set(r.col.id, r.facts);
    this.totals.set(r.col.id, r.totals);
    this.reading = null;
    return this.unbuilt.length > 0;
  }

  /** Folds in one model change for this sheet. */
  apply(change: SheetChange): void {
    if (change.structure && !this.followRows()) {
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
      if (!col) continue;
      this.reread(rowId, col);
      // A counter's minimum may live in another column of the same row.
      for (const c of this.columns) if (c.type === 'counter' && c.minColumn === colId) this.reread(rowId, c);
    }
  }

  /**
   * A structural change that left the columns as they were (rows added, deleted or moved): the
   * columns read so far keep their figures, minus the rows gone, plus the rows new, instead of
   * all being read again. Rebuilding on every such change could keep a big sheet's figures from
   * ever appearing while someone adds rows every few seconds. False: the columns changed, rebuild.
   */
  private followRows(): boolean {
    const columns = this.wb.columns(this.sheetId);
    if (columns.length !== this.columns.length || columns.some((c, i) => JSON.stringify(c) !== JSON.stringify(this.columns[i]))) return false;
    this.columns = columns;
    const rows = this.wb.rowIds(this.sheetId);
    const live = new Set(rows);
    for (const col of columns) {
      const facts = this.facts.get(col.id);
      const totals = this.totals.get(col.id);
      if (!facts || !totals) continue;
      for (const [row, f] of facts) {
        if (live.has(row)) continue;
        account(totals, f, -1);
        facts.delete(row);
      }
      for (const row of rows) {
        if (facts.has(row)) continue;
        const f = this.read(row, col);
        facts.set(row, f);
        account(totals, f, 1);
      }
    }
    const r = this.reading;
    if (r) {
      // The column being read keeps what it read of rows still there; the rows not read yet,
      // new ones included, are read in the slices to come.
      const read: string[] = [];
      for (const [row, f] of r.facts) {
        if (live.has(row)) {
          read.push(row);
        } else {
          account(r.totals, f, -1);
          r.facts.delete(row);
        }
      }
      r.rows = read.concat(rows.filter((row) => !r.facts.has(row)));
      r.next = read.length;
    }
    return true;
  }

  /** Re-reads cells whose shown value changed with no change to the doc (formula results). */
  refresh(cells: readonly { rowId: string; colId: string }[]): void {
    const byId = new Map(this.columns.map((c) => [c.id, c]));
    for (const { rowId, colId } of cells) {
      const col = byId.get(colId);
      if (col) this.reread(rowId, col);
    }
  }

  /** Re-reads one cell if its row was read already (in a finished column or the one being read). */
  private reread(rowId: string, col: Column): void {
    const reading = this.reading?.col.id === col.id ? this.reading : null;
    const m = reading ? reading.facts : this.facts.get(col.id);
    const t = reading ? reading.totals : this.totals.get(col.id);
    const before = m?.get(rowId);
    if (!m || !t || !before) return;
    account(t, before, -1);
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
