import { cellKey, Evaluator, type Resolver } from './evaluate.js';
import { addDep, addTo, forEachDep, hasDep, Pass, removeDep, removeFrom, type Deps, type PassHooks } from './graph.js';
import { functionTable } from './functions.js';
import { LayoutIndex, type Layout } from './layout.js';
import { Membership } from './membership.js';
import { colKey, CompiledFormulas, newNode, rangeContains, refsValid, sameScalar, shownValue, wantsCell, type CellAddress, type FNode } from './nodes.js';
import { parseStored } from './parse.js';
import { printDisplay, toStored, type FormulaPlace } from './refs.js';
import type { SyntaxOptions } from './parse.js';
import { ERRORS, isMatrix, type FormulaClock, type Matrix, type Scalar, type Value } from './values.js';

export type { CellAddress } from './nodes.js';

/**
 * What the engine reads: the workbook's shape (Layout) and a cell reader. The reader returns a
 * plain cell's value as formulas see it (formulaInput in reader.ts does the conversion from a
 * Workbook value); the engine never touches a Y.Doc, so it runs the same in Node, a worker or a page.
 */
export interface FormulaInput extends Layout {
  value(sheetId: string, rowId: string, colId: string): Scalar;
}

/** What the screen shows, to compute first (FormulaEngine.showFirst). */
export interface ShownFirst {
  cells(): Iterable<CellAddress>;
  pending(): void;
}

/** Spill changes settle within this many passes per recalc; more is left for the next one. */
const MAX_PASSES = 8;

const keyOf = cellKey;

/**
 * Cell and column formulas over a workbook, recomputed incrementally. References are by row and
 * column id, so an insert or a move changes no result except through ranges (whose extent is
 * positional between their two end rows); a delete turns references to the row into #REF!.
 * Cycles, including ones two people create at once, are found by graph structure alone and read
 * #CYCLE! on every device whatever order the edits arrived in.
 */
export class FormulaEngine {
  readonly layout: LayoutIndex;
  private readonly compiled: CompiledFormulas;
  private readonly nodes = new Map<string, FNode>();
  private readonly cellFormulas = new Map<string, string>();
  /**
   * Rows holding a cell formula, by sheet and column: what takes over again when the column's
   * formula is removed, including rows in the trash (their column formula nodes are gone, a fresh
   * start places their cell formulas all the same).
   */
  private readonly cellFormulaRows = new Map<string, Set<string>>();
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
  /** formula nodes by sheet and column: a column formula's rows without a walk over every node */
  private readonly columnNodes = new Map<string, Set<FNode>>();
  private readonly membership = new Membership();
  private dirty = new Set<FNode>();
  /** the pass under way: evaluated in part (what the screen shows) and going on in idle slices */
  private run: Pass<FNode> | null = null;
  /** passes a recalc may still start (spills settle within MAX_PASSES; more waits for the next recalc) */
  private passesLeft = 0;
  private first: ShownFirst | null = null;
  /** changed results since the last report: nodes (most of them), and spilled or removed cells by key */
  private readonly changedNodes: FNode[] = [];
  private readonly changed = new Map<string, CellAddress>();
  /**
   * Moves on whenever who reads whom may have: a formula placed or removed, rows or columns moved,
   * an array result's extent. Between, successor lists are kept: an edit's pass walks 30,000 of
   * them without working any out.
   */
  private graphVersion = 0;
  private runVersion = -1;
  private readonly hooks: PassHooks<FNode> = {
    successors: (n) => {
      const v = this.graphVersion;
      if (n.succAt === v) return n.succ;
      const out: FNode[] = [];
      this.successors(n, out);
      n.succ = out;
      n.succAt = v;
      for (const y of out) {
        if (y.predAt !== v) {
          y.pred = [];
          y.predAt = v;
        }
        y.pred.push(n);
      }
      return out;
    },
    // every pending predecessor's successors were worked out at the pass's version, listing it in `pred`
    predecessors: (n) => (this.graphVersion !== this.runVersion ? null : n.predAt === this.graphVersion ? n.pred : []),
    evaluate: (n) => {
      if (n.live) this.evaluate(n);
    },
    cycle: (n) => this.setValue(n, ERRORS['#CYCLE!']),
  };

