import { describe, expect, it } from 'vitest';
import { columnLetters, parseStored, WorkbookFormulas, type FormulaSource, type Node } from '../../src/model/formula/index.js';
import { isModelError, type Workbook } from '../../src/model/index.js';
import { Network, prng, type Prng } from '../support/peers.js';

const PEERS = 5;
const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const STEPS = Number(process.env.FUZZ_STEPS ?? 220);
const FIRST_SEED = Number(process.env.FUZZ_SEED ?? 1700);
const CLOCK = { now: () => Date.UTC(2026, 11, 2, 12), timeZone: 'UTC' };

/** The engine over a source of its own: formulas as `=…` text in the text columns (the doc's storage: formula-doc.test.ts). */
const source: FormulaSource = {
  cellFormula: (_s, _r, _c, v) => (typeof v === 'string' && v.startsWith('=') ? v : null),
  columnFormula: () => null,
};

/** Row and column ids every stored reference names, in order of appearance. */
function idsIn(stored: string): string[] {
  const out: string[] = [];
  const walk = (n: Node): void => {
    if (n.t === 'ref') {
      for (const p of n.end ? [n.start, n.end] : [n.start]) out.push(`${p.col}@${p.row ?? ''}`);
    } else if (n.t === 'bin') {
      walk(n.a);
      walk(n.b);
    } else if (n.t === 'call') n.args.forEach(walk);
    else if (n.t === 'neg' || n.t === 'paren' || n.t === 'plus' || n.t === 'pct') walk(n.a);
  };
  walk(parseStored(stored));
  return out;
}

/**
 * A formula as the writer would type it, from what they see now, with the ids they meant: the
 * row and column shown at each position they typed.
 */
function typeFormula(wb: Workbook, sheet: string, r: Prng): { text: string; meant: string[] } | null {
  const rows = wb.rowIds(sheet);
  const cols = wb.columns(sheet);
  if (rows.length < 2 || cols.length < 2) return null;
  const cell = (numeric: boolean) => {
    const pool = numeric ? cols.filter((c) => c.type === 'number') : cols;
    const col = r.pick(pool.length ? pool : cols);
    const ci = cols.indexOf(col);
    const ri = r.int(rows.length);
    return { a1: `${columnLetters(ci)}${ri + 1}`, id: `${col.id}@${rows[ri]}`, ci, ri };
  };
  const kind = r.int(6);
  if (kind === 0) {
    const a = cell(true);
    const b = cell(true);
    return { text: `=${a.a1}+${b.a1}`, meant: [a.id, b.id] };
  }
  if (kind === 1) {
    const a = cell(true);
    const ri = a.ri + r.int(rows.length - a.ri);
    const end = `${columnLetters(a.ci)}${ri + 1}`;
    return { text: `=SUM(${a.a1}:${end})`, meant: [a.id, `${cols[a.ci].id}@${rows[ri]}`] };
  }
  if (kind === 2) {
    // another formula cell: two people doing this at once can close a cycle
    const a = cell(false);
    return { text: `=${a.a1}*2`, meant: [a.id] };
  }
  if (kind === 3) {
    const a = cell(true);
    const b = cell(false);
    return { text: `=IF(${a.a1}>5,${b.a1},"low")`, meant: [a.id, b.id] };
  }
  if (kind === 4) {
    const ci = r.int(cols.length);
    return { text: `=COUNTIF(${columnLetters(ci)}:${columnLetters(ci)},">3")`, meant: [`${cols[ci].id}@`, `${cols[ci].id}@`] };
  }
  const a = cell(false);
  return { text: `=IFERROR(${a.a1}+1,-1)`, meant: [a.id] };
}

interface Typed {
  sheet: string;
  row: string;
  col: string;
  stored: string;
  meant: string[];
  writer: string;
}

