import type { IdPoint, Node } from './ast.js';
import { Evaluator, referencesOf, type Resolver } from './evaluate.js';
import { addDep, addTo, cyclic, forEachDep, hasDep, removeDep, removeFrom, type Deps } from './graph.js';
import { functionTable } from './functions.js';
import { LayoutIndex, type Layout } from './layout.js';
import { parseStored } from './parse.js';
import { printDisplay, toStored, type FormulaPlace } from './refs.js';
import type { SyntaxOptions } from './parse.js';
import { ERRORS, isError, isMatrix, type FormulaClock, type Matrix, type Scalar, type Value } from './values.js';

/**
 * What the engine reads: the workbook's shape (Layout) and a cell reader. The reader returns a
 * plain cell's value as formulas see it (formulaInput in reader.ts does the conversion from a
 * Workbook value); the engine never touches a Y.Doc, so it runs the same in Node, a worker or a page.
 */
export interface FormulaInput extends Layout {
  value(sheetId: string, rowId: string, colId: string): Scalar;
}

export interface CellAddress {
  sheetId: string;
  rowId: string;
  colId: string;
}

interface RangeDep {
  sheet: string;
  start: IdPoint;
  end: IdPoint;
}

interface FNode {
  readonly key: string;
  readonly sheet: string;
  readonly row: string;
  readonly col: string;
  readonly stored: string;
  readonly tree: Node | null;
  readonly addr: CellAddress;
  /** the single cells it reads, by key and by parts */
  readonly cells: string[];
  readonly cellParts: CellAddress[];
  readonly ranges: RangeDep[];
  readonly sheetsRead: string[];
  readonly volatile: boolean;
  value: Value;
  /** which of its references resolve now, one flag each: any flip re-runs it (an IF may read only some) */
  refsOk: string;
  /** cells this node's array result covers now (not the anchor itself), and their values */
  spill: Map<string, Scalar> | null;
  /** the size its last array result asked for, kept when it could not spill (so a cleared blocker re-runs it) */
  wants: { rows: number; cols: number } | null;
  /** bookkeeping of the pass that last reached it (one pass at a time; no maps per pass) */
  pass: number;
  /** still the formula at its cell (a removed node may linger in a pass's list) */
  live: boolean;
  indeg: number;
  done: boolean;
  succ: FNode[];
}

/** Spill changes settle within this many passes per recalc; more is left for the next one. */
const MAX_PASSES = 8;

const keyOf = (sheet: string, row: string, col: string) => `${sheet} ${row} ${col}`;
const colKey = (sheet: string, col: string) => `${sheet} ${col}`;

const shownValue = (v: Value): Scalar => (isMatrix(v) ? (v[0]?.[0] ?? null) : v);

function sameScalar(a: Scalar | undefined, b: Scalar | undefined): boolean {
  if (isError(a) || isError(b)) return isError(a) && isError(b) && a.error === b.error;
  return a === b;
}

/**
 * Cell and column formulas over a workbook, recomputed incrementally. References are by row and
 * column id, so an insert or a move changes no result except through ranges (whose extent is
 * positional between their two end rows); a delete turns references to the row into #REF!.
 * Cycles, including ones two people create at once, are found by graph structure alone and read
 * #CYCLE! on every device whatever order the edits arrived in.
 */
export class FormulaEngine {
  readonly layout: LayoutIndex;
  private readonly evaluator: Evaluator;
  private readonly nodes = new Map<string, FNode>();
  private readonly cellFormulas = new Map<string, string>();
  private readonly columnFormulas = new Map<string, { sheet: string; col: string; stored: string }>();
  /** who reads each cell: most cells are read by one formula, so one node, and a set only when several */
  private readonly cellDependents = new Map<string, Deps<FNode>>();
  /** nodes with a one-column range, by sheet and column id; and with a wider one, by sheet */
  private readonly columnRangeNodes = new Map<string, Set<FNode>>();
  private readonly wideRangeNodes = new Map<string, Set<FNode>>();
  private readonly readers = new Map<string, Set<FNode>>();
  private readonly anchors = new Map<string, Set<FNode>>();
  private readonly spillOwner = new Map<string, FNode>();
  private readonly volatile = new Set<FNode>();
  private dirty = new Set<FNode>();
  private passes = 0;
  private readonly changed = new Map<string, CellAddress>();

