/**
 * Formula benchmark (issue 17): the engine here (src/model/formula) side by side with HyperFormula
 * on the same sheet — 10,000 rows, 30,000 formulas:
 *   C = A * $F$1   (10,000 formulas reading one input)
 *   D = C + B
 *   E = IF(D > 100, "high", "low")
 * and measures: building it, editing F1 (10,000 direct and 30,000 transitive dependents) until the
 * changed results are known, and inserting a row at the top. Goals: build ≤ 1 s, edit ≤ 50 ms,
 * insert ≤ 50 ms. Also the size each engine adds to the app (minified, gzip).
 *
 * Edit-to-screen is measured through a real Workbook (Y.Doc) with the engine told what a screen
 * shows (the first 50 rows' cells, as FormulaResults does from the grid's render): from setCell
 * to every shown cell's result read and checked; then the rest in slices, as the app's idle
 * callbacks do, checked against a fresh engine.
 *
 * Our code runs as esbuild bundles it for the app, not as tsx runs the sources: tsx keeps every
 * function's name by wrapping each closure as it is made, which the shipped code never pays and
 * which the engine's compiled formulas (closures) would pay 30,000 times (BENCH_SOURCE=1 runs the
 * sources, to compare). HyperFormula runs its published build.
 *
 *   npx tsx test/bench/formulas.ts            (BENCH_ROWS, BENCH_RUNS to change the size)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { HyperFormula } from 'hyperformula';
import * as Y from 'yjs';
import type { CellAddress, FormulaSource } from '../../src/model/formula/index.js';
import { row } from './stats.js';

type Ours = typeof import('../../src/model/formula/index.js') & { Workbook: typeof import('../../src/model/index.js').Workbook };

async function loadOurs(): Promise<Ours> {
  if (process.env.BENCH_SOURCE) return { ...(await import('../../src/model/formula/index.js')), Workbook: (await import('../../src/model/index.js')).Workbook };
  const out = await build({
    stdin: { contents: "export * from './src/model/formula/index.ts'; export { Workbook } from './src/model/index.ts';", resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    // the bench's own Y.Doc must be the bundle's: one copy of yjs and the rest of node_modules
    packages: 'external',
    logLevel: 'silent',
  });
  // inside the project, so its imports resolve to the project's node_modules
  const dir = join(process.cwd(), 'node_modules', '.cache', 'bench-formulas');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `ours-${process.pid}.mjs`);
  writeFileSync(file, out.outputFiles[0].contents);
  return (await import(pathToFileURL(file).href)) as Ours;
}

const { FormulaEngine, PlainInput, WorkbookFormulas, Workbook } = await loadOurs();

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const EDITS = 30;
/** what a laptop screen shows of the grid (the grid renders a few rows more than fit) */
const SHOWN_ROWS = 50;
const RUNS_TOTAL = RUNS;
const COLS = ['A', 'B', 'C', 'D', 'E', 'F'];

const typed = (i: number) => [`=A${i + 1}*$F$1`, `=C${i + 1}+B${i + 1}`, `=IF(D${i + 1}>100,"high","low")`];

/**
 * Wall time, and beside it the process's CPU time (this machine's cores are shared: under load the
 * wall clock mostly measures waiting for a core, the CPU time what the work costs; it also counts
 * the garbage collector's helper threads).
 */
const cpu: Record<string, number[]> = {};
let label = '';
function time(fn: () => void): number {
  const c = process.cpuUsage();
  const t = performance.now();
  fn();
  const wall = performance.now() - t;
  const used = process.cpuUsage(c);
  (cpu[label] ??= []).push((used.user + used.system) / 1000);
  return wall;
}
const as = (name: string) => {
  label = name;
};

function ours(RUNS: number) {
  const build: number[] = [];
  const buildStored: number[] = [];
  const edit: number[] = [];
  const insert: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const input = new PlainInput();
    const rows = Array.from({ length: ROWS }, (_, i) => `row${i}`);
    input.addSheet('s', 'Sheet1', rows, COLS.map((c) => ({ id: c, name: c })));
    for (let i = 0; i < ROWS; i++) {
      input.set('s', rows[i], 'A', i % 50);
      input.set('s', rows[i], 'B', i % 7);
    }
    input.set('s', rows[0], 'F', 3);
    let engine = new FormulaEngine(input, { now: Date.now, timeZone: 'UTC' });
    const stored: string[][] = [];
    // typed A1 → stored ids → evaluated: an import, or a fill-down of three columns
    as('ours build typed');
    build.push(
      time(() => {
        for (let i = 0; i < ROWS; i++) {
          const place = { sheetId: 's', rowId: rows[i] };
          const texts = typed(i).map((t) => engine.enter(t, place));
          stored.push(texts);
          texts.forEach((t, k) => engine.setCellFormula('s', rows[i], COLS[2 + k], t));
        }
        engine.recalc();
      }),
    );
    // stored → evaluated: opening a workbook that has them
    engine = new FormulaEngine(input, { now: Date.now, timeZone: 'UTC' });
    as('ours build stored');
    buildStored.push(
      time(() => {
        for (let i = 0; i < ROWS; i++) stored[i].forEach((t, k) => engine.setCellFormula('s', rows[i], COLS[2 + k], t));
        engine.recalc();
      }),
    );
    as('ours edit');
    for (let e = 0; e < EDITS / RUNS_TOTAL; e++) {
      edit.push(
        time(() => {
          input.set('s', rows[0], 'F', 4 + e + run);
          engine.inputChanged('s', rows[0], 'F');
          const changed = engine.recalc();
          if (changed.length < ROWS) throw new Error(`only ${changed.length} results changed`);
        }),
      );
    }
    as('ours insert');
    for (let k = 0; k < EDITS / RUNS_TOTAL; k++) {
      insert.push(
        time(() => {
          input.sheet('s').rows.unshift(`new${run}-${k}`);
          engine.structureChanged('s');
          engine.recalc();
        }),
      );
    }
    if (engine.result('s', rows[5], 'C') !== 5 * (input.value('s', rows[0], 'F') as number)) throw new Error('wrong result');
  }
  return { build, buildStored, edit, insert };
}

