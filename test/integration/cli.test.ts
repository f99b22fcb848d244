import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readXlsx } from '../../src/io/xlsx.js';
import { cli } from '../support/cli.js';
import { corpusDir } from './corpus-reference.js';
import { allOnHub, makeClient, untilDoc, type TestClient } from '../support/clients.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

const relays: RelayProcess[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await Promise.all(relays.splice(0).map((r) => r.stop('SIGKILL')));
});

const CORPUS = corpusDir();

describe('inspect: what an import of a file would produce, without a hub', () => {
  it('prints every row as read, the columns and their types, and what does not fit, as JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-inspect-'));
    const file = join(dir, 'roster.csv');
    writeFileSync(file, 'Volunteer roster,,\r\nName,Shifts,Start\r\nAna,3,2026-03-01\r\nBen,two,2026-03-02\r\nCal,1,2026-03-03\r\n');
    const res = await cli(dir, ['inspect', file, '--json']);
    expect([res.code, res.stderr]).toEqual([0, '']);
    const [sheet] = JSON.parse(res.stdout).sheets;
    expect(sheet).toMatchObject({
      name: 'roster',
      headerRow: 2,
      table: [['Volunteer roster', null, null], ['Name', 'Shifts', 'Start'], ['Ana', '3', '2026-03-01'], ['Ben', 'two', '2026-03-02'], ['Cal', '1', '2026-03-03']],
      columns: [{ name: 'Name', type: 'text' }, { name: 'Shifts', type: 'text' }, { name: 'Start', type: 'date' }],
    });
    const human = await cli(dir, ['inspect', file]);
    expect([human.code, human.stdout]).toEqual([0, expect.stringContaining('Start: date')]);
  });

  it('reads workbooks with real types (times of day as text), and refuses with a code and exit code 2', async () => {
    expect(CORPUS, 'the interop corpus').not.toBeNull();
    const dates = await cli(tmpdir(), ['inspect', join(CORPUS!, 'files/calamine/date_iso.xlsx'), '--json']);
    expect(dates.code).toBe(0);
    expect(JSON.parse(dates.stdout).sheets[0].table.slice(0, 3)).toEqual([['2021-01-01'], ['2021-01-01T10:10:10'], ['10:10:10']]);
    const locked = await cli(tmpdir(), ['inspect', join(CORPUS!, 'files/calamine/pass_protected.xlsx'), '--json']);
    expect(locked.code).toBe(2);
    expect(JSON.parse(locked.stdout)).toEqual({ error: expect.objectContaining({ code: 'PASSWORD_PROTECTED' }) });
    const text = await cli(tmpdir(), ['inspect', join(CORPUS!, 'files/calamine/pass_protected.xlsx')]);
    expect([text.code, text.stderr]).toEqual([2, expect.stringContaining('PASSWORD_PROTECTED')]);
  });
});

