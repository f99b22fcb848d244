import * as Y from 'yjs';
import { isStoredFormula } from './cell-codec.js';
import type { CellValue } from './types.js';

/**
 * The workbook's history journal: every change anyone made, who (name and
 * device), when, and old → new, in a companion Y.Doc of its own (docs/history.md
 * says why it is not in the workbook doc: a 10k-row sheet must not open slower
 * because of 200k history entries, so the journal loads after the sheet is on
 * screen and syncs as its own room on the hub).
 *
 * Layout of the journal doc:
 *   log: Y.Array<string>         one JSON-array string per entry (see encodeEntry), appended only
 *   actors: Y.Map<ref, {name, dev}>   the writers named by entries (the workbook doc's own
 *                                  `actors` can be vandalised; the journal keeps its copy)
 *   meta: Y.Map                  retentionDays, retentionEntries (optional overrides)
 *
 * Entries are strings rather than Y.Maps: Yjs merges a device's consecutive
 * appends into one item, so 200k entries cost ~70 bytes each and no per-entry
 * Yjs structure; the reader below validates every field, so a hostile peer's
 * malformed entry is skipped and never breaks the rest.
 */

export type HistoryKind =
  | 'cell'
  | 'delta'
  | 'recount'
  | 'claim'
  | 'release'
  | 'assign'
  | 'row-insert'
  | 'row-delete'
  | 'row-restore'
  | 'row-move'
  | 'column-add'
  | 'column-rename'
  | 'column-retype'
  | 'column-update'
  | 'column-move'
  | 'column-delete'
  | 'column-restore'
  | 'sheet-add'
  | 'sheet-rename'
  | 'sheet-move'
  | 'sheet-delete'
  | 'sheet-restore'
  | 'title'
  | 'group';

const KINDS: ReadonlySet<string> = new Set<HistoryKind>([
  'cell',
  'delta',
  'recount',
  'claim',
  'release',
  'assign',
  'row-insert',
  'row-delete',
  'row-restore',
  'row-move',
  'column-add',
  'column-rename',
  'column-retype',
  'column-update',
  'column-move',
  'column-delete',
  'column-restore',
  'sheet-add',
  'sheet-rename',
  'sheet-move',
  'sheet-delete',
  'sheet-restore',
  'title',
  'group',
]);

/** What a named group was: one entry in Activity for a whole paste, import, restore or revert. */
export type GroupLabel = 'paste' | 'import' | 'restore' | 'rewind' | 'revert' | 'fill' | 'template' | 'resolve';
/** restore: from a saved snapshot (detail: its name); rewind: "Restore to…" a moment (detail: ISO time). */
const LABELS: ReadonlySet<string> = new Set<GroupLabel>(['paste', 'import', 'restore', 'rewind', 'revert', 'fill', 'template', 'resolve']);

export type HistoryValue = CellValue;

export interface HistoryEntry {
  kind: HistoryKind;
  /** the transaction it was part of: one paste, one import, one form field */
  g: string;
  ref: string;
  at: number;
  sheetId: string | null;
  rowId: string | null;
  colId: string | null;
  /**
   * cell: the values; delta: count before and the delta; recount: count before and after;
   * claim/release/assign: holder name after; renames and retypes: old and new text
   */
  before: HistoryValue;
  after: HistoryValue;
  /** cell writes: `before` / `after` is a formula's stored text (docs/formulas.md), not a text value */
  beforeFormula: boolean;
  afterFormula: boolean;
  /** cell writes: this write's id (`ref|at` of its record, see cell-codec.ts) */
  id: string | null;
  /** cell writes: the ids of the writes this one replaced (every head the writer saw) */
  saw: string[];
  /** claims: whose entry was set */
  person: string | null;
  /** row operations: which rows (absent for a whole-sheet reorder) */
  rowIds: string[];
  /** a cell write that settled a conflict */
  resolves: boolean;
  /** group entries: what the group was and a few words of detail (file name, time restored to) */
  label: GroupLabel | null;
  detail: string;
}

/** An entry with the writer's name and device resolved. */
export interface NamedEntry extends HistoryEntry {
  by: string;
  dev: string;
}