  constructor(
    private readonly input: FormulaInput,
    clock: FormulaClock,
  ) {
    this.layout = new LayoutIndex(input);
    this.evaluator = new Evaluator(functionTable(), { clock });
  }

  // ── what the UI tells it ───────────────────────────────────────────────

  /** A cell's formula (stored text) was set, or removed with null. */
  setCellFormula(sheetId: string, rowId: string, colId: string, stored: string | null): void {
    const key = keyOf(sheetId, rowId, colId);
    if (stored === null) this.cellFormulas.delete(key);
    else this.cellFormulas.set(key, stored);
    if (this.columnFormulas.has(colKey(sheetId, colId))) return;
    this.place(sheetId, rowId, colId, stored);
  }

  /** A column's formula, computed for every visible row; null makes it a plain column again. */
  setColumnFormula(sheetId: string, colId: string, stored: string | null): void {
    const ck = colKey(sheetId, colId);
    if (stored === null) {
      if (!this.columnFormulas.has(ck)) return;
      this.columnFormulas.delete(ck);
      for (const node of [...this.nodes.values()]) {
        if (node.sheet === sheetId && node.col === colId) this.place(sheetId, node.row, colId, this.cellFormulas.get(node.key) ?? null);
      }
      return;
    }
    // the same formula again (told on every structure change): only rows added or gone
    if (this.columnFormulas.get(ck)?.stored !== stored) {
      this.columnFormulas.set(ck, { sheet: sheetId, col: colId, stored });
      for (const node of [...this.nodes.values()]) if (node.sheet === sheetId && node.col === colId) this.remove(node);
    }
    this.syncColumn(sheetId, colId);
  }

  /** A plain cell's value changed (typed, synced, a counter tapped). */
  inputChanged(sheetId: string, rowId: string, colId: string): void {
    for (const n of this.dependentsOfCell(sheetId, rowId, colId)) this.dirty.add(n);
    // a value typed into (or cleared from) the way of an array result blocks (or frees) it
    this.dirtyAnchorsOver(sheetId, rowId, colId);
  }

  /** Rows or columns of a sheet were inserted, moved, sorted, deleted or restored; no id: the sheet list changed. */
  structureChanged(sheetId?: string): void {
    if (sheetId === undefined) {
      this.layout.invalidateSheets();
      this.layout.invalidate();
      for (const s of this.input.sheets()) this.sheetChanged(s.id);
      for (const s of [...this.readers.keys()]) this.sheetChanged(s);
      return;
    }
    this.layout.invalidate(sheetId);
    this.sheetChanged(sheetId);
  }

  /** The clock moved (a minute passed, the day turned): TODAY and NOW recompute. */
  tick(): void {
    for (const n of this.volatile) this.dirty.add(n);
  }

  /** Recomputes what changed; returns the cells whose shown result changed. */
  recalc(): CellAddress[] {
    for (let pass = 0; pass < MAX_PASSES && this.dirty.size; pass++) this.pass();
    const out = [...this.changed.values()];
    this.changed.clear();
    return out;
  }

  // ── what the UI reads ──────────────────────────────────────────────────

  /** The result shown in a cell: a formula's (the first value of an array), a spilled value, or undefined for a plain cell. */
  result(sheetId: string, rowId: string, colId: string): Scalar | undefined {
    const key = keyOf(sheetId, rowId, colId);
    const node = this.nodes.get(key);
    if (node) return isMatrix(node.value) ? (node.value[0]?.[0] ?? null) : node.value;
    const owner = this.spillOwner.get(key);
    return owner?.spill?.get(key);
  }

  /** A formula's whole result (an array result in full), for the anchor cell. */
  fullResult(sheetId: string, rowId: string, colId: string): Value | undefined {
    return this.nodes.get(keyOf(sheetId, rowId, colId))?.value;
  }

  /** The stored formula in force at a cell (the column's, when it has one), or null. */
  formula(sheetId: string, rowId: string, colId: string): string | null {
    return this.columnFormulas.get(colKey(sheetId, colId))?.stored ?? this.cellFormulas.get(keyOf(sheetId, rowId, colId)) ?? null;
  }

