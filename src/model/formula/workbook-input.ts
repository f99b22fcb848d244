import type { CellValue, Column } from '../types.js';
import type { Workbook, WorkbookChange } from '../workbook.js';
import { FormulaEngine, type CellAddress, type FormulaInput } from './engine.js';
import { formulaInput } from './reader.js';
import type { FormulaClock, Scalar } from './values.js';

/**
 * Where the formulas are kept in the doc is the caller's decision (docs/formulas.md proposes a cell
 * tag and a column field): these callbacks say, for a cell's value and for a column, which stored
 * formula is there.
 */
export interface FormulaSource {
  cellFormula(sheetId: string, rowId: string, colId: string, value: CellValue): string | null;
  columnFormula(sheetId: string, column: Column): string | null;
}

/**
 * Formulas where the doc keeps them (docs/schema.md, version 3): a cell's formula record and a
 * column's `formula` field, both validated as they are read (a malformed one reads as none).
 */
export function docFormulaSource(wb: Workbook): FormulaSource {
  return {
    cellFormula: (sheetId, rowId, colId) => wb.getFormula(sheetId, rowId, colId),
    columnFormula: (_sheetId, column) => column.formula ?? null,
  };
}

/** The cell key a WorkbookChange reports (`rowId:key`, key a column id or a counter op / claim under it) → row and column. */
function splitChangeKey(key: string): { rowId: string; colId: string } | null {
  const i = key.indexOf(':');
  if (i <= 0) return null;
  const rest = key.slice(i + 1);
  const end = rest.search(/[#@]/);
  return { rowId: key.slice(0, i), colId: end < 0 ? rest : rest.slice(0, end) };
}

/**
 * A FormulaEngine kept in step with a Workbook: it reads the workbook through FormulaInput and
 * follows its changes (local, synced, restored). This is what the grid creates when a workbook has
 * formulas; `onResults` gets the cells whose results changed, to repaint them.
 */
export class WorkbookFormulas {
  readonly engine: FormulaEngine;
  private readonly columnsOf = new Map<string, Map<string, Column>>();
  /** rows whose cells have been read, per sheet: a structure change reads only rows new to it */
  private readonly known = new Map<string, Set<string>>();
  private readonly columnsSeen = new Map<string, Set<string>>();
  private readonly stop: () => void;
  /** cell values as formulas read them, per sheet: decoding a record 30,000 times per edit is most of an edit's cost */
  private readonly values = new Map<string, Map<string, Scalar>>();
  /** the cells told to the engine as formulas, per sheet and column: what to take back when a column or sheet goes */
  private readonly formulaCells = new Map<string, Map<string, Set<string>>>();

  constructor(
    private readonly wb: Workbook,
    private readonly source: FormulaSource,
    clock: FormulaClock,
    private readonly onResults: (cells: CellAddress[]) => void = () => {},
  ) {
    const input: FormulaInput = {
      sheets: () => wb.sheets(),
      rowIds: (s) => wb.rowIds(s),
      columns: (s) => wb.columns(s),
      value: (s, r, c) => {
        let sheetValues = this.values.get(s);
        if (!sheetValues) this.values.set(s, (sheetValues = new Map()));
        const key = `${r} ${c}`;
        let v = sheetValues.get(key);
        if (v === undefined) {
          const col = this.column(s, c);
          v = col ? formulaInput(col, wb.getValue(s, r, c)) : null;
          sheetValues.set(key, v);
        }
        return v;
      },
    };
    this.engine = new FormulaEngine(input, clock);
    for (const sheet of wb.sheets()) this.loadSheet(sheet.id);
    this.engine.recalc();
    this.stop = wb.observe((change) => this.apply(change));
  }

  /** Formulas as the doc stores them: what the app opens. */
  static fromDoc(wb: Workbook, clock: FormulaClock, onResults?: (cells: CellAddress[]) => void): WorkbookFormulas {
    return new WorkbookFormulas(wb, docFormulaSource(wb), clock, onResults);
  }

  destroy(): void {
    this.stop();
  }

  private column(sheetId: string, colId: string): Column | undefined {
    let cols = this.columnsOf.get(sheetId);
    if (!cols) {
      cols = new Map(this.wb.sheets().some((s) => s.id === sheetId) ? this.wb.columns(sheetId).map((c) => [c.id, c]) : []);
      this.columnsOf.set(sheetId, cols);
    }
    return cols.get(colId);
  }

  private loadSheet(sheetId: string): void {
    const columns = this.wb.columns(sheetId);
    this.columnsSeen.set(sheetId, new Set(columns.map((c) => c.id)));
    for (const col of columns) this.engine.setColumnFormula(sheetId, col.id, this.source.columnFormula(sheetId, col));
    const rows = new Set(this.wb.rowIds(sheetId));
    for (const r of this.wb.deletedRows(sheetId)) rows.add(r.id);
    for (const rowId of rows) this.loadCellsOf(sheetId, rowId);
  }

  private loadCellsOf(sheetId: string, rowId: string): void {
    let known = this.known.get(sheetId);
    if (!known) this.known.set(sheetId, (known = new Set()));
    known.add(rowId);
    for (const col of this.wb.columns(sheetId)) this.loadCell(sheetId, rowId, col.id);
  }

  private loadCell(sheetId: string, rowId: string, colId: string): void {
    // read whatever the row holds even if its position is not there (yet): a sync that is missing a
    // piece can leave a row's position briefly unset while its cells have arrived
    const value = this.wb.getValue(sheetId, rowId, colId);
    this.values.get(sheetId)?.delete(`${rowId} ${colId}`);
    const stored = this.source.cellFormula(sheetId, rowId, colId, value);
    let bySheet = this.formulaCells.get(sheetId);
    if (!bySheet) this.formulaCells.set(sheetId, (bySheet = new Map()));
    let rows = bySheet.get(colId);
    if (stored !== null) {
      if (!rows) bySheet.set(colId, (rows = new Set()));
      rows.add(rowId);
    } else rows?.delete(rowId);
    this.engine.setCellFormula(sheetId, rowId, colId, stored);
    this.engine.inputChanged(sheetId, rowId, colId);
  }

  /**
   * Formulas of a column or sheet gone to the trash leave the engine, as a fresh start would never
   * read them: a reference to one reads #REF! either way, but a cycle through it must not stay a
   * cycle on a device that saw it before it went. Restored, their cells are read again.
   */
  private forgetFormulas(sheetId: string, colId?: string): void {
    const bySheet = this.formulaCells.get(sheetId);
    if (!bySheet) return;
    for (const [col, rows] of bySheet) {
      if (colId !== undefined && col !== colId) continue;
      for (const row of rows) this.engine.setCellFormula(sheetId, row, col, null);
      bySheet.delete(col);
    }
  }

  private apply(change: WorkbookChange): void {
    if (change.sheetList) {
      this.columnsOf.clear();
      this.values.clear();
      const visible = new Set(this.wb.sheets().map((s) => s.id));
      for (const sheetId of [...this.formulaCells.keys()]) {
        if (visible.has(sheetId)) continue;
        this.forgetFormulas(sheetId);
        for (const col of this.wb.columns(sheetId)) this.engine.setColumnFormula(sheetId, col.id, null);
      }
      this.engine.structureChanged();
      for (const s of this.wb.sheets()) this.loadSheet(s.id);
    }
    for (const [sheetId, c] of change.sheets) {
      if (!this.wb.sheets().some((s) => s.id === sheetId)) continue;
      if (c.structure) {
        this.columnsOf.delete(sheetId);
        // a retype or new options change how a value reads
        this.values.delete(sheetId);
        this.engine.structureChanged(sheetId);
        // a column retyped, added or given a formula; rows inserted or arriving whole (their cells came with them)
        const columns = this.wb.columns(sheetId);
        for (const col of columns) this.engine.setColumnFormula(sheetId, col.id, this.source.columnFormula(sheetId, col));
        const known = this.known.get(sheetId) ?? new Set<string>();
        for (const rowId of this.wb.rowIds(sheetId)) if (!known.has(rowId)) this.loadCellsOf(sheetId, rowId);
        const columnsKnown = this.columnsSeen.get(sheetId);
        const fresh = columns.filter((c) => !columnsKnown?.has(c.id));
        const current = new Set(columns.map((c) => c.id));
        for (const colId of columnsKnown ?? []) if (!current.has(colId)) this.forgetFormulas(sheetId, colId);
        this.columnsSeen.set(sheetId, current);
        // a column restored from the trash (or arriving) brings its cells: read them
        if (columnsKnown) for (const col of fresh) for (const rowId of known) this.loadCell(sheetId, rowId, col.id);
      }
      for (const key of c.cells) {
        const at = splitChangeKey(key);
        // a write into a column in the trash is read when the column comes back
        if (at && this.column(sheetId, at.colId)) this.loadCell(sheetId, at.rowId, at.colId);
      }
    }
    const changed = this.engine.recalc();
    if (changed.length) this.onResults(changed);
  }
}
