import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CellAddress, Scalar, Value, WorkbookFormulas } from '../model/formula/index.js';
import type { Workbook, WorkbookChange } from '../model/workbook.js';

type FormulaModule = typeof import('../model/formula/index.js');

/** TODAY() and NOW() move on at this pace. */
const TICK_MS = 60_000;
/** Off-screen results are computed in slices this long, between frames, so typing and scrolling stay responsive. */
const SLICE_MS = 8;

type Idle = (run: () => void) => () => void;

/** requestIdleCallback where there is one (not in Safari), else the next task. */
const whenIdle: Idle = (run) => {
  const g = globalThis as {
    requestIdleCallback?: (f: () => void, o?: { timeout: number }) => number;
    cancelIdleCallback?: (id: number) => void;
  };
  if (g.requestIdleCallback && g.cancelIdleCallback) {
    const id = g.requestIdleCallback(run, { timeout: 200 });
    const cancel = g.cancelIdleCallback;
    return () => cancel(id);
  }
  const id = setTimeout(run, 0);
  return () => clearTimeout(id);
};

export interface FormulaResultsOptions {
  /** the time zone TODAY() and NOW() read (an IANA name); the workbook's setting when absent */
  timeZone?: () => string;
  now?: () => number;
  /** how the engine is loaded: a dynamic import, so it is a chunk of its own (tests pass the module) */
  load?: () => Promise<FormulaModule>;
  /** the cells whose shown results changed, after the host was asked to update (the grid repaints just them) */
  onResults?: (cells: CellAddress[]) => void;
}

/**
 * Formula results for a view of a workbook. The engine (src/model/formula, the evaluator and its
 * functions) is loaded only once the workbook has a formula, so a workbook without any never
 * downloads it; until it has loaded, `result()` is undefined and the cell shows what it holds.
 * Results are computed here, on this device, and never written into the doc.
 *
 * Shown cells first: the cells the host's last render read are what the screen shows, and an edit
 * computes those (and what they read) before the host repaints; the rest is computed in idle
 * slices, and a read of a cell not reached yet (scrolled to, exported) computes it on the spot.
 */
