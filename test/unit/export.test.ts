import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { csvField, safeCsvText, toCsv } from '../../src/io/csv.js';
import { IoError } from '../../src/io/errors.js';
import { exportSnapshot, importSnapshot } from '../../src/io/snapshot-json.js';
import { Workbook } from '../../src/model/index.js';
import { applyTemplate, TEMPLATES } from '../../src/model/templates.js';
import { newWorkbook } from '../support/model.js';
import { observable } from '../support/peers.js';

describe('CSV export', () => {
  it('neutralises every character that starts a formula', () => {
    for (const ch of ['=', '+', '-', '@', '\t', '\r']) {
      const out = safeCsvText(`${ch}HYPERLINK("http://evil")`);
      expect(out.startsWith("'")).toBe(true);
    }
    expect(safeCsvText('Rice')).toBe('Rice');
  });
  it('keeps numbers and booleans as such, quotes what needs it', () => {
    const col = { id: 'c', name: 'C', type: 'text' as const, width: 1, options: [], min: null, minColumn: null, expiresDays: null, unit: null };
    expect(csvField({ ...col, type: 'number' }, -3)).toBe('-3');
    expect(csvField({ ...col, type: 'checkbox' }, true)).toBe('TRUE');
    expect(csvField(col, 'a, "b"\nc')).toBe('"a, ""b""\nc"');
    expect(csvField(col, '=1+1')).toBe("'=1+1");
    expect(csvField(col, '-cmd|calc')).toBe("'-cmd|calc");
    expect(toCsv([col], ['r'], () => 'x')).toBe('C\r\nx\r\n');
  });
});

describe('JSON snapshot', () => {
  it('round-trips a workbook exactly: every type, counters, claims, trash, history and authors', () => {
    const { wb } = newWorkbook('Ana');
    const sheet = applyTemplate(wb, TEMPLATES.find((t) => t.id === 'inventory')!);
    const rows = wb.rowIds(sheet);
    const cols = wb.columns(sheet);
    const onHand = cols.find((c) => c.type === 'counter')!.id;
    wb.setCell(sheet, rows[0], cols[0].id, 'Water 5L');
    wb.recount(sheet, rows[0], onHand, 12);
    wb.adjustCounter(sheet, rows[0], onHand, -2);
    wb.setCell(sheet, rows[0], cols[0].id, 'Water 5 L');
    wb.deleteRows(sheet, [rows[5]]);
    const json = JSON.stringify(exportSnapshot(wb));
    const parsed = JSON.parse(json);
    expect(parsed).toMatchObject({ format: 'mutual-sheets-snapshot', version: 1, title: 'Supply inventory' });
    expect(parsed.sheets[0].rows[0].cells[onHand]).toBe(10);
    const copy = new Workbook(importSnapshot(json), { actor: { name: 'B', deviceId: 'b' } });
    expect(observable(copy)).toEqual(observable(wb));
    expect(copy.getValue(sheet, rows[0], onHand)).toBe(10);
    expect(copy.deletedRows(sheet)).toEqual(wb.deletedRows(sheet));
  });

  it('refuses what is not a snapshot, and leaves the target doc untouched', () => {
    const doc = new Y.Doc();
    doc.getMap('meta').set('schemaVersion', 2);
    const before = Y.encodeStateAsUpdate(doc);
    const bad = [
      'not json',
      '{"format":"something-else"}',
      JSON.stringify({ format: 'mutual-sheets-snapshot', version: 99, yjs: '' }),
      JSON.stringify({ format: 'mutual-sheets-snapshot', version: 1 }),
      JSON.stringify({ format: 'mutual-sheets-snapshot', version: 1, yjs: 'AAAA!!!' }),
      JSON.stringify({ format: 'mutual-sheets-snapshot', version: 1, yjs: btoa('\u0005\u0001\u0002garbage') }),
    ];
    for (const text of bad) {
      expect(() => importSnapshot(text, doc), text).toThrow(IoError);
      expect(() => importSnapshot(text, doc), text).toThrow(expect.objectContaining({ code: expect.stringMatching(/SNAPSHOT/) }));
      expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
    }
  });
});