export type EntryInput = Partial<Omit<HistoryEntry, 'kind' | 'g' | 'ref' | 'at'>> & Pick<HistoryEntry, 'kind'>;

export interface RetentionPolicy {
  /** entries younger than this are always kept */
  days: number;
  /** and so are the newest this many */
  entries: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { days: 90, entries: 1_000_000 };

const FORMAT = 1;
const MAX_ID = 200;
const MAX_TEXT = 50_000;
const MAX_LIST = 100_000;

function value(v: unknown): HistoryValue | undefined {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') return v.length <= MAX_TEXT ? v : undefined;
  return undefined;
}

function shortId(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID ? v : undefined;
}

function idList(v: unknown): string[] | undefined {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > MAX_LIST) return undefined;
  for (const x of v) if (typeof x !== 'string' || x.length === 0 || x.length > MAX_ID) return undefined;
  return v as string[];
}

/**
 * `[format, kind, g, ref, at, sheetId, rowId, colId, before, after, extra]`, extra an
 * object with short keys (i id, w saw, p person, r rowIds, k resolves, l label, d detail,
 * f which of before (1) and after (2) are formulas)
 * present only when set: a plain cell write is ~90 bytes.
 */
export function encodeEntry(e: HistoryEntry): string {
  const x: Record<string, unknown> = {};
  // Write ids by the entry's own writer are stored without the ref they start with (~30 B an edit).
  const own = `${e.ref}|`;
  const short = (id: string) => (id.startsWith(own) ? id.slice(own.length) : id);
  if (e.id) x.i = short(e.id);
  if (e.saw.length) x.w = e.saw.map(short);
  if (e.person) x.p = e.person;
  if (e.rowIds.length) x.r = e.rowIds;
  if (e.resolves) x.k = 1;
  if (e.label) x.l = e.label;
  if (e.detail) x.d = e.detail;
  const f = (e.beforeFormula ? 1 : 0) | (e.afterFormula ? 2 : 0);
  if (f) x.f = f;
  return JSON.stringify([FORMAT, e.kind, e.g, e.ref, e.at, e.sheetId, e.rowId, e.colId, e.before, e.after, x]);
}

/** Null for anything that is not a well-formed entry: a hostile peer's junk is skipped, never thrown. */
export function decodeEntry(raw: unknown): HistoryEntry | null {
  if (typeof raw !== 'string' || raw.length > 4 * MAX_TEXT + 64 * MAX_LIST) return null;
  let a: unknown;
  try {
    a = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!Array.isArray(a) || a.length !== 11 || a[0] !== FORMAT) return null;
  const [, kind, g, ref, at, s, r, c, b, v, x] = a;
  if (typeof kind !== 'string' || !KINDS.has(kind)) return null;
  if (typeof g !== 'string' || g.length === 0 || g.length > MAX_ID) return null;
  if (typeof ref !== 'string' || ref.length === 0 || ref.length > MAX_ID) return null;
  if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) return null;
  const sheetId = shortId(s);
  const rowId = shortId(r);
  const colId = shortId(c);
  const before = value(b);
  const after = value(v);
  if (sheetId === undefined || rowId === undefined || colId === undefined || before === undefined || after === undefined) return null;
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return null;
  const extra = x as Record<string, unknown>;
  const long = (v: string) => (v.includes('|') ? v : `${ref}|${v}`);
  const rawId = shortId(extra.i);
  const rawSaw = idList(extra.w);
  const id = typeof rawId === 'string' ? long(rawId) : rawId;
  const saw = rawSaw?.map(long);
  const person = shortId(extra.p);
  const rowIds = idList(extra.r);
  if (id === undefined || saw === undefined || person === undefined || rowIds === undefined) return null;
  const label = extra.l === undefined ? null : typeof extra.l === 'string' && LABELS.has(extra.l) ? (extra.l as GroupLabel) : undefined;
  if (label === undefined) return null;
  const detail = extra.d === undefined ? '' : typeof extra.d === 'string' && extra.d.length <= 500 ? extra.d : undefined;
  if (detail === undefined) return null;
  if (kind === 'cell' && !id) return null;
  // A side flagged as a formula that is not one this app would store reads as the text it is (as a cell record does).
  const f = typeof extra.f === 'number' ? extra.f : 0;
  const beforeFormula = (f & 1) !== 0 && isStoredFormula(before);
  const afterFormula = (f & 2) !== 0 && isStoredFormula(after);
  return { kind: kind as HistoryKind, g, ref, at, sheetId, rowId, colId, before, after, beforeFormula, afterFormula, id, saw, person, rowIds, resolves: extra.k === 1, label, detail };
}

