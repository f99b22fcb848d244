import { isModelError, ModelError, type ModelErrorCode } from './errors.js';
import type { CellValue, CellWrite, Column, ColumnSpec, ColumnType, SelectOption } from './types.js';
import { COLUMN_TYPES } from './types.js';
import { canHoldAsText, isIsoDate, isIsoDateTime, isPhoneText, MULTI_SEPARATOR, parseInput, readNumber, validateValue } from './values.js';
import { mergedHeader } from './import-header.js';
import type { Workbook } from './workbook.js';

/**
 * A cell as a file gives it: text from CSV; numbers, booleans and dates (as ISO
 * `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`) from XLSX, which knows its types.
 */
export type ImportCell = string | number | boolean | null;

/** Column settings a file can carry exactly (our own XLSX export writes them in a hidden sheet). */
export interface ImportColumnMeta {
  name: string;
  type: ColumnType;
  width?: number;
  options?: SelectOption[];
  unit?: string | null;
  min?: number | null;
  expiresDays?: number | null;
}

export interface ImportTable {
  name: string;
  header: string[];
  rows: ImportCell[][];
  /** present when the file says exactly what each column is */
  meta?: (ImportColumnMeta | null)[];
  /** rows of the file above the header (titles, notes), left out of the import; the preview can pick another header row */
  above?: ImportCell[][];
  /** merged ranges, in the file's own rows counted from 0: the value sits once, in the top-left cell */
  merges?: ImportMerge[];
  /** what the reader had to decide or repair, for the preview to say (encoding, stray quotes) */
  notes?: ImportNote[];
  /** the file's formulas, at its own 0-based rows and columns; `rows` holds each one's cached value (src/model/formula/import-formulas.ts) */
  formulas?: ImportFormula[];
  /** the sheet's name in the file, which the file's formulas use to point at it */
  fileSheet?: string;
}

/** A formula as the file wrote it: `=` and A1 in the file's own rows and columns, English names, `,` between arguments. */
export interface ImportFormula {
  row: number;
  col: number;
  text: string;
  /** one formula over several cells (Excel's array formula): its cells hold the cached values */
  array?: boolean;
}

/** A merged range as the file declares it; `row`/`col` are 0-based from the file's first row and column. */
export interface ImportMerge {
  row: number;
  col: number;
  rows: number;
  cols: number;
}

export type ImportNote =
  /** text decoded as `encoding`; `alternatives` when other encodings read it plausibly too */
  | { kind: 'encoding'; encoding: string; alternatives: string[] }
  /** a quote that was never closed or stood in the middle of a field, read as a literal quote: the file's 1-based lines affected */
  | { kind: 'stray-quote'; lines: number[] }
  /** CSV read with this separator and decimal mark */
  | { kind: 'csv'; separator: string; decimal: '.' | ',' };

/** How to read a date written with slashes or dots: 1/12/2026 is 12 January in the US and 1 December elsewhere. */
export type DateOrder = 'ymd' | 'mdy' | 'dmy';

export interface ImportColumnPlan {
  /** index of the column in the file */
  source: number;
  name: string;
  type: ColumnType;
  include: boolean;
  options: SelectOption[];
  dateOrder: DateOrder;
  unit: string | null;
  min: number | null;
  expiresDays: number | null;
  width: number | null;
}

export interface ImportIssue {
  /** 1-based row of the file, counting the header as row 1, as a spreadsheet shows it */
  row: number;
  column: string;
  text: string;
  /** why, in English for logs; `code` and `detail` let the UI say it in the reader's language */
  reason: string;
  code: ModelErrorCode;
  detail: Record<string, unknown>;
  /** true: the text goes in as it is, flagged as not fitting; false: the cell cannot be imported */
  kept: boolean;
}

export interface ImportCheck {
  issues: ImportIssue[];
  /** counts over the whole table; `issues` holds at most the first `limit` */
  keptCount: number;
  skippedCount: number;
}

export type ImportTarget = { kind: 'new'; name: string } | { kind: 'append'; sheetId: string };

export interface ImportResult {
  sheetId: string;
  rows: number;
  cells: number;
  keptCount: number;
  skippedCount: number;
}