describe('hub command line', () => {
  it('exports, backs up and restores a workbook a client wrote, while the relay runs', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const a = makeClient(relay.syncUrl, 'cli-wb-000001', 'ana');
    clients.push(a);
    const sheet = a.wb.initialize({ title: 'Pantry', rows: 2, columns: 2 });
    const [r0, r1] = a.wb.rowIds(sheet);
    const [c0, c1] = a.wb.columns(sheet).map((c) => c.id);
    a.wb.setCells(sheet, [
      { rowId: r0, colId: c0, value: 'Rice, 10kg' },
      { rowId: r0, colId: c1, value: '=HYPERLINK("x")' },
      { rowId: r1, colId: c0, value: 'Beans' },
    ]);
    await allOnHub(a);

    const json = await cli(relay.dataDir, ['export', '--workbook', 'cli-wb-000001', '--format', 'json']);
    expect(json.code).toBe(0);
    const snap = JSON.parse(json.stdout);
    expect(snap.title).toBe('Pantry');
    expect(snap.sheets[0].rows[0].cells[c0]).toBe('Rice, 10kg');

    const out = join(mkdtempSync(join(tmpdir(), 'ms-cli-')), 'sheet.csv');
    const csv = await cli(relay.dataDir, ['export', '--workbook', 'cli-wb-000001', '--format', 'csv', '--sheet', 'Sheet 1', '--out', out]);
    expect(csv.code).toBe(0);
    // The same BOM rule as the app's download, so Excel reads it as UTF-8.
    expect(readFileSync(out, 'utf8')).toBe('\ufeffA,B\r\n"Rice, 10kg","\'=HYPERLINK(""x"")"\r\nBeans,\r\n');
    const semi = await cli(relay.dataDir, ['export', '--workbook', 'cli-wb-000001', '--format', 'csv', '--separator', ';']);
    expect(semi.stdout).toBe('\ufeffA;B\r\n"Rice, 10kg";"\'=HYPERLINK(""x"")"\r\nBeans;\r\n');

    const xlsxOut = join(mkdtempSync(join(tmpdir(), 'ms-cli-')), 'book.xlsx');
    const xlsx = await cli(relay.dataDir, ['export', '--workbook', 'cli-wb-000001', '--format', 'xlsx', '--out', xlsxOut]);
    expect(xlsx.code).toBe(0);
    const [table] = await readXlsx(new Uint8Array(readFileSync(xlsxOut)));
    expect(table).toMatchObject({ name: 'Sheet 1', header: ['A', 'B'], rows: [['Rice, 10kg', '=HYPERLINK("x")'], ['Beans']] });

    const backupFile = join(mkdtempSync(join(tmpdir(), 'ms-backup-')), 'hub.sqlite');
    expect((await cli(relay.dataDir, ['backup', '--out', backupFile])).code).toBe(0);
    const fresh = mkdtempSync(join(tmpdir(), 'ms-restored-'));
    expect((await cli(fresh, ['restore', backupFile])).code).toBe(0);
    const relay2 = await startRelay({ dataDir: fresh });
    relays.push(relay2);
    const b = makeClient(relay2.syncUrl, 'cli-wb-000001', 'ben');
    clients.push(b);
    await untilDoc(b, () => b.wb.isInitialized() && b.wb.getValue(sheet, r1, c0) === 'Beans', 'restored hub serves the workbook');
  });

  it('says clearly what is wrong: unknown workbook or sheet, unwritable path, corrupt backup, non-empty target', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const a = makeClient(relay.syncUrl, 'cli-wb-000002', 'ana');
    clients.push(a);
    a.wb.initialize({ rows: 1, columns: 1 });
    await allOnHub(a);
    const unknown = await cli(relay.dataDir, ['export', '--workbook', 'nope-nope-nope', '--format', 'csv']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('no workbook nope-nope-nope')]);
    const sheet = await cli(relay.dataDir, ['export', '--workbook', 'cli-wb-000002', '--format', 'csv', '--sheet', 'Roster']);
    expect([sheet.code, sheet.stderr]).toEqual([2, expect.stringContaining('no sheet named Roster')]);
    const path = await cli(relay.dataDir, ['export', '--workbook', 'cli-wb-000002', '--out', '/nonexistent-dir/x.json']);
    expect([path.code, path.stderr]).toEqual([2, expect.stringContaining('cannot write /nonexistent-dir/x.json')]);
    const corrupt = join(mkdtempSync(join(tmpdir(), 'ms-bad-')), 'bad.sqlite');
    writeFileSync(corrupt, 'this is not a database');
    const empty = mkdtempSync(join(tmpdir(), 'ms-empty-'));
    const bad = await cli(empty, ['restore', corrupt]);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('is not a readable Mutual Sheets backup')]);
    const busy = await cli(relay.dataDir, ['restore', corrupt]);
    expect([busy.code, busy.stderr]).toEqual([2, expect.stringContaining('already holds hub data')]);
  });
});
