import { ERROR_VALUES, type A1Point, type BinaryOp, type ErrorValue, type IdPoint, type Node } from './ast.js';
import { FormulaError } from './errors.js';

/** Longer formulas are refused: a paste of megabytes into one cell must not stall every device. */
export const MAX_FORMULA_LENGTH = 8192;
/** Deeper nesting is refused, so evaluating and printing a tree never exhausts the stack. */
export const MAX_DEPTH = 64;
/** A1 rows past this are not rows anyone has; the limit keeps a typo from being read as a number of 20 digits. */
const MAX_A1_ROW = 10_000_000;
const MAX_A1_COL = 18_278; // ZZZ

/** How the person writes: with a decimal comma, arguments are separated by `;` (as Spanish Sheets and Excel do). */
export interface SyntaxOptions {
  decimal?: '.' | ',';
}

type Tok =
  | { k: 'num'; v: number; at: number }
  | { k: 'str'; v: string; at: number }
  | { k: 'err'; v: ErrorValue; at: number }
  | { k: 'ident'; v: string; at: number }
  | { k: 'node'; v: Node; at: number }
  | { k: 'op'; v: string; at: number }
  | { k: 'end'; at: number };

const ID = '[0-9A-Za-z]+';
// stored reference: {sheetId!$col@$row:$col@$row}, {~col}
const STORED_POINT = `(\\$?)(${ID})(?:@(\\$?)(${ID}))?`;
const STORED_REF = new RegExp(`\\{(?:(${ID})!)?${STORED_POINT}(?::${STORED_POINT})?\\}`, 'y');
const STORED_COL = new RegExp(`\\{~(${ID})\\}`, 'y');
const SHEET_PREFIX = `(?:'((?:[^']|'')+)'|([\\p{L}_][\\p{L}\\p{N}_.]*))!`;
const CELL = `(\\$?)([A-Za-z]{1,3})(\\$?)([0-9]+)`;
const COL_ONLY = `(\\$?)([A-Za-z]{1,3})`;
/** A typed A1 reference (with its sheet), sticky: set lastIndex first. Shared with typed-refs.ts, which finds references in text still being typed. */
export const A1_RANGE = new RegExp(`(?:${SHEET_PREFIX})?(?:${CELL}(?::${CELL})?|${COL_ONLY}:${COL_ONLY})(?![\\p{L}\\p{N}_.(!])`, 'uy');
const IDENT = /[\p{L}_][\p{L}\p{N}_.]*/uy;
const NUMBER_DOT = /(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;
const NUMBER_COMMA = /(?:\d+,?\d*|,\d+)(?:[eE][-+]?\d+)?/y;
const OPS = ['<=', '>=', '<>', '+', '-', '*', '/', '^', '&', '=', '<', '>', '%', '(', ')', ',', ';'];

export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

export function columnLetters(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function syntax(message: string, at: number): FormulaError {
  return new FormulaError('FORMULA_SYNTAX', message, at);
}

function a1Point(colAbs: string, letters: string, rowAbs: string | undefined, digits: string | undefined, at: number): A1Point {
  const col = columnIndex(letters);
  const row = digits === undefined ? null : Number(digits) - 1;
  if (col >= MAX_A1_COL || (row !== null && (row < 0 || row >= MAX_A1_ROW))) {
    throw new FormulaError('FORMULA_NO_SUCH_CELL', `no cell ${letters}${digits ?? ''}`, at);
  }
  return { col, row, colAbs: colAbs === '$', rowAbs: rowAbs === '$' };
}

function idPoint(colAbs: string, col: string, rowAbs: string | undefined, row: string | undefined): IdPoint {
  return { col, row: row ?? null, colAbs: colAbs === '$', rowAbs: rowAbs === '$' };
}

function lex(text: string, stored: boolean, decimal: '.' | ','): Tok[] {
  const out: Tok[] = [];
  const number = decimal === ',' ? NUMBER_COMMA : NUMBER_DOT;
  const syntax = (message: string, at: number) => (stored ? new FormulaError('FORMULA_BAD_STORAGE', message, at) : new FormulaError('FORMULA_SYNTAX', message, at));
  let i = 0;
  const at = (re: RegExp) => {
    re.lastIndex = i;
    return re.exec(text);
  };
  while (i < text.length) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (stored) throw new FormulaError('FORMULA_BAD_STORAGE', 'whitespace in stored formula', i);
      i++;
      continue;
    }
    const start = i;
    if (ch === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= text.length) throw syntax('unterminated string', start);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            s += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += text[i++];
      }
      out.push({ k: 'str', v: s, at: start });
      continue;
    }
    if (ch === '#') {
      const hit = ERROR_VALUES.find((e) => text.startsWith(e, i) || text.slice(i, i + e.length).toUpperCase() === e);
      if (!hit) throw syntax('unknown error value', start);
      out.push({ k: 'err', v: hit, at: start });
      i += hit.length;
      continue;
    }
    if (stored && ch === '{') {
      const m = at(STORED_REF);
      if (m) {
        const startPoint = idPoint(m[2], m[3], m[4], m[5]);
        const end = m[7] === undefined ? null : idPoint(m[6], m[7], m[8], m[9]);
        if (end && (startPoint.row === null) !== (end.row === null)) throw new FormulaError('FORMULA_BAD_STORAGE', 'range mixes a column and a cell', start);
        if (!end && startPoint.row === null) throw new FormulaError('FORMULA_BAD_STORAGE', 'a whole column needs two ends', start);
        out.push({ k: 'node', v: { t: 'ref', sheet: m[1] ?? null, start: startPoint, end }, at: start });
        i += m[0].length;
        continue;
      }
      const c = at(STORED_COL);
      if (c) {
        out.push({ k: 'node', v: { t: 'col', col: c[1] }, at: start });
        i += c[0].length;
        continue;
      }
      throw new FormulaError('FORMULA_BAD_STORAGE', 'unreadable reference', start);
    }
    if (!stored && ch === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) throw syntax('unclosed [', start);
      const name = text.slice(i + 1, close).trim();
      if (!name) throw syntax('empty column name', start);
      out.push({ k: 'node', v: { t: 'name', name }, at: start });
      i = close + 1;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === decimal && /[0-9]/.test(text[i + 1] ?? ''))) {
      // "1:1" (whole rows) is not a reference this app stores; a number is a number
      const m = at(number)!;
      const v = Number(m[0].replace(',', '.'));
      if (!Number.isFinite(v)) throw syntax('number out of range', start);
      out.push({ k: 'num', v, at: start });
      i += m[0].length;
      continue;
    }
    if (!stored) {
      const r = at(A1_RANGE);
      if (r) {
        const sheet = r[1] !== undefined ? r[1].replace(/''/g, "'") : (r[2] ?? null);
        let start: A1Point;
        let end: A1Point | null = null;
        if (r[4] !== undefined) {
          start = a1Point(r[3], r[4], r[5], r[6], i);
          if (r[8] !== undefined) end = a1Point(r[7], r[8], r[9], r[10], i);
        } else {
          start = a1Point(r[11], r[12], undefined, undefined, i);
          end = a1Point(r[13], r[14], undefined, undefined, i);
        }
        out.push({ k: 'node', v: { t: 'a1', sheet, start, end }, at: i });
        i += r[0].length;
        continue;
      }
    }
    const id = at(IDENT);
    if (id) {
      // storage holds references only in braces: a bare B2 there was never written by this app
      // (a call is not a reference: LOG10(…), ATAN2(…) look like cells until their parenthesis)
      if (stored && /^[A-Za-z]{1,3}[0-9]+$/.test(id[0]) && text[i + id[0].length] !== '(') throw new FormulaError('FORMULA_BAD_STORAGE', 'A1 reference in stored formula', start);
      out.push({ k: 'ident', v: id[0], at: start });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (op) {
      out.push({ k: 'op', v: op, at: start });
      i += op.length;
      continue;
    }
    throw syntax(`unexpected ${JSON.stringify(ch)}`, start);
  }
  out.push({ k: 'end', at: text.length });
  return out;
}

