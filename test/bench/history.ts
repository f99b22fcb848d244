/**
 * `npm run bench` (history part): what the history journal costs.
 *  - open time of a 10k-row sheet with a 200k-entry history vs none: the journal is
 *    a companion doc loaded after first paint, so the open path is the same; its own
 *    deferred load (and the conflict index) is timed separately, and the rejected
 *    design — the same entries inside the workbook doc — is the peer;
 *  - bytes per cell edit, in the update sent and in the stored docs, for the
 *    workbook doc alone (what an edit cost before the journal: its format did not
 *    change) and with the journal entry.
 */
import * as Y from 'yjs';
import { Workbook } from '../../src/model/index.js';
import { buildWithHistory } from './history-fixture.js';
import { row } from './stats.js';

const ROWS = 10_000;
const COLS = 10;
const HISTORY = Number(process.env.BENCH_HISTORY ?? 200_000);
const RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 15);
const EDITS = 2_000;

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/** What opening does before the first paint: the doc, the model, the order, the visible cells. */
function open(main: Uint8Array, sheet: string, journal?: Uint8Array): Workbook {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, main);
  const history = new Y.Doc();
  if (journal) Y.applyUpdate(history, journal);
  const wb = new Workbook(doc, { actor: { name: 'r', deviceId: 'r' }, history });
  const ids = wb.rowIds(sheet);
  const cols = wb.columns(sheet);
  for (let r = 0; r < 40; r++) for (const c of cols) wb.getCell(sheet, ids[r], c.id);
  return wb;
}

function benchOpen(): void {
  console.log(`\n# Open a ${ROWS}×${COLS} sheet that has a ${HISTORY.toLocaleString('en')}-entry history (${RUNS} runs each, interleaved)`);
  const built = buildWithHistory(ROWS, COLS, HISTORY);
  // The rejected design: the same journal entries as an array inside the workbook doc.
  const inDoc = (() => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, built.main);
    const j = new Y.Doc();
    Y.applyUpdate(j, built.journal);
    const entries = j.getArray<string>('log').toArray();
    for (let k = 0; k < entries.length; k += 5000) doc.transact(() => doc.getArray('history').push(entries.slice(k, k + 5000)));
    return Y.encodeStateAsUpdate(doc);
  })();
  const before: number[] = [];
  const eager: number[] = [];
  const peer: number[] = [];
  const deferred: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Before the journal, and with it: first paint reads only the workbook doc (workbook-view.openJournal runs after).
    before.push(time(() => open(built.main, built.sheet)));
    eager.push(time(() => open(built.main, built.sheet, built.journal).conflicts(built.sheet)));
    peer.push(time(() => open(inDoc, built.sheet)));
  }
  for (let i = 0; i < RUNS; i++) {
    const wb = open(built.main, built.sheet);
    deferred.push(
      time(() => {
        Y.applyUpdate(wb.journal.doc, built.journal);
        wb.conflicts(built.sheet);
      }),
    );
  }
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  console.log(row(`to first paint, journal deferred (= no history) ${mb(built.main.length)}`, before));
  console.log(row(`  then, after paint: journal + conflict index ${mb(built.journal.length)}`, deferred));
  console.log(row(`if the journal loaded before paint`, eager));
  console.log(row(`peer: the entries inside the workbook doc ${mb(inDoc.length)}`, peer));
}

function benchBytes(): void {
  console.log(`\n# Bytes per cell edit (${EDITS} overwrites of filled cells in a 10k-row sheet, one transaction each)`);
  let clock = 1_764_000_000_000;
  const doc = new Y.Doc();
  const journal = new Y.Doc();
  const wb = new Workbook(doc, { actor: { name: 'Bench', deviceId: 'bench' }, now: () => clock++, history: journal });
  const sheet = wb.initialize({ columns: COLS, rows: ROWS });
  const rows = wb.rowIds(sheet);
  const cols = wb.columns(sheet);
  const target = (i: number) => ({ rowId: rows[(i * 7) % ROWS], colId: cols[i % COLS].id });
  wb.setCells(sheet, Array.from({ length: EDITS }, (_, i) => ({ ...target(i), value: `Open ${i}` })));
  // Before the journal, a write kept the record it replaced in front of its own (`~len~prev` + record):
  // the same overwrites in that format, on a doc of the same shape.
  const old = new Y.Doc();
  Y.applyUpdate(old, Y.encodeStateAsUpdate(doc));
  const oldCells = (old.getMap('sheets').get(sheet) as Y.Map<Y.Map<Y.Map<string>>>).get('cells')!;
  const mainUpdates: number[] = [];
  const journalUpdates: number[] = [];
  const oldUpdates: number[] = [];
  doc.on('update', (u: Uint8Array) => mainUpdates.push(u.length));
  journal.on('update', (u: Uint8Array) => journalUpdates.push(u.length));
  old.on('update', (u: Uint8Array) => oldUpdates.push(u.length));
  const sizes = () => [Y.encodeStateAsUpdate(doc).length, Y.encodeStateAsUpdate(journal).length, Y.encodeStateAsUpdate(old).length];
  const [mainBefore, journalBefore, oldBefore] = sizes();
  for (let i = 0; i < EDITS; i++) {
    const { rowId, colId } = target(i);
    wb.setCell(sheet, rowId, colId, `Called back ${i}`);
    const record = (doc.getMap('sheets').get(sheet) as Y.Map<Y.Map<Y.Map<string>>>).get('cells')!.get(rowId)!.get(colId)!;
    const row = oldCells.get(rowId)!;
    const prev = row.get(colId)!;
    old.transact(() => row.set(colId, `~${prev.length}~${prev}${record}`));
  }
  const [mainAfter, journalAfter, oldAfter] = sizes();
  const per = (a: number, b: number) => ((a - b) / EDITS).toFixed(0);
  const combined = mainUpdates.map((n, i) => n + (journalUpdates[i] ?? 0));
  console.log(row('update sent, before: cell with its previous record', oldUpdates, 'B'));
  console.log(row('update sent, after: the cell', mainUpdates, 'B'));
  console.log(row('update sent, after: its journal entry', journalUpdates, 'B'));
  console.log(row('update sent, after: both', combined, 'B'));
  console.log(
    `stored growth per edit: before ${per(oldAfter, oldBefore)} B; after: workbook doc ${per(mainAfter, mainBefore)} B + journal ${per(journalAfter, journalBefore)} B = ${per(mainAfter + journalAfter, mainBefore + journalBefore)} B`,
  );
}

benchOpen();
benchBytes();