function hyper(RUNS: number) {
  const build: number[] = [];
  const edit: number[] = [];
  const insert: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const data: (string | number | null)[][] = [];
    for (let i = 0; i < ROWS; i++) data.push([i % 50, i % 7, ...typed(i), i === 0 ? 3 : null]);
    let hf!: HyperFormula;
    as('hf build');
    build.push(time(() => (hf = HyperFormula.buildFromArray(data, { licenseKey: 'gpl-v3' }))));
    as('hf edit');
    for (let e = 0; e < EDITS / RUNS_TOTAL; e++) {
      edit.push(
        time(() => {
          const changes = hf.setCellContents({ sheet: 0, col: 5, row: 0 }, 4 + e + run);
          if (changes.length < ROWS) throw new Error(`only ${changes.length} results changed`);
        }),
      );
    }
    as('hf insert');
    for (let k = 0; k < EDITS / RUNS_TOTAL; k++) insert.push(time(() => hf.addRows(0, [0, 1])));
    hf.destroy();
  }
  return { build, edit, insert };
}

/** The same sheet as a real Workbook (Y.Doc): formulas kept as text cells for the bench, inserts through the model. */
function throughWorkbook() {
  const insert: number[] = [];
  const edit: number[] = [];
  const screen: number[] = [];
  const rest: number[] = [];
  const screenInsert: number[] = [];
  let open = 0;
  const doc = new Y.Doc();
  const wb = new Workbook(doc, { actor: { name: 'Bench', deviceId: 'bench' } });
  const sheet = wb.initialize({ columns: 6, rows: 0 });
  const cols = wb.columns(sheet);
  for (const c of cols.slice(2, 5)) wb.updateColumn(sheet, c.id, { type: 'text' });
  for (const c of [cols[0], cols[1], cols[5]]) wb.updateColumn(sheet, c.id, { type: 'number' });
  const rows = wb.insertRows(sheet, 0, ROWS);
  const source: FormulaSource = {
    cellFormula: (_s, _r, _c, v) => (typeof v === 'string' && v.startsWith('=') ? v : null),
    columnFormula: () => null,
  };
  // stored texts computed with a scratch engine over the workbook's order
  const scratch = new WorkbookFormulas(wb, source, { now: Date.now, timeZone: 'UTC' });
  const writes = [];
  for (let i = 0; i < ROWS; i++) {
    writes.push({ rowId: rows[i], colId: cols[0].id, value: i % 50 }, { rowId: rows[i], colId: cols[1].id, value: i % 7 });
    typed(i).forEach((t, k) => writes.push({ rowId: rows[i], colId: cols[2 + k].id, value: scratch.engine.enter(t, { sheetId: sheet, rowId: rows[i] }) }));
  }
  writes.push({ rowId: rows[0], colId: cols[5].id, value: 3 });
  scratch.destroy();
  wb.setCells(sheet, writes);
  let f!: InstanceType<typeof WorkbookFormulas>;
  as('wb open');
  open = time(() => (f = new WorkbookFormulas(wb, source, { now: Date.now, timeZone: 'UTC' })));
  as('wb edit');
  for (let e = 0; e < EDITS; e++) edit.push(time(() => wb.setCell(sheet, rows[0], cols[5].id, 10 + e)));
  as('wb insert');
  for (let k = 0; k < EDITS; k++) insert.push(time(() => wb.insertRows(sheet, 0, 1)));
  const want = 5 * (10 + EDITS - 1);
  if (f.engine.result(sheet, rows[5], cols[2].id) !== want) throw new Error(`wrong result through the workbook: ${String(f.engine.result(sheet, rows[5], cols[2].id))}`);

  // the screen: the first rows of the grid, every column, read as the grid's render does
  const shownCells = (): CellAddress[] => wb.rowIds(sheet).slice(0, SHOWN_ROWS).flatMap((rowId) => cols.map((c) => ({ sheetId: sheet, rowId, colId: c.id })));
  let shown = shownCells();
  let pending = false;
  f.engine.showFirst({ cells: () => shown, pending: () => (pending = true) });
  const readScreen = () => {
    for (const c of shown) f.engine.result(c.sheetId, c.rowId, c.colId);
  };
  const idle = () => {
    // the app's idle callbacks: 8 ms slices until nothing is left
    while (f.engine.pending) {
      const end = performance.now() + 8;
      f.engine.work(() => performance.now() >= end);
    }
    pending = false;
  };
  for (let e = 0; e < EDITS; e++) {
    const value = 100 + e;
    as('wb edit→screen');
    screen.push(
      time(() => {
        wb.setCell(sheet, rows[0], cols[5].id, value);
        readScreen();
      }),
    );
    const top = wb.rowIds(sheet).find((r) => f.engine.result(sheet, r, cols[2].id) !== undefined)!;
    const a = wb.getValue(sheet, top, cols[0].id) as number;
    if (f.engine.result(sheet, top, cols[2].id) !== a * value) throw new Error('a shown result is not known after the edit');
    if (!pending) throw new Error('nothing was left for idle time: the bench measures a full recalc');
    as('wb edit: rest in slices');
    rest.push(time(idle));
  }
  for (let k = 0; k < EDITS; k++) {
    as('wb insert→screen');
    screenInsert.push(
      time(() => {
        wb.insertRows(sheet, 0, 1);
        shown = shownCells();
        readScreen();
      }),
    );
    idle();
  }
  // after the slices, everything equals a fresh engine over the same workbook
  const fresh = new WorkbookFormulas(wb, source, { now: Date.now, timeZone: 'UTC' });
  for (const r of wb.rowIds(sheet)) {
    for (const c of cols.slice(2, 5)) {
      if (fresh.engine.result(sheet, r, c.id) !== f.engine.result(sheet, r, c.id)) throw new Error(`row ${r} col ${c.name}: idle completion differs from a fresh engine`);
    }
  }
  fresh.destroy();
  f.destroy();
  return { open, edit, insert, screen, rest, screenInsert };
}

