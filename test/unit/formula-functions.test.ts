import { describe, expect, it } from 'vitest';
import { columnIndex, ERRORS, FormulaEngine, PlainInput, serialFromParts, type Scalar, type Value } from '../../src/model/formula/index.js';

const COLS = 'ABCDEFGHIJ'.split('');
const ROWS = 20;
const rowId = (i: number) => `r${i}`;

/**
 * A 20 × 10 sheet (A–J) on plain arrays; `cells` sets values by A1 address. The formula goes in
 * J20 unless `at` says where, and its whole result (an array in full) is returned.
 */
function calc(formula: string, cells: Record<string, Scalar> = {}, options: { at?: string; now?: number; timeZone?: string } = {}): Value {
  const input = new PlainInput();
  input.addSheet('s1', 'Sheet1', Array.from({ length: ROWS }, (_, i) => rowId(i)), COLS.map((c) => ({ id: c, name: c })));
  const addr = (a1: string) => {
    const m = /^([A-J])(\d+)$/.exec(a1)!;
    return { row: rowId(Number(m[2]) - 1), col: COLS[columnIndex(m[1])] };
  };
  for (const [a1, v] of Object.entries(cells)) {
    const { row, col } = addr(a1);
    input.set('s1', row, col, v);
  }
  const engine = new FormulaEngine(input, { now: () => options.now ?? Date.UTC(2026, 11, 2, 12), timeZone: options.timeZone ?? 'UTC' });
  const at = addr(options.at ?? 'J20');
  const place = { sheetId: 's1', rowId: at.row };
  engine.setCellFormula('s1', at.row, at.col, engine.enter(formula, place));
  engine.recalc();
  return engine.fullResult('s1', at.row, at.col)!;
}

const column = (from: number, values: Scalar[], col = 'A'): Record<string, Scalar> =>
  Object.fromEntries(values.map((v, i) => [`${col}${from + i}`, v]));

