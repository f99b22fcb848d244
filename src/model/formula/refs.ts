import { mapChildren, type A1Point, type IdPoint, type Node } from './ast.js';
import { FormulaError } from './errors.js';
import type { LayoutIndex } from './layout.js';
import { columnLetters, parseStored, parseTyped, type SyntaxOptions } from './parse.js';

/** Where a formula lives: its sheet, and its row (a cell formula's, or the row a column formula computes for). */
export interface FormulaPlace {
  sheetId: string;
  rowId: string | null;
}

function toIdPoint(layout: LayoutIndex, sheetId: string, p: A1Point, clampRow: boolean, at: string): IdPoint {
  const col = layout.colAt(sheetId, p.col);
  if (col === undefined) throw new FormulaError('FORMULA_NO_SUCH_CELL', `no column ${columnLetters(p.col)}`, null, { ref: at });
  if (p.row === null) return { col, row: null, colAbs: p.colAbs, rowAbs: p.rowAbs };
  const rows = layout.rows(sheetId);
  // a range typed past the last row ends at the last row (B2:B100 on a 40-row sheet is B2:B40)
  const index = clampRow && p.row >= rows.length && rows.length > 0 ? rows.length - 1 : p.row;
  const row = layout.rowAt(sheetId, index);
  if (row === undefined) throw new FormulaError('FORMULA_NO_SUCH_CELL', `no row ${p.row + 1}`, null, { ref: at });
  return { col, row, colAbs: p.colAbs, rowAbs: p.rowAbs };
}

function a1Text(p: A1Point): string {
  return `${p.colAbs ? '$' : ''}${columnLetters(p.col)}${p.row === null ? '' : `${p.rowAbs ? '$' : ''}${p.row + 1}`}`;
}

/**
 * Typed tree → stored tree, with the writer's current order: each A1 position becomes the id of the
 * row and column the writer saw there, so a concurrent insert, move or sort never retargets it.
 */
export function toStoredTree(node: Node, place: FormulaPlace, layout: LayoutIndex): Node {
  const walk = (n: Node): Node => {
    switch (n.t) {
      case 'a1': {
        let sheetId = place.sheetId;
        if (n.sheet !== null) {
          const found = layout.sheetByName(n.sheet);
          if (found === undefined) throw new FormulaError('FORMULA_UNKNOWN_SHEET', `no sheet ${n.sheet}`, null, { sheet: n.sheet });
          sheetId = found;
        }
        const label = `${a1Text(n.start)}${n.end ? `:${a1Text(n.end)}` : ''}`;
        // the upper end of a range is clamped; its lower end has to exist
        const [lo, hi] = n.end && n.start.row !== null && n.end.row !== null && n.end.row < n.start.row ? [n.end, n.start] : [n.start, n.end];
        const a = toIdPoint(layout, sheetId, lo, false, label);
        const b = hi ? toIdPoint(layout, sheetId, hi, true, label) : null;
        const start = lo === n.start ? a : b!;
        const end = lo === n.start ? b : a;
        return { t: 'ref', sheet: n.sheet === null ? null : sheetId, start, end };
      }
      case 'name': {
        if (place.rowId === null) throw new FormulaError('FORMULA_NAME_OUTSIDE_COLUMN', `[${n.name}] needs a row`, null, { name: n.name });
        const col = layout.columnByName(place.sheetId, n.name);
        if (col === undefined) throw new FormulaError('FORMULA_UNKNOWN_COLUMN', `no column ${n.name}`, null, { name: n.name });
        return { t: 'col', col };
      }
      case 'ref':
      case 'col':
        return n;
      default:
        return mapChildren(n, walk);
    }
  };
  return walk(node);
}

const PLAIN_SHEET_NAME = /^[\p{L}_][\p{L}\p{N}_.]*$/u;
const LOOKS_LIKE_CELL = /^[A-Za-z]{1,3}[0-9]+$/;

function sheetPrefix(name: string): string {
  const plain = PLAIN_SHEET_NAME.test(name) && !LOOKS_LIKE_CELL.test(name) && !/^(true|false)$/i.test(name);
  return plain ? `${name}!` : `'${name.replace(/'/g, "''")}'!`;
}

