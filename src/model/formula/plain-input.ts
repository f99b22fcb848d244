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

  addSheet(id: string, name: string, rows: string[], cols: { id: string; name: string }[]): void {
    this.list.push({ id, name, rows: rows.slice(), cols: cols.slice(), values: new Map() });
  }

  sheet(id: string): PlainSheet {
    const s = this.list.find((x) => x.id === id);
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
  }

  sheets() {
    return this.list.map((s) => ({ id: s.id, name: s.name }));
  }

  rowIds(sheetId: string): readonly string[] {
    return this.list.find((s) => s.id === sheetId)?.rows ?? [];
  }

  columns(sheetId: string): readonly { id: string; name: string }[] {
    return this.list.find((s) => s.id === sheetId)?.cols ?? [];
  }

  value(sheetId: string, rowId: string, colId: string): Scalar {
    return this.list.find((s) => s.id === sheetId)?.values.get(`${rowId} ${colId}`) ?? null;
  }
}
