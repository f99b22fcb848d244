import type { Alternative, CellConflict } from '../model/conflicts.js';
import type { HistoryEntry, HistoryGroup, HistoryValue } from '../model/history.js';
import type { Column } from '../model/types.js';
import { isColumnType } from '../model/values.js';
import type { Workbook } from '../model/workbook.js';
import { currentLocale, translate, translatePlural, type Locale } from './i18n/locale.js';
import type { MessageKey } from './i18n/messages.js';
import { displayValue, inputOptions, numberText, personText } from './i18n/value-text.js';

/**
 * History entries in words (Activity, a cell's history): pure functions of an
 * entry and a `HistoryPlace`, the little a sentence needs to know about the
 * workbook (a column's name and type, a row's number, a sheet's name), so they
 * are tested in Node without a DOM.
 */
export interface HistoryPlace {
  /** the column, deleted ones included (their values still read as their type) */
  column(sheetId: string, colId: string): Column | undefined;
  /** 1-based position among the sheet's rows; null for a row in the trash */
  rowNumber(sheetId: string, rowId: string): number | null;
  sheetName(sheetId: string): string | null;
  /**
   * A formula's stored text (ids) in A1 for the reader's current order, as the formula bar shows it;
   * rowId null for a column formula. Absent: the stored text is shown as it is.
   */
  formula?(sheetId: string, rowId: string | null, stored: string): string;
}

/** Reads the workbook lazily and remembers what it read: a page of entries looks rows up thousands of times. */
export function workbookPlace(wb: Workbook, locale: Locale = currentLocale()): HistoryPlace {
  const columns = new Map<string, Map<string, Column>>();
  const rows = new Map<string, Map<string, number>>();
  let sheets: Map<string, string> | null = null;
  const known = (sheetId: string) => wb.sheets().some((s) => s.id === sheetId) || wb.deletedSheets().some((s) => s.id === sheetId);
  return {
    column(sheetId, colId) {
      let m = columns.get(sheetId);
      if (!m) {
        m = new Map();
        if (known(sheetId)) for (const c of [...wb.deletedColumns(sheetId), ...wb.columns(sheetId)]) m.set(c.id, c);
        columns.set(sheetId, m);
      }
      return m.get(colId);
    },
    rowNumber(sheetId, rowId) {
      let m = rows.get(sheetId);
      if (!m) {
        m = new Map(known(sheetId) ? wb.rowIds(sheetId).map((id, i) => [id, i + 1] as const) : []);
        rows.set(sheetId, m);
      }
      return m.get(rowId) ?? null;
    },
    sheetName(sheetId) {
      sheets ??= new Map([...wb.deletedSheets(), ...wb.sheets()].map((s) => [s.id, s.name] as const));
      return sheets.get(sheetId) ?? null;
    },
    formula(sheetId, rowId, stored) {
      return wb.formulaForDisplay(stored, { sheetId, rowId: rowId ?? '' }, inputOptions(locale));
    },
  };
}

/**
 * One of a conflict's values in words: a formula as the reader's order names its cells
 * (`=SUM(B1:B5)`, never the ids it is stored with), a value as the grid shows it.
 */
export function alternativeText(locale: Locale, wb: Workbook, col: Column, c: Pick<CellConflict, 'sheetId' | 'rowId'>, a: Alternative): string {
  if (a.formula && typeof a.v === 'string') return wb.formulaForDisplay(a.v, { sheetId: c.sheetId, rowId: c.rowId }, inputOptions(locale));
  return historyValue(locale, col, a.v);
}

export interface PhraseOptions {
  /** name the sheet too (Activity across every sheet) */
  withSheet?: boolean;
  /** leave out the cell (a cell's own history: the dialog already says which) */
  withoutPlace?: boolean;
}

/** A value as the grid shows it: select ids as their labels, numbers with the reader's decimal mark and the unit. */
export function historyValue(locale: Locale, column: Column | undefined, v: HistoryValue): string {
  if (v === null || v === '') return translate(locale, 'value.empty');
  if (!column) return typeof v === 'boolean' ? translate(locale, v ? 'value.yes' : 'value.no') : typeof v === 'number' ? numberText(locale, v) : v;
  return displayValue(locale, column, v);
}

