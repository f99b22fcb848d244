export const COLUMN_TYPES = [
  'text',
  'longtext',
  'number',
  'date',
  'datetime',
  'checkbox',
  'select',
  'multiselect',
  'phone',
  'link',
  'counter',
  'claim',
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface SelectOption {
  id: string;
  label: string;
  /** `#rrggbb` */
  color: string;
}

/**
 * What a cell holds. Dates are ISO calendar dates (`YYYY-MM-DD`) without time
 * zone: a shift on "2026-12-01" must not become the 30th on a phone in another zone.
 * A select cell holds the option's id, so renaming an option keeps every value.
 */
export type CellValue = string | number | boolean | null;

/** Who made a change: the display name they chose, and the device it came from. */
export interface Actor {
  name: string;
  deviceId: string;
}

export interface CellRecord {
  v: CellValue;
  /** display name of who wrote it */
  by: string;
  /** device id that wrote it */
  dev: string;
  /** ms since epoch, from the writer's clock */
  at: number;
  /** a formula cell: its stored text (references by id, docs/formulas.md); `v` is then null */
  formula?: string;
}

export interface Column {
  id: string;
  name: string;
  type: ColumnType;
  width: number;
  options: SelectOption[];
  /** counter: rows below this are low stock */
  min: number | null;
  /** counter: or, per row, below the number in this column (an inventory's reorder level) */
  minColumn: string | null;
  /** claim: a claim older than this many days is flagged as stale (Crisis Cleanup releases after 6) */
  expiresDays: number | null;
  /** number/counter: shown after the value ("12 kg") */
  unit: string | null;
  /** a column formula (stored text, `={~colId}-{~colId}`): every row computes it; absent when none */
  formula?: string;
}

export interface ColumnSettings {
  unit?: string | null;
  min?: number | null;
  minColumn?: string | null;
  expiresDays?: number | null;
  /** a column formula as stored (docs/formulas.md), null to clear; Workbook.setColumnFormula converts typed text */
  formula?: string | null;
}

export interface ColumnSpec extends ColumnSettings {
  name: string;
  type?: ColumnType;
  width?: number;
  options?: SelectOption[];
}

export interface ColumnPatch extends ColumnSettings {
  name?: string;
  type?: ColumnType;
  width?: number;
  options?: SelectOption[];
}

export interface SheetInfo {
  id: string;
  name: string;
}

export interface Tombstone {
  by: string;
  dev: string;
  at: number;
}

export interface CellWrite {
  rowId: string;
  colId: string;
  value: CellValue;
  /** a formula (stored text) to write instead of a value; `value` is then ignored */
  formula?: string;
}
