import type { IdPoint } from './ast.js';
import { cellKey, referencesOf, type Code, type Evaluator } from './evaluate.js';
import type { LayoutIndex } from './layout.js';
import { parseStored } from './parse.js';
import { isError, isMatrix, type Scalar, type Value } from './values.js';

/** The engine's formula cells and what they read; pure helpers over a node and the layout. */

export interface CellAddress {
  sheetId: string;
  rowId: string;
  colId: string;
}

export interface RangeDep {
  sheet: string;
  start: IdPoint;
  end: IdPoint;
}

/**
 * A formula parsed and compiled once per sheet and text: a column formula's 10,000 rows share one,
 * and what it reads apart from its own row (fixed cells, ranges) is worked out once too.
 */
export interface Compiled {
  readonly key: string;
  readonly code: Code | null;
  readonly cells: readonly string[];
  readonly cellParts: readonly CellAddress[];
  /** same-row columns (`[Needed]`): a cell of each node's own row */
  readonly cols: readonly string[];
  readonly ranges: readonly RangeDep[];
  readonly sheetsRead: readonly string[];
  readonly volatile: boolean;
  uses: number;
}

export interface FNode {
  readonly key: string;
  readonly sheet: string;
  readonly row: string;
  readonly col: string;
  readonly stored: string;
  readonly compiled: Compiled;
  readonly addr: CellAddress;
  /** the single cells it reads, by key and by parts */
  readonly cells: string[];
  readonly cellParts: CellAddress[];
  readonly ranges: readonly RangeDep[];
  readonly sheetsRead: readonly string[];
  value: Value;
  /** which of its references resolve now, one flag each: any flip re-runs it (an IF may read only some) */
  refsOk: string;
  /** cells this node's array result covers now (not the anchor itself), and their values */
  spill: Map<string, Scalar> | null;
  /** the size its last array result asked for, kept when it could not spill (so a cleared blocker re-runs it) */
  wants: { rows: number; cols: number } | null;
  /** bookkeeping of the pass that last reached it (graph.ts: Pass) */
  pass: number;
  /** still the formula at its cell (a removed node may linger in a pass's list) */
  live: boolean;
  indeg: number;
  done: boolean;
  /** successors and predecessors, kept while the graph is at `succAt` / `predAt` (the engine's graphVersion) */
  succ: FNode[];
  succAt: number;
  pred: FNode[];
  predAt: number;
  mark: number;
  onPath: boolean;
  /** listed in the engine's changed nodes since the last report */
  reported: boolean;
}

export const colKey = (sheet: string, col: string): string => `${sheet} ${col}`;

export const shownValue = (v: Value): Scalar => (isMatrix(v) ? (v[0]?.[0] ?? null) : v);

export function sameScalar(a: Scalar | undefined, b: Scalar | undefined): boolean {
  if (isError(a) || isError(b)) return isError(a) && isError(b) && a.error === b.error;
  return a === b;
}

/** Compiled formulas by sheet and text, kept while some node uses them. */
export class CompiledFormulas {
  private readonly byKey = new Map<string, Compiled>();

  constructor(private readonly evaluator: Evaluator) {}

  take(sheet: string, stored: string): Compiled {
    const key = `${sheet}\n${stored}`;
    let c = this.byKey.get(key);
    if (!c) {
      let tree = null;
      try {
        tree = parseStored(stored);
      } catch {
        tree = null;
      }
      const found = tree ? referencesOf(tree) : { refs: [], cols: [], calls: [], volatile: false };
      const cells = new Set<string>();
      const ranges: RangeDep[] = [];
      const sheetsRead: string[] = [];
      for (const r of found.refs) {
        const s = r.sheet ?? sheet;
        if (!sheetsRead.includes(s)) sheetsRead.push(s);
        if (r.end) ranges.push({ sheet: s, start: r.start, end: r.end });
        else cells.add(cellKey(s, r.start.row ?? '', r.start.col));
      }
      if (found.cols.length && !sheetsRead.includes(sheet)) sheetsRead.push(sheet);
      c = { key, code: tree ? this.evaluator.compile(tree, sheet) : null, cells: [...cells], cellParts: [...cells].map(partsOf), cols: [...new Set(found.cols)], ranges, sheetsRead, volatile: found.volatile, uses: 0 };
      this.byKey.set(key, c);
    }
    c.uses++;
    return c;
  }