/** "−2", "+3 kg": the true minus sign, as a change rather than an amount. */
export function deltaText(locale: Locale, column: Column | undefined, delta: number): string {
  const n = numberText(locale, Math.abs(delta));
  const sign = delta < 0 ? '\u2212' : '+';
  return `${sign}${n}${column?.unit ? ` ${column.unit}` : ''}`;
}

function typeName(locale: Locale, type: HistoryValue): string {
  return typeof type === 'string' && isColumnType(type) ? translate(locale, `import.type.${type}` as MessageKey) : String(type ?? '');
}

function name(v: HistoryValue): string {
  return v === null ? '' : String(v);
}

/** One change in words, without who and when (shown beside it). */
export function entryText(locale: Locale, place: HistoryPlace, e: HistoryEntry, options: PhraseOptions = {}): string {
  const tr = (key: MessageKey, params: Record<string, string | number> = {}) => translate(locale, key, params);
  const sheet = e.sheetId ? (place.sheetName(e.sheetId) ?? tr('history.deletedSheet')) : '';
  const column = e.sheetId && e.colId ? place.column(e.sheetId, e.colId) : undefined;
  const columnName = column?.name ?? tr('activity.deletedColumn');
  const inSheet = (text: string) => (options.withSheet && sheet ? tr('history.inSheet', { sheet, text }) : text);
  const cellWhere = () => {
    if (options.withoutPlace) return '';
    const row = e.sheetId && e.rowId ? place.rowNumber(e.sheetId, e.rowId) : null;
    const where = row !== null ? tr('activity.where', { column: columnName, row }) : tr('activity.whereGone', { column: columnName, row: tr('activity.deletedRow') });
    return options.withSheet && sheet ? tr('history.inSheet', { sheet, text: where }) : where;
  };
  const atCell = (text: string) => {
    const where = cellWhere();
    return where ? tr('history.at', { where, text }) : text;
  };
  const show = (v: HistoryValue) => historyValue(locale, column, v);
  // a formula side reads in A1 for the current order, as the formula bar shows it
  const formulaText = (v: HistoryValue, rowId: string | null) => (typeof v === 'string' && e.sheetId && place.formula ? place.formula(e.sheetId, rowId, v) : String(v));
  const cellSide = (v: HistoryValue, isFormula: boolean) => (isFormula ? formulaText(v, e.rowId) : show(v));
  const rows = (key: 'history.rowsAdded' | 'history.rowsDeleted' | 'history.rowsRestored' | 'history.rowsMoved') => {
    const n = typeof e.after === 'number' ? e.after : e.rowIds.length;
    // A single row is named by its number when it is still in the sheet.
    const only = n === 1 && e.sheetId && e.rowIds[0] ? place.rowNumber(e.sheetId, e.rowIds[0]) : null;
    return inSheet(only !== null ? tr(`${key}.row` as MessageKey, { row: only }) : translatePlural(locale, key, n));
  };
  switch (e.kind) {
    case 'cell':
      return atCell(tr(e.resolves ? 'history.resolvedCell' : 'history.cell', { before: cellSide(e.before, e.beforeFormula), after: cellSide(e.after, e.afterFormula) }));
    case 'delta':
      return atCell(typeof e.after === 'number' ? deltaText(locale, column, e.after) : show(e.after));
    case 'recount':
      return atCell(
        e.before === null || e.before === e.after
          ? tr('history.recount', { n: show(e.after) })
          : tr('history.recountWas', { n: show(e.after), was: show(e.before) }),
      );
    case 'claim':
      return atCell(tr('history.claimed'));
    case 'release':
      return atCell(e.before ? tr('history.releasedName', { name: name(e.before) }) : tr('history.released'));
    case 'assign':
      return atCell(tr('history.assigned', { name: name(e.after) }));
    case 'row-insert':
      return rows('history.rowsAdded');
    case 'row-delete':
      return rows('history.rowsDeleted');
    case 'row-restore':
      return rows('history.rowsRestored');
    case 'row-move':
      return rows('history.rowsMoved');
    case 'column-add':
      return inSheet(tr('history.columnAdded', { name: name(e.after) || columnName }));
    case 'column-rename':
      return inSheet(tr('history.columnRenamed', { before: name(e.before), after: name(e.after) }));
    case 'column-retype':
      return inSheet(tr('history.columnRetyped', { name: columnName, before: typeName(locale, e.before), after: typeName(locale, e.after) }));
    case 'column-update': {
      if (!e.beforeFormula && !e.afterFormula) return inSheet(tr('history.columnUpdated', { name: columnName }));
      const side = (v: HistoryValue, isFormula: boolean) => (isFormula ? formulaText(v, null) : tr('history.noFormula'));
      return inSheet(tr('history.columnFormula', { name: columnName, before: side(e.before, e.beforeFormula), after: side(e.after, e.afterFormula) }));
    }
    case 'column-move':
      return inSheet(tr('history.columnMoved', { name: columnName }));
    case 'column-delete':
      return inSheet(tr('history.columnDeleted', { name: name(e.before) || name(e.after) || columnName }));
    case 'column-restore':
      return inSheet(tr('history.columnRestored', { name: name(e.after) || columnName }));
    case 'sheet-add':
      return tr('history.sheetAdded', { name: name(e.after) || sheet });
    case 'sheet-rename':
      return tr('history.sheetRenamed', { before: name(e.before), after: name(e.after) });
    case 'sheet-move':
      return tr('history.sheetMoved', { name: sheet });
    case 'sheet-delete':
      return tr('history.sheetDeleted', { name: name(e.before) || name(e.after) || sheet });
    case 'sheet-restore':
      return tr('history.sheetRestored', { name: name(e.after) || sheet });
    case 'title':
      return e.before ? tr('history.titleRenamed', { before: name(e.before), after: name(e.after) }) : tr('history.titleSet', { after: name(e.after) });
    case 'group':
      return groupLabelText(locale, e.label, e.detail) ?? '';
  }
}

