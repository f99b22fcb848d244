import { encodeEntry, type HistoryEntry, type Journal } from './history.js';
import type { CellValue } from './types.js';

/**
 * Same-cell conflicts, read from the history journal. Yjs's map keeps one
 * winner when two writes to a cell cross (the same on every replica); the loser
 * survives only in the journal, where every write names the writes it replaced
 * (`saw`). A cell's **heads** are its writes no other write has seen: one head
 * is an ordinary history, two or more are writes that did not see each other —
 * a conflict, until someone writes a value having seen them all (resolving,
 * or simply typing over it). Sequential edits always saw their predecessor, so
 * they never show as a conflict.
 */

export interface Alternative {
  id: string;
  /** the value, or a formula's stored text when `formula` */
  v: CellValue;
  /** a formula (docs/formulas.md); absent for a value */
  formula?: boolean;
  ref: string;
  at: number;
}

export interface CellConflict {
  sheetId: string;
  rowId: string;
  colId: string;
  /** the value every replica shows */
  current: Alternative;
  /** the writes it did not see, newest first */
  others: Alternative[];
}

interface Lineage {
  writes: Map<string, HistoryEntry>;
  seen: Set<string>;
  /**
   * Some write listed as seen a head other than the record its writer's doc
   * showed (it settled a fork, or the doc had no record yet). Only such a write
   * can have seen, through the journal, a record its doc did not hold yet — and
   * then Yjs, ordering the two records as concurrent, may show the one it
   * replaced. See conflict().
   */
  crossed: boolean;
}

function cellId(sheetId: string, rowId: string, colId: string): string {
  return `${sheetId}\u0000${rowId}\u0000${colId}`;
}

export class Lineages {
  private cells: Map<string, Lineage> | null = null;
  /** per sheet, the cells with more than one head, or crossed (candidates; the live value decides) */
  private forked = new Map<string, Set<string>>();
  private readonly off: () => void;
  /** what arrives while prepare() slices through the journal */
  private building: { added: HistoryEntry[]; removed: boolean } | null = null;

  constructor(private readonly journal: Journal) {
    this.off = journal.observe((change) => {
      if (this.building) {
        for (const e of change.added) this.building.added.push(e);
        if (change.removed) this.building.removed = true;
      }
      if (!this.cells) return;
      if (change.removed) this.cells = null;
      else for (const e of change.added) this.add(e);
    });
  }

  destroy(): void {
    this.off();
  }

  /** Built on first use (once the sheet is on screen), then kept up to date entry by entry. */
  get built(): boolean {
    return this.cells !== null;
  }

  /** Builds the index now, if it is not yet: before a write whose seen-list must name every head. */
  build(): void {
    this.index();
  }

  heads(sheetId: string, rowId: string, colId: string): HistoryEntry[] {
    const lineage = this.index().get(cellId(sheetId, rowId, colId));
    if (!lineage) return [];
    const out: HistoryEntry[] = [];
    for (const [id, e] of lineage.writes) if (!lineage.seen.has(id)) out.push(e);
    return out.sort((a, b) => b.at - a.at || (a.id! < b.id! ? 1 : -1));
  }

  write(sheetId: string, rowId: string, colId: string, id: string): HistoryEntry | undefined {
    return this.index().get(cellId(sheetId, rowId, colId))?.writes.get(id);
  }

  /** Cells of a sheet whose journal has forked, as [rowId, colId]. */
  forkedCells(sheetId: string): [string, string][] {
    this.index();
    const set = this.forked.get(sheetId);
    if (!set) return [];
    return Array.from(set, (key) => {
      const [, rowId, colId] = key.split('\u0000');
      return [rowId, colId] as [string, string];
    });
  }