describe('functions, against the examples in Excel’s documentation', () => {
  it('SUMIF, SUMIFS, COUNTIF, COUNTIFS, AVERAGEIF, AVERAGEIFS', () => {
    const prop = { ...column(2, [100000, 200000, 300000, 400000]), ...column(2, [7000, 14000, 21000, 28000], 'B') };
    expect(calc('=SUMIF(A2:A5,">160000",B2:B5)', prop)).toBe(63000);
    expect(calc('=SUMIF(A2:A5,">160000")', prop)).toBe(900000);
    expect(calc('=SUMIF(A2:A5,300000,B2:B5)', prop)).toBe(21000);
    expect(calc('=AVERAGEIF(B2:B5,"<23000")', prop)).toBe(14000);
    expect(calc('=AVERAGEIF(A2:A5,"<250000")', prop)).toBe(150000);
    expect(calc('=AVERAGEIF(A2:A5,"<95000")', prop)).toEqual(ERRORS['#DIV/0!']);
    expect(calc('=AVERAGEIF(A2:A5,">250000",B2:B5)', prop)).toBe(24500);
    const produce = {
      ...column(2, [5, 4, 15, 3, 22, 12, 10, 33]),
      ...column(2, ['Apples', 'Apples', 'Artichokes', 'Artichokes', 'Bananas', 'Bananas', 'Carrots', 'Carrots'], 'B'),
      ...column(2, ['Tom', 'Sarah', 'Tom', 'Sarah', 'Tom', 'Sarah', 'Tom', 'Sarah'], 'C'),
    };
    expect(calc('=SUMIFS(A2:A9, B2:B9, "=A*", C2:C9, "Tom")', produce)).toBe(20);
    expect(calc('=SUMIFS(A2:A9, B2:B9, "<>Bananas", C2:C9, "Tom")', produce)).toBe(30);
    expect(calc('=COUNTIFS(B2:B9, "Apples", C2:C9, "Tom")', produce)).toBe(1);
    expect(calc('=AVERAGEIFS(A2:A9, C2:C9, "Sarah")', produce)).toBe(13);
    const fruit = { ...column(2, ['apples', 'oranges', 'peaches', 'apples']), ...column(2, [32, 54, 75, 86], 'B') };
    expect(calc('=COUNTIF(A2:A5,"apples")', fruit)).toBe(2);
    expect(calc('=COUNTIF(B2:B5,">55")', fruit)).toBe(2);
    expect(calc('=COUNTIF(B2:B5,"<>"&B4)', fruit)).toBe(3);
    expect(calc('=COUNTIF(A2:A5,"?????es")', fruit)).toBe(2);
    // without case, wildcards after an operator, blanks and non-blanks
    expect(calc('=COUNTIF(A2:A5,"APPLES")', fruit)).toBe(2);
    expect(calc('=COUNTIF(A2:A5,"<>p*")', fruit)).toBe(3);
    expect(calc('=COUNTIF(A1:A6,"")', fruit)).toBe(2);
    expect(calc('=COUNTIF(A1:A6,"<>")', fruit)).toBe(4);
    expect(calc('=COUNTIF(A2:A5,"<b")', fruit)).toBe(2);
    expect(calc('=SUMIF(A2:A5,"apples",B2:B5)', fruit)).toBe(118);
    expect(calc('=SUMIFS(B2:B5, A2:A5, "apples", B2:B3, ">0")', fruit)).toEqual(ERRORS['#VALUE!']);
  });

  it('SUM, COUNT, COUNTA, COUNTBLANK, AVERAGE, MIN, MAX, ROUND, ABS', () => {
    expect(calc('=AVERAGE(10, 7, 9, 27, 2)')).toBe(11);
    const mixed = column(1, [5, 'text', true, null, 10]);
    // in a range only numbers count; given directly, TRUE is 1
    expect(calc('=SUM(A1:A5)', mixed)).toBe(15);
    expect(calc('=SUM(A1:A5, TRUE, "2")', mixed)).toBe(18);
    expect(calc('=COUNT(A1:A5)', mixed)).toBe(2);
    expect(calc('=COUNTA(A1:A5)', mixed)).toBe(4);
    expect(calc('=COUNTBLANK(A1:A5)', mixed)).toBe(1);
    expect(calc('=MIN(A1:A5)', mixed)).toBe(5);
    expect(calc('=MAX(A1:A5, 7)', mixed)).toBe(10);
    expect(calc('=SUM(A1:A5)', { A1: 1, A2: ERRORS['#N/A'] })).toEqual(ERRORS['#N/A']);
    expect(calc('=SUM("x", 1)')).toEqual(ERRORS['#VALUE!']);
    expect(calc('=ROUND(2.15, 1)')).toBe(2.2);
    expect(calc('=ROUND(2.149, 1)')).toBe(2.1);
    expect(calc('=ROUND(-1.475, 2)')).toBe(-1.48);
    expect(calc('=ROUND(21.5, -1)')).toBe(20);
    expect(calc('=ABS(-4)')).toBe(4);
  });

  it('IF, IFS, IFERROR, IFNA, AND, OR, NOT, SWITCH', () => {
    expect(calc('=IF(A1>10,"Over","Within")', { A1: 23 })).toBe('Over');
    expect(calc('=IF(A1>10,"Over")', { A1: 2 })).toBe(false);
    expect(calc('=IFS(A1>89,"A",A1>79,"B",A1>69,"C",TRUE,"F")', { A1: 73 })).toBe('C');
    expect(calc('=IFS(A1>89,"A")', { A1: 3 })).toEqual(ERRORS['#N/A']);
    expect(calc('=IFERROR(210/0, "Error in calculation")')).toBe('Error in calculation');
    expect(calc('=IFERROR(A1/2, "x")', { A1: 10 })).toBe(5);
    expect(calc('=IFNA(#N/A, 0)')).toBe(0);
    expect(calc('=IFNA(1/0, 0)')).toEqual(ERRORS['#DIV/0!']);
    expect(calc('=AND(A1>1, A1<100)', { A1: 50 })).toBe(true);
    expect(calc('=OR(A1>1, A1<100)', { A1: -5 })).toBe(true);
    expect(calc('=NOT(A1>1)', { A1: 5 })).toBe(false);
    // 22 Feb 2018 is a Thursday (weekday 5): no match
    expect(calc('=SWITCH(WEEKDAY(A1),1,"Sunday",2,"Monday",3,"Tuesday","No match")', { A1: serialFromParts(2018, 2, 22) })).toBe('No match');
    expect(calc('=SWITCH(A1, 7, "seven", 2, "two")', { A1: 2 })).toBe('two');
    expect(calc('=SWITCH(A1, 7, "seven")', { A1: 2 })).toEqual(ERRORS['#N/A']);
  });

  it('VLOOKUP, HLOOKUP, XLOOKUP, INDEX, MATCH', () => {
    const table = {
      ...column(2, [101, 102, 103, 104]),
      ...column(2, ['Davis', 'Fortana', 'Leal', 'Patten'], 'B'),
      ...column(2, ['Sara', 'Olivier', 'Karina', 'Michael'], 'C'),
    };
    expect(calc('=VLOOKUP(102, A2:C5, 2, FALSE)', table)).toBe('Fortana');
    expect(calc('=VLOOKUP(105, A2:C5, 2, FALSE)', table)).toEqual(ERRORS['#N/A']);
    expect(calc('=VLOOKUP(103.5, A2:C5, 3)', table)).toBe('Karina');
    expect(calc('=VLOOKUP("lea*", B2:C5, 2, FALSE)', table)).toBe('Karina');
    expect(calc('=VLOOKUP(102, A2:C5, 4, FALSE)', table)).toEqual(ERRORS['#REF!']);
    expect(calc('=XLOOKUP("Leal", B2:B5, C2:C5)', table)).toBe('Karina');
    expect(calc('=XLOOKUP("Nobody", B2:B5, C2:C5, "not found")', table)).toBe('not found');
    expect(calc('=XLOOKUP(103.5, A2:A5, B2:B5, , -1)', table)).toBe('Leal');
    expect(calc('=XLOOKUP(103.5, A2:A5, B2:B5, , 1)', table)).toBe('Patten');
    const h = { A1: 'Axles', B1: 'Bearings', C1: 'Bolts', A2: 4, B2: 4, C2: 9, A3: 5, B3: 7, C3: 10 };
    expect(calc('=HLOOKUP("Axles", A1:C3, 2, TRUE)', h)).toBe(4);
    expect(calc('=HLOOKUP("Bearings", A1:C3, 3, FALSE)', h)).toBe(7);
    const m = column(2, [25, 38, 40, 41], 'B');
    expect(calc('=MATCH(39, B2:B5, 1)', m)).toBe(2);
    expect(calc('=MATCH(41, B2:B5, 0)', m)).toBe(4);
    expect(calc('=MATCH(40, B2:B5, -1)', m)).toEqual(ERRORS['#N/A']);
    const fruit = { A2: 'Apples', B2: 'Lemons', A3: 'Bananas', B3: 'Pears' };
    expect(calc('=INDEX(A2:B3, 2, 2)', fruit)).toBe('Pears');
    expect(calc('=INDEX(A2:B3, 2, 1)', fruit)).toBe('Bananas');
    expect(calc('=INDEX(A2:B3, 3, 1)', fruit)).toEqual(ERRORS['#REF!']);
    expect(calc('=INDEX(B2:B5, MATCH(40, B2:B5, 0))', m)).toBe(40);
  });

  it('dates: DATE, DATEDIF, DAYS, NETWORKDAYS, WEEKDAY, EDATE, TEXT', () => {
    expect(calc('=DATE(2008,1,2)')).toBe(39449);
    expect(calc('=DATE(2008,14,2)')).toBe(serialFromParts(2009, 2, 2));
    const span = { A1: serialFromParts(2001, 6, 1), A2: serialFromParts(2002, 8, 15) };
    expect(calc('=DATEDIF(A1,A2,"D")', span)).toBe(440);
    expect(calc('=DATEDIF(A1,A2,"YD")', span)).toBe(75);
    expect(calc('=DATEDIF(A1,A2,"MD")', span)).toBe(14);
    expect(calc('=DATEDIF(DATE(2001,1,1),DATE(2003,1,1),"Y")')).toBe(2);
    expect(calc('=DATEDIF(A2,A1,"D")', span)).toEqual(ERRORS['#NUM!']);
    // ISO text reads as a date on every device
    expect(calc('=DAYS("2021-03-15","2021-02-01")')).toBe(42);
    const nd = { A2: serialFromParts(2012, 10, 1), A3: serialFromParts(2013, 3, 1), A4: serialFromParts(2012, 11, 22), A5: serialFromParts(2012, 12, 4), A6: serialFromParts(2013, 1, 21) };
    expect(calc('=NETWORKDAYS(A2,A3)', nd)).toBe(110);
    expect(calc('=NETWORKDAYS(A2,A3,A4)', nd)).toBe(109);
    expect(calc('=NETWORKDAYS(A2,A3,A4:A6)', nd)).toBe(107);
    const wd = { A1: serialFromParts(2008, 2, 14) };
    expect(calc('=WEEKDAY(A1)', wd)).toBe(5);
    expect(calc('=WEEKDAY(A1, 2)', wd)).toBe(4);
    expect(calc('=WEEKDAY(A1, 3)', wd)).toBe(3);
    const ed = { A1: serialFromParts(2011, 1, 15) };
    expect(calc('=EDATE(A1,1)', ed)).toBe(40589);
    expect(calc('=EDATE(A1,-1)', ed)).toBe(40527);
    expect(calc('=EDATE(A1,2)', ed)).toBe(40617);
    expect(calc('=EDATE(DATE(2026,1,31),1)')).toBe(serialFromParts(2026, 2, 28));
    expect(calc('=TEXT(DATE(2026,3,14),"yyyy-mm-dd")')).toBe('2026-03-14');
    expect(calc('=TEXT(DATE(2026,3,14),"dddd d mmmm")')).toBe('Saturday 14 March');
    expect(calc('=TEXT(1234.567,"$#,##0.00")')).toBe('$1,234.57');
    expect(calc('=TEXT(0.285,"0.0%")')).toBe('28.5%');
  });

  it('TODAY and NOW read the workbook’s time zone, not the device’s', () => {
    const now = Date.UTC(2026, 11, 2, 3, 30); // 03:30 UTC is still 1 December in New York
    expect(calc('=TODAY()', {}, { now, timeZone: 'America/New_York' })).toBe(serialFromParts(2026, 12, 1));
    expect(calc('=TODAY()', {}, { now, timeZone: 'Europe/Madrid' })).toBe(serialFromParts(2026, 12, 2));
    expect(calc('=NOW()', {}, { now, timeZone: 'UTC' })).toBeCloseTo(serialFromParts(2026, 12, 2) + 3.5 / 24, 9);
  });

  it('text: CONCAT(ENATE), &, LEN, TRIM, UPPER, LOWER, PROPER, LEFT, RIGHT, MID, SUBSTITUTE, FIND, SEARCH, VALUE', () => {
    expect(calc('=CONCAT(A1:A3, "!")', column(1, ['a', 'b', 'c']))).toBe('abc!');
    expect(calc('=CONCATENATE("Stream population for ", A1, " is ", A2, "/mile.")', { A1: 'brook trout', A2: 32 })).toBe('Stream population for brook trout is 32/mile.');
    expect(calc('=A1&" "&A2', { A1: 'Ana', A2: 0.1 })).toBe('Ana 0.1');
    expect(calc('=(0.1+0.2)&""')).toBe('0.3');
    expect(calc('=LEN("Phoenix, AZ")')).toBe(11);
    expect(calc('=TRIM(" First   Quarter Earnings ")')).toBe('First Quarter Earnings');
    expect(calc('=UPPER("total")')).toBe('TOTAL');
    expect(calc('=LOWER("E. E. Cummings")')).toBe('e. e. cummings');
    expect(calc('=PROPER("this is a TITLE")')).toBe('This Is A Title');
    expect(calc('=PROPER("2-way street")')).toBe('2-Way Street');
    expect(calc('=PROPER("76BudGet")')).toBe('76Budget');
    expect(calc('=LEFT("Sale Price", 4)')).toBe('Sale');
    expect(calc('=LEFT("Sweden")')).toBe('S');
    expect(calc('=RIGHT("Sale Price", 5)')).toBe('Price');
    expect(calc('=MID("Fluid Flow", 1, 5)')).toBe('Fluid');
    expect(calc('=MID("Fluid Flow", 7, 20)')).toBe('Flow');
    expect(calc('=MID("Fluid Flow", 20, 5)')).toBe('');
    expect(calc('=SUBSTITUTE("Sales Data", "Sales", "Cost")')).toBe('Cost Data');
    expect(calc('=SUBSTITUTE("Quarter 1, 2008", "1", "2", 1)')).toBe('Quarter 2, 2008');
    expect(calc('=SUBSTITUTE("Quarter 1, 2011", "1", "2", 3)')).toBe('Quarter 1, 2012');
    expect(calc('=FIND("M","Miriam McGovern")')).toBe(1);
    expect(calc('=FIND("m","Miriam McGovern")')).toBe(6);
    expect(calc('=FIND("M","Miriam McGovern",3)')).toBe(8);
    expect(calc('=FIND("z","abc")')).toEqual(ERRORS['#VALUE!']);
    expect(calc('=SEARCH("e","Statements",6)')).toBe(7);
    expect(calc('=SEARCH("margin","Profit Margin")')).toBe(8);
    expect(calc('=SEARCH("p?o","Profit")')).toBe(1);
    expect(calc('=VALUE("12.5")')).toBe(12.5);
    expect(calc('=VALUE("abc")')).toEqual(ERRORS['#VALUE!']);
  });

  it('operators and Excel error values', () => {
    expect(calc('=1/0')).toEqual(ERRORS['#DIV/0!']);
    expect(calc('="a"+1')).toEqual(ERRORS['#VALUE!']);
    expect(calc('="1"+1')).toBe(2);
    expect(calc('=A1+1', { A1: ERRORS['#N/A'] })).toEqual(ERRORS['#N/A']);
    expect(calc('=-2^2')).toBe(4);
    expect(calc('=2^3^2')).toBe(64);
    expect(calc('=50%')).toBe(0.5);
    expect(calc('="abc"="ABC"')).toBe(true);
    expect(calc('=1<"a"')).toBe(true);
    expect(calc('="z"<TRUE')).toBe(true);
    expect(calc('=A1=0', {})).toBe(true);
    expect(calc('=NOSUCH(1)')).toEqual(ERRORS['#NAME?']);
    expect(calc('=nosuchname+1')).toEqual(ERRORS['#NAME?']);
    expect(calc('=#REF!')).toEqual(ERRORS['#REF!']);
    expect(calc('=(-1)^0.5')).toEqual(ERRORS['#NUM!']);
  });

  it('UNIQUE, FILTER and SORT spill their results', () => {
    const list = column(1, ['Rice', 'Beans', 'rice', 'Oil', 'Beans']);
    expect(calc('=UNIQUE(A1:A5)', list, { at: 'C1' })).toEqual([['Rice'], ['Beans'], ['Oil']]);
    expect(calc('=UNIQUE(A1:A5, FALSE, TRUE)', list, { at: 'C1' })).toBe('Oil');
    expect(calc('=SORT(A1:A5)', list, { at: 'C1' })).toEqual([['Beans'], ['Beans'], ['Oil'], ['Rice'], ['rice']]);
    expect(calc('=SORT(A1:B3, 2, -1)', { A1: 'a', B1: 2, A2: 'b', B2: 9, A3: 'c', B3: 5 }, { at: 'D1' })).toEqual([['b', 9], ['c', 5], ['a', 2]]);
    // blanks last whichever way
    expect(calc('=SORT(A1:A3, 1, -1)', { A1: 2, A3: 5 }, { at: 'C1' })).toEqual([[5], [2], [null]]);
    expect(calc('=SORT(A1:A3)', { A1: 2, A3: 5 }, { at: 'C1' })).toEqual([[2], [5], [null]]);
    expect(calc('=COUNTIF(A1:A3, "a.c")', { A1: 'a.c', A2: 'abc' })).toBe(1);
    const stock = { ...column(1, ['Rice', 'Beans', 'Oil']), ...column(1, [40, 3, 0], 'B') };
    expect(calc('=FILTER(A1:A3, B1:B3<5)', stock, { at: 'D1' })).toEqual([['Beans'], ['Oil']]);
    expect(calc('=FILTER(A1:A3, B1:B3>100)', stock, { at: 'D1' })).toEqual(ERRORS['#CALC!']);
    expect(calc('=FILTER(A1:A3, B1:B3>100, "none")', stock, { at: 'D1' })).toBe('none');
    expect(calc('=B1:B3*2', stock, { at: 'D1' })).toEqual([[80], [6], [0]]);
  });
});