  constructor(
    private readonly input: FormulaInput,
    clock: FormulaClock,
  ) {
    this.layout = new LayoutIndex(input);
    this.compiled = new CompiledFormulas(new Evaluator(functionTable(), { clock }));
  }

  // ── what the UI tells it ───────────────────────────────────────────────

  /** A cell's formula (stored text) was set, or removed with null. */
  setCellFormula(sheetId: string, rowId: string, colId: string, stored: string | null): void {
    const key = keyOf(sheetId, rowId, colId);
    const ck = colKey(sheetId, colId);
    if (stored === null) {
      this.cellFormulas.delete(key);
      removeFrom(this.cellFormulaRows, ck, rowId);
    } else {
      this.cellFormulas.set(key, stored);
      addTo(this.cellFormulaRows, ck, rowId);
    }
    if (this.columnFormulas.has(ck)) return;
    this.place(sheetId, rowId, colId, stored);
  }

  /** A column's formula, computed for every visible row; null makes it a plain column again. */
  setColumnFormula(sheetId: string, colId: string, stored: string | null): void {
    const ck = colKey(sheetId, colId);
    if (stored === null) {
      if (!this.columnFormulas.has(ck)) return;
      this.columnFormulas.delete(ck);
      for (const node of [...(this.columnNodes.get(ck) ?? [])]) this.place(sheetId, node.row, colId, this.cellFormulas.get(node.key) ?? null);
      // cell formulas of rows the column formula had no node for (in the trash, or not placed yet) are in force again too
      for (const row of [...(this.cellFormulaRows.get(ck) ?? [])]) this.place(sheetId, row, colId, this.cellFormulas.get(keyOf(sheetId, row, colId)) ?? null);
      return;
    }
    // the same formula again (told on every structure change): only rows added or gone
    if (this.columnFormulas.get(ck)?.stored !== stored) {
      this.columnFormulas.set(ck, { sheet: sheetId, col: colId, stored });
      for (const node of [...(this.columnNodes.get(ck) ?? [])]) this.remove(node);
    }
    this.syncColumn(sheetId, colId);
  }