export function entryFrom(input: EntryInput, g: string, ref: string, at: number): HistoryEntry {
  return {
    kind: input.kind,
    g,
    ref,
    at,
    sheetId: input.sheetId ?? null,
    rowId: input.rowId ?? null,
    colId: input.colId ?? null,
    before: input.before ?? null,
    after: input.after ?? null,
    beforeFormula: input.beforeFormula ?? false,
    afterFormula: input.afterFormula ?? false,
    id: input.id ?? null,
    saw: input.saw ?? [],
    person: input.person ?? null,
    rowIds: input.rowIds ?? [],
    resolves: input.resolves ?? false,
    label: input.label ?? null,
    detail: input.detail ?? '',
  };
}

export interface HistoryFilter {
  /** display name */
  by?: string;
  sheetId?: string;
  rowId?: string;
  colId?: string;
  from?: number;
  to?: number;
}

export interface HistoryGroup {
  g: string;
  label: GroupLabel | null;
  detail: string;
  by: string;
  dev: string;
  /** the group's first entry's time */
  at: number;
  /** newest first */
  entries: NamedEntry[];
}

export interface JournalChange {
  /** well-formed entries that arrived, in journal order */
  added: HistoryEntry[];
  /** sheets whose entries arrived or went */
  sheets: Set<string>;
  /** entries were removed (pruning, or a hostile delete): indexes rebuild */
  removed: boolean;
  /** made by this device */
  local: boolean;
}

/**
 * The journal over its Y.Doc: appends, a decoded copy kept in step with the
 * array by its change deltas (so a new entry never costs a re-read of 200k),
 * filters, grouping and pruning.
 */
export class Journal {
  readonly doc: Y.Doc;
  readonly origin: object = {};
  private readonly log: Y.Array<string>;
  private decoded: (HistoryEntry | null)[] | null = null;
  private removedSinceWarm = false;
  private readonly listeners = new Set<(change: JournalChange) => void>();
  private readonly onLog = (event: Y.YArrayEvent<string>, tr: Y.Transaction) => this.handle(event, tr);

  constructor(doc: Y.Doc) {
    this.doc = doc;
    this.log = doc.getArray('log');
    this.log.observe(this.onLog);
  }

  destroy(): void {
    this.log.unobserve(this.onLog);
    this.listeners.clear();
  }

  get length(): number {
    return this.log.length;
  }