export const MAX_IMPORT_ROWS = 200_000;
export const MAX_IMPORT_CELLS = 3_000_000;
const SELECT_MAX_OPTIONS = 12;
const LONG_TEXT = 200;
const PALETTE = ['#1f6feb', '#1a7f37', '#bf8700', '#cf222e', '#8250df', '#0a7ea4', '#bc4c00', '#bf3989', '#57606a', '#116329', '#953800', '#6e7781'];

const TRUE_FALSE = /^(true|false|yes|no)$/i;
/** A leading zero means an identifier (a postcode, a case number), which must keep its zero. */
const LEADING_ZERO = /^[-+]?0\d/;
const SLASH_DATE = /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$/;
const SLASH_DATETIME = /^(\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?$/i;
const LINK = /^https?:\/\/\S+$/i;

/** Cleans header names: blanks get a letter name, repeats get a number, so every column is addressable. */
export function headerNames(header: readonly string[], width: number): string[] {
  const seen = new Map<string, number>();
  const out: string[] = [];
  for (let i = 0; i < width; i++) {
    const raw = String(header[i] ?? '').replace(/\s+/g, ' ').trim().slice(0, 100);
    let name = raw || `Column ${i + 1}`;
    const key = name.toLowerCase();
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n > 1) name = `${name} (${n})`;
    out.push(name);
  }
  return out;
}

export function tableWidth(table: ImportTable): number {
  let w = table.header.length;
  for (const r of table.rows) if (r.length > w) w = r.length;
  return w;
}

function isEmpty(cell: ImportCell): boolean {
  return cell === null || cell === '';
}

/** Space-only text says nothing about a column's type (and would make a blank choice). */
function isBlank(cell: ImportCell): boolean {
  return isEmpty(cell) || (typeof cell === 'string' && cell.trim() === '');
}

/** Which order a set of slash dates must be in; null when some do not read as dates in any order. */
function inferDateOrder(texts: readonly string[]): DateOrder | null {
  let ymd = true;
  let mdy = true;
  let dmy = true;
  for (const t of texts) {
    const m = SLASH_DATE.exec(t.trim()) ?? SLASH_DATETIME.exec(t.trim())?.[1].match(SLASH_DATE);
    if (!m) return null;
    const [a, b, c] = [m[1], m[2], m[3]];
    if (!(a.length === 4 && validYmd(+a, +b, +c))) ymd = false;
    if (!(c.length === 4 && validYmd(+c, +a, +b))) mdy = false;
    if (!(c.length === 4 && validYmd(+c, +b, +a))) dmy = false;
  }
  // Ambiguous days (all ≤ 12) read month-first, as Google Sheets' default US locale writes them; the preview can change it.
  return ymd ? 'ymd' : mdy ? 'mdy' : dmy ? 'dmy' : null;
}