  /** A plain cell's value changed (typed, synced, a counter tapped). */
  inputChanged(sheetId: string, rowId: string, colId: string): void {
    this.dirtyReaders(sheetId, rowId, colId);
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

  /**
   * Recomputes what changed; returns the cells whose shown result changed. With `showFirst` set,
   * it evaluates only what the shown cells need and leaves the rest `pending`, for `work()` in idle
   * slices; a result() read of a cell not computed yet computes it (and what it reads) on the spot.
   */
  recalc(): CellAddress[] {
    this.passesLeft = MAX_PASSES;
    const first = this.first;
    // an array result moves what other cells read while it evaluates: all of it, in order
    if (first && !this.anchors.size) {
      this.begin();
      const run = this.run;
      if (run) {
        const targets: FNode[] = [];
        for (const c of first.cells()) {
          const n = this.nodes.get(keyOf(c.sheetId, c.rowId, c.colId));
          if (n && run.pending(n)) targets.push(n);
        }
        this.settle(run, targets);
      }
      if (this.pending) first.pending();
    } else this.finish();
    return this.takeChanged();
  }

  /**
   * Shown cells first: `cells` lists what the screen shows (read at each recalc), `pending` is
   * called when a recalc leaves work for `work()`. Null: every recalc computes everything.
   */
  showFirst(first: ShownFirst | null): void {
    this.first = first;
  }

  /** A recalc left results to compute (off-screen cells). */
  get pending(): boolean {
    return this.run !== null || (this.dirty.size > 0 && this.passesLeft > 0);
  }

  /** Goes on with pending work until done or `stop()` (checked every few formulas); returns the cells whose results changed. */
  work(stop: () => boolean = () => false): CellAddress[] {
    this.finish(stop);
    return this.takeChanged();
  }

  // ── what the UI reads ──────────────────────────────────────────────────

  /** The result shown in a cell: a formula's (the first value of an array), a spilled value, or undefined for a plain cell. */
  result(sheetId: string, rowId: string, colId: string): Scalar | undefined {
    const key = keyOf(sheetId, rowId, colId);
    const node = this.nodes.get(key);
    if (node) {
      this.computeNow(node);
      return shownValue(node.value);
    }
    if (this.run && this.anchors.size) this.finish();
    const owner = this.spillOwner.get(key);
    return owner?.spill?.get(key);
  }

  /** A formula's whole result (an array result in full), for the anchor cell. */
  fullResult(sheetId: string, rowId: string, colId: string): Value | undefined {
    const node = this.nodes.get(keyOf(sheetId, rowId, colId));
    if (node) this.computeNow(node);
    return node?.value;
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
    this.graphVersion++;
    const node = newNode(sheet, row, col, stored, this.compiled.take(sheet, stored));
    node.refsOk = refsValid(this.layout, node);
    this.nodes.set(node.key, node);
    addTo(this.columnNodes, colKey(sheet, col), node);
    for (const k of node.cells) addDep(this.cellDependents, k, node);
    for (const r of node.ranges) {
      if (r.start.col === r.end.col) addTo(this.columnRangeNodes, colKey(r.sheet, r.start.col), node);
      else addTo(this.wideRangeNodes, r.sheet, node);
    }
    for (const s of node.sheetsRead) addTo(this.readers, s, node);
    if (node.compiled.volatile) this.volatile.add(node);
    this.dirty.add(node);
    // whoever read this cell as a plain value now reads the formula; an array spilling here is blocked
    this.dirtyReaders(sheet, row, col);
    this.dirtyAnchorsOver(sheet, row, col);
    return node;
  }

  private remove(node: FNode): void {
    this.graphVersion++;
    node.live = false;
    this.nodes.delete(node.key);
    removeFrom(this.columnNodes, colKey(node.sheet, node.col), node);
    this.compiled.release(node.compiled);
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
    this.dirtyReaders(node.sheet, node.row, node.col);
    this.dirtyAnchorsOver(node.sheet, node.row, node.col);
    this.changed.set(node.key, node.addr);
  }

  /** Array results that cover, or would cover, this cell: something there now blocks or frees them. */
  private dirtyAnchorsOver(sheet: string, row: string, col: string): void {
    for (const a of this.anchors.get(sheet) ?? []) if (wantsCell(this.layout, a, row, col)) this.dirty.add(a);
  }

  private syncColumn(sheet: string, col: string): void {
    const visible = this.layout.colIndex(sheet, col) !== undefined;
    const stored = this.columnFormulas.get(colKey(sheet, col))?.stored;
    const rows = new Set(visible ? this.layout.rows(sheet) : []);
    for (const node of [...(this.columnNodes.get(colKey(sheet, col)) ?? [])]) if (!rows.has(node.row) || node.stored !== stored) this.remove(node);
    if (stored === undefined) return;
    for (const row of rows) if (!this.nodes.has(keyOf(sheet, row, col))) this.add(sheet, row, col, stored);
  }

  private sheetChanged(sheet: string): void {
    this.graphVersion++;
    for (const { sheet: s, col } of this.columnFormulas.values()) if (s === sheet) this.syncColumn(s, col);
    for (const n of this.toRecheck(sheet) ?? this.readers.get(sheet) ?? []) {
      const ok = refsValid(this.layout, n);
      if (ok !== n.refsOk || n.ranges.some((r) => r.sheet === sheet)) this.dirty.add(n);
      n.refsOk = ok;
    }
    for (const a of this.anchors.get(sheet) ?? []) this.dirty.add(a);
  }

  /** Formulas whose references may have become valid or invalid, or whose ranges moved; null: every reader of the sheet. */
  private toRecheck(sheet: string): Set<FNode> | null {
    const rows = this.membership.changedRows(sheet, this.layout);
    if (!rows) return null;
    const out = new Set<FNode>();
    const cols = this.layout.columns(sheet);
    for (const r of rows) {
      for (const c of cols) {
        const d = this.cellDependents.get(keyOf(sheet, r, c.id));
        if (d) forEachDep(d, (n) => out.add(n));
      }
    }
    for (const n of this.wideRangeNodes.get(sheet) ?? []) out.add(n);
    for (const c of cols) for (const n of this.columnRangeNodes.get(colKey(sheet, c.id)) ?? []) out.add(n);
    return out;
  }

  /** Formulas that read this cell: by a reference to it, or through a range it lies in now. */
  private readonly markDirty = (n: FNode) => this.dirty.add(n);

  /** Whoever reads this cell must run again (no set of them built: 30,000 placed formulas each ask). */
  private dirtyReaders(sheet: string, row: string, col: string): void {
    this.collectDependents(keyOf(sheet, row, col), sheet, row, col, this.markDirty);
  }

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
        if (n.ranges.some((r) => r.sheet === sheet && rangeContains(this.layout, r, row, col))) visit(n);
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

  /** A pass from what is dirty, taking in what a pass under way had not reached yet (its results may be stale now). */
  private begin(): void {
    if (this.run && this.dirty.size) {
      for (const n of this.run.abandon()) if (n.live) this.dirty.add(n);
      this.run = null;
    }
    if (!this.run && this.dirty.size && this.passesLeft > 0) {
      this.passesLeft--;
      const start = this.dirty;
      this.dirty = new Set();
      this.runVersion = this.graphVersion;
      this.run = new Pass(start, this.hooks);
    }
  }

  /** Every pending pass to the end (or until `stop()`); true when nothing is left. */
  private finish(stop: () => boolean = () => false): boolean {
    for (;;) {
      this.begin();
      const run = this.run;
      if (!run) return true;
      if (!run.run(stop)) return false;
      this.run = null;
    }
  }

  /** What these nodes need, now; on a cycle, or when evaluating moved an array result, everything. */
  private settle(run: Pass<FNode>, targets: FNode[]): void {
    if (!run.settle(targets) || this.dirty.size || this.anchors.size) {
      this.finish();
      return;
    }
    if (run.finished) {
      run.run();
      this.run = null;
    }
  }

  /** A read of a formula the pass under way has not evaluated yet: it, and what it reads, first. */
  private computeNow(node: FNode): void {
    const run = this.run;
    if (!run || !run.pending(node)) return;
    if (this.anchors.size) this.finish();
    else this.settle(run, [node]);
  }

  private takeChanged(): CellAddress[] {
    const out: CellAddress[] = [];
    for (const n of this.changedNodes) {
      n.reported = false;
      if (!this.changed.has(n.key)) out.push(n.addr);
    }
    this.changedNodes.length = 0;
    for (const a of this.changed.values()) out.push(a);
    this.changed.clear();
    return out;
  }

  private readCell(sheet: string, row: string, col: string, key = keyOf(sheet, row, col)): Scalar {
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
    cell: (s, p, key) => {
      const L = this.layout;
      if (p.row === null || L.colIndex(s, p.col) === undefined || L.rowIndex(s, p.row) === undefined) return ERRORS['#REF!'];
      return this.readCell(s, p.row, p.col, key);
    },
    range: (s, a, b) => {
      const L = this.layout;
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
    let value: Value = node.compiled.code ? node.compiled.code(this.reads) : ERRORS['#NAME?'];
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
        this.dirtyReaders(s, r, c);
      }
      if (!sameScalar(before.get(k), v)) this.markChanged(k);
    }
    for (const k of before.keys()) {
      if (region.has(k)) continue;
      if (this.spillOwner.get(k) === node) this.spillOwner.delete(k);
      this.markChanged(k);
    }
    node.spill = region;
    this.graphVersion++;
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
    this.graphVersion++;
    for (const k of node.spill.keys()) {
      if (this.spillOwner.get(k) !== node) continue;
      this.spillOwner.delete(k);
      this.markChanged(k);
      const [s, r, c] = k.split(' ');
      for (const d of this.dependentsOfCell(s, r, c)) if (!gone || d !== node) this.dirty.add(d);
    }
    node.spill = null;
  }

  private markChanged(key: string): void {
    const [sheetId, rowId, colId] = key.split(' ');
    this.changed.set(key, { sheetId, rowId, colId });
  }

  private setValue(node: FNode, value: Value): void {
    const before = node.value;
    node.value = value;
    if (node.reported) return;
    if (!sameScalar(shownValue(before), shownValue(value)) || isMatrix(before) !== isMatrix(value)) {
      node.reported = true;
      this.changedNodes.push(node);
    }
  }
}
