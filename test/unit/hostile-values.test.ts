import { unzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { toCsv } from '../../src/io/csv.js';
import { readXlsx, writeXlsx } from '../../src/io/xlsx.js';
import { DEFAULT_COLUMN_WIDTH } from '../../src/model/workbook.js';
import { NEUTRAL_COLOR, safeColor, safePx } from '../../src/ui/safe-style.js';
import { newWorkbook } from '../support/model.js';

/** What an attacker with an edit link writes straight into the doc, past every check a write makes. */
const LIT_TEMPLATE = { _$litType$: 1, strings: ['<img src=x onerror=alert(1)>'], values: [] };
const HOSTILE_COLOR = 'red;background-image:url(http://x)';

function hostileWorkbook() {
  const { wb, doc } = newWorkbook('Ana');
  const sheetId = wb.initialize({ rows: 2, columns: 3 });
  const [status, note, third] = wb.columns(sheetId).map((c) => c.id);
  wb.updateColumn(sheetId, status, { name: 'Status', type: 'select', options: [{ id: 'ok', label: 'Done', color: '#1a7f37' }] });
  const [r0, r1] = wb.rowIds(sheetId);
  wb.setCell(sheetId, r0, status, 'ok');
  wb.setCell(sheetId, r0, note, 'plain text');
  const columns = (doc.getMap('sheets').get(sheetId) as Y.Map<unknown>).get('columns') as Y.Map<Y.Map<unknown>>;
  doc.transact(() => {
    const col = columns.get(status)!;
    col.set('options', [
      { id: 'ok', label: 'Done', color: '#1a7f37' },
      { id: 'evil', label: LIT_TEMPLATE, color: '#cf222e' },
      { id: 'tint', label: 'Tinted', color: HOSTILE_COLOR },
    ]);
    col.set('width', 1e9);
    columns.get(note)!.set('name', [['nested', ['array']]]);
    columns.get(third)!.set('width', 'wide');
    doc.getMap('meta').set('title', 42);
  });
  // Cells naming the hostile options, written as raw option ids (a select cell holds an id).
  wb.setCell(sheetId, r1, status, 'ok');
  const cells = (doc.getMap('sheets').get(sheetId) as Y.Map<Y.Map<Y.Map<string>>>).get('cells')!;
  const rec = cells.get(r1)!.get(status)!;
  doc.transact(() => cells.get(r1)!.set(status, rec.replace(/sok$/, 'sevil')));
  return { wb, sheetId, status, note };
}

describe('values an attacker writes into the doc', () => {
  it('read as absent or neutral through the model: no object label, no CSS in a colour, widths in bounds, a title that is text', () => {
    const { wb, sheetId, status, note } = hostileWorkbook();
    const col = wb.columns(sheetId).find((c) => c.id === status)!;
    expect(col.options.map((o) => o.label)).toEqual(['Done', 'Tinted']);
    expect(col.options.find((o) => o.id === 'tint')!.color).toBe(NEUTRAL_COLOR);
    expect(col.width).toBe(DEFAULT_COLUMN_WIDTH);
    expect(wb.columns(sheetId).find((c) => c.id === note)!.name).toBe('');
    expect(wb.columns(sheetId).every((c) => typeof c.width === 'number' && c.width <= 1000)).toBe(true);
    expect(typeof wb.title()).toBe('string');
  });

  it('export to XLSX without throwing and without the hostile text; the file reads back', async () => {
    const { wb } = hostileWorkbook();
    const bytes = await writeXlsx(wb);
    const xml = Object.values(unzipSync(bytes)).map((f) => strFromU8(f)).join('\n');
    for (const bad of ['_$litType$', 'onerror', 'background-image', 'http://x', 'nested', '[object Object]', '1000000000']) expect(xml, bad).not.toContain(bad);
    const tables = await readXlsx(bytes);
    expect(tables[0].rows.some((r) => r.includes('Done'))).toBe(true);
    expect(tables[0].rows.some((r) => r.includes('plain text'))).toBe(true);
  });

  it('export to CSV without the hostile text', () => {
    const { wb, sheetId } = hostileWorkbook();
    const csv = toCsv(wb.columns(sheetId), wb.rowIds(sheetId), (rowId, colId) => wb.getValue(sheetId, rowId, colId));
    expect(csv).toContain('plain text');
    for (const bad of ['_$litType$', 'onerror', 'background-image', '[object Object]']) expect(csv, bad).not.toContain(bad);
  });
});

describe('parts an attacker replaces with something else', () => {
  it('a sheet or a column that is a list, a string or a number reads as absent; what is left reads and writes', () => {
    const { wb, doc } = newWorkbook('Ana');
    const sheetId = wb.initialize({ rows: 2, columns: 3 });
    const keep = wb.addSheet('Shifts');
    const a = wb.addColumn(keep, { name: 'Who', type: 'text' });
    const b = wb.addColumn(keep, { name: 'When', type: 'text' });
    const sheets = doc.getMap('sheets');
    const columns = (sheets.get(keep) as Y.Map<unknown>).get('columns') as Y.Map<unknown>;
    for (const junk of [[['deep']], 'not a sheet', 7]) {
      doc.transact(() => {
        sheets.set(sheetId, junk);
        columns.set(b, junk);
      });
      const shown = wb.sheets().map((s) => s.id);
      expect(shown).toContain(keep);
      expect(shown).not.toContain(sheetId);
      expect(wb.deletedSheets()).toEqual([]);
      const cols = wb.columns(keep).map((c) => c.id);
      expect(cols).toContain(a);
      expect(cols).not.toContain(b);
      // Writing around them still works: a new sheet and a column go in their places by position.
      const added = wb.addSheet(`After ${String(junk)}`);
      wb.addColumn(keep, { name: 'New', type: 'text' });
      expect(wb.sheets().map((s) => s.id)).toContain(added);
      expect(wb.checkInvariants().every((p) => /not a map|bad pos|invalid/.test(p))).toBe(true);
    }
  });
});

describe('safe-style: what may go into a style attribute', () => {
  it('passes only #rrggbb colours; anything else is the neutral default', () => {
    expect(safeColor('#1a7f37')).toBe('#1a7f37');
    expect(safeColor('#ABCDEF')).toBe('#ABCDEF');
    for (const bad of [HOSTILE_COLOR, 'red', '#fff', '#1a7f37;x:y', ' #1a7f37', '#1a7f37 ', 'url(http://x)', 42, null, undefined, {}, ['#1a7f37'], LIT_TEMPLATE]) {
      expect(safeColor(bad), String(bad)).toBe(NEUTRAL_COLOR);
    }
    expect(safeColor('var(--x)', '#000000')).toBe('#000000');
  });

  it('passes only finite numbers in bounds as lengths', () => {
    expect(safePx(120, 1, 40, 1000)).toBe(120);
    for (const bad of [1e9, -5, Number.NaN, Infinity, '120', '120px;background:url(x)', null, {}]) expect(safePx(bad, 120, 40, 1000), String(bad)).toBe(120);
  });
});
