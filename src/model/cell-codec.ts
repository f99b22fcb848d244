import { parseStored } from './formula/parse.js';
import type { CellValue } from './types.js';

/**
 * A cell is stored as one short string, `ref|at|<tag><payload>`:
 *   ref  key into the doc's `actors` map ({name, dev}), written once per session
 *   at   write time, ms since epoch, base 36
 *   tag  s = string, n = number, t = true, f = false, z = cleared,
 *        = = a formula: the record ends in its stored text (`ref|at|=SUM({…})`, docs/formulas.md)
 * One string per cell instead of a JSON object roughly halves snapshot size and
 * load time (measured in test/bench), and the name/device are not repeated per cell.
 */
export interface EncodedCell {
  ref: string;
  at: number;
  v: CellValue;
  /**
   * a formula cell: its stored text (`=…`, references by id); `v` is then null, since results are
   * computed on each device and never written into the doc; absent for a value
   */
  formula?: string;
  /** in docs from before the journal: the record this write replaced, raw, or null */
  before: string | null;
}

/**
 * Docs written before the history journal kept the record a write replaced,
 * one step deep, in front of its own: `~<length>~<previous record><record>`.
 * New writes no longer do (the journal has every step); reading still accepts it.
 */
export function splitBefore(raw: string): { before: string | null; record: string } {
  if (!raw.startsWith('~')) return { before: null, record: raw };
  const end = raw.indexOf('~', 1);
  const len = end > 0 ? Number(raw.slice(1, end)) : NaN;
  if (!Number.isInteger(len) || len < 0 || end + 1 + len > raw.length) return { before: null, record: raw };
  return { before: raw.slice(end + 1, end + 1 + len), record: raw.slice(end + 1 + len) };
}

export function encodeCell(ref: string, at: number, v: CellValue): string {
  const head = `${ref}|${Math.max(0, Math.floor(at)).toString(36)}|`;
  if (v === null) return head + 'z';
  if (typeof v === 'string') return head + 's' + v;
  if (typeof v === 'number') return head + 'n' + String(v);
  return head + (v ? 't' : 'f');
}

/** A formula cell's record: the stored text follows the head as it is, its `=` serving as the tag. */
export function encodeFormula(ref: string, at: number, stored: string): string {
  if (!isStoredFormula(stored)) throw new Error('not a stored formula');
  return `${ref}|${Math.max(0, Math.floor(at)).toString(36)}|${stored}`;
}

/**
 * Whether text follows the storage grammar (parseStored), remembered per text: every formula
 * record is checked each time it is read, and a sheet of 30,000 formulas must not parse each again
 * on every read. The memory is bounded; past it, it starts over.
 */
const checked = new Map<string, boolean>();
const MAX_CHECKED = 50_000;

export function isStoredFormula(text: unknown): text is string {
  if (typeof text !== 'string' || !text.startsWith('=')) return false;
  let ok = checked.get(text);
  if (ok === undefined) {
    try {
      parseStored(text);
      ok = true;
    } catch {
      ok = false;
    }
    if (checked.size >= MAX_CHECKED) checked.clear();
    checked.set(text, ok);
  }
  return ok;
}

/** Returns null for anything not in this format (a hostile or corrupted peer's write). */
export function decodeCell(input: unknown): EncodedCell | null {
  if (typeof input !== 'string') return null;
  const { before, record: raw } = splitBefore(input);
  const a = raw.indexOf('|');
  const b = a < 0 ? -1 : raw.indexOf('|', a + 1);
  if (b < 0 || b + 1 >= raw.length) return null;
  const at = parseInt(raw.slice(a + 1, b), 36);
  if (!Number.isFinite(at)) return null;
  const ref = raw.slice(0, a);
  const tag = raw[b + 1];
  const payload = raw.slice(b + 2);
  switch (tag) {
    case 'z':
      return { ref, at, v: null, before };
    case 's':
      return { ref, at, v: payload, before };
    case 'n': {
      const n = Number(payload);
      return payload !== '' && Number.isFinite(n) ? { ref, at, v: n, before } : null;
    }
    case 't':
      return { ref, at, v: true, before };
    case 'f':
      return { ref, at, v: false, before };
    case '=': {
      // A formula this app would never store (a hostile or broken peer's) reads as the text it
      // is, keeping who wrote it and when: never evaluated, never a crash, nothing hidden.
      const stored = raw.slice(b + 1);
      return isStoredFormula(stored) ? { ref, at, v: null, formula: stored, before } : { ref, at, v: stored, before };
    }
    default:
      return null;
  }
}

/**
 * A write's identity, `ref|at`: what the history journal names it by, and what a
 * later write lists as seen. The model keeps `at` strictly increasing per open
 * workbook, so one person's two writes never share an id.
 */
export function writeId(ref: string, at: number): string {
  return `${ref}|${Math.max(0, Math.floor(at)).toString(36)}`;
}