  columnFormula(sheetId: string, colId: string): string | null {
    return this.columnFormulas.get(colKey(sheetId, colId))?.stored ?? null;
  }

  /** What a person typed → stored text, with the current order (throws FormulaError). */
  enter(typed: string, place: FormulaPlace, options: SyntaxOptions = {}): string {
    return toStored(typed, place, this.layout, options);
  }

  /** Stored text → A1 for the current order; text that cannot be read is shown as it is. */
  display(stored: string, place: FormulaPlace, options: SyntaxOptions = {}): string {
    try {
      return printDisplay(parseStored(stored), place, this.layout, options);
    } catch {
      return stored;
    }
  }

  /** How many formula cells are live (cell formulas plus one per row of each column formula). */
  size(): number {
    return this.nodes.size;
  }

  // ── the graph ──────────────────────────────────────────────────────────

  private place(sheet: string, row: string, col: string, stored: string | null): void {
    const key = keyOf(sheet, row, col);
    const old = this.nodes.get(key);
    if (old) {
      if (old.stored === stored) return;
      this.remove(old);
    }
    if (stored !== null) this.add(sheet, row, col, stored);
  }

  private add(sheet: string, row: string, col: string, stored: string): FNode {
    let tree: Node | null = null;
    try {
      tree = parseStored(stored);
    } catch {
      tree = null;
    }
    const found = tree ? referencesOf(tree) : { refs: [], cols: [], volatile: false };
    const cells = new Set<string>();
    const ranges: RangeDep[] = [];
    const sheetsRead: string[] = [];
    for (const r of found.refs) {
      const s = r.sheet ?? sheet;
      if (!sheetsRead.includes(s)) sheetsRead.push(s);
      if (r.end) ranges.push({ sheet: s, start: r.start, end: r.end });
      else cells.add(keyOf(s, r.start.row ?? '', r.start.col));
    }
    if (found.cols.length && !sheetsRead.includes(sheet)) sheetsRead.push(sheet);
    for (const c of found.cols) cells.add(keyOf(sheet, row, c));
    const node: FNode = {
      key: keyOf(sheet, row, col),
      sheet,
      row,
      col,
      stored,
      tree,
      addr: { sheetId: sheet, rowId: row, colId: col },
      cells: [...cells],
      cellParts: [...cells].map((k) => {
        const [sheetId, rowId, colId] = k.split(' ');
        return { sheetId, rowId, colId };
      }),
      ranges,
      sheetsRead,
      volatile: found.volatile,
      value: null,
      refsOk: '',
      spill: null,
      wants: null,
      pass: 0,
      live: true,
      indeg: 0,
      done: false,
      succ: [],
    };
    node.refsOk = this.refsValid(node);
    this.nodes.set(node.key, node);
    for (const k of node.cells) addDep(this.cellDependents, k, node);
    for (const r of ranges) {
      if (r.start.col === r.end.col) addTo(this.columnRangeNodes, colKey(r.sheet, r.start.col), node);
      else addTo(this.wideRangeNodes, r.sheet, node);
    }
    for (const s of sheetsRead) addTo(this.readers, s, node);
    if (node.volatile) this.volatile.add(node);
    this.dirty.add(node);
    // whoever read this cell as a plain value now reads the formula; an array spilling here is blocked
    for (const n of this.dependentsOfCell(sheet, row, col)) this.dirty.add(n);
    this.dirtyAnchorsOver(sheet, row, col);
    return node;
  }

  private remove(node: FNode): void {
    node.live = false;
    this.nodes.delete(node.key);
    for (const k of node.cells) removeDep(this.cellDependents, k, node);
    for (const r of node.ranges) {
      if (r.start.col === r.end.col) removeFrom(this.columnRangeNodes, colKey(r.sheet, r.start.col), node);
      else removeFrom(this.wideRangeNodes, r.sheet, node);
    }
    for (const s of node.sheetsRead) removeFrom(this.readers, s, node);
    removeFrom(this.anchors, node.sheet, node);
    this.volatile.delete(node);
    this.dirty.delete(node);
    this.releaseSpill(node, true);
    for (const n of this.dependentsOfCell(node.sheet, node.row, node.col)) this.dirty.add(n);
    this.dirtyAnchorsOver(node.sheet, node.row, node.col);
    this.changed.set(node.key, node.addr);
  }

