import { describe, expect, it } from 'vitest';
import { a1Text, referenceKey, referenceSlot, scanTyped } from '../../src/model/formula/typed-refs.js';
import { REFERENCE_COLORS, contrastRatio, referenceColor } from '../../src/ui/grid/formula-colors.js';
import { keyCommand, type KeyContext } from '../../src/ui/grid/keymap.js';

const refs = (text: string, decimal: '.' | ',' = '.') =>
  scanTyped(text, decimal)
    .filter((t) => t.k === 'ref' || t.k === 'name')
    .map((t) => text.slice(t.from, t.to));

/** Every caret position of `text` where a reference may go, marked with | (a readable answer to compare). */
const slots = (text: string, decimal: '.' | ',' = '.') => {
  let out = '';
  for (let i = 0; i <= text.length; i++) out += (referenceSlot(text, i, decimal) ? '|' : '') + (text[i] ?? '');
  return out;
};

describe('typed references: where they are in text still being typed', () => {
  it('finds cells, ranges, whole columns, other sheets and column names with their places', () => {
    const text = "=SUM(B2:B4)+$C$1*'Shift roster'!A1+Inventory!B:B-[Needed]";
    expect(refs(text)).toEqual(['B2:B4', '$C$1', "'Shift roster'!A1", 'Inventory!B:B', '[Needed]']);
    const [range, abs, quoted] = scanTyped(text).filter((t) => t.k === 'ref');
    expect(range).toMatchObject({ from: 5, to: 10, sheet: null, start: { col: 1, row: 1 }, end: { col: 1, row: 3 } });
    expect(abs).toMatchObject({ start: { col: 2, row: 0 }, end: null });
    expect(quoted).toMatchObject({ sheet: 'Shift roster', start: { col: 0, row: 0 } });
    expect(scanTyped('=B:C').find((t) => t.k === 'ref')).toMatchObject({ start: { col: 1, row: null }, end: { col: 2, row: null } });
  });

  it('never throws on half-typed text, and skips what is not a reference as the parser does', () => {
    expect(refs('=SUM("B2 and C3', '.')).toEqual([]);
    expect(refs('=A1&"x""B2"&C3')).toEqual(['A1', 'C3']);
    expect(refs('=SUM(B2:')).toEqual(['B2']);
    expect(refs('=[Needed')).toEqual([]);
    // function names, a name running into digits, a call, a row 0 and error values are not references
    expect(refs('=SUMA1+LOG10(2)+A0+#REF!+#N/A')).toEqual([]);
    expect(refs('=ROUND(B2*1,5; 2)', ',')).toEqual(['B2']);
    expect(() => scanTyped('=€@{}!~`\\')).not.toThrow();
  });

  it('a reference may go after =, (, the separator and operators, in front of nothing or a closing bracket or operator', () => {
    expect(slots('=SUM(')).toBe('=SUM(|');
    expect(slots('=')).toBe('=|');
    expect(slots('=SUM(B2,)')).toBe('=SUM(B2,|)');
    expect(slots('=A1+')).toBe('=A1+|');
    expect(slots('=1<=')).toBe('=1<=|');
    // in a string, after a value or a closing bracket, inside a reference: not a place for another one
    expect(slots('=IF("a(",')).toBe('=IF("a(",|');
    expect(slots('=SUM(B2)')).toBe('=SUM(B2)');
    expect(slots('=(A1)+ ')).toBe('=(A1)+| |');
    // not a formula: nowhere
    expect(slots('SUM(')).toBe('SUM(');
    expect(slots('')).toBe('');
  });

  it('with a decimal comma the separator is ;, and a comma belongs to a number', () => {
    expect(referenceSlot('=ROUND(B2;', 10, ',')).toBe(true);
    expect(referenceSlot('=ROUND(B2,', 10, ',')).toBe(false);
    expect(referenceSlot('=ROUND(B2,', 10, '.')).toBe(true);
  });

  it('A1 text for a rectangle names its top-left first, a single cell once', () => {
    expect(a1Text({ row: 1, col: 1 }, { row: 3, col: 1 })).toBe('B2:B4');
    expect(a1Text({ row: 3, col: 2 }, { row: 1, col: 0 })).toBe('A2:C4');
    expect(a1Text({ row: 0, col: 27 }, { row: 0, col: 27 })).toBe('AB1');
  });

  it('two references to the same cells share a key (case, $, end order and own sheet name aside)', () => {
    const key = (text: string) => referenceKey(scanTyped(text).find((t) => t.k === 'ref' || t.k === 'name')!, 'Roster');
    expect(key('=b4:B2')).toBe(key('=$B$2:B4'));
    expect(key('=roster!B2:B4')).toBe(key('=B2:B4'));
    expect(key('=Other!B2:B4')).not.toBe(key('=B2:B4'));
    expect(key('=B:B')).not.toBe(key('=B1:B9'));
    expect(key('=[ needed ]')).toBe(key('=[Needed]'));
  });
});

describe('reference colours', () => {
  it('each reads as text on white (4.5:1) and shows as a border on a selected cell (3:1); they repeat past the end', () => {
    for (const c of REFERENCE_COLORS) {
      expect(contrastRatio(c, '#ffffff')).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(c, '#ddf4ff')).toBeGreaterThanOrEqual(3);
    }
    expect(new Set(REFERENCE_COLORS).size).toBe(REFERENCE_COLORS.length);
    expect(referenceColor(REFERENCE_COLORS.length)).toBe(referenceColor(0));
  });
});

describe('grid keymap: pointing in a formula', () => {
  const ctx = (over: Partial<KeyContext> = {}): KeyContext => ({ editing: true, row: 2, col: 1, nRows: 5, nCols: 4, page: 3, colType: 'text', tabStart: null, ...over });
  it('where a reference may go, arrows point (Shift stretches); elsewhere they are the editor caret', () => {
    expect(keyCommand({ key: 'ArrowDown' }, ctx({ pointing: true }))).toEqual({ kind: 'point-move', dRow: 1, dCol: 0, extend: false, jump: false });
    expect(keyCommand({ key: 'ArrowLeft', shift: true }, ctx({ pointing: true }))).toEqual({ kind: 'point-move', dRow: 0, dCol: -1, extend: true, jump: false });
    // Ctrl+Shift+arrow: to the data's edge, stretching (a long column in one key)
    expect(keyCommand({ key: 'ArrowDown', ctrl: true, shift: true }, ctx({ pointing: true }))).toEqual({ kind: 'point-move', dRow: 1, dCol: 0, extend: true, jump: true });
    expect(keyCommand({ key: 'ArrowDown' }, ctx({ pointing: false }))).toBeNull();
    // Enter still commits, Escape still cancels while pointing; an IME composing keeps its keys
    expect(keyCommand({ key: 'Enter' }, ctx({ pointing: true }))).toEqual({ kind: 'edit-commit', to: { row: 3, col: 1 } });
    expect(keyCommand({ key: 'Escape' }, ctx({ pointing: true }))).toEqual({ kind: 'edit-cancel' });
    expect(keyCommand({ key: 'ArrowDown', composing: true }, ctx({ pointing: true }))).toBeNull();
    // Alt+arrows are not pointing's (Alt+ArrowDown opens a picker on its cells)
    expect(keyCommand({ key: 'ArrowUp', alt: true }, ctx({ pointing: true }))).toBeNull();
  });
});
