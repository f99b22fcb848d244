import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import Papa from 'papaparse';
import { CSV_BOM, csvField, csvFile, safeCsvText, toCsv } from '../../src/io/csv.js';
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

describe('CSV export that other tools open safely', () => {
  const col = { id: 'c', name: 'C', type: 'text' as const, width: 1, options: [], min: null, minColumn: null, expiresDays: null, unit: null };
  const hostile = ['ok;=1+1', 'a,=2+2', ' =HYPERLINK("http://evil")', '\u00a0@SUM(1)', 'x\t=1', 'tab\there', '"quoted"', 'two\nlines', 'plain'];

  /** A cell LibreOffice, Excel or Sheets would run: one whose text, after leading spaces, starts with a formula character. */
  const runs = (field: string) => /^[ \u00a0]*[=+\-@]/.test(field);

  it('quotes any field holding either separator, a quote, a tab or a line break, and neutralises formulas after leading spaces', () => {
    expect(csvField(col, 'ok;=1+1')).toBe('"ok;=1+1"');
    expect(csvField(col, ' =1+1')).toBe("' =1+1");
    expect(csvField(col, 'tab\there')).toBe('"tab\there"');
    for (const separator of [',', ';'] as const) {
      const text = toCsv([col, { ...col, id: 'd', name: 'D' }], hostile.map((_, i) => String(i)), (r, c) => (c === 'c' ? hostile[Number(r)] : 'x'), { separator });
      // Opened with either separator, as LibreOffice's import dialog offers both: every field is whole text, none runs.
      for (const readAs of [',', ';']) {
        const rows = Papa.parse<string[]>(text, { delimiter: readAs, newline: '\r\n' }).data.filter((r) => r.length > 1 || r[0] !== '');
        for (const row of rows) for (const field of row) expect(runs(field), `${separator} read as ${readAs}: ${field}`).toBe(false);
        if (readAs === separator) expect(rows.slice(1).map((r) => r[0])).toEqual(hostile.map((h) => (runs(h) || /^[ \u00a0]*[=+\-@\t]/.test(h) ? `'${h}` : h)));
      }
    }
  });

  it('writes numbers with a decimal comma under ; and the BOM in every file', () => {
    const num = { ...col, type: 'number' as const };
    expect(toCsv([num], ['r'], () => 2.5, { separator: ';' })).toBe('C\r\n2,5\r\n');
    expect(csvFile([num], ['r'], () => 2.5).startsWith(CSV_BOM)).toBe(true);
  });

  it('"for other tools" leaves phone numbers and negative amounts bare, and still neutralises real formulas', () => {
    const phone = { ...col, type: 'phone' as const };
    expect(csvField(phone, '+1 555 0100')).toBe("'+1 555 0100");
    expect(csvField(phone, '+1 555 0100', { forOtherTools: true })).toBe('+1 555 0100');
    expect(csvField(col, '-5', { forOtherTools: true })).toBe('-5');
    expect(csvField(col, '(555) 123-4567', { forOtherTools: true })).toBe('(555) 123-4567');
    for (const f of ['=1+1', '+A1', '-cmd|calc', '@SUM(A1)', '+1 555 HYPERLINK', ' =2']) expect(csvField(col, f, { forOtherTools: true }), f).toMatch(/^'/);
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
