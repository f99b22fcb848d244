import { describe, expect, it } from 'vitest';
import { ERRORS, FormulaEngine, PlainInput, type Scalar } from '../../src/model/formula/index.js';

const COLS = ['A', 'B', 'C', 'D', 'E'];

/** A sheet of `rows` rows (ids r0…) and columns A–E on plain arrays, with an engine over it. */
function sheet(rows = 10) {
  const input = new PlainInput();
  input.addSheet('s', 'Sheet1', Array.from({ length: rows }, (_, i) => `r${i}`), COLS.map((c) => ({ id: c, name: c })));
  const engine = new FormulaEngine(input, { now: () => Date.UTC(2026, 0, 1), timeZone: 'UTC' });
  const data = input.sheet('s');
  const at = (a1: string) => {
    const m = /^([A-E])(\d+)$/.exec(a1)!;
    return { row: data.rows[Number(m[2]) - 1], col: m[1] };
  };
  return {
    input,
    engine,
    rows: data.rows,
    at,
    /** types a value, as a person would, and tells the engine */
    set(a1: string, v: Scalar) {
      const { row, col } = at(a1);
      input.set('s', row, col, v);
      engine.inputChanged('s', row, col);
    },
    formula(a1: string, typed: string | null) {
      const { row, col } = at(a1);
      engine.setCellFormula('s', row, col, typed === null ? null : engine.enter(typed, { sheetId: 's', rowId: row }));
    },
    get(a1: string) {
      const { row, col } = at(a1);
      return engine.result('s', row, col);
    },
    show(a1: string) {
      const { row, col } = at(a1);
      return engine.display(engine.formula('s', row, col)!, { sheetId: 's', rowId: row });
    },
    structure() {
      engine.structureChanged('s');
    },
  };
}

