import { describe, expect, it } from 'vitest';
import { isFormulaError, MAX_FORMULA_LENGTH, parseStored, parseTyped, printStored, type Node } from '../../src/model/formula/index.js';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (isFormulaError(e)) return e.code;
    throw e;
  }
  return null;
};

describe('formula parser (what people type)', () => {
  it('reads A1 references, ranges, whole columns, sheet names and $ anchors', () => {
    expect(parseTyped('=B2')).toEqual({ t: 'a1', sheet: null, start: { col: 1, row: 1, colAbs: false, rowAbs: false }, end: null });
    expect(parseTyped('=$B$2')).toMatchObject({ start: { col: 1, row: 1, colAbs: true, rowAbs: true } });
    expect(parseTyped('=B$2')).toMatchObject({ start: { colAbs: false, rowAbs: true } });
    expect(parseTyped('=B2:B40')).toMatchObject({ t: 'a1', start: { col: 1, row: 1 }, end: { col: 1, row: 39 } });
    expect(parseTyped('=B:B')).toMatchObject({ t: 'a1', start: { col: 1, row: null }, end: { col: 1, row: null } });
    expect(parseTyped("='Shift roster'!C3")).toMatchObject({ t: 'a1', sheet: 'Shift roster', start: { col: 2, row: 2 } });
    expect(parseTyped("='Ana''s list'!A1")).toMatchObject({ sheet: "Ana's list" });
    expect(parseTyped('=Inventory!AA10')).toMatchObject({ sheet: 'Inventory', start: { col: 26, row: 9 } });
    expect(parseTyped('=[Needed] - [Signed up]')).toEqual({ t: 'bin', op: '-', a: { t: 'name', name: 'Needed' }, b: { t: 'name', name: 'Signed up' } });
  });

  it('reads numbers, strings, booleans, error literals and function calls', () => {
    expect(parseTyped('=1.5e3')).toEqual({ t: 'num', v: 1500 });
    expect(parseTyped('="say ""hi"""')).toEqual({ t: 'str', v: 'say "hi"' });
    expect(parseTyped('=true')).toEqual({ t: 'bool', v: true });
    expect(parseTyped('=#N/A')).toEqual({ t: 'err', v: '#N/A' });
    expect(parseTyped('=#div/0!')).toEqual({ t: 'err', v: '#DIV/0!' });
    expect(parseTyped('=sum(1, 2)')).toEqual({ t: 'call', name: 'SUM', args: [{ t: 'num', v: 1 }, { t: 'num', v: 2 }] });
    expect(parseTyped('=TODAY()')).toEqual({ t: 'call', name: 'TODAY', args: [] });
    // an identifier that looks like a cell but is called is a function (LOG10)
    expect(parseTyped('=LOG10(1)')).toMatchObject({ t: 'call', name: 'LOG10' });
  });

  it("follows Excel's operator precedence", () => {
    const p = (s: string) => printStored(parseTyped(s));
    const tree = (s: string): Node => parseTyped(s);
    // * before +
    expect(tree('=1+2*3')).toMatchObject({ op: '+', b: { op: '*' } });
    // unary minus binds tighter than ^: -2^2 is 4
    expect(tree('=-2^2')).toMatchObject({ op: '^', a: { t: 'neg' } });
    // & below +, comparison lowest
    expect(tree('=1+2&3=4')).toMatchObject({ op: '=', a: { op: '&', a: { op: '+' } } });
    // % is postfix
    expect(tree('=50%*2')).toMatchObject({ op: '*', a: { t: 'pct' } });
    // left associative ^
    expect(tree('=2^3^2')).toMatchObject({ op: '^', a: { op: '^' } });
    expect(p('=(1+2)*3')).toBe('=(1+2)*3');
    expect(tree('=A1<>B1')).toMatchObject({ op: '<>' });
    expect(tree('=A1>=B1')).toMatchObject({ op: '>=' });
  });

  it('reads a decimal comma with ; between arguments', () => {
    expect(parseTyped('=SUM(1,5; 2)', { decimal: ',' })).toEqual({ t: 'call', name: 'SUM', args: [{ t: 'num', v: 1.5 }, { t: 'num', v: 2 }] });
  });

  it('refuses what is not a formula with a typed code and a position', () => {
    expect(code(() => parseTyped('SUM(1)'))).toBe('FORMULA_SYNTAX');
    expect(code(() => parseTyped('=SUM(1'))).toBe('FORMULA_SYNTAX');
    expect(code(() => parseTyped('=1+'))).toBe('FORMULA_SYNTAX');
    expect(code(() => parseTyped('="open'))).toBe('FORMULA_SYNTAX');
    expect(code(() => parseTyped('=1 2'))).toBe('FORMULA_SYNTAX');
    expect(code(() => parseTyped('=#WHAT'))).toBe('FORMULA_SYNTAX');
    expect(code(() => parseTyped('=[Needed'))).toBe('FORMULA_SYNTAX');
    expect(code(() => parseTyped('=A99999999'))).toBe('FORMULA_NO_SUCH_CELL');
    expect(code(() => parseTyped(`=${'1+'.repeat(MAX_FORMULA_LENGTH)}1`))).toBe('FORMULA_TOO_LARGE');
    expect(code(() => parseTyped(`=${'('.repeat(100)}1${')'.repeat(100)}`))).toBe('FORMULA_TOO_LARGE');
    try {
      parseTyped('=1 + )');
    } catch (e) {
      expect(isFormulaError(e) && e.at).toBe(5);
    }
  });
});

describe('stored formulas', () => {
  it('round-trip through the storage grammar', () => {
    const stored = '=SUM({Bcol0001@Row0000001:Bcol0001@$Row0000009})+{S1!$Ccol0001@Row0000002}*{~Dcol0001}-{Ecol0001:Fcol0001}&"a""b"';
    expect(printStored(parseStored(stored))).toBe(stored);
    expect(parseStored('={Bcol0001@$Row0000001}')).toEqual({ t: 'ref', sheet: null, start: { col: 'Bcol0001', row: 'Row0000001', colAbs: false, rowAbs: true }, end: null });
  });

  it('refuses storage text this app never writes', () => {
    expect(code(() => parseStored('=B2'))).toBe('FORMULA_BAD_STORAGE');
    expect(code(() => parseStored('= 1'))).toBe('FORMULA_BAD_STORAGE');
    expect(code(() => parseStored('={Bcol0001}'))).toBe('FORMULA_BAD_STORAGE');
    expect(code(() => parseStored('={Bcol0001@R1:Ccol0001}'))).toBe('FORMULA_BAD_STORAGE');
    expect(code(() => parseStored('=[Needed]'))).toBe('FORMULA_BAD_STORAGE');
  });
});