function step(net: Network, engines: WorkbookFormulas[], r: Prng, typed: Typed[]): void {
  const i = r.int(PEERS);
  const wb = net.peers[i].wb;
  const sheet = wb.sheets()[0]?.id;
  if (!sheet) return;
  const rows = wb.rowIds(sheet);
  const cols = wb.columns(sheet);
  const op = r.int(100);
  if (op < 30 && rows.length) {
    const formulaCols = cols.filter((c) => c.type === 'text');
    const f = typeFormula(wb, sheet, r);
    if (!f || !formulaCols.length) return;
    const row = r.pick(rows);
    const col = r.pick(formulaCols).id;
    const stored = engines[i].engine.enter(f.text, { sheetId: sheet, rowId: row });
    wb.setCell(sheet, row, col, stored);
    typed.push({ sheet, row, col, stored, meant: f.meant, writer: net.peers[i].name });
  } else if (op < 45) {
    const numbers = cols.filter((c) => c.type === 'number');
    if (rows.length && numbers.length) wb.setCell(sheet, r.pick(rows), r.pick(numbers).id, r.int(12));
  } else if (op < 57) {
    wb.insertRows(sheet, r.int(rows.length + 1), 1 + r.int(2));
  } else if (op < 64 && rows.length > 3) {
    wb.deleteRows(sheet, [r.pick(rows)]);
  } else if (op < 71) {
    const gone = wb.deletedRows(sheet);
    if (gone.length) wb.restoreRows(sheet, [r.pick(gone).id]);
  } else if (op < 78 && rows.length > 1) {
    wb.moveRow(sheet, r.pick(rows), r.int(rows.length - 1));
  } else if (op < 82 && rows.length > 1) {
    // a sort: some order of the rows
    const order = rows.slice().sort(() => (r.chance(0.5) ? 1 : -1));
    wb.reorderRows(sheet, order);
  } else if (op < 85 && cols.length > 1) {
    wb.moveColumn(sheet, r.pick(cols).id, r.int(cols.length - 1));
  } else if (op < 87 && cols.length > 3) {
    wb.deleteColumn(sheet, r.pick(cols).id);
  } else if (op < 89) {
    const gone = wb.deletedColumns(sheet);
    if (gone.length) wb.restoreColumn(sheet, r.pick(gone).id);
  } else if (op < 94) {
    for (let k = r.int(5); k >= 0; k--) net.deliverOne();
  } else if (net.peers[i].online) {
    net.disconnect(i);
  } else {
    net.reconnect(i);
  }
}

/** Every result a person could see, on one peer. */
function results(wb: Workbook, f: WorkbookFormulas): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of wb.sheets()) {
    for (const row of wb.rowIds(s.id)) {
      for (const c of wb.columns(s.id)) {
        const v = f.engine.result(s.id, row, c.id);
        if (v !== undefined) out[`${row}:${c.id}`] = v;
        const stored = f.engine.formula(s.id, row, c.id);
        if (stored) out[`${row}:${c.id}:shown`] = f.engine.display(stored, { sheetId: s.id, rowId: row });
      }
    }
  }
  return out;
}

function runSeed(seed: number): { formulas: number; cycles: number } {
  const r = prng(seed);
  const net = new Network(PEERS, r);
  const first = net.peers[0].wb;
  const sheet = first.initialize({ columns: 0, rows: 6 });
  first.addColumn(sheet, { name: 'Qty', type: 'number' });
  first.addColumn(sheet, { name: 'Need', type: 'number' });
  first.addColumn(sheet, { name: 'Calc', type: 'text' });
  first.addColumn(sheet, { name: 'More', type: 'text' });
  net.settle();
  const engines = net.peers.map((p) => new WorkbookFormulas(p.wb, source, CLOCK));
  const typed: Typed[] = [];
  for (let k = 0; k < STEPS; k++) {
    try {
      step(net, engines, r, typed);
    } catch (e) {
      // a row or column someone else deleted a moment ago, seen from a peer behind: the model refusing
      if (!isModelError(e)) throw e;
    }
  }
  net.settle();
  // the writer's intent: each stored formula names exactly the rows and columns the writer saw
  for (const t of typed) expect(idsIn(t.stored), `seed ${seed}: ${t.writer} typed ${t.stored}`).toEqual(t.meant);
  const expected = results(net.peers[0].wb, engines[0]);
  for (let i = 1; i < PEERS; i++) expect(results(net.peers[i].wb, engines[i]), `seed ${seed}: peer${i} results`).toEqual(expected);
  // what each peer computed step by step equals a fresh evaluation of the merged doc
  const fresh = new WorkbookFormulas(net.peers[0].wb, source, CLOCK);
  expect(results(net.peers[0].wb, fresh), `seed ${seed}: incremental = fresh`).toEqual(expected);
  for (const e of [...engines, fresh]) e.destroy();
  const values = Object.values(expected);
  return { formulas: typed.length, cycles: values.filter((v) => (v as { error?: string })?.error === '#CYCLE!').length };
}