describe('formula engine', () => {
  it('recomputes what depends on an edit, and says which cells changed', () => {
    const s = sheet();
    s.set('A1', 2);
    s.set('A2', 3);
    s.formula('B1', '=A1*10');
    s.formula('B2', '=B1+A2');
    s.formula('B3', '=SUM(A1:A5)');
    s.formula('C1', '=A2');
    s.engine.recalc();
    expect([s.get('B1'), s.get('B2'), s.get('B3'), s.get('C1')]).toEqual([20, 23, 5, 3]);
    s.set('A1', 5);
    const changed = s.engine.recalc().map((c) => `${c.rowId}:${c.colId}`).sort();
    expect(changed).toEqual(['r0:B', 'r1:B', 'r2:B']);
    expect([s.get('B1'), s.get('B2'), s.get('B3')]).toEqual([50, 53, 8]);
  });

  it('a row inserted inside a range is counted; one inserted elsewhere changes no reference', () => {
    const s = sheet();
    for (let i = 1; i <= 5; i++) s.set(`A${i}`, i);
    s.formula('B1', '=SUM(A2:A4)');
    s.formula('C1', '=A5*2');
    s.engine.recalc();
    expect([s.get('B1'), s.get('C1')]).toEqual([9, 10]);
    s.rows.splice(2, 0, 'new'); // a row between A2 and A3, then 100 typed into it
    s.structure();
    s.input.set('s', 'new', 'A', 100);
    s.engine.inputChanged('s', 'new', 'A');
    s.engine.recalc();
    expect(s.get('B1')).toBe(109);
    expect(s.show('B1')).toBe('=SUM(A2:A5)');
    expect(s.get('C1')).toBe(10);
    expect(s.show('C1')).toBe('=A6*2');
  });

  it('a deleted row reads #REF! in what referred to it; restored, the results are back', () => {
    const s = sheet();
    s.set('A3', 7);
    s.formula('B1', '=A3+1');
    s.formula('C1', '=SUM(A2:A3)');
    s.engine.recalc();
    const gone = s.rows.splice(2, 1)[0];
    s.structure();
    s.engine.recalc();
    expect(s.get('B1')).toEqual(ERRORS['#REF!']);
    expect(s.get('C1')).toEqual(ERRORS['#REF!']);
    s.rows.splice(2, 0, gone);
    s.structure();
    s.engine.recalc();
    expect([s.get('B1'), s.get('C1')]).toEqual([8, 7]);
  });

  it('a cycle reads #CYCLE! in every cell on it and in what reads them; breaking it brings values back', () => {
    const s = sheet();
    s.formula('A1', '=B1+1');
    s.formula('B1', '=C1+1');
    s.formula('C1', '=A1+1');
    s.formula('D1', '=C1*2');
    s.formula('E1', '=5');
    s.engine.recalc();
    expect([s.get('A1'), s.get('B1'), s.get('C1'), s.get('D1'), s.get('E1')]).toEqual([ERRORS['#CYCLE!'], ERRORS['#CYCLE!'], ERRORS['#CYCLE!'], ERRORS['#CYCLE!'], 5]);
    s.formula('C1', '=E1');
    s.engine.recalc();
    expect([s.get('A1'), s.get('B1'), s.get('C1'), s.get('D1')]).toEqual([7, 6, 5, 10]);
  });

  it('a formula inside its own range is a cycle', () => {
    const s = sheet();
    s.set('A1', 1);
    s.formula('A3', '=SUM(A1:A5)');
    s.engine.recalc();
    expect(s.get('A3')).toEqual(ERRORS['#CYCLE!']);
  });

  it('a chain of 20,000 formulas evaluates without exhausting the stack', () => {
    const s = sheet(20_000);
    s.set('A1', 1);
    for (let i = 2; i <= 20_000; i++) s.formula(`A${i}`, `=A${i - 1}+1`);
    s.engine.recalc();
    expect(s.get('A20000')).toBe(20_000);
    s.set('A1', 11);
    s.engine.recalc();
    expect(s.get('A20000')).toBe(20_010);
    // closing it into a ring of 20,000
    s.formula('A1', '=A20000');
    s.engine.recalc();
    expect(s.get('A777')).toEqual(ERRORS['#CYCLE!']);
  });

  it('an array result spills into the cells below; others read the spilled values', () => {
    const s = sheet();
    ['Rice', 'Beans', 'Rice', 'Oil'].forEach((v, i) => s.set(`A${i + 1}`, v));
    s.formula('C1', '=UNIQUE(A1:A4)');
    s.formula('D1', '=C2&"!"');
    s.formula('E1', '=COUNTA(C1:C5)');
    s.engine.recalc();
    expect([s.get('C1'), s.get('C2'), s.get('C3'), s.get('C4')]).toEqual(['Rice', 'Beans', 'Oil', undefined]);
    expect(s.get('D1')).toBe('Beans!');
    expect(s.get('E1')).toBe(3);
    s.set('A4', 'Salt');
    s.set('A5', 'Oil');
    s.formula('C1', '=UNIQUE(A1:A5)');
    s.engine.recalc();
    expect([s.get('C3'), s.get('C4')]).toEqual(['Salt', 'Oil']);
    expect(s.get('E1')).toBe(4);
  });

  it('a value in the way makes #SPILL!; clearing it lets the result spill again', () => {
    const s = sheet();
    ['x', 'y', 'z'].forEach((v, i) => s.set(`A${i + 1}`, v));
    s.formula('B1', '=SORT(A1:A3)');
    s.engine.recalc();
    expect(s.get('B2')).toBe('y');
    s.set('B3', 'mine');
    s.engine.recalc();
    expect(s.get('B1')).toEqual(ERRORS['#SPILL!']);
    expect(s.get('B2')).toBeUndefined();
    s.set('B3', null);
    s.engine.recalc();
    expect([s.get('B1'), s.get('B2'), s.get('B3')]).toEqual(['x', 'y', 'z']);
    // off the bottom of the sheet
    s.formula('C9', '=SORT(A1:A3)');
    s.engine.recalc();
    expect(s.get('C9')).toEqual(ERRORS['#SPILL!']);
  });

  it('two results that would overlap: the same one wins on every device, whatever order they came in', () => {
    const results: unknown[] = [];
    for (const order of [
      ['B1', 'B2'],
      ['B2', 'B1'],
    ]) {
      const s = sheet();
      ['x', 'y', 'z'].forEach((v, i) => s.set(`A${i + 1}`, v));
      for (const a1 of order) {
        s.formula(a1, '=SORT(A1:A3)');
        s.engine.recalc();
      }
      results.push([s.get('B1'), s.get('B2'), s.get('B3'), s.get('B4')]);
    }
    expect(results[0]).toEqual(results[1]);
  });

  it('column formulas compute on every row, and at once on a row added later', () => {
    const s = sheet(3);
    s.set('A1', 10);
    s.set('B1', 4);
    s.set('A2', 5);
    s.engine.setColumnFormula('s', 'C', s.engine.enter('=[A]-[B]', { sheetId: 's', rowId: s.rows[0] }));
    s.engine.recalc();
    expect([s.get('C1'), s.get('C2'), s.get('C3')]).toEqual([6, 5, 0]);
    s.rows.push('phone-row');
    s.structure();
    s.input.set('s', 'phone-row', 'A', 9);
    s.engine.inputChanged('s', 'phone-row', 'A');
    // only the new row's result is new: the other rows are not recomputed from scratch
    s.engine.setColumnFormula('s', 'C', s.engine.columnFormula('s', 'C'));
    expect(s.engine.recalc()).toEqual([{ sheetId: 's', rowId: 'phone-row', colId: 'C' }]);
    expect(s.engine.result('s', 'phone-row', 'C')).toBe(9);
    // a column formula reading its own column is a cycle, on every row
    s.engine.setColumnFormula('s', 'D', s.engine.enter('=[D]+1', { sheetId: 's', rowId: s.rows[0] }));
    s.engine.recalc();
    expect(s.get('D2')).toEqual(ERRORS['#CYCLE!']);
    // removed, the column is plain again
    s.engine.setColumnFormula('s', 'C', null);
    s.engine.recalc();
    expect(s.get('C1')).toBeUndefined();
  });

  it('TODAY recomputes on a tick', () => {
    const input = new PlainInput();
    input.addSheet('s', 'S', ['r'], [{ id: 'A', name: 'A' }]);
    let now = Date.UTC(2026, 0, 1, 12);
    const engine = new FormulaEngine(input, { now: () => now, timeZone: 'UTC' });
    engine.setCellFormula('s', 'r', 'A', engine.enter('=TODAY()', { sheetId: 's', rowId: 'r' }));
    engine.recalc();
    const first = engine.result('s', 'r', 'A') as number;
    now += 86_400_000;
    engine.tick();
    expect(engine.recalc()).toHaveLength(1);
    expect(engine.result('s', 'r', 'A')).toBe(first + 1);
  });

  it('incremental results equal a fresh evaluation after random edits and moves', () => {
    let seed = 99;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const s = sheet(12);
    const texts = ['=A1+B2', '=SUM(A1:A6)', '=C3*2', '=IF(A2>3,B1,C1)', '=COUNTIF(A:A,">2")', '=D4&"x"', '=SUM(B1:C4)', '=E1+1'];
    const placed = new Map<string, string>();
    for (let step = 0; step < 300; step++) {
      const kind = rand(4);
      const a1 = `${COLS[rand(5)]}${1 + rand(12)}`;
      if (kind === 0) s.set(a1, rand(10));
      else if (kind === 1) {
        const t = texts[rand(texts.length)];
        try {
          s.formula(a1, t);
          placed.set(`${s.at(a1).row} ${s.at(a1).col}`, s.engine.formula('s', s.at(a1).row, s.at(a1).col)!);
        } catch {
          /* a reference past the sheet: refused, as typing it would be */
        }
      } else if (kind === 2) {
        const [moved] = s.rows.splice(rand(s.rows.length), 1);
        s.rows.splice(rand(s.rows.length + 1), 0, moved);
        s.structure();
      } else {
        s.formula(a1, null);
        placed.delete(`${s.at(a1).row} ${s.at(a1).col}`);
      }
      s.engine.recalc();
    }
    const fresh = new FormulaEngine(s.input, { now: () => Date.UTC(2026, 0, 1), timeZone: 'UTC' });
    for (const [key, stored] of placed) {
      const [row, col] = key.split(' ');
      fresh.setCellFormula('s', row, col, stored);
    }
    fresh.recalc();
    for (const row of s.rows) for (const col of COLS) expect(s.engine.result('s', row, col), `${row} ${col}`).toEqual(fresh.result('s', row, col));
  });
});
