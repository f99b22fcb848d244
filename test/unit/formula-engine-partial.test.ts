import { describe, expect, it } from 'vitest';
import { ERRORS, FormulaEngine, PlainInput, type CellAddress, type Scalar } from '../../src/model/formula/index.js';

const COLS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
const clock = { now: () => Date.UTC(2026, 0, 1), timeZone: 'UTC' };

/** Deterministic, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A sheet with chains (C = A*$F$1, D = C+B, E = IF(D>100,…)), a same-row column formula (G),
 * a whole-column SUM, a cycle and a formula on screen reading one far below it: every way a
 * shown cell can depend on one that is not shown.
 */
function world(rows = 240) {
  const input = new PlainInput();
  let n = 0;
  const ids = Array.from({ length: rows }, () => `r${n++}`);
  input.addSheet('s', 'Sheet1', ids, COLS.map((c) => ({ id: c, name: c })));
  const data = input.sheet('s');
  const cellFormulas = new Map<string, { row: string; col: string; stored: string }>();
  const columnFormulas = new Map<string, string>();
  const incremental = new FormulaEngine(input, clock);
  const formula = (row: string, col: string, typed: string) => {
    const stored = incremental.enter(typed, { sheetId: 's', rowId: row });
    cellFormulas.set(`${row} ${col}`, { row, col, stored });
    incremental.setCellFormula('s', row, col, stored);
  };
  const column = (col: string, typed: string) => {
    const stored = incremental.enter(typed, { sheetId: 's', rowId: data.rows[0] });
    columnFormulas.set(col, stored);
    incremental.setColumnFormula('s', col, stored);
  };
  for (let i = 0; i < rows; i++) {
    input.set('s', data.rows[i], 'A', i % 13);
    input.set('s', data.rows[i], 'B', i % 5);
    formula(data.rows[i], 'C', `=A${i + 1}*$F$1`);
    formula(data.rows[i], 'D', `=C${i + 1}+B${i + 1}+G${i + 1}`);
    formula(data.rows[i], 'E', `=IF(D${i + 1}>100,"high",D${i + 1})`);
  }
  column('G', '=[A]+[B]');
  input.set('s', data.rows[0], 'F', 3);
  formula(data.rows[0], 'H', '=SUM(D:D)');
  formula(data.rows[1], 'H', `=C${rows - 10}*2`);
  formula(data.rows[2], 'H', '=H4+1');
  formula(data.rows[3], 'H', '=H3+1');
  formula(data.rows[4], 'H', `=SUM(C${rows - 30}:C${rows - 20})`);
  incremental.recalc();

  /** A new engine over the same input and formulas, computing everything: what the incremental one must equal. */
  const fresh = () => {
    const e = new FormulaEngine(input, clock);
    for (const [col, stored] of columnFormulas) e.setColumnFormula('s', col, stored);
    for (const f of cellFormulas.values()) if (!columnFormulas.has(f.col)) e.setCellFormula('s', f.row, f.col, f.stored);
    e.recalc();
    return e;
  };
  const everyCell = (): CellAddress[] => data.rows.flatMap((rowId) => COLS.map((colId) => ({ sheetId: 's', rowId, colId })));
  return { input, data, incremental, fresh, everyCell, formula, nextId: () => `r${n++}` };
}

const read = (e: FormulaEngine, cells: CellAddress[]): (Scalar | undefined)[] => cells.map((c) => e.result(c.sheetId, c.rowId, c.colId));