export class FormulaResults implements ReactiveController {
  private wb: Workbook | null = null;
  private formulas: WorkbookFormulas | null = null;
  private loading: Promise<void> | null = null;
  private off: (() => void) | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly load: () => Promise<FormulaModule>;
  /** cells read by the render under way, and by the last one finished (what is on screen) */
  private reading: CellAddress[] | null = null;
  private shown: CellAddress[] = [];
  private rendered = false;
  private cancelIdle: (() => void) | null = null;
  private later: CellAddress[] = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: FormulaResultsOptions = {},
  ) {
    this.load = options.load ?? (() => import('../model/formula/index.js'));
    host.addController(this);
  }

  hostDisconnected(): void {
    this.detach();
    this.wb = null;
  }

  hostUpdate(): void {
    this.reading = [];
  }

  hostUpdated(): void {
    if (!this.reading) return;
    this.shown = this.reading;
    this.reading = null;
    if (!this.rendered) {
      this.rendered = true;
      this.showFirst();
    }
  }

  /** Follows the host's workbook; called on every update, does nothing when it is the same one. */
  watch(wb: Workbook): void {
    if (wb === this.wb) return;
    this.detach();
    this.wb = wb;
    if (wb.hasFormulas()) {
      void this.start(wb);
      return;
    }
    // Until a formula arrives (typed here or synced), only what changed is looked at: no scan of the sheet per edit.
    this.off = wb.observe((change) => {
      if (this.formulas || this.loading || !arrivedFormula(wb, change)) return;
      void this.start(wb);
    });
  }

  /** Settles once the engine is loaded and has computed (at once when it is, or when there is nothing to load). */
  ready(): Promise<void> {
    return this.loading ?? Promise.resolve();
  }

  get loaded(): boolean {
    return this.formulas !== null;
  }

  /** What a formula cell shows (the first value of an array result; a spilled value), or undefined for a plain cell. */
  result(sheetId: string, rowId: string, colId: string): Scalar | undefined {
    const f = this.formulas;
    if (!f) return undefined;
    this.reading?.push({ sheetId, rowId, colId });
    return f.engine.result(sheetId, rowId, colId);
  }

  /** A formula's whole result (an array in full, to outline the spill). */
  fullResult(sheetId: string, rowId: string, colId: string): Value | undefined {
    return this.formulas?.engine.fullResult(sheetId, rowId, colId);
  }

  /** The stored formula in force at a cell, the column's or its own; null for a plain cell. */
  formula(sheetId: string, rowId: string, colId: string): string | null {
    if (this.formulas) return this.formulas.engine.formula(sheetId, rowId, colId);
    const wb = this.wb;
    if (!wb) return null;
    return wb.columns(sheetId).find((c) => c.id === colId)?.formula ?? wb.getFormula(sheetId, rowId, colId);
  }

  private start(wb: Workbook): Promise<void> {
    this.loading = this.load().then((mod) => {
      if (this.wb !== wb) return;
      this.off?.();
      this.off = null;
      // The workbook's zone, read at each evaluation, so every device's TODAY() is the same day.
      const zone = this.options.timeZone ?? (() => wb.timeZone());
      const clock = {
        now: this.options.now ?? Date.now,
        get timeZone() {
          return zone();
        },
      };
      this.formulas = mod.WorkbookFormulas.fromDoc(wb, clock, (cells) => this.changed(cells));
      this.showFirst();
      // a colleague choosing another zone moves TODAY() and NOW() here too
      this.off = wb.observe((change) => {
        const f = this.formulas;
        if (!change.meta || !f) return;
        f.engine.tick();
        const cells = f.engine.recalc();
        if (cells.length) this.changed(cells);
      });
      this.timer = setInterval(() => {
        const f = this.formulas;
        if (!f) return;
        f.engine.tick();
        const cells = f.engine.recalc();
        if (cells.length) this.changed(cells);
      }, TICK_MS);
      // every formula cell has a result now
      this.host.requestUpdate();
    });
    return this.loading;
  }

  private changed(cells: CellAddress[]): void {
    this.host.requestUpdate();
    this.options.onResults?.(cells);
  }

  /** Until the host has rendered there is no screen to put first: every result is computed at once. */
  private showFirst(): void {
    if (!this.rendered || !this.formulas) return;
    this.formulas.engine.showFirst({ cells: () => this.shown, pending: () => this.schedule() });
  }

  /** Off-screen results, slice by slice; the host hears of them once, when all are known. */
  private schedule(): void {
    if (this.cancelIdle) return;
    this.cancelIdle = whenIdle(() => {
      this.cancelIdle = null;
      const f = this.formulas;
      if (!f) return;
      // no longer than a slice even when the browser offers more idle time: a key pressed meanwhile waits for it
      const end = performance.now() + SLICE_MS;
      for (const c of f.engine.work(() => performance.now() >= end)) this.later.push(c);
      if (f.engine.pending) {
        this.schedule();
        return;
      }
      const cells = this.later;
      this.later = [];
      if (cells.length) this.changed(cells);
    });
  }

  private detach(): void {
    this.off?.();
    this.off = null;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.cancelIdle?.();
    this.cancelIdle = null;
    this.later = [];
    this.shown = [];
    this.formulas?.destroy();
    this.formulas = null;
    this.loading = null;
  }
}

/** Did this change bring a formula: a cell written with one, or a column given one (columns are few). */
function arrivedFormula(wb: Workbook, change: WorkbookChange): boolean {
  if (change.sheetList) return wb.hasFormulas();
  for (const [sheetId, c] of change.sheets) {
    if (!wb.sheets().some((s) => s.id === sheetId)) continue;
    if (c.structure && wb.columns(sheetId).some((col) => col.formula)) return true;
    for (const key of c.cells) {
      const i = key.indexOf(':');
      const rowId = key.slice(0, i);
      const colId = key.slice(i + 1);
      // counter ops and claims (`col#…`, `col@…`) never hold a formula
      if (/[#@]/.test(colId)) continue;
      if (wb.getFormula(sheetId, rowId, colId) !== null) return true;
    }
    // a row arriving whole from a peer brings its cells with it (rows made here start empty)
    if (!change.local && c.structure && c.cells.size === 0 && wb.hasFormulas()) return true;
  }
  return false;
}