function validYmd(y: number, m: number, d: number): boolean {
  return isIsoDate(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
}

function slashToIso(text: string, order: DateOrder): string | null {
  const m = SLASH_DATE.exec(text.trim());
  if (!m) return null;
  const [a, b, c] = [+m[1], +m[2], +m[3]];
  const [y, mo, d] = order === 'ymd' ? [a, b, c] : order === 'mdy' ? [c, a, b] : [c, b, a];
  if ((order === 'ymd' ? m[1] : m[3]).length !== 4 || !validYmd(y, mo, d)) return null;
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function readDate(text: string, order: DateOrder): string | null {
  const t = text.trim();
  if (isIsoDate(t)) return t;
  return slashToIso(t, order);
}

function readDateTime(text: string, order: DateOrder): string | null {
  const t = text.trim();
  const iso = t.replace(' ', 'T');
  if (isIsoDateTime(iso)) return iso;
  const isoSeconds = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}):00$/.exec(iso);
  if (isoSeconds && isIsoDateTime(isoSeconds[1])) return isoSeconds[1];
  const m = SLASH_DATETIME.exec(t) ?? /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?$/i.exec(t);
  if (!m) return null;
  const date = readDate(m[1], order);
  let hour = +m[2];
  const minute = +m[3];
  // Seconds other than :00 would be lost: such a value does not fit, it is not rounded.
  if (m[4] && +m[4] !== 0) return null;
  if (m[5]) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (m[5].toLowerCase() === 'pm' ? 12 : 0);
  }
  const out = `${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  return date && isIsoDateTime(out) ? out : null;
}

function makeOptions(labels: readonly string[]): SelectOption[] {
  return labels.map((label, i) => ({ id: `o${i + 1}`, label, color: PALETTE[i % PALETTE.length] }));
}

function basePlan(source: number, name: string): ImportColumnPlan {
  return { source, name, type: 'text', include: true, options: [], dateOrder: 'mdy', unit: null, min: null, expiresDays: null, width: null };
}

/** Guesses each column's type from all its values; the preview lets a person change every guess. */
export function inferColumns(table: ImportTable): ImportColumnPlan[] {
  const width = tableWidth(table);
  const names = headerNames(mergedHeader(table), width);
  const plans: ImportColumnPlan[] = [];
  for (let c = 0; c < width; c++) {
    const plan = basePlan(c, names[c]);
    const meta = table.meta?.[c];
    if (meta && (COLUMN_TYPES as readonly string[]).includes(meta.type)) {
      plans.push({
        ...plan,
        type: meta.type,
        options: meta.options ?? [],
        unit: meta.unit ?? null,
        min: meta.min ?? null,
        expiresDays: meta.expiresDays ?? null,
        width: meta.width ?? null,
      });
      continue;
    }
    const values: ImportCell[] = [];
    for (const r of table.rows) if (!isBlank(r[c] ?? null)) values.push(r[c]);
    Object.assign(plan, guessType(values));
    plans.push(plan);
  }
  return plans;
}

function guessType(values: readonly ImportCell[]): Partial<ImportColumnPlan> {
  if (values.length === 0) return { type: 'text' };
  const texts = values.filter((v): v is string => typeof v === 'string');
  const strings = texts.map((t) => t.trim());
  if (values.every((v) => typeof v === 'boolean' || (typeof v === 'string' && TRUE_FALSE.test(v.trim())))) return { type: 'checkbox' };
  if (values.every((v) => typeof v === 'number' || (typeof v === 'string' && readNumber(v.trim()) !== null && !LEADING_ZERO.test(v.trim())))) {
    return { type: 'number' };
  }
  if (texts.length === values.length) {
    if (strings.every((t) => isIsoDate(t))) return { type: 'date', dateOrder: 'ymd' };
    if (strings.every((t) => SLASH_DATE.test(t))) {
      const order = inferDateOrder(strings);
      if (order) return { type: 'date', dateOrder: order };
    }
    const dtOrder = strings.every((t) => SLASH_DATETIME.test(t)) ? inferDateOrder(strings) : 'ymd';
    if (dtOrder && strings.every((t) => readDateTime(t, dtOrder) !== null)) return { type: 'datetime', dateOrder: dtOrder };
    if (strings.every((t) => LINK.test(t))) return { type: 'link' };
    if (strings.every((t) => isPhoneText(t) && t.replace(/\D/g, '').length >= 7 && /[+ ()\-.]/.test(t))) return { type: 'phone' };
  }
  if (texts.some((t) => t.includes('\n') || t.length > LONG_TEXT)) return { type: 'longtext' };
  const distinct: string[] = [];
  const seen = new Set<string>();
  for (const v of values) {
    const label = typeof v === 'string' ? v.trim() : String(v);
    if (!seen.has(label.toLowerCase())) {
      seen.add(label.toLowerCase());
      distinct.push(label);
      if (distinct.length > SELECT_MAX_OPTIONS) break;
    }
  }
  if (texts.length === values.length && distinct.length <= SELECT_MAX_OPTIONS && values.length >= 2 * distinct.length && !distinct.some((d) => d.includes(MULTI_SEPARATOR))) {
    return { type: 'select', options: makeOptions(distinct) };
  }
  return { type: 'text' };
}

/** Options for a select column from the values it will hold, for when a person switches a column to select in the preview. */
export function optionsFromValues(table: ImportTable, source: number, multi: boolean): SelectOption[] {
  const labels: string[] = [];
  const seen = new Set<string>();
  for (const r of table.rows) {
    const v = r[source];
    if (isEmpty(v ?? null)) continue;
    const parts = multi ? String(v).split(/[,;]/) : [String(v)];
    for (const p of parts.map((x) => x.trim()).filter(Boolean)) {
      if (seen.has(p.toLowerCase())) continue;
      seen.add(p.toLowerCase());
      labels.push(p);
      if (labels.length >= 200) return makeOptions(labels);
    }
  }
  return makeOptions(labels);
}

export function planColumn(plan: ImportColumnPlan): Column {
  return {
    id: `import-${plan.source}`,
    name: plan.name,
    type: plan.type,
    width: plan.width ?? 120,
    options: plan.options,
    min: plan.min,
    minColumn: null,
    expiresDays: plan.expiresDays,
    unit: plan.unit,
  };
}

function textOf(cell: ImportCell): string {
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  return String(cell);
}

/**
 * One file cell as a value of the planned column, or a ModelError saying why it
 * does not fit. Claims come back as the holders' names joined by ", ".
 */
export function convertCell(column: Column, plan: Pick<ImportColumnPlan, 'dateOrder'>, cell: ImportCell): CellValue {
  if (cell === null || cell === '') return null;
  const ctx = { column: column.name, value: cell, input: textOf(cell) };
  switch (column.type) {
    case 'text':
    case 'longtext':
    case 'link':
    case 'phone': {
      const text = textOf(cell);
      if (column.type === 'phone') return parseInput(column, text);
      validateValue(column, text);
      return text;
    }
    case 'number':
    case 'counter':
      if (typeof cell === 'number') {
        validateValue(column, cell);
        return cell;
      }
      if (typeof cell === 'boolean') throw new ModelError('NOT_A_NUMBER', `${column.name} holds numbers`, ctx);
      return parseInput(column, cell);
    case 'checkbox':
      if (typeof cell === 'boolean') return cell;
      return parseInput(column, textOf(cell));
    case 'date': {
      const iso = typeof cell === 'string' ? readDate(cell, plan.dateOrder) : null;
      if (iso) return iso;
      throw new ModelError('NOT_A_DATE', `“${textOf(cell)}” is not a date`, ctx);
    }
    case 'datetime': {
      const iso = typeof cell === 'string' ? (readDateTime(cell, plan.dateOrder) ?? (isIsoDate(cell.trim()) ? `${cell.trim()}T00:00` : null)) : null;
      if (iso) return iso;
      throw new ModelError('NOT_A_DATETIME', `“${textOf(cell)}” is not a date and time`, ctx);
    }
    case 'select':
    case 'multiselect':
      return parseInput(column, textOf(cell));
    case 'claim': {
      const names = claimNames(textOf(cell));
      return names.length ? names.join(', ') : null;
    }
  }
}

function claimNames(text: string): string[] {
  return Array.from(new Set(text.split(',').map((n) => n.trim()).filter(Boolean)));
}

/** Lists every cell that does not fit its planned column: kept as text when the column can hold it, otherwise left out. */
export function checkImport(table: ImportTable, plans: readonly ImportColumnPlan[], limit = 200): ImportCheck {
  const out: ImportCheck = { issues: [], keptCount: 0, skippedCount: 0 };
  for (const plan of plans) {
    if (!plan.include) continue;
    const column = planColumn(plan);
    for (let r = 0; r < table.rows.length; r++) {
      const cell = table.rows[r][plan.source] ?? null;
      try {
        convertCell(column, plan, cell);
      } catch (err) {
        if (!isModelError(err)) throw err;
        const text = textOf(cell);
        const kept = canHoldAsText(column, text);
        if (kept) out.keptCount++;
        else out.skippedCount++;
        if (out.issues.length < limit) out.issues.push({ row: r + 2, column: plan.name, text: text.slice(0, 200), reason: err.message, code: err.code, detail: err.detail, kept });
      }
    }
  }
  return out;
}

export function checkTableSize(table: ImportTable): void {
  const width = tableWidth(table);
  if (table.rows.length > MAX_IMPORT_ROWS || table.rows.length * width > MAX_IMPORT_CELLS) {
    throw new ModelError('IMPORT_TOO_LARGE', `${table.name} has ${table.rows.length} rows × ${width} columns; one import takes at most ${MAX_IMPORT_ROWS} rows and ${MAX_IMPORT_CELLS} cells`, {
      rows: table.rows.length,
      columns: width,
      maxRows: MAX_IMPORT_ROWS,
      maxCells: MAX_IMPORT_CELLS,
    });
  }
}

function specOf(plan: ImportColumnPlan): ColumnSpec {
  const spec: ColumnSpec = { name: plan.name, type: plan.type };
  if (plan.options.length && (plan.type === 'select' || plan.type === 'multiselect')) spec.options = plan.options;
  if (plan.width) spec.width = plan.width;
  if (plan.unit && (plan.type === 'number' || plan.type === 'counter')) spec.unit = plan.unit;
  if (plan.min !== null && plan.type === 'counter') spec.min = plan.min;
  if (plan.expiresDays !== null && plan.type === 'claim') spec.expiresDays = plan.expiresDays;
  return spec;
}

/**
 * Writes a table into the workbook in one transaction: one sync update and one
 * undo step. A new sheet gets the planned columns; appending matches columns
 * by name and adds those the sheet lacks. Values that do not fit are kept as
 * text where the column can hold text (and flagged by the grid like any
 * misfit); the rest are left out and counted — the preview listed them first.
 */
export function commitImport(wb: Workbook, table: ImportTable, plans: readonly ImportColumnPlan[], target: ImportTarget): ImportResult {
  checkTableSize(table);
  const included = plans.filter((p) => p.include);
  const result: ImportResult = { sheetId: '', rows: table.rows.length, cells: 0, keptCount: 0, skippedCount: 0 };
  wb.group('import', table.name, () => {
    const sheetId = target.kind === 'new' ? wb.addSheet(uniqueSheetName(wb, target.name)) : target.sheetId;
    result.sheetId = sheetId;
    const existing = target.kind === 'append' ? wb.columns(sheetId) : [];
    const columns: Column[] = included.map((plan) => {
      const match = existing.find((c) => c.name.trim().toLowerCase() === plan.name.trim().toLowerCase());
      return match ?? wb.column(sheetId, wb.addColumn(sheetId, specOf(plan)));
    });
    const rowIds = table.rows.length ? wb.insertRows(sheetId, wb.rowCount(sheetId), table.rows.length) : [];
    const writes: CellWrite[] = [];
    const counters: { rowId: string; colId: string; value: number }[] = [];
    const claims: { rowId: string; colId: string; names: string[] }[] = [];
    included.forEach((plan, i) => {
      const column = columns[i];
      for (let r = 0; r < table.rows.length; r++) {
        const cell = table.rows[r][plan.source] ?? null;
        if (cell === null || cell === '') continue;
        let value: CellValue;
        try {
          value = convertCell(column, plan, cell);
        } catch (err) {
          if (!isModelError(err)) throw err;
          const text = textOf(cell);
          if (canHoldAsText(column, text)) {
            writes.push({ rowId: rowIds[r], colId: column.id, value: text });
            result.keptCount++;
          } else result.skippedCount++;
          continue;
        }
        if (value === null) continue;
        if (column.type === 'counter') counters.push({ rowId: rowIds[r], colId: column.id, value: value as number });
        else if (column.type === 'claim') claims.push({ rowId: rowIds[r], colId: column.id, names: claimNames(String(value)) });
        else writes.push({ rowId: rowIds[r], colId: column.id, value });
      }
    });
    wb.setCells(sheetId, writes, { keepMisfitText: true });
    for (const c of counters) wb.recount(sheetId, c.rowId, c.colId, c.value);
    for (const c of claims) wb.setClaimHolders(sheetId, c.rowId, c.colId, c.names.map((name) => ({ name })));
    result.cells = writes.length + counters.length + claims.length;
  });
  return result;
}

function uniqueSheetName(wb: Workbook, name: string): string {
  const base = name.trim().slice(0, 90) || 'Imported';
  const taken = new Set(wb.sheets().map((s) => s.name.toLowerCase()));
  if (!taken.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base} (${n})`.toLowerCase())) return `${base} (${n})`;
}
