import type { FormulaInput } from './engine.js';
import type { Scalar } from './values.js';

interface PlainSheet {
  id: string;
  name: string;
  rows: string[];
  cols: { id: string; name: string }[];
  values: Map<string, Scalar>;
}

/**
 * A FormulaInput over plain arrays: the benchmark and the engine's unit tests build sheets with it,
 * and an import can evaluate a file's formulas with it before anything is written to a workbook.
 */
export class PlainInput implements FormulaInput {
  private readonly list: PlainSheet[] = [];
  private readonly byId = new Map<string, PlainSheet>();

  addSheet(id: string, name: string, rows: string[], cols: { id: string; name: string }[]): void {
    const sheet = { id, name, rows: rows.slice(), cols: cols.slice(), values: new Map<string, Scalar>() };
    this.list.push(sheet);
    this.byId.set(id, sheet);
  }

  sheet(id: string): PlainSheet {
    const s = this.byId.get(id);
    if (!s) throw new RangeError(`no sheet ${id}`);
    return s;
  }

  set(sheetId: string, rowId: string, colId: string, value: Scalar): void {
    const v = this.sheet(sheetId).values;
    if (value === null) v.delete(`${rowId} ${colId}`);
    else v.set(`${rowId} ${colId}`, value);
  }

  removeSheet(id: string): void {
    const i = this.list.findIndex((s) => s.id === id);
    if (i >= 0) this.list.splice(i, 1);
    this.byId.delete(id);
  }

  sheets() {
    return this.list.map((s) => ({ id: s.id, name: s.name }));
  }

  rowIds(sheetId: string): readonly string[] {
    return this.byId.get(sheetId)?.rows ?? [];
  }

  columns(sheetId: string): readonly { id: string; name: string }[] {
    return this.byId.get(sheetId)?.cols ?? [];
  }

  value(sheetId: string, rowId: string, colId: string): Scalar {
    return this.byId.get(sheetId)?.values.get(`${rowId} ${colId}`) ?? null;
  }
}
