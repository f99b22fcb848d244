/**
 * A 10k-row sheet whose history journal holds a given number of entries, built the way people make
 * one (a fill, then small edits), for the history benches in Node and in Chromium.
 */
import * as Y from 'yjs';
import { Workbook } from '../../src/model/index.js';

export interface WithHistory {
  main: Uint8Array;
  journal: Uint8Array;
  sheet: string;
  entries: number;
}

export function buildWithHistory(rows: number, cols: number, history: number): WithHistory {
  let clock = 1_764_000_000_000;
  const doc = new Y.Doc();
  const journal = new Y.Doc();
  const wb = new Workbook(doc, { actor: { name: 'Bench', deviceId: 'bench' }, now: () => clock++, history: journal });
  const sheet = wb.initialize({ columns: cols, rows: 0 });
  const ids = wb.insertRows(sheet, 0, rows);
  const columns = wb.columns(sheet);
  const writes = [];
  for (let r = 0; r < rows; r++) for (const c of columns) writes.push({ rowId: ids[r], colId: c.id, value: `item ${r} ${c.name}` });
  wb.setCells(sheet, writes);
  // Then edits in small transactions (a form field, a short paste) until the journal holds `history` entries.
  let i = 0;
  while (wb.journal.length < history) {
    const batch = [];
    for (let k = 0; k < 10; k++, i++) batch.push({ rowId: ids[(i * 7) % rows], colId: columns[i % cols].id, value: `edit ${i}` });
    wb.setCells(sheet, batch);
  }
  return { main: Y.encodeStateAsUpdate(doc), journal: Y.encodeStateAsUpdate(journal), sheet, entries: wb.journal.length };
}
