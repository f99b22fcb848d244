import { describe, expect, it } from 'vitest';
import { columnLetters, isFormulaError, parseStored, WorkbookFormulas, type Node } from '../../src/model/formula/index.js';
import { isModelError, type Workbook } from '../../src/model/index.js';
import { Network, observable, prng, type Prng } from '../support/peers.js';

/**
 * Formulas stored in the doc (schema 3: the `=` cell record and the column `formula` field), typed
 * through the Workbook API on real docs while other peers insert, delete, move and sort rows and
 * columns, restore from the trash, go offline and get messages late, twice or out of order.
 */
const PEERS = 6;
const RUNS = Number(process.env.FUZZ_RUNS ?? 5);
const STEPS = Number(process.env.FUZZ_STEPS ?? 240);
const FIRST_SEED = Number(process.env.FUZZ_SEED ?? 4100);
const CLOCK = { now: () => Date.UTC(2026, 11, 2, 12), timeZone: 'UTC' };

/** Row and column ids every stored reference names, in order (`col@row`, `col@` for a whole column, `~col` for this row's). */
function idsIn(stored: string): string[] {
  const out: string[] = [];
  const walk = (n: Node): void => {
    if (n.t === 'ref') {
      for (const p of n.end ? [n.start, n.end] : [n.start]) out.push(`${p.col}@${p.row ?? ''}`);
    } else if (n.t === 'col') out.push(`~${n.col}`);
    else if (n.t === 'bin') {
      walk(n.a);
      walk(n.b);
    } else if (n.t === 'call') n.args.forEach(walk);
    else if (n.t === 'neg' || n.t === 'paren' || n.t === 'plus' || n.t === 'pct') walk(n.a);
  };
  walk(parseStored(stored));
  return out;
}

/** What a person types from what they see now, with the ids of the rows and columns at the positions typed. */
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
  switch (r.int(6)) {
    case 0: {
      const a = cell(true);
      const b = cell(true);
      return { text: `=${a.a1}+${b.a1}`, meant: [a.id, b.id] };
    }
    case 1: {
      const a = cell(true);
      const ri = a.ri + r.int(rows.length - a.ri);
      return { text: `=SUM(${a.a1}:${columnLetters(a.ci)}${ri + 1})`, meant: [a.id, `${cols[a.ci].id}@${rows[ri]}`] };
    }
    case 2: {
      // reading another formula cell near the top, where formulas gather: two people doing this at once can close a cycle
      const texts = cols.filter((c) => c.type === 'text');
      const col = r.pick(texts.length ? texts : cols);
      const ci = cols.indexOf(col);
      const ri = r.int(Math.min(3, rows.length));
      return { text: `=${columnLetters(ci)}${ri + 1}*2`, meant: [`${col.id}@${rows[ri]}`] };
    }
    case 3: {
      const a = cell(true);
      const b = cell(false);
      return { text: `=IF(${a.a1}>5,${b.a1},"low")`, meant: [a.id, b.id] };
    }
    case 4: {
      const ci = r.int(cols.length);
      return { text: `=COUNTIF(${columnLetters(ci)}:${columnLetters(ci)},">3")`, meant: [`${cols[ci].id}@`, `${cols[ci].id}@`] };
    }
    default: {
      const numbers = cols.filter((c) => c.type === 'number');
      if (!numbers.length) return null;
      const col = r.pick(numbers);
      return { text: `=[${col.name}]*3`, meant: [`~${col.id}`] };
    }
  }
}

interface Typed {
  row: string | null;
  col: string;
  stored: string;
  meant: string[];
  writer: string;
}

