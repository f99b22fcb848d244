import { mapChildren, type IdPoint, type Node } from '../model/formula/ast.js';
import { LayoutIndex } from '../model/formula/layout.js';
import { parseStored } from '../model/formula/parse.js';
import { printDisplay } from '../model/formula/refs.js';

/** Excel stores functions newer than 2007 under a prefix; without it Excel reads them as unknown names. */
const FILE_PREFIX: Record<string, string> = {
  CONCAT: '_xlfn.',
  IFS: '_xlfn.',
  IFNA: '_xlfn.',
  SWITCH: '_xlfn.',
  TEXTJOIN: '_xlfn.',
  XLOOKUP: '_xlfn.',
  DAYS: '_xlfn.',
  UNIQUE: '_xlfn.',
  FILTER: '_xlfn._xlws.',
  SORT: '_xlfn._xlws.',
};

/** What a sheet looks like in the file being written: its title there, and its rows and columns in the file's order. */
export interface FileSheet {
  sheetId: string;
  title: string;
  rowIds: readonly string[];
  columns: readonly { id: string; name: string }[];
}

/**
 * Formulas as the XLSX file writes them: A1 in the file's grid (row 1 is the header, so the
 * workbook's first row is row 2), English names, '.' decimals, ',' between arguments.
 */
export class FormulaWriter {
  private readonly layout: LayoutIndex;

  /** `known`: the functions this app computes; `sheets`: every sheet the file holds. */
  constructor(
    sheets: readonly FileSheet[],
    private readonly known: ReadonlySet<string>,
  ) {
    // The header row stands at index 0 under an id no row has (ids are never empty).
    this.layout = new LayoutIndex({
      sheets: () => sheets.map((s) => ({ id: s.sheetId, name: s.title })),
      rowIds: (id) => {
        const s = sheets.find((x) => x.sheetId === id);
        return s ? ['', ...s.rowIds] : [];
      },
      columns: (id) => sheets.find((x) => x.sheetId === id)?.columns ?? [],
    });
  }

  /**
   * The cell's formula for the file, or null when the file gets only its result: a reference to a
   * row, column or sheet the file does not hold (it would read #REF! there), or a function this app
   * does not compute. Such a function reads #NAME? here, and written into a file it would run in
   * Excel: a peer could otherwise plant `WEBSERVICE(…)` for whoever opens the export.
   */
  text(stored: string, sheetId: string, rowId: string): string | null {
    let tree: Node;
    try {
      tree = parseStored(stored);
    } catch {
      return null;
    }
    let ok = true;
    const has = (sheet: string, p: IdPoint) =>
      this.layout.colIndex(sheet, p.col) !== undefined && (p.row === null || this.layout.rowIndex(sheet, p.row) !== undefined);
    const walk = (n: Node): Node => {
      switch (n.t) {
        case 'ref': {
          const sheet = n.sheet ?? sheetId;
          if (!has(sheet, n.start) || (n.end && !has(sheet, n.end))) ok = false;
          return n;
        }
        case 'col': {
          // A column formula's `[Name]` is this row's cell of that column.
          const point = { col: n.col, row: rowId, colAbs: false, rowAbs: false };
          if (!has(sheetId, point)) ok = false;
          return { t: 'ref', sheet: null, start: point, end: null };
        }
        case 'call':
          if (!this.known.has(n.name)) ok = false;
          return { ...n, name: `${FILE_PREFIX[n.name] ?? ''}${n.name}`, args: n.args.map(walk) };
        default:
          return mapChildren(n, walk);
      }
    };
    const fileTree = walk(tree);
    if (!ok) return null;
    return printDisplay(fileTree, { sheetId, rowId }, this.layout, { decimal: '.' }).slice(1);
  }
}
