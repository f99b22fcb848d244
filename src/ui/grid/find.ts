/**
 * Find and replace, pure (no DOM, no Lit): which cells of a view match, in
 * reading order, and what a replace would write. Matching is on the text the
 * reader sees (the caller's display function), so "12 kg" is found by "kg" and a
 * status by its label; a replace edits that text and reads it back through the
 * column's own parser, so the result is typed exactly as if the reader had typed it.
 */
import { isModelError, ModelError } from '../../model/errors.js';
import type { CellPos } from '../../model/range.js';
import type { CellValue, CellWrite, Column } from '../../model/types.js';
import { parseInput, type InputOptions } from '../../model/values.js';

export interface FindOptions {
  /** Only this view column (an index into the view's columns); null searches the whole sheet. */
  column: number | null;
  matchCase: boolean;
  /** The cell's whole text must equal the query, not merely contain it. */
  wholeCell: boolean;
}

/** The view being searched and how to read it. */
export interface FindSource {
  /** Row ids in view order. */
  rows: readonly string[];
  /** Columns in view order. */
  columns: readonly Column[];
  /** A cell's stored value (null when empty). */
  value(rowId: string, column: Column): CellValue;
  /** The text the reader sees for a non-empty value. */
  display(column: Column, value: CellValue, rowId: string): string;
}

export const DEFAULT_FIND_OPTIONS: FindOptions = { column: null, matchCase: false, wholeCell: false };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * One pattern serves both the match test and the replace, so a cell is
 * replaced exactly where it was found. `u` makes case folding cover accented
 * letters ("Á" ~ "á"), which Spanish readers type either way.
 */
function pattern(query: string, options: FindOptions, global: boolean): RegExp {
  const body = escapeRegExp(query);
  const flags = `u${options.matchCase ? '' : 'i'}${global ? 'g' : ''}`;
  return new RegExp(options.wholeCell ? `^(?:${body})$` : body, flags);
}

/** A query of only spaces would match nearly every cell: it finds nothing instead. */
function usable(query: string): boolean {
  return query.trim() !== '';
}

function columnRange(source: FindSource, options: FindOptions): [number, number] {
  if (options.column === null) return [0, source.columns.length - 1];
  if (options.column < 0 || options.column >= source.columns.length) return [0, -1];
  return [options.column, options.column];
}

/** Every matching cell, as view positions in reading order (row by row, left to right). */
export function findMatches(query: string, source: FindSource, options: FindOptions = DEFAULT_FIND_OPTIONS): CellPos[] {
  if (!usable(query)) return [];
  const re = pattern(query, options, false);
  const [left, right] = columnRange(source, options);
  const out: CellPos[] = [];
  for (let row = 0; row < source.rows.length; row++) {
    const rowId = source.rows[row];
    for (let col = left; col <= right; col++) {
      const column = source.columns[col];
      const value = source.value(rowId, column);
      if (value === null) continue;
      if (re.test(source.display(column, value, rowId))) out.push({ row, col });
    }
  }
  return out;
}

function before(a: CellPos, b: CellPos): boolean {
  return a.row < b.row || (a.row === b.row && a.col < b.col);
}

/**
 * The match after (dir 1) or before (dir -1) the cell `from`, wrapping at the
 * ends; null when there are none. `from` itself is skipped, so pressing Next on
 * a match moves on.
 */
export function stepMatch(matches: readonly CellPos[], from: CellPos, dir: 1 | -1): CellPos | null {
  if (!matches.length) return null;
  if (dir > 0) return matches.find((m) => before(from, m)) ?? matches[0];
  for (let i = matches.length - 1; i >= 0; i--) if (before(matches[i], from)) return matches[i];
  return matches[matches.length - 1];
}

/** Where `pos` sits among the matches (0-based), or -1 when it is not one. */
export function matchIndex(matches: readonly CellPos[], pos: CellPos): number {
  return matches.findIndex((m) => m.row === pos.row && m.col === pos.col);
}

/**
 * What the grid marks while find is open: every match, and more strongly the
 * one gone to. Looked up per rendered cell, so a set, not a scan.
 */
export class FindHits {
  private readonly keys: Set<string>;
  private readonly currentKey: string | null;
  /** The cells marked, as one string: two hits mark the same cells when these are equal. */
  readonly signature: string;

  constructor(matches: readonly CellPos[], current: CellPos | null) {
    this.keys = new Set(matches.map((m) => `${m.row}:${m.col}`));
    const key = current ? `${current.row}:${current.col}` : null;
    this.currentKey = key !== null && this.keys.has(key) ? key : null;
    this.signature = `${this.currentKey ?? ''}|${[...this.keys].join(',')}`;
  }

  /** How the cell at a view position is marked: the match gone to, another match, or not at all. */
  at(row: number, col: number): 'current' | 'match' | null {
    const key = `${row}:${col}`;
    if (key === this.currentKey) return 'current';
    return this.keys.has(key) ? 'match' : null;
  }

  get size(): number {
    return this.keys.size;
  }
}

export type SkippedCell =
  /** Counts and claims are not text: a count changes by recounting, a claim by claiming or releasing. */
  | { pos: CellPos; reason: 'not-text' }
  /** The replaced text does not fit the column ("abc" in a number column): the cell is left as it was. */
  | { pos: CellPos; reason: 'does-not-fit'; text: string; error: ModelError };

export interface ReplacePlan {
  /** One write per replaced cell, typed by its column: give them to `setCells` at once (one undo step). */
  writes: CellWrite[];
  /** The view positions of those writes, in the same order. */
  replaced: CellPos[];
  /** Matches that were not replaced, and why. */
  skipped: SkippedCell[];
}

/**
 * What replacing `query` by `replacement` in each of `matches` would write.
 * Every occurrence in a cell is replaced (the whole text with `wholeCell`).
 * The new text goes through the column's parser with the reader's input
 * options; a cell whose new text does not fit is skipped and reported, never
 * coerced, and a cell that would come out unchanged is not written.
 */
export function planReplace(
  matches: readonly CellPos[],
  query: string,
  replacement: string,
  source: FindSource,
  options: FindOptions = DEFAULT_FIND_OPTIONS,
  input: InputOptions = {},
): ReplacePlan {
  const plan: ReplacePlan = { writes: [], replaced: [], skipped: [] };
  if (!usable(query)) return plan;
  const re = pattern(query, options, true);
  for (const pos of matches) {
    const column = source.columns[pos.col];
    const rowId = source.rows[pos.row];
    if (!column || rowId === undefined) continue;
    if (column.type === 'counter' || column.type === 'claim') {
      plan.skipped.push({ pos, reason: 'not-text' });
      continue;
    }
    const value = source.value(rowId, column);
    if (value === null) continue;
    const before = source.display(column, value, rowId);
    // A function replacement: "$1" or "$&" typed by the reader stays literal text.
    const text = before.replace(re, () => replacement);
    if (text === before) continue;
    let next: CellValue;
    try {
      next = parseInput(column, text, input);
    } catch (err) {
      if (!isModelError(err)) throw err;
      plan.skipped.push({ pos, reason: 'does-not-fit', text, error: err });
      continue;
    }
    if (next === value) continue;
    plan.writes.push({ rowId, colId: column.id, value: next });
    plan.replaced.push(pos);
  }
  return plan;
}
