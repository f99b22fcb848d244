import * as Y from 'yjs';
import type { RevertResult } from './revert.js';
import { decodeCell, encodeCell, encodeFormula, isStoredFormula, writeId } from './cell-codec.js';
import { FormulaError } from './formula/errors.js';
import { LayoutIndex } from './formula/layout.js';
import type { SyntaxOptions } from './formula/parse.js';
import { toDisplay, toStored, type FormulaPlace } from './formula/refs.js';
import { Lineages, type CellConflict } from './conflicts.js';
import { Journal, entryFrom, type GroupLabel, type HistoryFilter, type HistoryGroup, type NamedEntry } from './history.js';
import { recordEvents, recordMeta } from './recorder.js';
import { FreshUndoManager } from './undo.js';
import { revertPerson } from './revert.js';
import { claimKey, decodeClaim, encodeClaim, holders, parseClaimKey, type ClaimEntry } from './claim.js';
import { counterValue, decodeOp, encodeOp, opKey, parseOpKey, seenVector, type CounterOp } from './counter.js';
import { ModelError } from './errors.js';
import { isValidId, randomId } from './ids.js';
import { comparePositioned, isValidKey, keysBetween } from './position.js';
import { BLANK_SHEET, columnLetter } from './blank-sheet.js';
import { readCardFields } from './card-fields.js';
import { SCHEMA_VERSION, migrate, readSchemaVersion } from './schema.js';
import { DEFAULT_TIME_ZONE, canonicalTimeZone, deviceTimeZone } from './time-zone.js';
import { markDeletionOnlyChanges } from './clock-marks.js';
import type {
  Actor,
  CellRecord,
  CellValue,
  CellWrite,
  Column,
  ColumnPatch,
  ColumnSettings,
  ColumnSpec,
  SheetInfo,
  Tombstone,
} from './types.js';
import { canHoldAsText, isColumnType, validateOptions, validateValue } from './values.js';

/**
 * Layout of the Y.Doc (docs/schema.md is the reference):
 *   meta: Y.Map           schemaVersion, createdAt
 *   actors: Y.Map<ref, {name, dev}>   who wrote cells (see cell-codec.ts)
 *   sheets: Y.Map<sheetId, Y.Map>
 *     name, pos, deleted (Tombstone|null)
 *     columns: Y.Map<colId, Y.Map{name,type,width,pos,options,deleted}>
 *     rowPos: Y.Map<rowId, positionKey>
 *     rowDeleted: Y.Map<rowId, Tombstone>
 *     cells: Y.Map<rowId, Y.Map<colId, encoded cell string>>
 *
 * Each cell is one Yjs item holding a short string (cell-codec.ts) under a
 * short column key in its row's map: this layout loads a 10k×10 snapshot about
 * twice as fast as JSON records (see docs/schema.md for the measurements).
 * Deletes are tombstones, so nothing is ever hard-removed and a cell can never
 * lose its row or column, even when edits race a delete.
 */

export const MAX_NAME_LENGTH = 200;
export const MIN_COLUMN_WIDTH = 40;
export const MAX_COLUMN_WIDTH = 1000;
export const DEFAULT_COLUMN_WIDTH = 120;

export interface WorkbookOptions {
  actor: Actor;
  now?: () => number;
  newId?: (length: number) => string;
  /** opened with a view link: every write is refused with READ_ONLY before it touches the doc */
  readOnly?: boolean;
  /** the workbook's history journal (src/model/history.ts); a private one when absent */
  history?: Y.Doc;
  /** the zone a workbook created here starts with (time-zone.ts); this device's when absent */
  timeZone?: string;
}

const ID_LENGTH = { sheet: 10, row: 10, column: 8 } as const;

export interface SheetChange {
  /** rows or columns added, moved, deleted, renamed or retyped */
  structure: boolean;
  /** keys (`rowId:colId`) of cells written */
  cells: Set<string>;
}

export interface WorkbookChange {
  /** title, schema version */
  meta: boolean;
  /** the sheet list itself (add, rename, reorder, delete) */
  sheetList: boolean;
  sheets: Map<string, SheetChange>;
  /** made through this Workbook object, as opposed to arriving from sync or storage */
  local: boolean;
}

export function cellKey(rowId: string, colId: string): string {
  return `${rowId}:${colId}`;
}

interface OrderCache {
  rows?: string[];
  columns?: Column[];
}

type SheetMap = Y.Map<unknown>;

export class Workbook {
  readonly doc: Y.Doc;
  /** Transaction origin for this object's writes; undo managers track it. */
  readonly origin: object = {};
  private actor: Actor;
  private readonly now: () => number;
  private readonly newId: (length: number) => string;
  private actorRef: string | null = null;
  /** Numbers this open workbook's counter ops; see counter.ts. */
  private readonly session: string;
  private readonly sheetsMap: Y.Map<SheetMap>;
  private readonly cache = new Map<string, OrderCache>();
  private sheetListCache: SheetInfo[] | undefined;
  readonly readOnly: boolean;
  private unmark: () => void = () => {};
  private readonly listeners = new Set<(change: WorkbookChange) => void>();
  private readonly onDeep = (events: Y.YEvent<any>[], tr: Y.Transaction) => this.handleEvents(events, tr);
  private readonly onMeta = (e: Y.YMapEvent<unknown>, tr: Y.Transaction) => {
    if (this.isOwn(tr)) this.record(recordMeta(e), tr);
    this.emit({ meta: true, sheetList: false, sheets: new Map(), local: tr.origin === this.origin });
  };
  /** Every change anyone made (history.ts); its own Y.Doc, synced as a room of its own. */
  readonly journal: Journal;
  private readonly lineages: Lineages;
  /** Transactions whose changes this device makes: its own writes and its undo managers' steps. */
  private readonly ownOrigins = new WeakSet<object>();
  private readonly groupOf = new WeakMap<Y.Transaction, string>();
  private groupSeq = 0;
  private readonly labelOf = new WeakMap<Y.Transaction, { label: GroupLabel; detail: string }>();
  private lastAt = 0;
  private readonly creatorZone: string;

  constructor(doc: Y.Doc, options: WorkbookOptions) {
    this.doc = doc;
    this.creatorZone = canonicalTimeZone(options.timeZone) ?? deviceTimeZone();
    this.actor = { ...options.actor };
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomId;
    this.session = this.newId(8);
    this.readOnly = options.readOnly ?? false;
    this.sheetsMap = doc.getMap('sheets') as Y.Map<SheetMap>;
    this.journal = new Journal(options.history ?? new Y.Doc());
    this.lineages = new Lineages(this.journal);
    this.ownOrigins.add(this.origin);
    this.sheetsMap.observeDeep(this.onDeep);
    doc.getMap('meta').observe(this.onMeta);
    // A view link's device makes no change; a mark from it would be one, refused by the hub.
    if (!this.readOnly) this.unmark = markDeletionOnlyChanges(doc);
  }

  destroy(): void {
    this.unmark();
    this.sheetsMap.unobserveDeep(this.onDeep);
    this.doc.getMap('meta').unobserve(this.onMeta);
    this.listeners.clear();
    this.lineages.destroy();
    this.journal.destroy();
  }

  setActor(actor: Actor): void {
    if (actor.name !== this.actor.name || actor.deviceId !== this.actor.deviceId) this.actorRef = null;
    this.actor = { ...actor };
  }

  getActor(): Actor {
    return { ...this.actor };
  }

  // ── lifecycle ───────────────────────────────────────────────────────────

  /** True once some peer has created the workbook (it may still be arriving over sync). */
  isInitialized(): boolean {
    return readSchemaVersion(this.doc) !== null;
  }

  schemaVersion(): number | null {
    return readSchemaVersion(this.doc);
  }

  /**
   * Sets up a brand-new workbook: schema version and a first sheet to type into. The app starts
   * workbooks from (translated) templates; this is for tests and tools, whose sheet is named as the
   * blank template's unless they say.
   */
  initialize(options: { title?: string; sheetName?: string; columns?: number; rows?: number } = {}): string {
    let sheetId = '';
    this.transact(() => {
      this.stamp(options.title);
      sheetId = this.addSheet(options.sheetName ?? BLANK_SHEET.name);
      const columns = options.columns ?? BLANK_SHEET.columns.length;
      for (let i = 0; i < columns; i++) this.addColumn(sheetId, { name: columnLetter(i) });
      const rows = options.rows ?? BLANK_SHEET.rows;
      if (rows > 0) this.insertRows(sheetId, 0, rows);
    });
    return sheetId;
  }

  /** The workbook's title, or '' when it has none (the UI words that in the reader's language). */
  title(): string {
    const t = this.doc.getMap('meta').get('title');
    return typeof t === 'string' && t.trim() ? t : '';
  }

  /** A blank title clears it: a workbook may be untitled, and restoring an untitled copy must be able to say so. */
  setTitle(title: string): void {
    const clean = typeof title === 'string' && title.trim() === '' ? '' : checkName(title);
    this.transact(() => this.doc.getMap('meta').set('title', clean));
  }

  /** Marks a new doc as a workbook of this schema (what initialize and templates start with). */
  stamp(title?: string): void {
    this.transact(() => {
      const meta = this.doc.getMap('meta');
      meta.set('schemaVersion', SCHEMA_VERSION);
      meta.set('createdAt', this.clock());
      if (title) meta.set('title', checkName(title));
      if (!meta.has('timeZone')) meta.set('timeZone', this.creatorZone);
    });
  }

