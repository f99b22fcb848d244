/**
 * References in a formula while it is still being typed: where each one is in the text (to
 * outline it on the grid and tint it in a list), and whether the caret stands where a reference
 * may go (so arrows and clicks point at cells instead of moving the caret).
 *
 * The parser (parse.ts) refuses half-typed text (`=SUM("ab`, `=SUM(B2:`), which is what the editor
 * holds most of the time, so this scanner never throws: it walks the text with the same token
 * rules as the parser's lexer (and its A1 pattern), and an unclosed string or `[name` runs to the end.
 */
import { A1_RANGE, columnIndex, columnLetters } from './parse.js';
import { foldName } from './layout.js';
import { ERROR_VALUES } from './ast.js';

/** A point as typed: 0-based column and row in the sheet's current order; row null: the whole column. */
export interface TypedPoint {
  col: number;
  row: number | null;
}

export type TypedToken =
  | { k: 'ref'; from: number; to: number; sheet: string | null; start: TypedPoint; end: TypedPoint | null }
  /** `[Needed]`: that column, in the formula's own row. */
  | { k: 'name'; from: number; to: number; name: string }
  | { k: 'op'; from: number; to: number; v: string }
  /** Strings, numbers, function names, error values: nothing to outline, and not a place for a reference. */
  | { k: 'other'; from: number; to: number };

/** A row past this is a typo, not a row (the parser refuses it too). */
const MAX_ROW = 10_000_000;
const IDENT = /[\p{L}_][\p{L}\p{N}_.]*/uy;
const NUMBER_DOT = /(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;
const NUMBER_COMMA = /(?:\d+,?\d*|,\d+)(?:[eE][-+]?\d+)?/y;
const OPS = ['<=', '>=', '<>', '+', '-', '*', '/', '^', '&', '=', '<', '>', '%', '(', ')', ',', ';', ':'];

function point(letters: string, digits: string | undefined): TypedPoint | null {
  if (digits === undefined) return { col: columnIndex(letters), row: null };
  const row = Number(digits) - 1;
  return row < 0 || row >= MAX_ROW ? null : { col: columnIndex(letters), row };
}

/** The tokens of typed formula text, each with its place; never throws. */
export function scanTyped(text: string, decimal: '.' | ',' = '.'): TypedToken[] {
  const out: TypedToken[] = [];
  const number = decimal === ',' ? NUMBER_COMMA : NUMBER_DOT;
  const match = (re: RegExp, i: number) => {
    re.lastIndex = i;
    return re.exec(text);
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const from = i;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"') {
      i++;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') i += 2;
        else if (text[i++] === '"') break;
      }
      out.push({ k: 'other', from, to: i });
      continue;
    }
    if (ch === '[') {
      const close = text.indexOf(']', i);
      i = close < 0 ? text.length : close + 1;
      const name = text.slice(from + 1, close < 0 ? text.length : close).trim();
      out.push(close < 0 || !name ? { k: 'other', from, to: i } : { k: 'name', from, to: i, name });
      continue;
    }
    if (ch === '#') {
      const hit = ERROR_VALUES.find((e) => text.slice(i, i + e.length).toUpperCase() === e);
      i += hit ? hit.length : 1;
      out.push({ k: 'other', from, to: i });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === decimal && /[0-9]/.test(text[i + 1] ?? ''))) {
      i += match(number, i)![0].length;
      out.push({ k: 'other', from, to: i });
      continue;
    }
    const r = match(A1_RANGE, i);
    if (r) {
      i += r[0].length;
      const sheet = r[1] !== undefined ? r[1].replace(/''/g, "'") : (r[2] ?? null);
      const start = r[4] !== undefined ? point(r[4], r[6]) : point(r[12], undefined);
      const end = r[4] !== undefined ? (r[8] !== undefined ? point(r[8], r[10]) : null) : point(r[14], undefined);
      const bad = !start || (end === null && (r[8] !== undefined || r[4] === undefined));
      out.push(bad ? { k: 'other', from, to: i } : { k: 'ref', from, to: i, sheet, start: start!, end });
      continue;
    }
    const id = match(IDENT, i);
    if (id) {
      i += id[0].length;
      out.push({ k: 'other', from, to: i });
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    i += op ? op.length : 1;
    out.push(op ? { k: 'op', from, to: i, v: op } : { k: 'other', from, to: i });
  }
  return out;
}

/** Operators after which a reference may be typed (`=` first, `(`, the separator, arithmetic and comparison). */
const BEFORE_REF = new Set(['=', '(', '+', '-', '*', '/', '^', '&', '<', '>', '<=', '>=', '<>']);
/** What may follow a reference: the caret is not in front of something already typed. */
const AFTER_REF = new Set([')', '+', '-', '*', '/', '^', '&', '=', '<', '>', '<=', '>=', '<>', '%']);

/**
 * Whether a reference may be put at `caret` in `text`: the text is a formula, the caret is between
 * tokens, right after an operator, `(`, the argument separator (`,`, or `;` with a decimal comma) or
 * the leading `=`, and before nothing or something that may follow a reference.
 */
export function referenceSlot(text: string, caret: number, decimal: '.' | ',' = '.'): boolean {
  const lead = text.length - text.trimStart().length;
  if (text[lead] !== '=' || caret <= lead) return false;
  const separator = decimal === ',' ? ';' : ',';
  const toks = scanTyped(text, decimal);
  if (toks.some((tk) => tk.from < caret && caret < tk.to)) return false;
  const before = [...toks].reverse().find((tk) => tk.to <= caret);
  const after = toks.find((tk) => tk.from >= caret);
  const opens = before?.k === 'op' && (BEFORE_REF.has(before.v) || before.v === separator);
  const closes = !after || (after.k === 'op' && (AFTER_REF.has(after.v) || after.v === separator));
  return opens && closes;
}

/** A1 text for the rectangle between two cells, top-left first: `B2`, or `B2:C4`. */
export function a1Text(a: { row: number; col: number }, b: { row: number; col: number }): string {
  const top = Math.min(a.row, b.row);
  const bottom = Math.max(a.row, b.row);
  const left = Math.min(a.col, b.col);
  const right = Math.max(a.col, b.col);
  const first = `${columnLetters(left)}${top + 1}`;
  return top === bottom && left === right ? first : `${first}:${columnLetters(right)}${bottom + 1}`;
}

/**
 * A key that is the same for two references to the same cells (case, `$` and the order of the ends
 * aside), so both get one colour. `sheetName` is the formula's own sheet, for a prefix that names it.
 */
export function referenceKey(tk: TypedToken, sheetName: string): string {
  if (tk.k === 'name') return `[${foldName(tk.name)}]`;
  if (tk.k !== 'ref') return '';
  const sheet = tk.sheet === null ? foldName(sheetName) : foldName(tk.sheet);
  const end = tk.end ?? tk.start;
  const rows = tk.start.row === null || end.row === null ? 'all' : `${Math.min(tk.start.row, end.row)}-${Math.max(tk.start.row, end.row)}`;
  return `${sheet}!${Math.min(tk.start.col, end.col)}-${Math.max(tk.start.col, end.col)}:${rows}`;
}