  release(c: Compiled): void {
    if (--c.uses === 0) this.byKey.delete(c.key);
  }
}

function partsOf(key: string): CellAddress {
  const [sheetId, rowId, colId] = key.split(' ');
  return { sheetId, rowId, colId };
}

export function newNode(sheet: string, row: string, col: string, stored: string, compiled: Compiled): FNode {
  const own = compiled.cols.length ? [...new Set([...compiled.cells, ...compiled.cols.map((c) => cellKey(sheet, row, c))])] : null;
  const cells = own ?? (compiled.cells as string[]);
  return {
    key: cellKey(sheet, row, col),
    sheet,
    row,
    col,
    stored,
    compiled,
    addr: { sheetId: sheet, rowId: row, colId: col },
    cells,
    cellParts: own ? own.map(partsOf) : (compiled.cellParts as CellAddress[]),
    ranges: compiled.ranges,
    sheetsRead: compiled.sheetsRead,
    value: null,
    refsOk: '',
    spill: null,
    wants: null,
    pass: 0,
    live: true,
    indeg: 0,
    done: false,
    succ: [],
    succAt: -1,
    pred: [],
    predAt: -1,
    mark: 0,
    onPath: false,
    reported: false,
  };
}

export function refsValid(L: LayoutIndex, n: FNode): string {
  const point = (s: string, p: IdPoint) => L.colIndex(s, p.col) !== undefined && (p.row === null || L.rowIndex(s, p.row) !== undefined);
  let sig = '';
  for (const c of n.cellParts) sig += L.colIndex(c.sheetId, c.colId) === undefined || L.rowIndex(c.sheetId, c.rowId) === undefined ? '0' : '1';
  for (const r of n.ranges) sig += point(r.sheet, r.start) && point(r.sheet, r.end) ? '1' : '0';
  return sig;
}

export function rangeContains(L: LayoutIndex, r: RangeDep, rowId: string, colId: string): boolean {
  const ci = L.colIndex(r.sheet, colId);
  const c1 = L.colIndex(r.sheet, r.start.col);
  const c2 = L.colIndex(r.sheet, r.end.col);
  if (ci === undefined || c1 === undefined || c2 === undefined) return false;
  if (ci < Math.min(c1, c2) || ci > Math.max(c1, c2)) return false;
  if (r.start.row === null || r.end.row === null) return L.rowIndex(r.sheet, rowId) !== undefined;
  const ri = L.rowIndex(r.sheet, rowId);
  const r1 = L.rowIndex(r.sheet, r.start.row);
  const r2 = L.rowIndex(r.sheet, r.end.row);
  if (ri === undefined || r1 === undefined || r2 === undefined) return false;
  return ri >= Math.min(r1, r2) && ri <= Math.max(r1, r2);
}

/** Would this node's last array result cover the cell (blocked or not)? */
export function wantsCell(L: LayoutIndex, node: FNode, rowId: string, colId: string): boolean {
  if (!node.wants) return false;
  const ri = L.rowIndex(node.sheet, node.row);
  const ci = L.colIndex(node.sheet, node.col);
  const r = L.rowIndex(node.sheet, rowId);
  const c = L.colIndex(node.sheet, colId);
  if (ri === undefined || ci === undefined || r === undefined || c === undefined) return false;
  return r >= ri && r < ri + node.wants.rows && c >= ci && c < ci + node.wants.cols;
}
