/**
 * Part of `npm run bench`: import and export of a 50,000-row × 12-column
 * sheet as CSV and XLSX. Each phase runs in its own child process so its peak
 * memory (maxRSS) is its own; the two baseline phases are what every other
 * phase pays just to have its input in memory. Peers: papaparse and exceljs
 * alone, without our inference, checks and transaction; and exceljs writing
 * the same cells, which is what our own SpreadsheetML writer replaced.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import ExcelJS from 'exceljs';
import * as Y from 'yjs';
import { toCsv } from '../../src/io/csv.js';
import { readImportFile } from '../../src/io/import-file.js';
import { writeXlsx } from '../../src/io/xlsx.js';
import { commitImport, inferColumns } from '../../src/model/import.js';
import { Workbook } from '../../src/model/index.js';
import { row } from './stats.js';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 50_000);
const RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 3);
const SELF = fileURLToPath(import.meta.url);

function buildWorkbook(): Workbook {
  const wb = new Workbook(new Y.Doc(), { actor: { name: 'bench', deviceId: 'bench' } });
  const sheet = wb.initialize({ title: 'Bench', sheetName: 'Requests', columns: 0, rows: 0 });
  const opts = ['open', 'claimed', 'done'].map((label, i) => ({ id: `o${i}`, label, color: '#1f6feb' }));
  const cols = [
    wb.addColumn(sheet, { name: 'Name', type: 'text' }),
    wb.addColumn(sheet, { name: 'Phone', type: 'phone' }),
    wb.addColumn(sheet, { name: 'Needs', type: 'longtext' }),
    wb.addColumn(sheet, { name: 'Qty', type: 'number' }),
    wb.addColumn(sheet, { name: 'Requested', type: 'date' }),
    wb.addColumn(sheet, { name: 'Pickup', type: 'datetime' }),
    wb.addColumn(sheet, { name: 'Status', type: 'select', options: opts }),
    wb.addColumn(sheet, { name: 'Delivered', type: 'checkbox' }),
    wb.addColumn(sheet, { name: 'Map', type: 'link' }),
    wb.addColumn(sheet, { name: 'Weight', type: 'number', unit: 'kg' }),
    wb.addColumn(sheet, { name: 'Zone', type: 'text' }),
    wb.addColumn(sheet, { name: 'Notes', type: 'text' }),
  ];
  const rows = wb.insertRows(sheet, 0, ROWS);
  wb.transact(() => {
    const writes = [];
    for (let i = 0; i < ROWS; i++) {
      const d = String(1 + (i % 28)).padStart(2, '0');
      const v = [
        `Household ${i}`,
        `+34 600 ${String(i % 1000).padStart(3, '0')} ${String(i % 97).padStart(3, '0')}`,
        i % 5 ? 'water, rice' : 'water\nbaby formula, "size 3" nappies',
        (i * 7) % 41,
        `2026-11-${d}`,
        `2026-12-${d}T${String(i % 24).padStart(2, '0')}:30`,
        `o${i % 3}`,
        i % 2 === 0,
        `https://maps.example.org/?q=${i}`,
        Math.round(i * 1.37) / 10,
        `Zone ${i % 12}`,
        i % 9 ? '' : '=not a formula',
      ];
      for (let c = 0; c < cols.length; c++) if (v[c] !== '') writes.push({ rowId: rows[i], colId: cols[c], value: v[c] });
    }
    wb.setCells(sheet, writes);
  });
  return wb;
}

function loadWorkbook(dir: string): Workbook {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, readFileSync(join(dir, 'book.yjs')));
  return new Workbook(doc, { actor: { name: 'bench', deviceId: 'bench' } });
}

async function phase(name: string, dir: string): Promise<number[]> {
  const times: number[] = [];
  const csvBytes = new Uint8Array(readFileSync(join(dir, 'book.csv')));
  const xlsxBytes = new Uint8Array(readFileSync(join(dir, 'book.xlsx')));
  const needsBook = name.startsWith('export') || name === 'inputs+book' || name === 'peer-exceljs-write';
  const wb = needsBook ? loadWorkbook(dir) : null;
  const sheet = wb?.sheets()[0].id ?? '';
  for (let i = 0; i < (name.startsWith('inputs') ? 1 : RUNS); i++) {
    const t = performance.now();
    switch (name) {
      case 'inputs':
      case 'inputs+book':
        break;
      case 'export-csv':
        toCsv(wb!.columns(sheet), wb!.rowIds(sheet), (r, c) => wb!.getValue(sheet, r, c));
        break;
      case 'export-xlsx':
        await writeXlsx(wb!);
        break;
      case 'import-csv':
      case 'import-xlsx': {
        const [table] = await readImportFile(name === 'import-csv' ? csvBytes : xlsxBytes, name === 'import-csv' ? 'book.csv' : 'book.xlsx');
        const target = new Workbook(new Y.Doc(), { actor: { name: 'bench', deviceId: 'bench' } });
        target.initialize({ columns: 0, rows: 0 });
        commitImport(target, table, inferColumns(table), { kind: 'new', name: table.name });
        break;
      }
      case 'peer-exceljs-write': {
        // What export cost before we wrote SpreadsheetML ourselves: the same typed values through exceljs's object model.
        const book = new ExcelJS.Workbook();
        const ws = book.addWorksheet('Requests');
        const cols = wb!.columns(sheet);
        ws.addRow(cols.map((c) => c.name));
        for (const r of wb!.rowIds(sheet)) ws.addRow(cols.map((c) => wb!.getValue(sheet, r, c.id)));
        await book.xlsx.writeBuffer();
        break;
      }
      case 'peer-papaparse':
        Papa.parse(new TextDecoder().decode(csvBytes), { skipEmptyLines: true });
        break;
      case 'peer-exceljs': {
        const book = new ExcelJS.Workbook();
        await book.xlsx.load(xlsxBytes.buffer.slice(xlsxBytes.byteOffset, xlsxBytes.byteOffset + xlsxBytes.byteLength) as ArrayBuffer);
        break;
      }
    }
    times.push(performance.now() - t);
  }
  return times;
}

async function orchestrate(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ms-bench-records-'));
  const wb = buildWorkbook();
  const sheet = wb.sheets()[0].id;
  writeFileSync(join(dir, 'book.yjs'), Y.encodeStateAsUpdate(wb.doc));
  const csv = toCsv(wb.columns(sheet), wb.rowIds(sheet), (r, c) => wb.getValue(sheet, r, c));
  writeFileSync(join(dir, 'book.csv'), csv);
  writeFileSync(join(dir, 'book.xlsx'), await writeXlsx(wb));
  const size = (f: string) => (readFileSync(join(dir, f)).length / 1024 / 1024).toFixed(1);
  console.log(`\n# Import and export, ${ROWS} rows × 12 columns (CSV ${size('book.csv')} MB, XLSX ${size('book.xlsx')} MB), ${RUNS} runs each, one child process per phase`);
  const phases: [string, string][] = [
    ['inputs', 'baseline: input files in memory'],
    ['inputs+book', 'baseline: files + workbook loaded (for exports)'],
    ['export-csv', 'export CSV (toCsv)'],
    ['export-xlsx', 'export XLSX (own SpreadsheetML + fflate)'],
    ['peer-exceljs-write', 'peer: same cells through exceljs writeBuffer'],
    ['import-csv', 'import CSV: parse + infer + one transaction'],
    ['peer-papaparse', 'peer: papaparse alone'],
    ['import-xlsx', 'import XLSX: read + infer + one transaction'],
    ['peer-exceljs', 'peer: exceljs load alone'],
  ];
  for (const [name, label] of phases) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--phase', name, dir], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0) {
      console.log(`${label}: failed\n${child.stderr}`);
      continue;
    }
    const { times, maxRssMb } = JSON.parse(child.stdout.trim().split('\n').pop()!) as { times: number[]; maxRssMb: number };
    if (name.startsWith('inputs')) console.log(`${label.padEnd(48)} peak RSS ${maxRssMb.toFixed(0)} MB`);
    else console.log(`${row(label, times)}  peak RSS ${maxRssMb.toFixed(0)} MB`);
  }
}

const i = process.argv.indexOf('--phase');
if (i >= 0) {
  const times = await phase(process.argv[i + 1], process.argv[i + 2]);
  console.log(JSON.stringify({ times, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
} else {
  await orchestrate();
}
