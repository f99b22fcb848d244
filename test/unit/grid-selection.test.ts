import { describe, expect, it } from 'vitest';
import { rectOf } from '../../src/model/range.js';
import {
  blockSelection,
  cellSelection,
  clampSelection,
  columnBand,
  isMultiCell,
  lastDataCell,
  moveSelection,
  rowBand,
  rowsSelection,
  selectAll,
  selectColumns,
  selectRows,
} from '../../src/ui/grid/selection.js';
import { keyCommand, type KeyContext } from '../../src/ui/grid/keymap.js';

const at = (row: number, col: number) => ({ row, col });

describe('grid selection: the active cell stays while the range grows', () => {
  it('Shift-moves drag the far corner; the anchor and the active cell stay', () => {
    let sel = cellSelection(at(2, 1));
    sel = moveSelection(sel, at(3, 1), true, 10, 5);
    sel = moveSelection(sel, at(3, 2), true, 10, 5);
    expect(sel).toEqual({ active: at(2, 1), anchor: at(2, 1), focus: at(3, 2) });
    expect(rectOf(sel)).toEqual({ top: 2, bottom: 3, left: 1, right: 2 });
    expect(isMultiCell(sel)).toBe(true);
  });

  it('a plain move after Shift-extending starts from the active cell, not the far corner (as Sheets)', () => {
    const base: KeyContext = { editing: false, row: 2, col: 1, nRows: 10, nCols: 5, page: 3 };
    let sel = cellSelection(at(2, 1));
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowRight']) {
      const cmd = keyCommand({ key, shift: true }, { ...base, row: sel.active.row, col: sel.active.col, focusRow: sel.focus.row, focusCol: sel.focus.col });
      if (cmd?.kind !== 'move') throw new Error(`not a move: ${JSON.stringify(cmd)}`);
      sel = moveSelection(sel, cmd.to, cmd.extend, 10, 5);
    }
    expect(sel.focus).toEqual(at(4, 2));
    const down = keyCommand({ key: 'ArrowDown' }, { ...base, row: sel.active.row, col: sel.active.col, focusRow: sel.focus.row, focusCol: sel.focus.col });
    expect(down).toEqual({ kind: 'move', to: at(3, 1), extend: false });
    if (down?.kind !== 'move') throw new Error('not a move');
    expect(moveSelection(sel, down.to, down.extend, 10, 5)).toEqual(cellSelection(at(3, 1)));
  });

  it('moves are clamped to the sheet', () => {
    expect(moveSelection(cellSelection(at(0, 0)), at(-1, 9), false, 10, 5)).toEqual(cellSelection(at(0, 4)));
    expect(moveSelection(cellSelection(at(9, 4)), at(12, 4), true, 10, 5).focus).toEqual(at(9, 4));
  });
});

describe('grid selection: whole rows, columns, the sheet', () => {
  // A 3×2 range from (2,1) to (4,2), active at (2,1).
  const range = { active: at(2, 1), anchor: at(2, 1), focus: at(4, 2) };

  it('Shift+Space on a multi-row range selects all of those rows, across every column', () => {
    const sel = selectRows(range, 5);
    expect(rectOf(sel)).toEqual({ top: 2, bottom: 4, left: 0, right: 4 });
    expect(sel.active).toEqual(at(2, 1));
  });

  it('Ctrl+Space on a multi-column range selects all of those columns, down every row', () => {
    const sel = selectColumns(range, 10);
    expect(rectOf(sel)).toEqual({ top: 0, bottom: 9, left: 1, right: 2 });
    expect(sel.active).toEqual(at(2, 1));
  });

  it('Shift+Space then Ctrl+Space is the whole sheet; so is Ctrl+A; the active cell stays', () => {
    expect(rectOf(selectColumns(selectRows(range, 5), 10))).toEqual({ top: 0, bottom: 9, left: 0, right: 4 });
    expect(selectAll(range, 10, 5)).toEqual({ active: at(2, 1), anchor: at(0, 0), focus: at(9, 4) });
  });

  it('a single cell: Shift+Space is its row, Ctrl+Space its column', () => {
    expect(rectOf(selectRows(cellSelection(at(3, 2)), 5))).toEqual({ top: 3, bottom: 3, left: 0, right: 4 });
    expect(rectOf(selectColumns(cellSelection(at(3, 2)), 10))).toEqual({ top: 0, bottom: 9, left: 2, right: 2 });
  });

  it('clicks on row numbers and column headers select bands; Shift extends from the anchor', () => {
    const one = rowBand(cellSelection(at(0, 3)), 5, false, 5);
    expect(one).toEqual({ active: at(5, 3), anchor: at(5, 0), focus: at(5, 4) });
    expect(rectOf(rowBand(one, 7, true, 5))).toEqual({ top: 5, bottom: 7, left: 0, right: 4 });
    const col = columnBand(cellSelection(at(4, 0)), 2, false, 10);
    expect(col).toEqual({ active: at(0, 2), anchor: at(0, 2), focus: at(9, 2) });
    expect(rectOf(columnBand(col, 0, true, 10))).toEqual({ top: 0, bottom: 9, left: 0, right: 2 });
  });

  it('moved rows and pasted blocks are selected whole, their first cell active', () => {
    expect(rowsSelection(3, 2, 4)).toEqual({ active: at(3, 0), anchor: at(3, 0), focus: at(4, 3) });
    expect(blockSelection(1, 2, 3, 2)).toEqual({ active: at(1, 2), anchor: at(1, 2), focus: at(3, 3) });
  });

  it('clamps into a smaller sheet, and keeps the same object when it fits', () => {
    const sel = { active: at(8, 1), anchor: at(8, 1), focus: at(9, 4) };
    expect(clampSelection(sel, 10, 5)).toBe(sel);
    expect(clampSelection(sel, 5, 3)).toEqual({ active: at(4, 1), anchor: at(4, 1), focus: at(4, 2) });
    expect(clampSelection(sel, 0, 0)).toEqual(cellSelection(at(0, 0)));
  });
});

describe('grid selection: Ctrl+End goes to the last data cell', () => {
  it('is the last row holding a value and the last column holding one', () => {
    // Values at (0,0), (2,3) and (5,1) in a 20×6 sheet.
    const data = new Set(['0:0', '2:3', '5:1']);
    const filled = (r: number, c: number) => data.has(`${r}:${c}`);
    expect(lastDataCell(20, 6, filled)).toEqual(at(5, 3));
    expect(lastDataCell(20, 6, () => false)).toEqual(at(0, 0));
    expect(lastDataCell(0, 0, () => true)).toEqual(at(0, 0));
    expect(lastDataCell(3, 2, () => true)).toEqual(at(2, 1));
  });

  it('the keymap asks for it only on Ctrl+End, and falls back to the sheet corner', () => {
    let asked = 0;
    const lastData = () => {
      asked++;
      return at(5, 3);
    };
    const c: KeyContext = { editing: false, row: 1, col: 1, nRows: 20, nCols: 6, page: 3, lastData };
    expect(keyCommand({ key: 'ArrowDown' }, c)).toEqual({ kind: 'move', to: at(2, 1), extend: false });
    expect(asked).toBe(0);
    expect(keyCommand({ key: 'End', ctrl: true }, c)).toEqual({ kind: 'move', to: at(5, 3), extend: false });
    expect(asked).toBe(1);
    expect(keyCommand({ key: 'End', ctrl: true }, { ...c, lastData: undefined })).toEqual({ kind: 'move', to: at(19, 5), extend: false });
  });
});