/** Binding power of infix operators, Excel's order: comparisons < & < + - < * / < ^ (unary minus binds tighter than ^). */
const INFIX: Record<string, number> = { '=': 1, '<>': 1, '<': 1, '>': 1, '<=': 1, '>=': 1, '&': 2, '+': 3, '-': 3, '*': 4, '/': 4, '^': 5 };
const PREFIX_POWER = 6;
const POSTFIX_POWER = 7;

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly separator: string,
    private readonly stored: boolean,
  ) {}

  private peek(): Tok {
    return this.toks[this.i];
  }

  private fail(message: string, tok: Tok): FormulaError {
    return this.stored ? new FormulaError('FORMULA_BAD_STORAGE', message, tok.at) : syntax(message, tok.at);
  }

  parseAll(): Node {
    const node = this.expr(0, 0);
    const tok = this.peek();
    if (tok.k !== 'end') throw this.fail('unexpected text after the formula', tok);
    return node;
  }

  private isOp(tok: Tok, v: string): boolean {
    return tok.k === 'op' && tok.v === v;
  }

  private expr(minPower: number, depth: number): Node {
    if (depth > MAX_DEPTH) throw new FormulaError('FORMULA_TOO_LARGE', 'formula nested too deeply', this.peek().at);
    let left = this.prefix(depth);
    for (;;) {
      const tok = this.peek();
      if (tok.k !== 'op') break;
      if (tok.v === '%') {
        if (POSTFIX_POWER < minPower) break;
        this.i++;
        left = { t: 'pct', a: left };
        continue;
      }
      const power = INFIX[tok.v];
      if (power === undefined || power <= minPower) break;
      this.i++;
      // ^ is left-associative in Excel (2^3^2 = 64), as every operator here
      const right = this.expr(power, depth + 1);
      left = { t: 'bin', op: tok.v as BinaryOp, a: left, b: right };
    }
    return left;
  }

  private prefix(depth: number): Node {
    const tok = this.peek();
    this.i++;
    switch (tok.k) {
      case 'num':
        return { t: 'num', v: tok.v };
      case 'str':
        return { t: 'str', v: tok.v };
      case 'err':
        return { t: 'err', v: tok.v };
      case 'node':
        return tok.v;
      case 'ident': {
        const upper = tok.v.toUpperCase();
        if (this.isOp(this.peek(), '(')) {
          this.i++;
          return { t: 'call', name: upper, args: this.args(depth) };
        }
        if (upper === 'TRUE' || upper === 'FALSE') return { t: 'bool', v: upper === 'TRUE' };
        // a bare name (a named range in Excel): nothing here defines names
        return { t: 'call', name: `#NAME:${tok.v}`, args: [] };
      }
      case 'op':
        if (tok.v === '-') return { t: 'neg', a: this.expr(PREFIX_POWER, depth + 1) };
        if (tok.v === '+') return { t: 'plus', a: this.expr(PREFIX_POWER, depth + 1) };
        if (tok.v === '(') {
          const inner = this.expr(0, depth + 1);
          if (!this.isOp(this.peek(), ')')) throw this.fail('missing )', this.peek());
          this.i++;
          return { t: 'paren', a: inner };
        }
        throw this.fail(`unexpected ${tok.v}`, tok);
      case 'end':
        throw this.fail('the formula ends too early', tok);
    }
  }

  private args(depth: number): Node[] {
    const args: Node[] = [];
    if (this.isOp(this.peek(), ')')) {
      this.i++;
      return args;
    }
    for (;;) {
      const tok = this.peek();
      // an empty argument (IF(A1,,2)) reads as a blank
      if (this.isOp(tok, this.separator) || this.isOp(tok, ')')) args.push({ t: 'str', v: '' });
      else args.push(this.expr(0, depth + 1));
      const next = this.peek();
      this.i++;
      if (this.isOp(next, ')')) return args;
      if (!this.isOp(next, this.separator)) throw this.fail(`expected ${this.separator} or )`, next);
    }
  }
}