function step(net: Network, r: Prng, sheet: string, typed: Typed[]): void {
  const i = r.int(PEERS);
  const peer = net.peers[i];
  const wb = peer.wb;
  const rows = wb.rowIds(sheet);
  const cols = wb.columns(sheet);
  const op = r.int(100);
  if (op < 30) {
    const targets = cols.filter((c) => c.type === 'text');
    const f = typeFormula(wb, sheet, r);
    if (!f || !targets.length || !rows.length) return;
    // a few cells everyone writes to, so formulas cross on one cell
    const row = r.chance(0.3) ? rows[0] : r.chance(0.4) ? rows[r.int(Math.min(3, rows.length))] : r.pick(rows);
    const col = r.chance(0.3) ? targets[0].id : r.pick(targets).id;
    const stored = wb.setFormula(sheet, row, col, f.text);
    // what the writer sees at once is what they typed
    expect(wb.formulaForDisplay(stored, { sheetId: sheet, rowId: row })).toBe(f.text);
    typed.push({ row, col, stored, meant: f.meant, writer: peer.name });
  } else if (op < 34) {
    const targets = cols.filter((c) => c.type === 'text');
    const numbers = cols.filter((c) => c.type === 'number');
    if (!targets.length || !numbers.length) return;
    // the last text column takes column formulas; the others keep cell formulas in force
    const col = targets[targets.length - 1].id;
    if (r.chance(0.3)) {
      wb.setColumnFormula(sheet, col, null);
      return;
    }
    const a = r.pick(numbers);
    const b = r.pick(numbers);
    const stored = wb.setColumnFormula(sheet, col, `=[${a.name}]-[${b.name}]`)!;
    typed.push({ row: null, col, stored, meant: [`~${a.id}`, `~${b.id}`], writer: peer.name });
  } else if (op < 46) {
    const numbers = cols.filter((c) => c.type === 'number');
    if (rows.length && numbers.length) wb.setCell(sheet, r.pick(rows), r.pick(numbers).id, r.int(12));
  } else if (op < 49 && rows.length) {
    // a value typed over whatever is there, formula or not
    const targets = cols.filter((c) => c.type === 'text');
    if (targets.length) wb.setCell(sheet, rows[0], targets[0].id, r.chance(0.5) ? 'note' : null);
  } else if (op < 58) {
    wb.insertRows(sheet, r.int(rows.length + 1), 1 + r.int(2));
  } else if (op < 64 && rows.length > 3) {
    wb.deleteRows(sheet, [r.pick(rows)]);
  } else if (op < 70) {
    const gone = wb.deletedRows(sheet);
    if (gone.length) wb.restoreRows(sheet, [r.pick(gone).id]);
  } else if (op < 76 && rows.length > 1) {
    wb.moveRow(sheet, r.pick(rows), r.int(rows.length - 1));
  } else if (op < 80 && rows.length > 1) {
    // a sort applied to the sheet: some order of its rows
    wb.reorderRows(sheet, rows.slice().sort(() => (r.chance(0.5) ? 1 : -1)));
  } else if (op < 83 && cols.length > 1) {
    wb.moveColumn(sheet, r.pick(cols).id, r.int(cols.length - 1));
  } else if (op < 85 && cols.length > 4) {
    wb.deleteColumn(sheet, r.pick(cols).id);
  } else if (op < 87) {
    const gone = wb.deletedColumns(sheet);
    if (gone.length) wb.restoreColumn(sheet, r.pick(gone).id);
  } else if (op < 94) {
    for (let k = r.int(6); k >= 0; k--) net.deliverOne();
  } else if (peer.online) {
    net.disconnect(i);
  } else {
    net.reconnect(i);
  }
}

/** Every result and every formula a person could see on one peer, in A1 as shown there. */
function shown(wb: Workbook, f: WorkbookFormulas, sheet: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const row of wb.rowIds(sheet)) {
    for (const c of wb.columns(sheet)) {
      const v = f.engine.result(sheet, row, c.id);
      if (v !== undefined) out[`${row}:${c.id}`] = v;
      const stored = f.engine.formula(sheet, row, c.id);
      if (stored) out[`${row}:${c.id}:shown`] = wb.formulaForDisplay(stored, { sheetId: sheet, rowId: row });
    }
  }
  return out;
}