  /**
   * The conflict at a cell, given the record the workbook shows there now:
   * the heads other than it whose values differ from it. The shown record may
   * also be a write the journal says was replaced, in a crossed cell: its
   * replacement was written having seen it in the journal only, and the doc
   * kept the older record — the heads are then its alternatives, never lost
   * silently (until the replacement's record arrives, if it is only late). None
   * when the journal lacks the shown record's entry (written before the journal
   * existed, or its entry has not arrived yet).
   */
  conflict(sheetId: string, rowId: string, colId: string, current: { id: string; v: CellValue; formula?: boolean } | null): CellConflict | null {
    if (!current) return null;
    const heads = this.heads(sheetId, rowId, colId);
    const crossed = this.index().get(cellId(sheetId, rowId, colId))?.crossed ?? false;
    if (heads.length < 2 && !crossed) return null;
    const mine = heads.find((h) => h.id === current.id) ?? (crossed ? this.write(sheetId, rowId, colId, current.id) : undefined);
    if (!mine) return null;
    const isFormula = !!current.formula;
    // a formula and a text that reads the same are still two different things people wrote
    const others = heads
      .filter((h) => h.id !== current.id && !(h.afterFormula === isFormula && sameValue(h.after, current.v)))
      .map((h) => ({ id: h.id!, v: h.after, ref: h.ref, at: h.at, ...(h.afterFormula ? { formula: true } : {}) }));
    if (others.length === 0) return null;
    return { sheetId, rowId, colId, current: { id: current.id, v: current.v, ...(isFormula ? { formula: true } : {}), ref: mine.ref, at: mine.at }, others };
  }

  /** Builds the index a slice at a time (after the first paint), instead of all at once on first use. */
  async prepare(pause: () => Promise<void>, slice = 10_000): Promise<void> {
    await this.journal.warm(pause, slice);
    if (this.cells) return;
    const building: Lineages['building'] = { added: [], removed: false };
    this.building = building;
    try {
      const entries = this.journal.entries();
      const target = { cells: new Map<string, Lineage>(), forked: new Map<string, Set<string>>() };
      for (let i = 0; i < entries.length; i += slice) {
        for (let k = i; k < Math.min(entries.length, i + slice); k++) addTo(target, entries[k]);
        await pause();
        if (this.cells || building.removed) return;
      }
      // Entries that arrived while slicing; adding one twice changes nothing.
      for (const e of building.added) addTo(target, e);
      this.cells = target.cells;
      this.forked = target.forked;
    } finally {
      if (this.building === building) this.building = null;
    }
  }

  private index(): Map<string, Lineage> {
    if (!this.cells) {
      this.cells = new Map();
      this.forked = new Map();
      for (const e of this.journal.entries()) this.add(e);
    }
    return this.cells;
  }

  private add(e: HistoryEntry): void {
    if (this.cells) addTo({ cells: this.cells, forked: this.forked }, e);
  }
}

function addTo(target: { cells: Map<string, Lineage>; forked: Map<string, Set<string>> }, e: HistoryEntry): void {
  if (e.kind !== 'cell' || !e.id || !e.sheetId || !e.rowId || !e.colId) return;
  const key = cellId(e.sheetId, e.rowId, e.colId);
  let lineage = target.cells.get(key);
  if (!lineage) {
    lineage = { writes: new Map(), seen: new Set(), crossed: false };
    target.cells.set(key, lineage);
  }
  const had = lineage.writes.get(e.id);
  if (!had || standsBefore(e, had)) lineage.writes.set(e.id, e);
  for (const s of e.saw) if (s !== e.id) lineage.seen.add(s);
  if (e.saw.length > 1 || (e.saw.length > 0 && e.before === null)) lineage.crossed = true;
  let heads = 0;
  for (const id of lineage.writes.keys()) if (!lineage.seen.has(id)) heads++;
  let set = target.forked.get(e.sheetId);
  if (heads > 1 || lineage.crossed) {
    if (!set) target.forked.set(e.sheetId, (set = new Set()));
    set.add(key);
  } else set?.delete(key);
}

/**
 * Which entry stands for a write id that several entries name. A duplicate
 * delivery is the same entry; a hostile peer's copy under a known id, with
 * another value, is not, and keeping whichever arrived first would show each
 * peer a different alternative. The order is one every peer computes alike: an
 * entry by the id's own writer (ids are `ref|at` of their writer) before one
 * by anyone else, then the earliest recorded, then the encoded text. Both stay
 * in the history; only which one the conflict lists is decided here.
 */
function standsBefore(a: HistoryEntry, b: HistoryEntry): boolean {
  const ownA = a.id!.startsWith(`${a.ref}|`);
  const ownB = b.id!.startsWith(`${b.ref}|`);
  if (ownA !== ownB) return ownA;
  if (a.at !== b.at) return a.at < b.at;
  return encodeEntry(a) < encodeEntry(b);
}

function sameValue(a: CellValue, b: CellValue): boolean {
  return a === b || (a === null && b === '') || (a === '' && b === null);
}