  observe(listener: (change: JournalChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Appends in one journal transaction (one update to store and send). */
  append(entries: readonly HistoryEntry[], actors: ReadonlyMap<string, { name: string; dev: string }>): void {
    if (entries.length === 0) return;
    this.doc.transact(() => {
      const known = this.actors();
      for (const [ref, who] of actors) {
        const had = known.get(ref) as { name?: unknown; dev?: unknown } | undefined;
        if (!had || had.name !== who.name || had.dev !== who.dev) known.set(ref, { name: who.name, dev: who.dev });
      }
      this.log.push(entries.map(encodeEntry));
    }, this.origin);
  }

  /** Every well-formed entry, in journal order (not necessarily time order across devices). */
  entries(): HistoryEntry[] {
    return this.all().filter((e): e is HistoryEntry => e !== null);
  }

  /** Name and device behind a ref, from the journal's own copy; undefined for an unknown or malformed one. */
  actor(ref: string): { name: string; dev: string } | undefined {
    const a = this.actors().get(ref) as unknown;
    if (!a || typeof a !== 'object') return undefined;
    const { name, dev } = a as { name?: unknown; dev?: unknown };
    return typeof name === 'string' && typeof dev === 'string' ? { name, dev } : undefined;
  }

  named(e: HistoryEntry, fallback?: (ref: string) => { name: string; dev: string } | undefined): NamedEntry {
    const who = this.actor(e.ref) ?? fallback?.(e.ref);
    return { ...e, by: who?.name ?? '', dev: who?.dev ?? '' };
  }

  /** Newest first, filtered. A group is kept whole when any of its entries matches. */
  query(filter: HistoryFilter = {}, fallback?: (ref: string) => { name: string; dev: string } | undefined): NamedEntry[] {
    // One actor lookup per writer, not per entry: a 200k-entry history has a handful of writers.
    const who = new Map<string, { name: string; dev: string }>();
    const whoIs = (ref: string) => {
      let w = who.get(ref);
      if (!w) {
        const a = this.actor(ref) ?? fallback?.(ref);
        w = { name: a?.name ?? '', dev: a?.dev ?? '' };
        who.set(ref, w);
      }
      return w;
    };
    const out: NamedEntry[] = [];
    for (const e of this.all()) {
      if (!e) continue;
      if (filter.sheetId !== undefined && e.sheetId !== filter.sheetId) continue;
      if (filter.rowId !== undefined && e.rowId !== filter.rowId && !e.rowIds.includes(filter.rowId)) continue;
      if (filter.colId !== undefined && e.colId !== filter.colId) continue;
      if (filter.from !== undefined && e.at < filter.from) continue;
      if (filter.to !== undefined && e.at > filter.to) continue;
      const w = whoIs(e.ref);
      if (filter.by !== undefined && w.name !== filter.by) continue;
      out.push({ ...e, by: w.name, dev: w.dev });
    }
    return out.sort(newestFirst);
  }

  /** Entries grouped by transaction, newest group first; a named group's label and detail come from its header entry. */
  groups(filter: HistoryFilter = {}, fallback?: (ref: string) => { name: string; dev: string } | undefined): HistoryGroup[] {
    const headers = new Map<string, HistoryEntry>();
    for (const e of this.all()) if (e?.kind === 'group') headers.set(e.g, e);
    const byGroup = new Map<string, HistoryGroup>();
    for (const e of this.query(filter, fallback)) {
      if (e.kind === 'group') continue;
      let group = byGroup.get(e.g);
      if (!group) {
        const header = headers.get(e.g);
        group = { g: e.g, label: header?.label ?? null, detail: header?.detail ?? '', by: e.by, dev: e.dev, at: e.at, entries: [] };
        byGroup.set(e.g, group);
      }
      group.entries.push(e);
      if (e.at < group.at) group.at = e.at;
    }
    return Array.from(byGroup.values()).sort((a, b) => b.entries[0].at - a.entries[0].at || (a.g < b.g ? 1 : -1));
  }

  /**
   * Drops the oldest entries that are both older than `days` and beyond the newest
   * `entries`, in one transaction. Any editor may run it; two devices pruning at
   * once delete the same items, which Yjs merges. Returns how many went.
   */
  prune(now: number, policy: RetentionPolicy = this.retention()): number {
    const all = this.all();
    const cutoff = now - policy.days * 86_400_000;
    const order = all
      .map((e, i) => ({ at: e?.at ?? -1, i }))
      .sort((a, b) => b.at - a.at || b.i - a.i);
    const doomed = new Set<number>();
    order.forEach((x, rank) => {
      if (rank >= policy.entries && x.at < cutoff) doomed.add(x.i);
    });
    if (doomed.size === 0) return 0;
    const indexes = Array.from(doomed).sort((a, b) => b - a);
    this.doc.transact(() => {
      // Runs of adjacent indexes go in one delete: pruning 100k entries is a few hundred calls.
      let i = 0;
      while (i < indexes.length) {
        let start = indexes[i];
        let len = 1;
        while (i + len < indexes.length && indexes[i + len] === start - 1) {
          start--;
          len++;
        }
        this.log.delete(start, len);
        i += len;
      }
    }, this.origin);
    return doomed.size;
  }

  retention(): RetentionPolicy {
    const meta = this.doc.getMap('meta');
    const days = meta.get('retentionDays');
    const entries = meta.get('retentionEntries');
    return {
      days: typeof days === 'number' && Number.isFinite(days) && days >= DEFAULT_RETENTION.days ? days : DEFAULT_RETENTION.days,
      entries: typeof entries === 'number' && Number.isInteger(entries) && entries >= DEFAULT_RETENTION.entries ? entries : DEFAULT_RETENTION.entries,
    };
  }

  /** Longer retention than the default may be set; never shorter (the promise is at least 90 days or 1M entries). */
  setRetention(policy: Partial<RetentionPolicy>): void {
    this.doc.transact(() => {
      const meta = this.doc.getMap('meta');
      if (policy.days !== undefined) meta.set('retentionDays', Math.max(DEFAULT_RETENTION.days, policy.days));
      if (policy.entries !== undefined) meta.set('retentionEntries', Math.max(DEFAULT_RETENTION.entries, Math.floor(policy.entries)));
    }, this.origin);
  }

  /** Puts entries back that a restore found missing (deleted by a hostile peer), as new appends. */
  reappend(raw: readonly string[]): void {
    if (raw.length === 0) return;
    this.doc.transact(() => this.log.push(raw.slice()), this.origin);
  }

  /** The raw strings, for comparing with an older copy of the journal. */
  rawEntries(): string[] {
    return this.log.toArray().filter((s): s is string => typeof s === 'string');
  }

  /**
   * Decodes the whole journal a slice at a time, pausing between slices, so a
   * 200k-entry history read after the first paint never holds a phone's main
   * thread for long. Entries appended meanwhile are decoded at the end; a
   * removal meanwhile (pruning) starts it over.
   */
  async warm(pause: () => Promise<void>, slice = 5_000): Promise<void> {
    for (let attempt = 0; attempt < 3 && !this.decoded; attempt++) {
      const raw = this.log.toArray();
      const out: (HistoryEntry | null)[] = [];
      this.removedSinceWarm = false;
      for (let i = 0; i < raw.length; i += slice) {
        for (let k = i; k < Math.min(raw.length, i + slice); k++) out.push(decodeEntry(raw[k]));
        await pause();
        if (this.decoded) return;
      }
      if (this.removedSinceWarm) continue;
      const now = this.log.length;
      if (now > out.length) for (const r of this.log.slice(out.length, now)) out.push(decodeEntry(r));
      this.decoded = out;
    }
  }

  /** Every writer the journal names, with name and device. */
  writers(): Map<string, { name: string; dev: string }> {
    const out = new Map<string, { name: string; dev: string }>();
    this.actors().forEach((_v, ref) => {
      const a = this.actor(ref);
      if (a) out.set(ref, a);
    });
    return out;
  }

  private actors(): Y.Map<unknown> {
    return this.doc.getMap('actors');
  }

  private all(): (HistoryEntry | null)[] {
    if (!this.decoded) this.decoded = this.log.toArray().map(decodeEntry);
    return this.decoded;
  }

  private handle(event: Y.YArrayEvent<string>, tr: Y.Transaction): void {
    const change: JournalChange = { added: [], sheets: new Set(), removed: false, local: tr.origin === this.origin };
    let index = 0;
    for (const d of event.changes.delta) {
      if (d.retain !== undefined) index += d.retain;
      else if (d.delete !== undefined) {
        change.removed = true;
        this.removedSinceWarm = true;
        if (this.decoded) this.decoded.splice(index, d.delete);
      } else if (d.insert !== undefined) {
        const added = (d.insert as unknown[]).map(decodeEntry);
        for (const e of added) {
          if (!e) continue;
          change.added.push(e);
          if (e.sheetId) change.sheets.add(e.sheetId);
        }
        // A whole journal arriving at once (first load) is re-read lazily instead of spliced in.
        if (this.decoded && added.length <= 10_000) this.decoded.splice(index, 0, ...added);
        else this.decoded = null;
        index += added.length;
      }
    }
    for (const l of this.listeners) l(change);
  }
}

function newestFirst(a: HistoryEntry, b: HistoryEntry): number {
  return b.at - a.at || (a.g < b.g ? 1 : a.g > b.g ? -1 : 0);
}
