import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Workbook } from '../../src/model/index.js';
import { syncWorkbooks } from '../support/model.js';

/**
 * The minimal sequence behind conflicts fuzz seed 80 (FUZZ_SEED=80): every write
 * had every earlier write of the cell in its journal, but one had the last of
 * them in its journal only — the workbook update had not arrived. In the
 * workbook its record and that one crossed, and Yjs keeps the record of the
 * higher client on every replica: the value Ana replaced, twice. Her newest
 * value is then listed beside it (a conflict), or it would be lost silently.
 */
function team() {
  let t = 1_764_000_000_000;
  const now = () => (t += 1000);
  const [ana, luis] = ['Ana', 'Luis'].map((name) => new Workbook(new Y.Doc(), { actor: { name, deviceId: `${name}-phone` }, now }));
  // Yjs shows, of two records that crossed, the one of the higher client: Luis's.
  ana.doc.clientID = 1;
  luis.doc.clientID = 2;
  const sheet = ana.initialize({ rows: 3, columns: 2 });
  const col = ana.columns(sheet)[0].id;
  const row = ana.rowIds(sheet)[0];
  ana.setCell(sheet, row, col, 'Open');
  syncWorkbooks(ana, luis);
  luis.setCell(sheet, row, col, 'Called back');
  const luisWrite = luis.cellWriteId(sheet, row, col)!;
  return { ana, luis, sheet, row, col, luisWrite };
}

describe('a write that saw the previous one in the journal only (fuzz seed 80)', () => {
  it('is a conflict on every peer when Yjs keeps the record it replaced, never a silent loss', () => {
    const { ana, luis, sheet, row, col, luisWrite } = team();
    // Ana has Luis's journal entry, not his workbook update; her conflict index is built (on screen).
    Y.applyUpdate(ana.journal.doc, Y.encodeStateAsUpdate(luis.journal.doc));
    expect(ana.conflicts(sheet)).toEqual([]);
    expect(ana.cellHistory(sheet, row, col).map((e) => e.id)).toContain(luisWrite);
    expect(ana.getValue(sheet, row, col)).toBe('Open');
    ana.setCell(sheet, row, col, 'Delivered');
    const delivered = ana.cellWriteId(sheet, row, col)!;
    // her write names Luis's as seen: in the journal's lineage it replaced his
    expect(ana.cellWrite(sheet, row, col, delivered)?.saw).toContain(luisWrite);
    // and it settled nothing: no conflict was shown (her record replaced was his write's ancestor)
    expect(ana.cellWrite(sheet, row, col, delivered)?.resolves).toBe(false);
    ana.setCell(sheet, row, col, 'No answer');
    const newest = ana.cellWriteId(sheet, row, col)!;
    syncWorkbooks(ana, luis);
    for (const wb of [ana, luis]) {
      // the workbook shows Luis's record, which both of Ana's writes replaced in the journal
      expect(wb.cellWriteId(sheet, row, col)).toBe(luisWrite);
      expect(wb.getValue(sheet, row, col)).toBe('Called back');
      // so the value Ana wrote last is listed beside it, the same on every peer
      const c = wb.conflict(sheet, row, col);
      expect(c?.current).toMatchObject({ id: luisWrite, v: 'Called back' });
      expect(c?.others.map((o) => [o.id, o.v])).toEqual([[newest, 'No answer']]);
      expect(wb.conflicts(sheet).map((x) => x.rowId)).toEqual([row]);
    }
    expect(luis.conflict(sheet, row, col)).toEqual(ana.conflict(sheet, row, col));
    // settled by anyone who sees both: quiet everywhere, and that write says it settled one
    luis.resolveConflict(sheet, row, col, 'No answer');
    expect(luis.cellWrite(sheet, row, col, luis.cellWriteId(sheet, row, col)!)?.resolves).toBe(true);
    syncWorkbooks(ana, luis);
    for (const wb of [ana, luis]) {
      expect(wb.getValue(sheet, row, col)).toBe('No answer');
      expect(wb.conflicts(sheet)).toEqual([]);
    }
  });

  it('stays quiet when the writer had the previous write in the workbook too', () => {
    const { ana, luis, sheet, row, col } = team();
    syncWorkbooks(ana, luis);
    expect(ana.conflicts(sheet)).toEqual([]);
    ana.setCell(sheet, row, col, 'Delivered');
    ana.setCell(sheet, row, col, 'No answer');
    syncWorkbooks(ana, luis);
    for (const wb of [ana, luis]) {
      expect(wb.getValue(sheet, row, col)).toBe('No answer');
      expect(wb.conflicts(sheet)).toEqual([]);
    }
  });
});