  /** Array results that cover, or would cover, this cell: something there now blocks or frees them. */
  private dirtyAnchorsOver(sheet: string, row: string, col: string): void {
    for (const a of this.anchors.get(sheet) ?? []) if (this.wantsCell(a, row, col)) this.dirty.add(a);
  }

  private syncColumn(sheet: string, col: string): void {
    const visible = this.layout.colIndex(sheet, col) !== undefined;
    const stored = this.columnFormulas.get(colKey(sheet, col))?.stored;
    const rows = new Set(visible ? this.layout.rows(sheet) : []);
    for (const node of [...this.nodes.values()]) {
      if (node.sheet === sheet && node.col === col && (!rows.has(node.row) || node.stored !== stored)) this.remove(node);
    }
    if (stored === undefined) return;
    for (const row of rows) if (!this.nodes.has(keyOf(sheet, row, col))) this.add(sheet, row, col, stored);
  }

  private sheetChanged(sheet: string): void {
    for (const { sheet: s, col } of this.columnFormulas.values()) if (s === sheet) this.syncColumn(s, col);
    for (const n of this.readers.get(sheet) ?? []) {
      const ok = this.refsValid(n);
      if (ok !== n.refsOk || n.ranges.some((r) => r.sheet === sheet)) this.dirty.add(n);
      n.refsOk = ok;
    }
    for (const a of this.anchors.get(sheet) ?? []) this.dirty.add(a);
  }

  private refsValid(n: FNode): string {
    const L = this.layout;
    const point = (s: string, p: IdPoint) => L.colIndex(s, p.col) !== undefined && (p.row === null || L.rowIndex(s, p.row) !== undefined);
    let sig = '';
    for (const c of n.cellParts) sig += L.colIndex(c.sheetId, c.colId) === undefined || L.rowIndex(c.sheetId, c.rowId) === undefined ? '0' : '1';
    for (const r of n.ranges) sig += point(r.sheet, r.start) && point(r.sheet, r.end) ? '1' : '0';
    return sig;
  }