  /** The zone TODAY() and NOW() read (time-zone.ts): the stored one when it names a zone, else UTC. */
  timeZone(): string {
    return canonicalTimeZone(this.doc.getMap('meta').get('timeZone')) ?? DEFAULT_TIME_ZONE;
  }

  /** One register, last writer wins; a name Intl does not know is refused (INVALID_TIME_ZONE) and nothing written. */
  setTimeZone(name: string): void {
    const zone = canonicalTimeZone(typeof name === 'string' ? name.trim() : name);
    if (!zone) throw new ModelError('INVALID_TIME_ZONE', `Not a time zone: ${String(name).slice(0, 80)}`, { input: String(name).slice(0, 80) });
    this.transact(() => this.doc.getMap('meta').set('timeZone', zone));
  }

  /** Upgrades an older doc; throws SCHEMA_TOO_NEW for a doc made by a newer app. */
  ensureSchema(): void {
    // A view-only device cannot upgrade the shared doc; it reads an older schema as it is (migrations only add).
    const version = readSchemaVersion(this.doc);
    migrate(this.doc, this.readOnly && version !== null && version < SCHEMA_VERSION ? version : SCHEMA_VERSION);
  }

  transact<T>(fn: () => T): T {
    if (this.readOnly) throw new ModelError('READ_ONLY', 'This is a view-only link: you can look, not change.');
    let result: T | undefined;
    this.doc.transact(() => {
      result = fn();
    }, this.origin);
    return result as T;
  }