describe('formula engine: shown cells first, the rest later', () => {
  it('computes the shown cells at the edit, leaves the rest pending, and after idle slices equals a fresh engine (seeded edits, inserts, deletes)', () => {
    const w = world();
    const random = rng(1717);
    const shown = () => w.data.rows.slice(0, 12).flatMap((rowId) => COLS.map((colId) => ({ sheetId: 's', rowId, colId })));
    let pendingCalls = 0;
    w.incremental.showFirst({ cells: shown, pending: () => pendingCalls++ });
    let leftPending = 0;
    for (let step = 0; step < 60; step++) {
      const roll = random();
      const rows = w.data.rows;
      if (roll < 0.45) {
        const row = rows[Math.floor(random() * rows.length)];
        const col = random() < 0.5 ? 'A' : 'B';
        w.input.set('s', row, col, Math.floor(random() * 40));
        w.incremental.inputChanged('s', row, col);
      } else if (roll < 0.6) {
        w.input.set('s', rows[0], 'F', Math.floor(random() * 9) - 2);
        w.incremental.inputChanged('s', rows[0], 'F');
      } else if (roll < 0.75) {
        const id = w.nextId();
        const at = Math.floor(random() * rows.length);
        rows.splice(at, 0, id);
        w.input.set('s', id, 'A', 7);
        w.incremental.structureChanged('s');
        w.incremental.inputChanged('s', id, 'A');
      } else if (roll < 0.85) {
        // not a shown row's formula: its dependents on screen must still be right
        rows.splice(20 + Math.floor(random() * (rows.length - 20)), 1);
        w.incremental.structureChanged('s');
      } else {
        const i = 12 + Math.floor(random() * (rows.length - 12));
        w.formula(rows[i], 'C', `=A${i + 1}*$F$1+${step}`);
      }
      const changed = w.incremental.recalc();
      const truth = w.fresh();
      // on screen, right after the edit, without any idle work
      const onScreen = shown();
      expect(read(w.incremental, onScreen), `step ${step}: shown cells`).toEqual(read(truth, onScreen));
      if (w.incremental.pending) leftPending++;
      for (const c of changed) expect(c.sheetId).toBe('s');
      const next = random();
      if (next < 0.3) {
        // a few minimal slices, then the next edit arrives while work is still pending
        for (let k = 0; k < 3 && w.incremental.pending; k++) w.incremental.work(() => true);
      } else if (next < 0.6) {
        while (w.incremental.pending) w.incremental.work(() => true);
        const all = w.everyCell();
        expect(read(w.incremental, all), `step ${step}: after idle slices`).toEqual(read(truth, all));
      }
    }
    // most edits reach far more than the screen: those left work for idle time, and said so
    expect(leftPending).toBeGreaterThan(30);
    expect(pendingCalls).toBeGreaterThanOrEqual(leftPending);
    while (w.incremental.pending) w.incremental.work(() => true);
    const all = w.everyCell();
    expect(read(w.incremental, all)).toEqual(read(w.fresh(), all));
  });

  it('a read of a cell not computed yet gives its right value, computing only what it reads', () => {
    const w = world();
    const rows = w.data.rows;
    w.incremental.showFirst({ cells: () => [{ sheetId: 's', rowId: rows[1], colId: 'C' }], pending: () => {} });
    w.input.set('s', rows[0], 'F', 10);
    w.incremental.inputChanged('s', rows[0], 'F');
    const changed = w.incremental.recalc();
    expect(changed).toEqual([{ sheetId: 's', rowId: rows[1], colId: 'C' }]);
    expect(w.incremental.pending).toBe(true);
    const truth = w.fresh();
    // far below the screen: E reads D reads C and G
    const far = rows[207];
    expect(w.incremental.result('s', far, 'E')).toBe(truth.result('s', far, 'E'));
    expect(w.incremental.result('s', far, 'E')).toBe('high');
    expect(w.incremental.pending).toBe(true);
    expect(w.incremental.fullResult('s', far, 'D')).toBe(truth.result('s', far, 'D'));
    // the whole-column SUM reads every D: all of them, on demand
    expect(w.incremental.result('s', rows[0], 'H')).toBe(truth.result('s', rows[0], 'H'));
    expect(w.incremental.result('s', rows[2], 'H')).toEqual(ERRORS['#CYCLE!']);
    // the cells computed on demand are reported by the next slice, with the rest
    const later = w.incremental.work();
    expect(w.incremental.pending).toBe(false);
    const keys = new Set([...changed, ...later].map((c) => `${c.rowId} ${c.colId}`));
    expect(keys.has(`${far} E`)).toBe(true);
    expect(keys.has(`${rows[0]} H`)).toBe(true);
    const all = w.everyCell();
    expect(read(w.incremental, all)).toEqual(read(truth, all));
  });

  it('reports the same changed cells, over a recalc and its slices, as a full recalc does', () => {
    const a = world(120);
    const b = world(120);
    a.incremental.showFirst({ cells: () => [{ sheetId: 's', rowId: a.data.rows[3], colId: 'E' }], pending: () => {} });
    for (const w of [a, b]) {
      w.input.set('s', w.data.rows[0], 'F', 40);
      w.incremental.inputChanged('s', w.data.rows[0], 'F');
    }
    const partial = [...a.incremental.recalc()];
    expect(a.incremental.pending).toBe(true);
    while (a.incremental.pending) partial.push(...a.incremental.work(() => true));
    const full = b.incremental.recalc();
    const keys = (cells: CellAddress[]) => cells.map((c) => `${c.rowId} ${c.colId}`).sort();
    expect(keys(partial)).toEqual(keys(full));
    expect(full.length).toBeGreaterThan(300);
  });

  it('a structure change moving no reference re-checks only the rows that came or went', () => {
    const w = world(60);
    const rows = w.data.rows;
    // a row deleted, then restored: references to it read #REF! and come back
    const gone = rows[10];
    rows.splice(10, 1);
    w.incremental.structureChanged('s');
    w.incremental.recalc();
    expect(w.incremental.result('s', rows[0], 'H')).toBe(w.fresh().result('s', rows[0], 'H'));
    rows.splice(3, 0, gone);
    w.incremental.structureChanged('s');
    w.incremental.recalc();
    expect(w.incremental.result('s', gone, 'E')).toBe(w.fresh().result('s', gone, 'E'));
    const all = w.everyCell();
    expect(read(w.incremental, all)).toEqual(read(w.fresh(), all));
  });
});