function runSeed(seed: number) {
  const r = prng(seed);
  const net = new Network(PEERS, r);
  const first = net.peers[0].wb;
  const sheet = first.initialize({ columns: 0, rows: 6 });
  first.addColumn(sheet, { name: 'Qty', type: 'number' });
  first.addColumn(sheet, { name: 'Need', type: 'number' });
  first.addColumn(sheet, { name: 'Calc', type: 'text' });
  first.addColumn(sheet, { name: 'More', type: 'text' });
  first.addColumn(sheet, { name: 'Note', type: 'text' });
  net.settle();
  const engines = net.peers.map((p) => WorkbookFormulas.fromDoc(p.wb, CLOCK));
  const typed: Typed[] = [];
  for (let k = 0; k < STEPS; k++) {
    try {
      step(net, r, sheet, typed);
    } catch (e) {
      // a row or column another peer deleted a moment ago, seen from a peer behind: refused, nothing written
      if (!isModelError(e) && !isFormulaError(e)) throw e;
    }
  }
  net.settle();
  const docs = net.peers.map((p) => p.wb);
  // the writer's intent: every stored formula names exactly the rows and columns the writer saw where they typed
  for (const t of typed) expect(idsIn(t.stored), `seed ${seed}: ${t.writer} typed ${t.stored}`).toEqual(t.meant);
  // the same doc everywhere: each formula's references resolve to the same ids on every peer
  const doc0 = observable(docs[0]);
  for (let i = 1; i < PEERS; i++) expect(observable(docs[i]), `seed ${seed}: peer${i} doc`).toEqual(doc0);
  const expected = shown(docs[0], engines[0], sheet);
  for (let i = 1; i < PEERS; i++) expect(shown(docs[i], engines[i], sheet), `seed ${seed}: peer${i} results`).toEqual(expected);
  // computed step by step from edits arriving in any order = computed afresh from the merged doc
  const fresh = WorkbookFormulas.fromDoc(docs[0], CLOCK);
  expect(shown(docs[0], fresh, sheet), `seed ${seed}: incremental = fresh`).toEqual(expected);
  // every formula a cell holds now is one somebody typed, unchanged
  const written = new Set(typed.map((t) => t.stored));
  let formulaCells = 0;
  docs[0].forEachCell(sheet, (_row, _col, rec) => {
    if (rec.formula === undefined) return;
    formulaCells++;
    expect(written.has(rec.formula), `seed ${seed}: ${rec.formula} was typed`).toBe(true);
  });
  // every formula write is in every peer's history, as a formula, by its writer
  for (const wb of docs) {
    const entries = wb.journal.query({ sheetId: sheet }, (ref) => wb.knownActor(ref)).filter((e) => e.kind === 'cell' && e.afterFormula);
    const got = new Set(entries.map((e) => `${e.by} ${e.rowId}:${e.colId} ${e.after}`));
    for (const t of typed) if (t.row) expect(got.has(`${t.writer} ${t.row}:${t.col} ${t.stored}`), `seed ${seed}: history of ${t.stored}`).toBe(true);
  }
  // formulas that crossed on one cell are a conflict, and every peer sees the same ones
  const conflicts = docs[0].conflicts(sheet);
  for (let i = 1; i < PEERS; i++) expect(docs[i].conflicts(sheet), `seed ${seed}: peer${i} conflicts`).toEqual(conflicts);
  const formulaConflicts = conflicts.filter((c) => c.current.formula && c.others.some((o) => o.formula)).length;
  for (const e of [...engines, fresh]) e.destroy();
  const values = Object.values(expected);
  return {
    typed: typed.length,
    formulaCells,
    formulaConflicts,
    cycles: values.filter((v) => (v as { error?: string })?.error === '#CYCLE!').length,
    refs: values.filter((v) => (v as { error?: string })?.error === '#REF!').length,
  };
}

describe('formulas stored in the doc, under concurrent structure edits', () => {
  it(`${PEERS} peers typing formulas through the Workbook while others insert, delete, restore, move and sort converge (seeds ${FIRST_SEED}…${FIRST_SEED + RUNS - 1})`, () => {
    const total = { typed: 0, formulaCells: 0, formulaConflicts: 0, cycles: 0, refs: 0 };
    for (let seed = FIRST_SEED; seed < FIRST_SEED + RUNS; seed++) {
      try {
        const out = runSeed(seed);
        for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += out[k];
      } catch (e) {
        console.error(`formula-doc convergence failed with FUZZ_SEED=${seed}`);
        throw e;
      }
    }
    console.log(`formula-doc convergence, seeds ${FIRST_SEED}…${FIRST_SEED + RUNS - 1}: ${JSON.stringify(total)}`);
    expect(total.typed).toBeGreaterThan(RUNS * 30);
    expect(total.formulaCells).toBeGreaterThan(RUNS * 5);
    // the runs did what they are for: formulas crossed on one cell, closed cycles, lost rows to the trash
    expect(total.formulaConflicts).toBeGreaterThan(0);
    expect(total.cycles).toBeGreaterThan(0);
    expect(total.refs).toBeGreaterThan(0);
  });
});