interface PrintOptions {
  decimal: '.' | ',';
  ref: (n: Extract<Node, { t: 'ref' } | { t: 'col' } | { t: 'a1' } | { t: 'name' }>) => string;
}

function numberText(v: number, decimal: '.' | ','): string {
  const s = String(v);
  return decimal === ',' ? s.replace('.', ',') : s;
}

function print(node: Node, o: PrintOptions): string {
  const sep = o.decimal === ',' ? ';' : ',';
  const walk = (n: Node): string => {
    switch (n.t) {
      case 'num':
        return numberText(n.v, o.decimal);
      case 'str':
        return `"${n.v.replace(/"/g, '""')}"`;
      case 'bool':
        return n.v ? 'TRUE' : 'FALSE';
      case 'err':
        return n.v;
      case 'neg':
        return `-${walk(n.a)}`;
      case 'plus':
        return `+${walk(n.a)}`;
      case 'pct':
        return `${walk(n.a)}%`;
      case 'paren':
        return `(${walk(n.a)})`;
      case 'bin':
        return `${walk(n.a)}${n.op}${walk(n.b)}`;
      case 'call':
        if (n.name.startsWith('#NAME:')) return n.name.slice('#NAME:'.length);
        return `${n.name}(${n.args.map(walk).join(sep)})`;
      default:
        return o.ref(n);
    }
  };
  return `=${walk(node)}`;
}

function storedPoint(p: IdPoint): string {
  return `${p.colAbs ? '$' : ''}${p.col}${p.row === null ? '' : `@${p.rowAbs ? '$' : ''}${p.row}`}`;
}

/** The storage text of a stored tree (docs/formulas.md): the same on every device, whatever its language. */
export function printStored(node: Node): string {
  return print(node, {
    decimal: '.',
    ref: (n) => {
      if (n.t === 'col') return `{~${n.col}}`;
      if (n.t !== 'ref') throw new FormulaError('FORMULA_BAD_STORAGE', 'a typed reference cannot be stored');
      return `{${n.sheet === null ? '' : `${n.sheet}!`}${storedPoint(n.start)}${n.end ? `:${storedPoint(n.end)}` : ''}}`;
    },
  });
}

/**
 * A stored tree as the person reads it, in A1 for the current order: the references follow their
 * rows and columns wherever they moved. One in the trash shows as #REF! (restored, it is back).
 */
export function printDisplay(node: Node, place: FormulaPlace, layout: LayoutIndex, options: SyntaxOptions = {}): string {
  return print(node, {
    decimal: options.decimal ?? '.',
    ref: (n) => {
      if (n.t === 'col') {
        const name = layout.columnName(place.sheetId, n.col);
        return name === undefined ? '#REF!' : `[${name}]`;
      }
      if (n.t !== 'ref') return '#REF!';
      const sheetId = n.sheet ?? place.sheetId;
      const sheetName = layout.sheetName(sheetId);
      if (sheetName === undefined) return '#REF!';
      const point = (p: IdPoint): string | null => {
        const col = layout.colIndex(sheetId, p.col);
        if (col === undefined) return null;
        if (p.row === null) return a1Text({ col, row: null, colAbs: p.colAbs, rowAbs: false });
        const row = layout.rowIndex(sheetId, p.row);
        return row === undefined ? null : a1Text({ col, row, colAbs: p.colAbs, rowAbs: p.rowAbs });
      };
      const a = point(n.start);
      const b = n.end ? point(n.end) : '';
      if (a === null || b === null) return '#REF!';
      return `${n.sheet === null ? '' : sheetPrefix(sheetName)}${a}${n.end ? `:${b}` : ''}`;
    },
  });
}

/** What a person typed → the text to store. Throws FormulaError (typed code) when it cannot be. */
export function toStored(typed: string, place: FormulaPlace, layout: LayoutIndex, options: SyntaxOptions = {}): string {
  return printStored(toStoredTree(parseTyped(typed, options), place, layout));
}

/** Stored text → what the person reads, for the current order and their decimal mark. */
export function toDisplay(stored: string, place: FormulaPlace, layout: LayoutIndex, options: SyntaxOptions = {}): string {
  return printDisplay(parseStored(stored), place, layout, options);
}