describe('formulas under concurrent structure edits', () => {
  it(`peers typing formulas while others insert, delete, restore, move and sort rows and columns converge (seeds ${FIRST_SEED}…${FIRST_SEED + RUNS - 1})`, () => {
    let formulas = 0;
    let cycles = 0;
    for (let seed = FIRST_SEED; seed < FIRST_SEED + RUNS; seed++) {
      try {
        const out = runSeed(seed);
        formulas += out.formulas;
        cycles += out.cycles;
      } catch (e) {
        console.error(`formula convergence failed with FUZZ_SEED=${seed}`);
        throw e;
      }
    }
    expect(formulas).toBeGreaterThan(RUNS * 20);
    // concurrent formulas reading each other did close cycles somewhere, and every peer agreed on them
    expect(cycles).toBeGreaterThan(0);
  });

  it('a cycle two people close offline at once reads #CYCLE! on both, and never hangs', () => {
    const net = new Network(2, prng(7));
    const [a, b] = net.peers;
    const sheet = a.wb.initialize({ columns: 0, rows: 3 });
    a.wb.addColumn(sheet, { name: 'X', type: 'text' });
    a.wb.addColumn(sheet, { name: 'Y', type: 'text' });
    net.settle();
    const fa = new WorkbookFormulas(a.wb, source, CLOCK);
    const fb = new WorkbookFormulas(b.wb, source, CLOCK);
    const [x, y] = a.wb.columns(sheet).map((c) => c.id);
    const row = a.wb.rowIds(sheet)[0];
    net.disconnect(0);
    net.disconnect(1);
    // Ana: A1 = B1 + 1; Luis: B1 = A1 + 1 — each fine alone
    a.wb.setCell(sheet, row, x, fa.engine.enter('=B1+1', { sheetId: sheet, rowId: row }));
    b.wb.setCell(sheet, row, y, fb.engine.enter('=A1+1', { sheetId: sheet, rowId: row }));
    expect(fa.engine.result(sheet, row, x)).toBe(1);
    expect(fb.engine.result(sheet, row, y)).toBe(1);
    net.settle();
    for (const f of [fa, fb]) {
      expect(f.engine.result(sheet, row, x)).toEqual({ error: '#CYCLE!' });
      expect(f.engine.result(sheet, row, y)).toEqual({ error: '#CYCLE!' });
    }
    // one of them breaks it: both see numbers again
    a.wb.setCell(sheet, row, x, fa.engine.enter('=5', { sheetId: sheet, rowId: row }));
    net.settle();
    for (const f of [fa, fb]) expect([f.engine.result(sheet, row, x), f.engine.result(sheet, row, y)]).toEqual([5, 6]);
  });

  it('=SUM(B2:B5) typed while a colleague inserts a row inside the range: both see it grow and the same total', () => {
    const net = new Network(2, prng(11));
    const [a, b] = net.peers;
    const sheet = a.wb.initialize({ columns: 0, rows: 6 });
    a.wb.addColumn(sheet, { name: 'Total', type: 'text' });
    a.wb.addColumn(sheet, { name: 'Qty', type: 'number' });
    const [total, qty] = a.wb.columns(sheet).map((c) => c.id);
    a.wb.rowIds(sheet).forEach((row, i) => a.wb.setCell(sheet, row, qty, i + 1));
    net.settle();
    const fa = new WorkbookFormulas(a.wb, source, CLOCK);
    const fb = new WorkbookFormulas(b.wb, source, CLOCK);
    const top = a.wb.rowIds(sheet)[0];
    net.disconnect(0);
    a.wb.setCell(sheet, top, total, fa.engine.enter('=SUM(B2:B5)', { sheetId: sheet, rowId: top }));
    const [added] = b.wb.insertRows(sheet, 2, 1);
    b.wb.setCell(sheet, added, qty, 100);
    net.settle();
    for (const f of [fa, fb]) {
      expect(f.engine.display(f.engine.formula(sheet, top, total)!, { sheetId: sheet, rowId: top })).toBe('=SUM(B2:B6)');
      expect(f.engine.result(sheet, top, total)).toBe(2 + 3 + 4 + 5 + 100);
    }
  });
});