const GROUP_WORDS = {
  paste: 'history.group.paste',
  import: 'history.group.import',
  restore: 'history.group.restore',
  rewind: 'history.group.rewind',
  revert: 'history.group.revert',
  fill: 'history.group.fill',
  template: 'history.group.template',
  resolve: 'history.group.resolve',
} as const;

function groupLabelText(locale: Locale, label: HistoryGroup['label'], detail: string): string | null {
  if (!label) return null;
  // A rewind's detail is the moment, stored as ISO time: shown in the reader's own words.
  const at = label === 'rewind' ? Date.parse(detail) : NaN;
  const shown = Number.isFinite(at) ? new Date(at).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'medium' }) : detail;
  return translate(locale, GROUP_WORDS[label], { detail: shown });
}

/**
 * The line Activity shows for a whole group: a named one's label ("Import of
 * needs.csv"), else its one change, else its first change and how many more.
 */
export function groupText(locale: Locale, place: HistoryPlace, group: HistoryGroup, options: PhraseOptions = {}): string {
  const label = groupLabelText(locale, group.label, group.detail);
  if (label) return label;
  // A group is one transaction, all its entries at one time, in the order they were made.
  const first = group.entries[0];
  if (!first) return '';
  const text = entryText(locale, place, first, options);
  return group.entries.length === 1 ? text : translatePlural(locale, 'history.andMore', group.entries.length - 1, { text });
}

/** "Ana · this device", "Ana · device k3f9": who, and which of their devices (people use several). */
export function whoText(locale: Locale, by: string, dev: string, myDevice: string): string {
  const name = personText(locale, by);
  if (!dev) return name;
  return translate(locale, dev === myDevice ? 'history.byHere' : 'history.byDevice', { by: name, device: dev.slice(0, 4) });
}