  private rangeContains(r: RangeDep, rowId: string, colId: string): boolean {
    const L = this.layout;
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

  /** Formulas that read this cell: by a reference to it, or through a range it lies in now. */
  private dependentsOfCell(sheet: string, row: string, col: string, into: Set<FNode> = new Set()): Set<FNode> {
    this.collectDependents(keyOf(sheet, row, col), sheet, row, col, (n) => into.add(n));
    return into;
  }

  private collectDependents(key: string, sheet: string, row: string, col: string, visit: (n: FNode) => void): void {
    const direct = this.cellDependents.get(key);
    if (direct) forEachDep(direct, visit);
    if (this.columnRangeNodes.size === 0 && this.wideRangeNodes.size === 0) return;
    for (const group of [this.columnRangeNodes.get(colKey(sheet, col)), this.wideRangeNodes.get(sheet)]) {
      if (!group) continue;
      for (const n of group) {
        if (direct && hasDep(direct, n)) continue;
        if (n.ranges.some((r) => r.sheet === sheet && this.rangeContains(r, row, col))) visit(n);
      }
    }
  }

  /** Successors of a node in the pass: what reads its cell, or a cell its array covers. Each listed once. */
  private successors(node: FNode, out: FNode[]): void {
    if (!node.spill && !(this.columnRangeNodes.size || this.wideRangeNodes.size)) {
      const direct = this.cellDependents.get(node.key);
      if (direct instanceof Set) for (const n of direct) out.push(n);
      else if (direct) out.push(direct);
      return;
    }
    const seen = new Set<FNode>();
    const once = (n: FNode) => {
      if (seen.has(n)) return;
      seen.add(n);
      out.push(n);
    };
    this.collectDependents(node.key, node.sheet, node.row, node.col, once);
    if (node.spill) {
      for (const k of node.spill.keys()) {
        const [s, r, c] = k.split(' ');
        this.collectDependents(k, s, r, c, once);
      }
    }
  }

  /**
   * One pass: everything reachable from the dirty nodes, evaluated in dependency order (Kahn).
   * What is left when no node is ready holds a cycle: its strongly connected parts read #CYCLE!,
   * and what depends on them is evaluated after, reading that error.
   */
  private pass(): void {
    const id = ++this.passes;
    const reach: FNode[] = [];
    const enter = (n: FNode) => {
      n.pass = id;
      n.indeg = 0;
      n.done = false;
      n.succ.length = 0;
      reach.push(n);
    };
    for (const n of this.dirty) enter(n);
    this.dirty = new Set();
    for (let i = 0; i < reach.length; i++) {
      const x = reach[i];
      this.successors(x, x.succ);
      for (const y of x.succ) {
        if (y.pass !== id) enter(y);
        y.indeg++;
      }
    }
    const ready: FNode[] = [];
    for (const n of reach) if (n.indeg === 0) ready.push(n);
    let done = 0;
    const release = (n: FNode) => {
      for (const y of n.succ) {
        if (y.done) continue;
        if (--y.indeg === 0) ready.push(y);
      }
    };
    for (;;) {
      while (ready.length) {
        const n = ready.pop()!;
        if (n.done) continue;
        n.done = true;
        done++;
        if (n.live) this.evaluate(n);
        release(n);
      }
      if (done >= reach.length) break;
      const onCycle = cyclic(reach.filter((n) => !n.done));
      for (const n of onCycle) {
        n.done = true;
        done++;
        this.setValue(n, ERRORS['#CYCLE!']);
      }
      for (const n of onCycle) release(n);
      if (!ready.length) break;
    }
    for (const n of reach) n.succ.length = 0;
  }

  private readCell(sheet: string, row: string, col: string): Scalar {
    const key = keyOf(sheet, row, col);
    const node = this.nodes.get(key);
    if (node) return isMatrix(node.value) ? (node.value[0]?.[0] ?? null) : node.value;
    if (this.spillOwner.size) {
      const owner = this.spillOwner.get(key);
      if (owner) return owner.spill?.get(key) ?? null;
    }
    return this.input.value(sheet, row, col);
  }

  /** Reads for the node being evaluated (one object for every evaluation: 30,000 of them must not each allocate one). */
  private readonly reads: Resolver & { node: FNode | null } = {
    node: null,
    cell: (sheetId, p) => {
      const L = this.layout;
      const s = sheetId || this.reads.node!.sheet;
      if (p.row === null || L.colIndex(s, p.col) === undefined || L.rowIndex(s, p.row) === undefined) return ERRORS['#REF!'];
      return this.readCell(s, p.row, p.col);
    },
    range: (sheetId, a, b) => {
      const L = this.layout;
      const s = sheetId || this.reads.node!.sheet;
      const c1 = L.colIndex(s, a.col);
      const c2 = L.colIndex(s, b.col);
      if (c1 === undefined || c2 === undefined) return ERRORS['#REF!'];
      const rows = L.rows(s);
      let r1 = 0;
      let r2 = rows.length - 1;
      if (a.row !== null && b.row !== null) {
        const x = L.rowIndex(s, a.row);
        const y = L.rowIndex(s, b.row);
        if (x === undefined || y === undefined) return ERRORS['#REF!'];
        [r1, r2] = x <= y ? [x, y] : [y, x];
      }
      const [lo, hi] = c1 <= c2 ? [c1, c2] : [c2, c1];
      const cols: string[] = [];
      for (let c = lo; c <= hi; c++) cols.push(L.colAt(s, c)!);
      const out: Matrix = [];
      for (let r = r1; r <= r2; r++) out.push(cols.map((c) => this.readCell(s, rows[r], c)));
      return out;
    },
    sameRow: (colId) => {
      const L = this.layout;
      const node = this.reads.node!;
      if (L.colIndex(node.sheet, colId) === undefined || L.rowIndex(node.sheet, node.row) === undefined) return ERRORS['#REF!'];
      return this.readCell(node.sheet, node.row, colId);
    },
  };

  private evaluate(node: FNode): void {
    this.reads.node = node;
    let value: Value = node.tree ? this.evaluator.evaluate(node.tree, this.reads) : ERRORS['#NAME?'];
    this.reads.node = null;
    if (isMatrix(value) && value.length === 1 && value[0].length === 1) value = value[0][0];
    if (isMatrix(value) && value.length === 0) value = ERRORS['#CALC!'];
    if (!isMatrix(value)) {
      node.wants = null;
      removeFrom(this.anchors, node.sheet, node);
      this.releaseSpill(node, false);
      this.setValue(node, value);
      return;
    }
    node.wants = { rows: value.length, cols: value[0].length };
    addTo(this.anchors, node.sheet, node);
    const region = this.spillRegion(node, value);
    if (!region) {
      this.releaseSpill(node, false);
      this.setValue(node, ERRORS['#SPILL!']);
      return;
    }
    const before = node.spill ?? new Map<string, Scalar>();
    for (const [k, v] of region) {
      const other = this.spillOwner.get(k);
      if (other && other !== node) {
        // the lower key keeps the cells, on every device; the other re-runs and finds them taken
        this.releaseSpill(other, false);
        this.dirty.add(other);
      }
      this.spillOwner.set(k, node);
      if (!before.has(k)) {
        const [s, r, c] = k.split(' ');
        for (const d of this.dependentsOfCell(s, r, c)) this.dirty.add(d);
      }
      if (!sameScalar(before.get(k), v)) this.markChanged(k);
    }
    for (const k of before.keys()) {
      if (region.has(k)) continue;
      if (this.spillOwner.get(k) === node) this.spillOwner.delete(k);
      this.markChanged(k);
    }
    node.spill = region;
    this.setValue(node, value);
  }

  /** The cells an array result would cover, with their values; null when any is taken or off the sheet. */
  private spillRegion(node: FNode, value: Matrix): Map<string, Scalar> | null {
    const L = this.layout;
    const ri = L.rowIndex(node.sheet, node.row);
    const ci = L.colIndex(node.sheet, node.col);
    if (ri === undefined || ci === undefined) return new Map();
    const rows = L.rows(node.sheet);
    const width = value[0].length;
    if (ri + value.length > rows.length || ci + width > L.columns(node.sheet).length) return null;
    const out = new Map<string, Scalar>();
    for (let r = 0; r < value.length; r++) {
      for (let c = 0; c < width; c++) {
        if (r === 0 && c === 0) continue;
        const row = rows[ri + r];
        const col = L.colAt(node.sheet, ci + c)!;
        const k = keyOf(node.sheet, row, col);
        if (this.nodes.has(k) || this.input.value(node.sheet, row, col) !== null) return null;
        const other = this.spillOwner.get(k);
        if (other && other !== node && other.key < node.key) return null;
        out.set(k, value[r][c] ?? null);
      }
    }
    return out;
  }

  private releaseSpill(node: FNode, gone: boolean): void {
    if (!node.spill) return;
    for (const k of node.spill.keys()) {
      if (this.spillOwner.get(k) !== node) continue;
      this.spillOwner.delete(k);
      this.markChanged(k);
      const [s, r, c] = k.split(' ');
      for (const d of this.dependentsOfCell(s, r, c)) if (!gone || d !== node) this.dirty.add(d);
    }
    node.spill = null;
  }

  private wantsCell(node: FNode, rowId: string, colId: string): boolean {
    if (!node.wants) return false;
    const L = this.layout;
    const ri = L.rowIndex(node.sheet, node.row);
    const ci = L.colIndex(node.sheet, node.col);
    const r = L.rowIndex(node.sheet, rowId);
    const c = L.colIndex(node.sheet, colId);
    if (ri === undefined || ci === undefined || r === undefined || c === undefined) return false;
    return r >= ri && r < ri + node.wants.rows && c >= ci && c < ci + node.wants.cols;
  }

  private markChanged(key: string): void {
    const [sheetId, rowId, colId] = key.split(' ');
    this.changed.set(key, { sheetId, rowId, colId });
  }

  private setValue(node: FNode, value: Value): void {
    const shown = shownValue;
    const before = node.value;
    node.value = value;
    if (!sameScalar(shown(before), shown(value)) || isMatrix(before) !== isMatrix(value)) this.changed.set(node.key, node.addr);
  }
}