async function gzipSize(entry: string): Promise<number> {
  const out = await build({ stdin: { contents: entry, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, minify: true, write: false, format: 'esm', platform: 'browser', logLevel: 'silent' });
  return gzipSync(out.outputFiles[0].contents).length;
}

// one run of each in turn, so a change in the machine's load falls on both alike
const o = { build: [] as number[], buildStored: [] as number[], edit: [] as number[], insert: [] as number[] };
const h = { build: [] as number[], edit: [] as number[], insert: [] as number[] };
for (let run = 0; run < RUNS; run++) {
  const a = ours(1);
  const b = hyper(1);
  for (const k of Object.keys(o) as (keyof typeof o)[]) o[k].push(...a[k]);
  for (const k of Object.keys(h) as (keyof typeof h)[]) h[k].push(...b[k]);
}
const w = throughWorkbook();
console.log(`\nFormulas: ${ROWS} rows, ${3 * ROWS} formulas (runs: ${RUNS})`);
console.log(row('ours: build from typed A1 (enter + evaluate)', o.build));
console.log(row('ours: build from stored (open a workbook)', o.buildStored));
console.log(row('HyperFormula: buildFromArray', h.build));
console.log(row('ours: edit F1 → changed results known', o.edit));
console.log(row('HyperFormula: setCellContents F1', h.edit));
console.log(row('ours: insert a row at the top', o.insert));
console.log(row('HyperFormula: addRows at the top', h.insert));
console.log(row('Workbook (Y.Doc): open with formulas', [w.open]));
console.log(row('Workbook (Y.Doc): setCell F1 → results', w.edit));
console.log(row('Workbook (Y.Doc): insertRows at the top → results', w.insert));
console.log(row(`Workbook: setCell F1 → ${SHOWN_ROWS} shown rows known`, w.screen));
console.log(row('Workbook: … then the rest, in 8 ms slices (total)', w.rest));
console.log(row(`Workbook: insertRows at top → ${SHOWN_ROWS} shown rows known`, w.screenInsert));
console.log('CPU time (ms, median / p95 / p99):');
for (const [name, samples] of Object.entries(cpu)) {
  const sorted = samples.slice().sort((x, y) => x - y);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  console.log(`  ${name.padEnd(26)} ${q(0.5).toFixed(1)} / ${q(0.95).toFixed(1)} / ${q(0.99).toFixed(1)}  (n=${sorted.length})`);
}
const [mine, theirs] = await Promise.all([
  gzipSize("export * from './src/model/formula/index.ts';"),
  gzipSize("export { HyperFormula } from 'hyperformula';"),
]);
console.log(`size (minified, gzip): ours ${(mine / 1024).toFixed(1)} KB, HyperFormula ${(theirs / 1024).toFixed(1)} KB`);