function body(text: string, stored: boolean): string {
  if (text.length > MAX_FORMULA_LENGTH) throw new FormulaError('FORMULA_TOO_LARGE', 'formula too long', null, { max: MAX_FORMULA_LENGTH });
  if (!text.startsWith('=')) throw stored ? new FormulaError('FORMULA_BAD_STORAGE', 'no leading =', 0) : syntax('a formula starts with =', 0);
  return text.slice(1);
}

/** What a person typed (`=SUM(B2:B9)`, `=[Needed] - [Signed up]`), references still by A1 position and name. */
export function parseTyped(text: string, options: SyntaxOptions = {}): Node {
  const decimal = options.decimal ?? '.';
  const src = body(text, false);
  const toks = lex(src, false, decimal).map((t) => ({ ...t, at: t.at + 1 }));
  return new Parser(toks, decimal === ',' ? ';' : ',', false).parseAll();
}

/** The stored form (docs/formulas.md): references by id, `.` decimals, `,` between arguments. */
export function parseStored(text: string): Node {
  const src = body(text, true);
  const toks = lex(src, true, '.').map((t) => ({ ...t, at: t.at + 1 }));
  return new Parser(toks, ',', true).parseAll();
}

/** Does this typed text ask to be a formula? "=" alone or "=-" is still typing, but counts. */
export function looksLikeFormula(text: string): boolean {
  return text.length > 1 && text.startsWith('=');
}