  observe(listener: (change: WorkbookChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ── sheets ──────────────────────────────────────────────────────────────

  sheets(): SheetInfo[] {
    if (!this.sheetListCache) {
      const list: { id: string; pos: string; name: string }[] = [];
      this.sheetsMap.forEach((sheet, id) => {
        // Anything a hostile peer put in a sheet's place (a list, a string) reads as no sheet.
        if (!isSoundSheet(sheet) || sheet.get('deleted')) return;
        list.push({ id, pos: textOr(sheet.get('pos'), ''), name: textOr(sheet.get('name'), '') });
      });
      list.sort(comparePositioned);
      this.sheetListCache = list.map(({ id, name }) => ({ id, name }));
    }
    return this.sheetListCache.map((s) => ({ ...s }));
  }

  deletedSheets(): (SheetInfo & { deleted: Tombstone })[] {
    const out: (SheetInfo & { deleted: Tombstone })[] = [];
    this.sheetsMap.forEach((sheet, id) => {
      if (!isSoundSheet(sheet)) return;
      const deleted = readTombstone(sheet.get('deleted'));
      if (deleted) out.push({ id, name: textOr(sheet.get('name'), ''), deleted });
    });
    return out;
  }

  addSheet(name: string, index?: number): string {
    const clean = checkName(name);
    const list = this.sheets();
    const at = index ?? list.length;
    checkIndex(at, list.length);
    const positions = this.allSheetPositions();
    const id = this.newId(ID_LENGTH.sheet);
    const pos = positionAt(positions, list.map((s) => s.id), at, 1)[0];
    this.transact(() => {
      const sheet = new Y.Map<unknown>();
      sheet.set('name', clean);
      sheet.set('pos', pos);
      sheet.set('deleted', null);
      sheet.set('columns', new Y.Map());
      sheet.set('rowPos', new Y.Map());
      sheet.set('rowDeleted', new Y.Map());
      sheet.set('cells', new Y.Map());
      this.sheetsMap.set(id, sheet);
    });
    this.sheetListCache = undefined;
    return id;
  }

  /** Adds a sheet shaped like a blank workbook's (BLANK_SHEET), in one transaction: one undo step, one sync update. */
  addBlankSheet(name: string, index?: number): string {
    return this.transact(() => {
      const id = this.addSheet(name, index);
      for (const column of BLANK_SHEET.columns) this.addColumn(id, { name: column });
      this.insertRows(id, 0, BLANK_SHEET.rows);
      return id;
    });
  }

  /**
   * The column ids a phone card shows, in order; null when the sheet has no setting (the UI
   * then uses defaultCardFields). Deleted or unknown columns are left out.
   */
  cardFields(sheetId: string): string[] | null {
    return readCardFields(this.sheetIncludingDeleted(sheetId).get('cardFields'), this.columns(sheetId));
  }

  /** Chooses the fields phone cards show (null: back to the default). One register per sheet: the last choice wins. */
  setCardFields(sheetId: string, columnIds: readonly string[] | null): void {
    const sheet = this.sheet(sheetId);
    let value: string[] | null = null;
    if (columnIds !== null) {
      const live = new Set(this.columns(sheetId).map((c) => c.id));
      for (const id of columnIds) {
        if (!live.has(id)) throw new ModelError('UNKNOWN_COLUMN', `no column ${id}`, { sheetId, colId: id });
      }
      value = [...new Set(columnIds)];
    }
    this.transact(() => sheet.set('cardFields', value));
  }

  renameSheet(sheetId: string, name: string): void {
    const clean = checkName(name);
    const sheet = this.sheet(sheetId);
    this.transact(() => sheet.set('name', clean));
    this.sheetListCache = undefined;
  }

  moveSheet(sheetId: string, toIndex: number): void {
    const sheet = this.sheet(sheetId);
    const others = this.sheets().map((s) => s.id).filter((id) => id !== sheetId);
    checkIndex(toIndex, others.length);
    const positions = this.allSheetPositions();
    const pos = positionAt(positions, others, toIndex, 1, sheetId)[0];
    this.transact(() => sheet.set('pos', pos));
    this.sheetListCache = undefined;
  }

  /** Moves a sheet to the trash. The last visible sheet cannot go: a workbook always shows something. */
  deleteSheet(sheetId: string): void {
    const sheet = this.sheet(sheetId);
    if (this.sheets().length <= 1) throw new ModelError('LAST_SHEET', 'a workbook needs at least one sheet');
    this.transact(() => sheet.set('deleted', this.tombstone()));
    this.sheetListCache = undefined;
  }

  restoreSheet(sheetId: string): void {
    const sheet = this.sheetIncludingDeleted(sheetId);
    this.transact(() => sheet.set('deleted', null));
    this.sheetListCache = undefined;
  }

  // ── columns ─────────────────────────────────────────────────────────────

  columns(sheetId: string): Column[] {
    const entry = this.cacheFor(sheetId);
    if (!entry.columns) {
      const list: (Column & { pos: string })[] = [];
      this.columnsMap(sheetId).forEach((col, id) => {
        if (!(col instanceof Y.Map) || col.get('deleted')) return;
        list.push(readColumn(id, col));
      });
      list.sort(comparePositioned);
      entry.columns = list.map(({ pos: _pos, ...c }) => c);
    }
    return entry.columns.map((c) => ({ ...c, options: c.options.map((o) => ({ ...o })) }));
  }

  column(sheetId: string, colId: string): Column {
    const col = this.columns(sheetId).find((c) => c.id === colId);
    if (!col) throw new ModelError('UNKNOWN_COLUMN', `no column ${colId}`, { sheetId, colId });
    return col;
  }

  deletedColumns(sheetId: string): (Column & { deleted: Tombstone })[] {
    const out: (Column & { deleted: Tombstone })[] = [];
    this.columnsMap(sheetId).forEach((col, id) => {
      if (!(col instanceof Y.Map)) return;
      const deleted = readTombstone(col.get('deleted'));
      if (!deleted) return;
      const { pos: _pos, ...c } = readColumn(id, col);
      out.push({ ...c, deleted });
    });
    return out;
  }

  addColumn(sheetId: string, spec: ColumnSpec, index?: number): string {
    const columns = this.columnsMap(sheetId);
    const name = checkName(spec.name);
    const type = spec.type ?? 'text';
    if (!isColumnType(type)) throw new ModelError('INVALID_COLUMN_TYPE', `unknown column type ${String(type)}`);
    const width = checkWidth(spec.width ?? DEFAULT_COLUMN_WIDTH);
    const options = validateOptions(spec.options ?? []);
    const settings = checkSettings(spec);
    const visible = this.columns(sheetId).map((c) => c.id);
    const at = index ?? visible.length;
    checkIndex(at, visible.length);
    const pos = positionAt(this.columnPositions(sheetId), visible, at, 1)[0];
    const id = this.newId(ID_LENGTH.column);
    this.transact(() => {
      const col = new Y.Map<unknown>();
      col.set('name', name);
      col.set('type', type);
      col.set('width', width);
      col.set('options', options);
      col.set('pos', pos);
      col.set('deleted', null);
      for (const [k, v] of settings) col.set(k, v);
      columns.set(id, col);
    });
    this.invalidate(sheetId, 'columns');
    return id;
  }

  /**
   * Renames, retypes, resizes or changes options. Each field is its own LWW
   * register, so one person renaming while another resizes keeps both.
   * Retyping keeps every stored value as it is; values that no longer fit are
   * shown flagged rather than converted or dropped.
   */
  updateColumn(sheetId: string, colId: string, patch: ColumnPatch): void {
    const col = this.columnMap(sheetId, colId);
    const next: [string, unknown][] = [];
    if (patch.name !== undefined) next.push(['name', checkName(patch.name)]);
    if (patch.type !== undefined) {
      if (!isColumnType(patch.type)) throw new ModelError('INVALID_COLUMN_TYPE', `unknown column type ${String(patch.type)}`);
      next.push(['type', patch.type]);
    }
    if (patch.width !== undefined) next.push(['width', checkWidth(patch.width)]);
    if (patch.options !== undefined) next.push(['options', validateOptions(patch.options)]);
    next.push(...checkSettings(patch));
    if (next.length === 0) return;
    this.transact(() => {
      for (const [k, v] of next) col.set(k, v);
    });
    this.invalidate(sheetId, 'columns');
  }

  moveColumn(sheetId: string, colId: string, toIndex: number): void {
    const col = this.columnMap(sheetId, colId);
    const others = this.columns(sheetId).map((c) => c.id).filter((id) => id !== colId);
    checkIndex(toIndex, others.length);
    const pos = positionAt(this.columnPositions(sheetId), others, toIndex, 1, colId)[0];
    this.transact(() => col.set('pos', pos));
    this.invalidate(sheetId, 'columns');
  }

  deleteColumn(sheetId: string, colId: string): void {
    const col = this.columnMap(sheetId, colId);
    this.transact(() => col.set('deleted', this.tombstone()));
    this.invalidate(sheetId, 'columns');
  }

  restoreColumn(sheetId: string, colId: string): void {
    const col = this.columnsMap(sheetId).get(colId);
    if (!(col instanceof Y.Map)) throw new ModelError('UNKNOWN_COLUMN', `no column ${colId}`, { sheetId, colId });
    this.transact(() => col.set('deleted', null));
    this.invalidate(sheetId, 'columns');
  }

  // ── rows ────────────────────────────────────────────────────────────────

  rowIds(sheetId: string): string[] {
    const entry = this.cacheFor(sheetId);
    if (!entry.rows) {
      const sheet = this.sheetIncludingDeleted(sheetId);
      const rowPos = sheet.get('rowPos') as Y.Map<string>;
      const rowDeleted = sheet.get('rowDeleted') as Y.Map<Tombstone>;
      const list: { id: string; pos: string }[] = [];
      rowPos.forEach((pos, id) => {
        if (!rowDeleted.has(id)) list.push({ id, pos });
      });
      list.sort(comparePositioned);
      entry.rows = list.map((r) => r.id);
    }
    return entry.rows.slice();
  }

  rowCount(sheetId: string): number {
    this.rowIds(sheetId);
    return this.cacheFor(sheetId).rows!.length;
  }

  hasRow(sheetId: string, rowId: string): boolean {
    const sheet = this.sheetIncludingDeleted(sheetId);
    return (sheet.get('rowPos') as Y.Map<string>).has(rowId) && !(sheet.get('rowDeleted') as Y.Map<Tombstone>).has(rowId);
  }

  /** The row exists, visible or in the trash. */
  hasRowRecord(sheetId: string, rowId: string): boolean {
    return (this.sheetIncludingDeleted(sheetId).get('rowPos') as Y.Map<string>).has(rowId);
  }

  /** Inserts `count` empty rows before visible row `index` (index = row count appends). */
  insertRows(sheetId: string, index: number, count = 1): string[] {
    const sheet = this.sheetIncludingDeleted(sheetId);
    const rowPos = sheet.get('rowPos') as Y.Map<string>;
    const visible = this.rowIds(sheetId);
    checkIndex(index, visible.length);
    if (!Number.isInteger(count) || count < 1) throw new ModelError('INVALID_INDEX', `cannot insert ${count} rows`);
    const positions = this.rowPositions(sheetId);
    const keys = positionAt(positions, visible, index, count);
    const ids = keys.map(() => this.newId(ID_LENGTH.row));
    const cells = sheet.get('cells') as Y.Map<Y.Map<string>>;
    this.transact(() => {
      ids.forEach((id, i) => {
        rowPos.set(id, keys[i]);
        cells.set(id, new Y.Map<string>());
      });
    });
    this.invalidate(sheetId, 'rows');
    return ids;
  }

  moveRow(sheetId: string, rowId: string, toIndex: number): void {
    const rowPos = this.sheetIncludingDeleted(sheetId).get('rowPos') as Y.Map<string>;
    this.requireRow(sheetId, rowId);
    const others = this.rowIds(sheetId).filter((id) => id !== rowId);
    checkIndex(toIndex, others.length);
    const pos = positionAt(this.rowPositions(sheetId), others, toIndex, 1, rowId)[0];
    this.transact(() => rowPos.set(rowId, pos));
    this.invalidate(sheetId, 'rows');
  }

  /**
   * Gives the sheet this row order ("apply my sorted view to the sheet"), in one
   * transaction. Rows not listed keep their place after the listed ones.
   */
  reorderRows(sheetId: string, orderedIds: string[]): void {
    const rowPos = this.sheetIncludingDeleted(sheetId).get('rowPos') as Y.Map<string>;
    for (const id of orderedIds) this.requireRow(sheetId, id);
    if (new Set(orderedIds).size !== orderedIds.length) throw new ModelError('INVALID_INDEX', 'a row is listed twice');
    const listed = new Set(orderedIds);
    const rest = this.rowIds(sheetId).filter((id) => !listed.has(id));
    const all = [...orderedIds, ...rest];
    const keys = keysBetween(null, null, all.length);
    this.transact(() => {
      all.forEach((id, i) => rowPos.set(id, keys[i]));
    });
    this.invalidate(sheetId, 'rows');
  }

  /** Moves several rows, keeping their relative order, so they sit together before visible row `toIndex`. */
  moveRows(sheetId: string, rowIds: string[], toIndex: number): void {
    const rowPos = this.sheetIncludingDeleted(sheetId).get('rowPos') as Y.Map<string>;
    for (const id of rowIds) this.requireRow(sheetId, id);
    const moving = new Set(rowIds);
    const current = this.rowIds(sheetId);
    const ordered = current.filter((id) => moving.has(id));
    const others = current.filter((id) => !moving.has(id));
    const at = current.slice(0, toIndex).filter((id) => !moving.has(id)).length;
    const positions = this.rowPositions(sheetId);
    for (const id of ordered) positions.delete(id);
    const keys = positionAt(positions, others, at, ordered.length);
    this.transact(() => {
      ordered.forEach((id, i) => rowPos.set(id, keys[i]));
    });
    this.invalidate(sheetId, 'rows');
  }

  /**
   * An undo manager for this person's own changes only: a colleague's edits
   * arrive with another origin and are never undone from here. Each transaction
   * (a paste, a fill) is one step.
   */
  createUndoManager(): Y.UndoManager {
    // Each cell an undo or redo puts back is a new write of this person's (undo.ts): one that
    // crossed a colleague's unseen write is a conflict, not a silent loss. Its seen-list names
    // the heads only once the index exists; a row a step brings back shows no record to go by.
    const fresh = (rowsBack: boolean) => {
      if (rowsBack) this.lineages.build();
      return { ref: this.ensureActorRef(), at: this.clock() };
    };
    const manager = new FreshUndoManager(this.sheetsMap, [this.sheetsMap, this.doc.getMap('meta')], { trackedOrigins: new Set([this.origin]), captureTimeout: 0 }, fresh);
    // An undo is a change like any other: it goes into the history under this person's name.
    this.ownOrigins.add(manager);
    return manager;
  }

  /** Moves rows to the trash. Their cells stay, so an offline edit to a deleted row is never lost. */
  deleteRows(sheetId: string, rowIds: string[]): void {
    const rowDeleted = this.sheetIncludingDeleted(sheetId).get('rowDeleted') as Y.Map<Tombstone>;
    for (const id of rowIds) this.requireRow(sheetId, id);
    const stone = this.tombstone();
    this.transact(() => {
      for (const id of rowIds) rowDeleted.set(id, stone);
    });
    this.invalidate(sheetId, 'rows');
  }

  restoreRows(sheetId: string, rowIds: string[]): void {
    const sheet = this.sheetIncludingDeleted(sheetId);
    const rowPos = sheet.get('rowPos') as Y.Map<string>;
    const rowDeleted = sheet.get('rowDeleted') as Y.Map<Tombstone>;
    for (const id of rowIds) {
      if (!rowPos.has(id)) throw new ModelError('UNKNOWN_ROW', `no row ${id}`, { sheetId, rowId: id });
    }
    this.transact(() => {
      for (const id of rowIds) rowDeleted.delete(id);
    });
    this.invalidate(sheetId, 'rows');
  }

  deletedRows(sheetId: string): { id: string; deleted: Tombstone }[] {
    const rowDeleted = this.sheetIncludingDeleted(sheetId).get('rowDeleted') as Y.Map<Tombstone>;
    return Array.from(rowDeleted.entries(), ([id, deleted]) => ({ id, deleted: readTombstone(deleted) ?? { by: '', dev: '', at: 0 } }));
  }

  // ── cells ───────────────────────────────────────────────────────────────

  getCell(sheetId: string, rowId: string, colId: string): CellRecord | undefined {
    const row = this.rowMap(sheetId, rowId);
    if (!row) return undefined;
    const type = this.columnType(sheetId, colId);
    if (type === 'counter') return this.counterCell(row, colId);
    if (type === 'claim') return this.claimCell(row, colId);
    const raw = row.get(colId);
    return raw === undefined ? undefined : this.decode(raw);
  }

  getValue(sheetId: string, rowId: string, colId: string): CellValue {
    return this.getCell(sheetId, rowId, colId)?.v ?? null;
  }

  // ── counters (see counter.ts for the merge rule) ────────────────────────

  counterOps(sheetId: string, rowId: string, colId: string): CounterOp[] {
    const row = this.rowMap(sheetId, rowId);
    return row ? this.opsIn(row, colId) : [];
  }

  /** Records +n / −n from this device; deltas from every device add up. */
  adjustCounter(sheetId: string, rowId: string, colId: string, delta: number): void {
    if (typeof delta !== 'number' || !Number.isFinite(delta) || delta === 0) {
      throw new ModelError('NOT_A_COUNTER', 'a change to a count is a non-zero number', { delta, reason: 'delta' });
    }
    this.writeCounter(sheetId, rowId, colId, (ops, seq, ref, at) => ({ kind: 'delta', session: this.session, seq, delta, ref, at }));
  }

  /** "Set to N": supersedes the deltas this device has seen; deltas it has not seen still apply. */
  recount(sheetId: string, rowId: string, colId: string, value: number): void {
    validateValue(this.requireColumnOfType(sheetId, colId, 'counter'), value);
    this.writeCounter(sheetId, rowId, colId, (ops, seq, ref, at) => ({
      kind: 'recount',
      session: this.session,
      seq,
      value,
      seen: seenVector(ops),
      ref,
      at,
    }));
  }

  private writeCounter(
    sheetId: string,
    rowId: string,
    colId: string,
    make: (ops: CounterOp[], seq: number, ref: string, at: number) => CounterOp,
  ): void {
    this.requireColumnOfType(sheetId, colId, 'counter');
    this.requireRow(sheetId, rowId);
    const row = this.rowMap(sheetId, rowId);
    if (!row) throw new ModelError('UNKNOWN_ROW', `row ${rowId} has not fully arrived yet`, { sheetId, rowId, reason: 'arriving' });
    const at = this.clock();
    this.transact(() => {
      const ops = this.opsIn(row, colId);
      const seq = 1 + Math.max(0, ...ops.filter((o) => o.session === this.session).map((o) => o.seq));
      const op = make(ops, seq, this.ensureActorRef(), at);
      row.set(opKey(colId, op.session, op.seq), encodeOp(op));
    });
  }

  private opsIn(row: Y.Map<string>, colId: string): CounterOp[] {
    const prefix = `${colId}#`;
    const ops: CounterOp[] = [];
    row.forEach((raw, key) => {
      if (!key.startsWith(prefix)) return;
      const op = decodeOp(key, raw);
      if (op) ops.push(op);
    });
    return ops;
  }

  private counterCell(row: Y.Map<string>, colId: string): CellRecord | undefined {
    const ops = this.opsIn(row, colId);
    if (!ops.length) return undefined;
    const last = ops.reduce((a, b) => (b.at > a.at ? b : a));
    const who = this.actorsMap().get(last.ref);
    return { v: counterValue(ops), by: who?.name ?? '', dev: who?.dev ?? '', at: last.at };
  }

  // ── claims (see claim.ts) ───────────────────────────────────────────────

  claims(sheetId: string, rowId: string, colId: string): ClaimEntry[] {
    const row = this.rowMap(sheetId, rowId);
    return row ? this.claimsIn(row, colId) : [];
  }

  /** This person takes it. Others who hold it keep holding it: that is a conflict to resolve, not an overwrite. */
  claim(sheetId: string, rowId: string, colId: string): void {
    this.setClaim(sheetId, rowId, colId, actorKey(this.actor), this.actor.name, true);
  }

  /** Lets go of a claim: one's own by default, or a named person's (a coordinator tidying up). */
  release(sheetId: string, rowId: string, colId: string, person = actorKey(this.actor)): void {
    const entry = this.claims(sheetId, rowId, colId).find((e) => e.person === person);
    this.setClaim(sheetId, rowId, colId, person, entry?.name ?? this.actor.name, false);
  }

  /** Settles a conflict (or reassigns): `keep` holds it, every other current holder is released. */
  resolveClaim(sheetId: string, rowId: string, colId: string, keep: string | null): void {
    const entries = this.claims(sheetId, rowId, colId);
    this.transact(() => {
      for (const e of holders(entries)) if (e.person !== keep) this.setClaim(sheetId, rowId, colId, e.person, e.name, false);
    });
  }

  /**
   * Makes exactly these people the holders (an import, a restore from a
   * snapshot); anyone else holding it is released by an explicit entry, so the
   * change is visible in the activity like any other release. A person without
   * a key (a name read from a file) gets one from their name alone.
   */
  setClaimHolders(sheetId: string, rowId: string, colId: string, people: readonly { person?: string; name: string }[]): void {
    const current = holders(this.claims(sheetId, rowId, colId));
    const wanted = people.map((p) => ({ person: p.person ?? actorKey({ name: p.name, deviceId: IMPORTED_DEVICE }), name: p.name }));
    this.transact(() => {
      for (const e of current) if (!wanted.some((w) => w.person === e.person)) this.setClaim(sheetId, rowId, colId, e.person, e.name, false);
      for (const w of wanted) if (!current.some((e) => e.person === w.person)) this.setClaim(sheetId, rowId, colId, w.person, w.name, true);
    });
  }

  private setClaim(sheetId: string, rowId: string, colId: string, person: string, name: string, held: boolean): void {
    this.requireColumnOfType(sheetId, colId, 'claim');
    this.requireRow(sheetId, rowId);
    const row = this.rowMap(sheetId, rowId);
    if (!row) throw new ModelError('UNKNOWN_ROW', `row ${rowId} has not fully arrived yet`, { sheetId, rowId, reason: 'arriving' });
    const at = this.clock();
    this.transact(() => row.set(claimKey(colId, person), encodeClaim({ held, name, ref: this.ensureActorRef(), at })));
  }

  private claimsIn(row: Y.Map<string>, colId: string): ClaimEntry[] {
    const prefix = `${colId}@`;
    const out: ClaimEntry[] = [];
    row.forEach((raw, key) => {
      if (!key.startsWith(prefix)) return;
      const e = decodeClaim(key, raw);
      if (e) out.push(e);
    });
    return out;
  }

  private claimCell(row: Y.Map<string>, colId: string): CellRecord | undefined {
    const entries = this.claimsIn(row, colId);
    if (!entries.length) return undefined;
    const names = Array.from(new Set(holders(entries).map((e) => e.name)));
    const last = entries.reduce((a, b) => (b.at > a.at ? b : a));
    const who = this.actorsMap().get(last.ref);
    return { v: names.length ? names.join(', ') : null, by: who?.name ?? '', dev: who?.dev ?? '', at: last.at };
  }

  private columnType(sheetId: string, colId: string): Column['type'] | undefined {
    const entry = this.cacheFor(sheetId);
    if (!entry.columns) this.columns(sheetId);
    const cached = entry.columns!.find((c) => c.id === colId);
    if (cached) return cached.type;
    // A deleted column still has a type; its cells stay readable from the trash.
    const stored = this.columnsMap(sheetId).get(colId);
    const type = stored instanceof Y.Map ? stored.get('type') : undefined;
    return isColumnType(type) ? type : undefined;
  }

  private requireColumnOfType(sheetId: string, colId: string, type: Column['type']): Column {
    const column = this.column(sheetId, colId);
    if (column.type !== type) {
      throw new ModelError(type === 'counter' ? 'NOT_A_COUNTER' : 'NOT_A_CLAIM', `${column.name} is not a ${type} column`, { colId, column: column.name, reason: 'type' });
    }
    return column;
  }

  setCell(sheetId: string, rowId: string, colId: string, value: CellValue): void {
    this.setCells(sheetId, [{ rowId, colId, value }]);
  }

  /**
   * Writes many cells in one transaction (one undo step, one sync update).
   * Every write is validated first: if any fails, nothing is written.
   */
  setCells(sheetId: string, writes: CellWrite[], options: { keepMisfitText?: boolean } = {}): void {
    const cells = this.cellsMap(sheetId);
    const columns = new Map(this.columns(sheetId).map((c) => [c.id, c]));
    for (const w of writes) {
      this.requireRow(sheetId, w.rowId);
      if (!(cells.get(w.rowId) instanceof Y.Map)) throw new ModelError('UNKNOWN_ROW', `row ${w.rowId} has not fully arrived yet`, { sheetId, rowId: w.rowId, reason: 'arriving' });
      const column = columns.get(w.colId);
      if (!column) throw new ModelError('UNKNOWN_COLUMN', `no column ${w.colId}`, { sheetId, colId: w.colId });
      if (w.formula !== undefined) {
        checkFormulaWrite(column, w.formula);
        continue;
      }
      if (column.type === 'counter' && w.value === null) continue;
      // An import keeps text that does not fit its column as it came (flagged, like
      // a value left by a retype) rather than dropping it; counts and claims cannot hold text.
      if (options.keepMisfitText && typeof w.value === 'string' && canHoldAsText(column, w.value)) continue;
      validateValue(column, w.value);
    }
    if (writes.length === 0) return;
    const at = this.clock();
    this.transact(() => {
      const ref = this.ensureActorRef();
      for (const w of writes) {
        const type = columns.get(w.colId)!.type;
        if (w.formula !== undefined) {
          cells.get(w.rowId)!.set(w.colId, encodeFormula(ref, at, w.formula));
          continue;
        }
        // A value typed or pasted into a counter is a recount; clearing one recounts to 0.
        if (type === 'counter') this.recount(sheetId, w.rowId, w.colId, (w.value as number | null) ?? 0);
        // Clearing a claim cell is a coordinator releasing everyone who holds it.
        else if (type === 'claim') this.resolveClaim(sheetId, w.rowId, w.colId, null);
        else {
          const row = cells.get(w.rowId)!;
          // The journal keeps what this replaced; the cell holds only its own record.
          row.set(w.colId, encodeCell(ref, at, w.value));
        }
      }
    });
  }

  /** All stored cells of a sheet, including those of deleted rows and columns. */
  forEachCell(sheetId: string, fn: (rowId: string, colId: string, record: CellRecord) => void): void {
    this.cellsMap(sheetId).forEach((row, rowId) => {
      if (!(row instanceof Y.Map)) return;
      row.forEach((raw, colId) => {
        if (parseOpKey(colId) || parseClaimKey(colId)) return;
        const record = this.decode(raw);
        if (record) fn(rowId, colId, record);
      });
    });
  }

  // ── formulas (docs/formulas.md; evaluated by src/model/formula, loaded when needed) ──

  /**
   * What a person typed (`=SUM(B2:B5)`, A1 in the order they see now) → stored at the cell, with
   * references by row and column id. Returns the stored text. Throws FormulaError (a code: syntax,
   * unknown sheet or column, no such cell) and writes nothing when it cannot be stored.
   */
  setFormula(sheetId: string, rowId: string, colId: string, typed: string, options: SyntaxOptions = {}): string {
    this.requireRow(sheetId, rowId);
    checkFormulaColumn(this.column(sheetId, colId));
    const stored = this.formulaFromTyped(typed, { sheetId, rowId }, options);
    this.setCells(sheetId, [{ rowId, colId, value: null, formula: stored }]);
    return stored;
  }

  /** The stored formula of a cell (its own, not its column's), or null. */
  getFormula(sheetId: string, rowId: string, colId: string): string | null {
    const type = this.columnType(sheetId, colId);
    if (type === 'counter' || type === 'claim') return null;
    return decodeCell(this.rowMap(sheetId, rowId)?.get(colId))?.formula ?? null;
  }

  /**
   * Gives a column a formula every row computes (`=[Needed] - [Signed up]`), or takes it away with
   * null. One register per column: two people setting it at once end with one of the two. The
   * column's own cell values stay in the doc and show again when the formula is cleared.
   */
  setColumnFormula(sheetId: string, colId: string, typed: string | null, options: SyntaxOptions = {}): string | null {
    checkFormulaColumn(this.column(sheetId, colId));
    // a column formula has no row of its own: `[Name]` means the row it computes for
    const stored = typed === null ? null : this.formulaFromTyped(typed, { sheetId, rowId: '' }, options);
    this.updateColumn(sheetId, colId, { formula: stored });
    return stored;
  }

  columnFormula(sheetId: string, colId: string): string | null {
    return this.column(sheetId, colId).formula ?? null;
  }

  /** Typed text → stored, against this person's current visible order (throws FormulaError). */
  formulaFromTyped(typed: string, place: FormulaPlace, options: SyntaxOptions = {}): string {
    return toStored(typed, place, this.formulaLayout(), options);
  }

  /** Stored text → A1 for this person's current order (the formula bar); unreadable text as it is. */
  formulaForDisplay(stored: string, place: FormulaPlace, options: SyntaxOptions = {}): string {
    try {
      return toDisplay(stored, place, this.formulaLayout(), options);
    } catch {
      return stored;
    }
  }

  /**
   * Whether any cell or column holds a formula, in the trash or not: the UI loads the formula
   * engine only then. Looks at the raw records without decoding them.
   */
  hasFormulas(): boolean {
    let found = false;
    this.sheetsMap.forEach((sheet) => {
      if (found || !isSoundSheet(sheet)) return;
      (sheet.get('columns') as Y.Map<unknown>).forEach((col) => {
        if (!found && col instanceof Y.Map && isStoredFormula(col.get('formula'))) found = true;
      });
      (sheet.get('cells') as Y.Map<unknown>).forEach((row) => {
        if (found || !(row instanceof Y.Map)) return;
        row.forEach((raw) => {
          if (!found && typeof raw === 'string' && isFormulaRecord(raw) && decodeCell(raw)?.formula) found = true;
        });
      });
    });
    return found;
  }

  private formulaLayout(): LayoutIndex {
    return new LayoutIndex({ sheets: () => this.sheets(), rowIds: (s) => this.rowIds(s), columns: (s) => this.columns(s) });
  }

  // ── activity ────────────────────────────────────────────────────────────

  /**
   * Undoes what one person (by display name) changed between two times, over the
   * whole history (revert.ts): each cell they were the last to write goes back to
   * the value before their first write in the range, counter deltas are offset,
   * their claims and assignments released, rows, columns and sheets they added
   * or deleted put back — one transaction, one named history entry. What someone
   * else changed since is theirs and is left alone.
   */
  revertBy(name: string, from: number, to: number): RevertResult {
    return revertPerson(this, name, from, to);
  }

  // ── history (history.ts) and conflicts (conflicts.ts) ───────────────────

  /**
   * Runs `fn` as one transaction whose history entries form one named group
   * ("Import of needs.csv", "Restore to 14:30"), one entry in Activity.
   */
  group<T>(label: GroupLabel, detail: string, fn: () => T): T {
    return this.transact(() => {
      // Called inside a larger transaction (an import inside a multi-sheet import), the outermost label stands.
      const tr = this.doc._transaction;
      if (tr && !this.labelOf.has(tr)) this.labelOf.set(tr, { label, detail: detail.slice(0, 500) });
      return fn();
    });
  }

  /** Activity: every change, grouped by transaction, newest first. */
  history(filter: HistoryFilter & { limit?: number } = {}): HistoryGroup[] {
    const groups = this.journal.groups(filter, (ref) => this.knownActor(ref));
    return filter.limit !== undefined ? groups.slice(0, filter.limit) : groups;
  }

  /** "History of this cell": every change to it, newest first. */
  cellHistory(sheetId: string, rowId: string, colId: string): NamedEntry[] {
    return this.journal.query({ sheetId, rowId, colId }, (ref) => this.knownActor(ref)).filter((e) => e.rowId === rowId);
  }

  /** Name and device for a writer ref: the journal's copy first, then the workbook's. */
  knownActor(ref: string): { name: string; dev: string } | undefined {
    const fromJournal = this.journal.actor(ref);
    if (fromJournal) return fromJournal;
    const a = this.actorsMap().get(ref) as unknown;
    if (!a || typeof a !== 'object') return undefined;
    const { name, dev } = a as { name?: unknown; dev?: unknown };
    return typeof name === 'string' && typeof dev === 'string' ? { name, dev } : undefined;
  }

  /** The id (`ref|at`) of the write a plain cell shows now, or null. */
  cellWriteId(sheetId: string, rowId: string, colId: string): string | null {
    const raw = this.rowMap(sheetId, rowId)?.get(colId);
    const cell = decodeCell(raw);
    return cell ? writeId(cell.ref, cell.at) : null;
  }

  /** One write to a cell as the journal has it. */
  cellWrite(sheetId: string, rowId: string, colId: string, id: string): NamedEntry | undefined {
    const e = this.lineages.write(sheetId, rowId, colId, id);
    return e ? this.journal.named(e, (ref) => this.knownActor(ref)) : undefined;
  }

  /** The open conflict at a plain cell, or null. Counters and claims merge by their own rules. */
  conflict(sheetId: string, rowId: string, colId: string): CellConflict | null {
    let type: Column['type'] | undefined;
    try {
      type = this.columnType(sheetId, colId);
    } catch {
      return null;
    }
    if (!type || type === 'counter' || type === 'claim') return null;
    const raw = this.rowMap(sheetId, rowId)?.get(colId);
    const cell = decodeCell(raw);
    const current = cell ? { id: writeId(cell.ref, cell.at), v: cell.formula ?? cell.v, formula: cell.formula !== undefined } : null;
    return this.lineages.conflict(sheetId, rowId, colId, current);
  }

  /** Every open conflict of a sheet, in row order, on visible rows and columns. */
  conflicts(sheetId: string): CellConflict[] {
    const rows = new Map(this.rowIds(sheetId).map((id, i) => [id, i]));
    const cols = new Map(this.columns(sheetId).map((c, i) => [c.id, i]));
    const out: CellConflict[] = [];
    for (const [rowId, colId] of this.lineages.forkedCells(sheetId)) {
      if (!rows.has(rowId) || !cols.has(colId)) continue;
      const c = this.conflict(sheetId, rowId, colId);
      if (c) out.push(c);
    }
    return out.sort((a, b) => rows.get(a.rowId)! - rows.get(b.rowId)! || cols.get(a.colId)! - cols.get(b.colId)!);
  }

  /**
   * Reads the journal and builds the conflict index in slices, pausing with
   * `pause` between them (the app passes an idle callback), so a long history
   * is ready without a long task. Asking for conflicts earlier builds it at once.
   */
  prepareHistory(pause: () => Promise<void>, slice?: number): Promise<void> {
    return this.lineages.prepare(pause, slice);
  }

  /** True once the conflict index has been read from the journal (it is built on first use). */
  conflictsReady(): boolean {
    return this.lineages.built;
  }

  /**
   * Settles a conflict in one action: `value` (one of the alternatives, or a new
   * one) is written having seen every head, so the cell is one line again on
   * every replica; the resolution is in the history.
   */
  resolveConflict(sheetId: string, rowId: string, colId: string, value: CellValue, options: { formula?: boolean } = {}): void {
    // The write records the heads it saw only once the index exists: build it first, or a
    // resolution made before anything asked for conflicts would see none and settle nothing.
    this.lineages.heads(sheetId, rowId, colId);
    // an alternative that is a formula (Alternative.formula) is kept as one
    const write: CellWrite = options.formula && typeof value === 'string' ? { rowId, colId, value: null, formula: value } : { rowId, colId, value };
    this.group('resolve', '', () => this.setCells(sheetId, [write]));
  }

  /** Journal changes (new entries from anyone): conflicts and Activity may have changed. */
  observeHistory(listener: (sheets: Set<string>) => void): () => void {
    return this.journal.observe((change) => listener(change.sheets));
  }

  // ── people and assignments ──────────────────────────────────────────────

  /** Everyone seen writing in this workbook (names people can be assigned by), one per name and device. */
  people(): { person: string; name: string; dev: string }[] {
    const seen = new Map<string, { person: string; name: string; dev: string }>();
    const add = (who: { name: string; dev: string } | undefined) => {
      if (!who || !who.name.trim()) return;
      const person = actorKey({ name: who.name, deviceId: who.dev });
      if (!seen.has(person)) seen.set(person, { person, name: who.name, dev: who.dev });
    };
    this.actorsMap().forEach((_v, ref) => add(this.knownActor(ref)));
    for (const who of this.journal.writers().values()) add(who);
    return Array.from(seen.values()).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** This person's own key, as claims name them. */
  personKey(): string {
    return actorKey(this.actor);
  }

  /**
   * A coordinator gives a claim cell to someone else: every holder they can see
   * is released and the assignee holds it, recorded as set by the coordinator
   * ("Ana (assigned by Maria)"). A person picked from people() keeps their own
   * key, so their device sees it as theirs; a typed name gets a key from the
   * name alone. Two coordinators assigning at once both stand: a conflict.
   */
  assignClaim(sheetId: string, rowId: string, colId: string, who: { name: string; person?: string }): void {
    const name = checkName(who.name);
    const known = who.person ?? this.people().find((p) => p.name === name)?.person ?? actorKey({ name, deviceId: ASSIGNED_DEVICE });
    const entries = this.claims(sheetId, rowId, colId);
    this.transact(() => {
      for (const e of holders(entries)) if (e.person !== known) this.setClaim(sheetId, rowId, colId, e.person, e.name, false);
      this.setClaim(sheetId, rowId, colId, known, name, true);
    });
  }

  /** Who set a claim entry, when it was not its holder: the "assigned by" of "Ana (assigned by Maria)". */
  assignedBy(entry: ClaimEntry): string | null {
    const setter = this.knownActor(entry.ref);
    if (!setter || setter.name === entry.name) return null;
    return setter.name;
  }

  /** The holder is this person: their own key, or an assignment to their name. */
  isMine(entry: ClaimEntry): boolean {
    return entry.person === actorKey(this.actor) || entry.name === this.actor.name;
  }

  // ── revival (restore-to.ts) ─────────────────────────────────────────────

  /**
   * Puts back, as new Yjs items under the same ids, what `then` (this workbook
   * at an earlier moment) has and this doc has lost altogether — its schema
   * stamp, writers, a whole sheet, columns, rows — as a delete-everything update
   * from a hostile peer leaves it. Raw records are copied as they were, so every
   * revived cell still names who wrote it and when; values that merely changed
   * are left to the restore's ordinary edits.
   */
  reviveFrom(then: Workbook, sheetId: string | null): { meta: boolean; sheets: number; columns: number; rows: number } {
    const out = { meta: false, sheets: 0, columns: 0, rows: 0 };
    this.transact(() => {
      const meta = this.doc.getMap('meta');
      const thenMeta = then.doc.getMap('meta');
      if (!this.isInitialized() && then.isInitialized()) {
        for (const key of ['schemaVersion', 'createdAt', 'title', 'timeZone']) {
          const v = thenMeta.get(key);
          if (v !== undefined && typeof v !== 'object') meta.set(key, v);
        }
        out.meta = true;
      }
      const actors = this.actorsMap();
      then.actorsMap().forEach((who, ref) => {
        if (!actors.has(ref) && who && typeof who.name === 'string' && typeof who.dev === 'string') actors.set(ref, { name: who.name, dev: who.dev });
      });
      then.sheetsMap.forEach((thenSheet, id) => {
        if ((sheetId !== null && id !== sheetId) || !isSoundSheet(thenSheet)) return;
        const here = this.sheetsMap.get(id);
        if (!isSoundSheet(here)) {
          const sheet = new Y.Map<unknown>();
          for (const key of ['name', 'pos', 'deleted']) sheet.set(key, plainCopy(thenSheet.get(key)));
          if (thenSheet.get('cardFields') !== undefined) sheet.set('cardFields', plainCopy(thenSheet.get('cardFields')));
          sheet.set('columns', copyMapOfMaps(thenSheet.get('columns') as Y.Map<Y.Map<unknown>>));
          sheet.set('rowPos', copyFlatMap(thenSheet.get('rowPos') as Y.Map<unknown>));
          sheet.set('rowDeleted', copyFlatMap(thenSheet.get('rowDeleted') as Y.Map<unknown>));
          sheet.set('cells', copyMapOfMaps(thenSheet.get('cells') as Y.Map<Y.Map<unknown>>));
          this.sheetsMap.set(id, sheet);
          this.cache.delete(id);
          out.sheets++;
          out.columns += (sheet.get('columns') as Y.Map<unknown>).size;
          out.rows += (sheet.get('rowPos') as Y.Map<unknown>).size;
          return;
        }
        for (const key of ['name', 'pos']) if (typeof here.get(key) !== 'string' && thenSheet.get(key) !== undefined) here.set(key, plainCopy(thenSheet.get(key)));
        const columns = here.get('columns') as Y.Map<Y.Map<unknown>>;
        (thenSheet.get('columns') as Y.Map<unknown>).forEach((col, colId) => {
          if (col instanceof Y.Map && !(columns.get(colId) instanceof Y.Map)) {
            columns.set(colId, copyFlatMap(col));
            out.columns++;
          }
        });
        const rowPos = here.get('rowPos') as Y.Map<unknown>;
        const rowDeleted = here.get('rowDeleted') as Y.Map<unknown>;
        const cells = here.get('cells') as Y.Map<unknown>;
        const thenDeleted = thenSheet.get('rowDeleted') as Y.Map<unknown>;
        const thenCells = thenSheet.get('cells') as Y.Map<unknown>;
        (thenSheet.get('rowPos') as Y.Map<unknown>).forEach((pos, rowId) => {
          if (!isValidKey(rowPos.get(rowId))) {
            rowPos.set(rowId, pos);
            if (thenDeleted.has(rowId) && !rowDeleted.has(rowId)) rowDeleted.set(rowId, plainCopy(thenDeleted.get(rowId)));
            out.rows++;
          }
          const thenRow = thenCells.get(rowId);
          if (thenRow instanceof Y.Map && !(cells.get(rowId) instanceof Y.Map)) cells.set(rowId, copyFlatMap(thenRow));
        });
        this.cache.delete(id);
      });
    });
    this.sheetListCache = undefined;
    return out;
  }

  /** A column's settings as stored, for comparing a workbook with an earlier copy of itself. */
  columnSettings(sheetId: string, colId: string): ColumnPatch {
    const c = this.column(sheetId, colId);
    return { name: c.name, type: c.type, options: c.options, unit: c.unit, min: c.min, minColumn: c.minColumn, expiresDays: c.expiresDays, formula: c.formula ?? null };
  }

  // ── invariants (used by tests; cheap enough to call in development) ─────

  /** Returns a description of every broken invariant; empty when the doc is sound. */
  checkInvariants(): string[] {
    const problems: string[] = [];
    const version = readSchemaVersion(this.doc);
    if (version === null) problems.push('no schemaVersion');
    this.sheetsMap.forEach((sheet, sheetId) => {
      if (!isValidId(sheetId)) problems.push(`sheet id ${sheetId} invalid`);
      if (!(sheet instanceof Y.Map)) {
        problems.push(`sheet ${sheetId} is not a map`);
        return;
      }
      if (!isValidKey(sheet.get('pos'))) problems.push(`sheet ${sheetId} has bad pos`);
      if (typeof sheet.get('name') !== 'string') problems.push(`sheet ${sheetId} has no name`);
      const missing = ['columns', 'rowPos', 'rowDeleted', 'cells'].filter((k) => !(sheet.get(k) instanceof Y.Map));
      if (missing.length) {
        problems.push(`sheet ${sheetId} lacks ${missing.join(', ')}`);
        return;
      }
      const columns = sheet.get('columns') as Y.Map<Y.Map<unknown>>;
      const rowPos = sheet.get('rowPos') as Y.Map<string>;
      const rowDeleted = sheet.get('rowDeleted') as Y.Map<Tombstone>;
      const cells = sheet.get('cells') as Y.Map<Y.Map<string>>;
      columns.forEach((col, colId) => {
        if (!(col instanceof Y.Map)) {
          problems.push(`column ${colId} is not a map`);
          return;
        }
        if (!isValidKey(col.get('pos'))) problems.push(`column ${colId} has bad pos`);
        if (!isColumnType(col.get('type'))) problems.push(`column ${colId} has bad type`);
        const w = col.get('width');
        if (typeof w !== 'number' || w < MIN_COLUMN_WIDTH || w > MAX_COLUMN_WIDTH) problems.push(`column ${colId} has bad width`);
      });
      rowPos.forEach((pos, rowId) => {
        if (!isValidKey(pos)) problems.push(`row ${rowId} has bad pos`);
      });
      rowDeleted.forEach((_t, rowId) => {
        if (!rowPos.has(rowId)) problems.push(`deleted row ${rowId} never existed`);
      });
      cells.forEach((row, rowId) => {
        if (!rowPos.has(rowId)) problems.push(`cells of row ${rowId} have no row`);
        if (!(row instanceof Y.Map)) {
          problems.push(`cells of row ${rowId} are not a map`);
          return;
        }
        row.forEach((raw, key) => {
          const op = parseOpKey(key);
          const claim = op ? null : parseClaimKey(key);
          const colId = op?.colId ?? claim?.colId ?? key;
          if (!columns.has(colId)) problems.push(`cell ${cellKey(rowId, key)} has no column`);
          const ok = op ? decodeOp(key, raw) : claim ? decodeClaim(key, raw) : decodeCell(raw);
          if (!ok) problems.push(`cell ${cellKey(rowId, key)} is malformed`);
        });
      });
      rowPos.forEach((_pos, rowId) => {
        if (!(cells.get(rowId) instanceof Y.Map)) problems.push(`row ${rowId} has no cell map`);
      });
      const order = this.rowIds(sheetId);
      if (new Set(order).size !== order.length) problems.push(`sheet ${sheetId} row order has duplicates`);
      const colOrder = this.columns(sheetId).map((c) => c.id);
      if (new Set(colOrder).size !== colOrder.length) problems.push(`sheet ${sheetId} column order has duplicates`);
    });
    const list = this.sheets().map((s) => s.id);
    if (new Set(list).size !== list.length) problems.push('sheet order has duplicates');
    return problems;
  }

  // ── internals ───────────────────────────────────────────────────────────

  private tombstone(): Tombstone {
    return { by: this.actor.name, dev: this.actor.deviceId, at: this.clock() };
  }

  /**
   * The writer's clock, strictly increasing within this open workbook: a write's
   * id is `ref|at`, so two quick writes by one person must never share a time.
   */
  private clock(): number {
    const t = Math.floor(this.now());
    this.lastAt = t > this.lastAt ? t : this.lastAt + 1;
    return this.lastAt;
  }

  private isOwn(tr: Y.Transaction): boolean {
    return tr.local && typeof tr.origin === 'object' && tr.origin !== null && this.ownOrigins.has(tr.origin);
  }

  /** Appends what one of this device's transactions changed to the journal, under that transaction's group. */
  private record(inputs: ReturnType<typeof recordEvents>, tr: Y.Transaction): void {
    if (inputs.length === 0) return;
    let g = this.groupOf.get(tr);
    const header = !g && this.labelOf.get(tr);
    if (!g) {
      g = `${this.session}.${(++this.groupSeq).toString(36)}`;
      this.groupOf.set(tr, g);
    }
    const ref = actorKey(this.actor);
    const at = this.clock();
    const entries = inputs.map((input) => entryFrom(input, g!, ref, at));
    if (header) entries.unshift(entryFrom({ kind: 'group', label: header.label, detail: header.detail }, g, ref, at));
    this.journal.append(entries, new Map([[ref, { name: this.actor.name, dev: this.actor.deviceId }]]));
  }

  private sheetIncludingDeleted(sheetId: string): SheetMap {
    const sheet = isValidId(sheetId) ? this.sheetsMap.get(sheetId) : undefined;
    // A sheet whose parts a hostile peer replaced reads as absent (restorable), never as a crash.
    if (!isSoundSheet(sheet)) throw new ModelError('UNKNOWN_SHEET', `no sheet ${sheetId}`, { sheetId });
    return sheet;
  }

  private sheet(sheetId: string): SheetMap {
    const sheet = this.sheetIncludingDeleted(sheetId);
    if (sheet.get('deleted')) throw new ModelError('UNKNOWN_SHEET', `sheet ${sheetId} is in the trash`, { sheetId });
    return sheet;
  }

  private columnsMap(sheetId: string): Y.Map<Y.Map<unknown>> {
    return this.sheetIncludingDeleted(sheetId).get('columns') as Y.Map<Y.Map<unknown>>;
  }

  private columnMap(sheetId: string, colId: string): Y.Map<unknown> {
    const col = this.columnsMap(sheetId).get(colId);
    if (!(col instanceof Y.Map) || col.get('deleted')) throw new ModelError('UNKNOWN_COLUMN', `no column ${colId}`, { sheetId, colId });
    return col;
  }

  /** A row's cells, or undefined when the row has not arrived or its map is not one. */
  private rowMap(sheetId: string, rowId: string): Y.Map<string> | undefined {
    const row = this.cellsMap(sheetId).get(rowId);
    return row instanceof Y.Map ? row : undefined;
  }

  private cellsMap(sheetId: string): Y.Map<Y.Map<string>> {
    return this.sheetIncludingDeleted(sheetId).get('cells') as Y.Map<Y.Map<string>>;
  }

  private decode(raw: unknown): CellRecord | undefined {
    const cell = decodeCell(raw);
    if (!cell) return undefined;
    const who = this.actorsMap().get(cell.ref);
    const record: CellRecord = { v: cell.v, by: who?.name ?? '', dev: who?.dev ?? '', at: cell.at };
    if (cell.formula !== undefined) record.formula = cell.formula;
    return record;
  }

  private actorsMap(): Y.Map<{ name: string; dev: string }> {
    return this.doc.getMap('actors');
  }

  /**
   * Cells refer to their writer by a short key derived from name+device, so the
   * same person on the same device reuses one `actors` entry across sessions.
   */
  private ensureActorRef(): string {
    if (this.actorRef === null) {
      const ref = actorKey(this.actor);
      const actors = this.actorsMap();
      const known = actors.get(ref);
      if (!known || known.name !== this.actor.name || known.dev !== this.actor.deviceId) {
        actors.set(ref, { name: this.actor.name, dev: this.actor.deviceId });
      }
      this.actorRef = ref;
    }
    return this.actorRef;
  }

  private requireRow(sheetId: string, rowId: string): void {
    if (!this.hasRow(sheetId, rowId)) throw new ModelError('UNKNOWN_ROW', `no row ${rowId}`, { sheetId, rowId });
  }

  private rowPositions(sheetId: string): Map<string, string> {
    const rowPos = this.sheetIncludingDeleted(sheetId).get('rowPos') as Y.Map<string>;
    return new Map(rowPos.entries());
  }

  private columnPositions(sheetId: string): Map<string, string> {
    const out = new Map<string, string>();
    this.columnsMap(sheetId).forEach((col, id) => out.set(id, col instanceof Y.Map ? String(col.get('pos')) : ''));
    return out;
  }

  private allSheetPositions(): Map<string, string> {
    const out = new Map<string, string>();
    this.sheetsMap.forEach((sheet, id) => out.set(id, sheet instanceof Y.Map ? String(sheet.get('pos')) : ''));
    return out;
  }

  /**
   * Local writes drop the cached order at once: observers only run when the
   * outermost transaction ends, and a batch (initialize, a paste) reads the
   * order again before that.
   */
  private invalidate(sheetId: string, what: keyof OrderCache): void {
    const entry = this.cache.get(sheetId);
    if (entry) entry[what] = undefined;
  }

  private cacheFor(sheetId: string): OrderCache {
    let entry = this.cache.get(sheetId);
    if (!entry) {
      this.sheetIncludingDeleted(sheetId);
      entry = {};
      this.cache.set(sheetId, entry);
    }
    return entry;
  }

  private handleEvents(events: Y.YEvent<any>[], tr: Y.Transaction): void {
    if (this.isOwn(tr)) {
      const me = actorKey(this.actor);
      this.record(
        recordEvents(events, {
          me,
          heads: (s, r, c) => (this.lineages.built ? this.lineages.heads(s, r, c).map((h) => h.id!) : []),
          conflictShown: (s, r, c, current) => this.lineages.built && this.lineages.conflict(s, r, c, current) !== null,
        }),
        tr,
      );
    }
    const change: WorkbookChange = { meta: false, sheetList: false, sheets: new Map(), local: tr.origin === this.origin };
    const sheetChange = (id: string): SheetChange => {
      let c = change.sheets.get(id);
      if (!c) {
        c = { structure: false, cells: new Set() };
        change.sheets.set(id, c);
      }
      return c;
    };
    for (const event of events) {
      const path = event.path as (string | number)[];
      if (path.length === 0) {
        // sheets added or removed wholesale
        change.sheetList = true;
        this.sheetListCache = undefined;
        for (const key of (event as Y.YMapEvent<unknown>).keysChanged) {
          this.cache.delete(String(key));
          sheetChange(String(key)).structure = true;
        }
        continue;
      }
      const sheetId = String(path[0]);
      if (path.length === 1) {
        // name, pos or deleted of a sheet
        change.sheetList = true;
        this.sheetListCache = undefined;
        continue;
      }
      const part = path[1];
      const entry = this.cache.get(sheetId);
      if (part === 'cells') {
        // path [sheetId, 'cells', rowId] is a cell write; [sheetId, 'cells'] is a row's map arriving
        const c = sheetChange(sheetId);
        if (path.length >= 3) {
          const rowId = String(path[2]);
          for (const key of (event as Y.YMapEvent<unknown>).keysChanged) c.cells.add(cellKey(rowId, String(key)));
        } else {
          c.structure = true;
        }
      } else if (part === 'rowPos' || part === 'rowDeleted') {
        if (entry) entry.rows = undefined;
        sheetChange(sheetId).structure = true;
      } else if (part === 'columns') {
        if (entry) entry.columns = undefined;
        sheetChange(sheetId).structure = true;
      }
    }
    this.emit(change);
  }

  private emit(change: WorkbookChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

/** `ref|at|=…`: the tag after the second bar (a cheap test before decoding). */
function isFormulaRecord(raw: string): boolean {
  const a = raw.indexOf('|');
  const b = a < 0 ? -1 : raw.indexOf('|', a + 1);
  return b > 0 && raw[b + 1] === '=';
}

/** The device named in claims that came from a file rather than from a person's own device. */
const IMPORTED_DEVICE = 'import';
/** The device named in a claim a coordinator assigned to a name typed in, not a person seen here. */
const ASSIGNED_DEVICE = 'assigned';

/** Two 32-bit FNV-1a hashes (different seeds) of name+device, base 36: stable, short, no crypto needed. */
function actorKey(actor: Actor): string {
  const text = `${actor.name}\u0000${actor.deviceId}`;
  const hash = (seed: number) => {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(36).padStart(7, '0');
  };
  return hash(0x811c9dc5) + hash(0x2b992ddf);
}

function readColumn(id: string, col: Y.Map<unknown>): Column & { pos: string } {
  const type = col.get('type');
  const width = col.get('width');
  const options = col.get('options');
  return {
    id,
    name: textOr(col.get('name'), ''),
    type: isColumnType(type) ? type : 'text',
    width: typeof width === 'number' && width >= MIN_COLUMN_WIDTH && width <= MAX_COLUMN_WIDTH ? width : DEFAULT_COLUMN_WIDTH,
    options: readOptions(options),
    min: numberOrNull(col.get('min')),
    minColumn: typeof col.get('minColumn') === 'string' ? (col.get('minColumn') as string) : null,
    expiresDays: numberOrNull(col.get('expiresDays')),
    unit: typeof col.get('unit') === 'string' ? (col.get('unit') as string) : null,
    pos: textOr(col.get('pos'), ''),
    // only a formula this app would store; anything else a peer put there reads as none
    ...(isStoredFormula(col.get('formula')) ? { formula: col.get('formula') as string } : {}),
  };
}

const SHEET_PARTS = ['columns', 'rowPos', 'rowDeleted', 'cells'] as const;

function isSoundSheet(sheet: unknown): sheet is SheetMap {
  return sheet instanceof Y.Map && SHEET_PARTS.every((k) => sheet.get(k) instanceof Y.Map);
}

/** A JSON-safe copy of a stored plain value (tombstones, keys, names); Y types are never copied by reference. */
function plainCopy(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Y.AbstractType) return null;
  return JSON.parse(JSON.stringify(v));
}

function copyFlatMap(from: Y.Map<any>): Y.Map<unknown> {
  const to = new Y.Map<unknown>();
  from.forEach((v, k) => {
    if (!(v instanceof Y.AbstractType)) to.set(k, plainCopy(v));
  });
  return to;
}

function copyMapOfMaps(from: Y.Map<any>): Y.Map<Y.Map<unknown>> {
  const to = new Y.Map<Y.Map<unknown>>();
  from.forEach((v, k) => {
    if (v instanceof Y.Map) to.set(k, copyFlatMap(v));
  });
  return to;
}

/** Reads a text field a hostile peer may have set to anything: only a string counts. */
function textOr(v: unknown, fallback: string): string {
  return typeof v === 'string' ? v : fallback;
}

/** Keeps only well-formed options: a label that is not a string (a hostile write) drops that option, not the grid. */
function readOptions(v: unknown): Column['options'] {
  if (!Array.isArray(v)) return [];
  const out: Column['options'] = [];
  for (const o of v) {
    if (o === null || typeof o !== 'object') continue;
    const { id, label, color } = o as Record<string, unknown>;
    if (typeof id !== 'string' || !id || typeof label !== 'string') continue;
    out.push({ id, label, color: typeof color === 'string' && /^#[0-9a-fA-F]{6}$/.test(color) ? color : '#6e7781' });
  }
  return out;
}

/** A tombstone as stored, or null when it is not one (a malformed or hostile value reads as "not deleted"). */
function readTombstone(v: unknown): Tombstone | null {
  if (!v || typeof v !== 'object') return null;
  const { by, dev, at } = v as Record<string, unknown>;
  return { by: typeof by === 'string' ? by : '', dev: typeof dev === 'string' ? dev : '', at: typeof at === 'number' && Number.isFinite(at) ? at : 0 };
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Checks the optional per-type settings; returns the fields to write. */
function checkSettings(spec: ColumnSettings): [string, unknown][] {
  const out: [string, unknown][] = [];
  if (spec.unit !== undefined) {
    if (spec.unit !== null && (typeof spec.unit !== 'string' || spec.unit.length > 20)) throw new ModelError('INVALID_OPTIONS', 'a unit is up to 20 characters', { reason: 'unit' });
    out.push(['unit', spec.unit === null || spec.unit.trim() === '' ? null : spec.unit.trim()]);
  }
  if (spec.min !== undefined) {
    if (spec.min !== null && (typeof spec.min !== 'number' || !Number.isFinite(spec.min))) throw new ModelError('INVALID_OPTIONS', 'a minimum is a number', { reason: 'min' });
    out.push(['min', spec.min]);
  }
  if (spec.minColumn !== undefined) {
    if (spec.minColumn !== null && !isValidId(spec.minColumn)) throw new ModelError('INVALID_OPTIONS', 'a minimum column is a column id', { reason: 'minColumn' });
    out.push(['minColumn', spec.minColumn]);
  }
  if (spec.expiresDays !== undefined) {
    if (spec.expiresDays !== null && (typeof spec.expiresDays !== 'number' || !(spec.expiresDays > 0) || spec.expiresDays > 3650)) {
      throw new ModelError('INVALID_OPTIONS', 'a claim expires after 1 to 3650 days', { reason: 'expiry' });
    }
    out.push(['expiresDays', spec.expiresDays]);
  }
  if (spec.formula !== undefined) {
    if (spec.formula !== null && !isStoredFormula(spec.formula)) throw new FormulaError('FORMULA_BAD_STORAGE', 'not a stored formula');
    out.push(['formula', spec.formula]);
  }
  return out;
}

/** A formula can go in any column but a counter's or a claim's, which compute their own value from ops. */
function checkFormulaColumn(column: Column): void {
  if (column.type === 'counter' || column.type === 'claim') {
    throw new FormulaError('FORMULA_NOT_HERE', `${column.name} is a ${column.type} column`, null, { colId: column.id, type: column.type });
  }
}

function checkFormulaWrite(column: Column, stored: string): void {
  checkFormulaColumn(column);
  if (!isStoredFormula(stored)) throw new FormulaError('FORMULA_BAD_STORAGE', 'not a stored formula');
}

function checkName(name: unknown): string {
  if (typeof name !== 'string') throw new ModelError('INVALID_NAME', 'a name must be text', { reason: 'empty' });
  const clean = name.trim();
  if (clean.length === 0) throw new ModelError('INVALID_NAME', 'a name cannot be empty', { reason: 'empty' });
  if (clean.length > MAX_NAME_LENGTH) throw new ModelError('INVALID_NAME', `a name is at most ${MAX_NAME_LENGTH} characters`, { reason: 'long', max: MAX_NAME_LENGTH });
  return clean;
}

function checkWidth(width: unknown): number {
  if (typeof width !== 'number' || !Number.isFinite(width) || width < MIN_COLUMN_WIDTH || width > MAX_COLUMN_WIDTH) {
    throw new ModelError('INVALID_WIDTH', `a column is ${MIN_COLUMN_WIDTH}–${MAX_COLUMN_WIDTH} px wide`, { width, min: MIN_COLUMN_WIDTH, max: MAX_COLUMN_WIDTH });
  }
  return Math.round(width);
}

function checkIndex(index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index > length) {
    throw new ModelError('INVALID_INDEX', `index ${index} is outside 0–${length}`, { index, length });
  }
}

/**
 * Position keys for `count` new items placed before `visible[index]`. Neighbours
 * are looked up among *all* items (deleted and hidden ones included) so a key
 * never lands on an existing one; when two neighbours share a key (two peers
 * inserted at the same spot), the new items go just after the pair.
 */
function positionAt(
  positions: Map<string, string>,
  visible: string[],
  index: number,
  count: number,
  exclude?: string,
): string[] {
  const before = index > 0 ? positions.get(visible[index - 1])! : null;
  // The nearest existing key above `before`, hidden items included; it is never
  // above visible[index], and is strictly above `before` even when keys collide.
  let after: string | null = null;
  for (const [id, pos] of positions) {
    if (id === exclude) continue;
    if ((before === null || pos > before) && (after === null || pos < after)) after = pos;
  }
  return keysBetween(before, after, count);
}

