/**
 * `tsx test/bench/import.ts`: the workbook reader choice, measured. For
 * exceljs (the old reader) and SheetJS (@e965/xlsx, the one kept) over the
 * interop corpus' workbooks: how many agree with LibreOffice cell for cell,
 * how many fail, total time and peak memory; then time and peak memory for
 * the largest files and a generated 50,000 × 12 workbook. Each measurement
 * runs in its own process so one reader's memory never counts for the other.
 * Printed, never asserted.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { readImportFile } from '../../src/io/import-file.js';
import { csvFile } from '../../src/io/csv.js';
import { writeXlsx } from '../../src/io/xlsx.js';
import { fileRows } from '../../src/model/import-header.js';
import type { ImportCell } from '../../src/model/import.js';
import { Workbook } from '../../src/model/workbook.js';
import { compareSheet, corpusDir, corpusFiles, fileLabel, type CorpusFile } from '../integration/corpus-reference.js';
import { readCsvWithPapa, readWithExceljs } from './old-readers.js';

type Reader = 'exceljs' | 'sheetjs';
const WORKBOOK = /\.(xlsx|xlsm|xls|ods)$/i;

async function readSheets(reader: Reader, path: string): Promise<{ name: string; rows: ImportCell[][] }[]> {
  const bytes = new Uint8Array(readFileSync(path));
  if (reader === 'exceljs') return /\.(csv|tsv|txt)$/i.test(path) ? readCsvWithPapa(bytes) : readWithExceljs(bytes);
  return (await readImportFile(bytes, path)).map((t) => ({ name: t.name, rows: fileRows(t) }));
}

function agrees(f: CorpusFile, sheets: { name: string; rows: ImportCell[][] }[]): boolean {
  for (const [name, grid] of f.reference) {
    const ours = sheets.find((s) => s.name === name);
    const cmp = compareSheet(ours?.rows ?? [], grid);
    if (cmp.missing || cmp.extra || cmp.different) return false;
  }
  return true;
}

function workbookFiles(reader: Reader): CorpusFile[] {
  const dir = corpusDir();
  if (!dir) throw new Error('no interop corpus');
  return corpusFiles(dir).filter((f) => WORKBOOK.test(f.name) && f.reference.size > 0 && (reader === 'sheetjs' || !/\.(ods|xls)$/i.test(f.name)));
}

/** Child: the corpus with one reader from file `from` on, one JSON line per file as it finishes. */
async function corpusRun(reader: Reader, from: number): Promise<void> {
  const files = workbookFiles(reader);
  for (let i = from; i < files.length; i++) {
    const f = files[i];
    const t = performance.now();
    let result: 'agree' | 'differ' | 'fail' = 'fail';
    try {
      result = agrees(f, await readSheets(reader, f.path)) ? 'agree' : 'differ';
    } catch {
      result = 'fail';
    }
    process.stdout.write(`${JSON.stringify({ i, result, ms: performance.now() - t, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
  }
}

/** Parent: runs the corpus child, restarting it past any file that takes more than 10 s (counted as a hang). */
async function corpus(reader: Reader): Promise<{ files: number; agree: number; differ: number; fail: number; hang: string[]; ms: number; maxRssMb: number; slowest: { ms: number; file: string } }> {
  const files = workbookFiles(reader);
  const out = { files: files.length, agree: 0, differ: 0, fail: 0, hang: [] as string[], ms: 0, maxRssMb: 0, slowest: { ms: 0, file: '' } };
  let next = 0;
  while (next < files.length) {
    next = await new Promise<number>((done) => {
      const proc = spawn(process.execPath, [...process.execArgv, process.argv[1], '--corpus', reader, String(next)], { stdio: ['ignore', 'pipe', 'ignore'] });
      let at = next;
      let buffer = '';
      let timer = setTimeout(hung, 10_000);
      function hung(): void {
        out.hang.push(fileLabel(files[at]));
        out.ms += 10_000;
        proc.kill('SIGKILL');
      }
      proc.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = JSON.parse(buffer.slice(0, nl)) as { i: number; result: 'agree' | 'differ' | 'fail'; ms: number; maxRssMb: number };
          buffer = buffer.slice(nl + 1);
          out[line.result]++;
          out.ms += line.ms;
          out.maxRssMb = Math.max(out.maxRssMb, line.maxRssMb);
          if (line.ms > out.slowest.ms) out.slowest = { ms: line.ms, file: fileLabel(files[line.i]) };
          at = line.i + 1;
          clearTimeout(timer);
          timer = setTimeout(hung, 10_000);
        }
      });
      proc.on('exit', () => {
        clearTimeout(timer);
        // Killed on a hang, or crashed (out of memory): carry on after that file.
        if (at < files.length && !out.hang.includes(fileLabel(files[at]))) out.fail++;
        done(at + 1);
      });
    });
  }
  return out;
}

/** Child: one file with one reader. */
async function oneRun(reader: Reader, path: string): Promise<void> {
  const t = performance.now();
  let cells = 0;
  let error = '';
  try {
    for (const s of await readSheets(reader, path)) for (const r of s.rows) for (const c of r) if (c !== null && c !== '') cells++;
  } catch (err) {
    error = String((err as Error).message ?? err).slice(0, 60);
  }
  process.stdout.write(JSON.stringify({ ms: performance.now() - t, cells, error, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

function child(args: string[]): Record<string, unknown> {
  try {
    const out = execFileSync(process.execPath, [...process.execArgv, process.argv[1], ...args], { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 60_000 });
    return JSON.parse(out) as Record<string, unknown>;
  } catch {
    return { ms: 60_000, cells: 0, error: 'killed after 60 s or crashed', maxRssMb: NaN };
  }
}

async function fiftyThousand(): Promise<{ xlsx: string; csv: string }> {
  const doc = new Y.Doc();
  const wb = new Workbook(doc, { actor: { name: 'Bench', deviceId: 'bench' } });
  const sheet = wb.initialize({ columns: 12, rows: 0 });
  const rows = wb.insertRows(sheet, 0, 50_000);
  const cols = wb.columns(sheet);
  const writes = [];
  for (let r = 0; r < rows.length; r++) for (const c of cols) writes.push({ rowId: rows[r], colId: c.id, value: `item ${r} ${c.name}` });
  wb.setCells(sheet, writes);
  const dir = mkdtempSync(join(tmpdir(), 'ms-bench-import-'));
  const out = { xlsx: join(dir, 'fifty-thousand.xlsx'), csv: join(dir, 'fifty-thousand.csv') };
  writeFileSync(out.xlsx, await writeXlsx(wb));
  writeFileSync(out.csv, csvFile(cols, rows, (r, c) => wb.getValue(sheet, r, c)));
  doc.destroy();
  return out;
}

async function main(): Promise<void> {
  const [mode, reader, path] = process.argv.slice(2);
  if (mode === '--corpus') return corpusRun(reader as Reader, Number(path));
  if (mode === '--one') return oneRun(reader as Reader, path);
  const dir = corpusDir();
  if (!dir) throw new Error('no interop corpus: set INTEROP_CORPUS');
  console.log('\n# Workbook reader: agreement with LibreOffice on the interop corpus (xlsx/xlsm; SheetJS also ods)');
  for (const r of ['exceljs', 'sheetjs'] as const) {
    const res = await corpus(r);
    console.log(
      `${r.padEnd(8)} ${res.agree}/${res.files} agree, ${res.differ} differ, ${res.fail} fail, ${res.hang.length} past 10 s${res.hang.length ? ` (${res.hang.join(', ')})` : ''}; ` +
        `${res.ms.toFixed(0)} ms total, slowest finished ${res.slowest.ms.toFixed(0)} ms (${res.slowest.file}), peak RSS ${res.maxRssMb.toFixed(0)} MB`,
    );
  }
  console.log('\n# Largest workbooks and 50,000 × 12: time and peak RSS per reader (own process each)');
  const largest = corpusFiles(dir)
    .filter((f) => /\.(xlsx|xlsm)$/i.test(f.name))
    .sort((a, b) => statSync(b.path).size - statSync(a.path).size)
    .slice(0, 5)
    .map((f) => ({ label: fileLabel(f), path: f.path }));
  const fifty = await fiftyThousand();
  const csvs = corpusFiles(dir)
    .filter((f) => /\.(csv|txt)$/i.test(f.name))
    .sort((a, b) => statSync(b.path).size - statSync(a.path).size)
    .slice(0, 3)
    .map((f) => ({ label: fileLabel(f), path: f.path }));
  const targets = [...largest, { label: 'generated 50,000 × 12', path: fifty.xlsx }, ...csvs, { label: 'generated 50,000 × 12 CSV', path: fifty.csv }];
  console.log('(before: exceljs for workbooks, papaparse for CSV; after: SheetJS and the one-pass CSV reader)');
  for (const t of targets) {
    const line = [`${t.label} (${(statSync(t.path).size / 1024).toFixed(0)} KB)`];
    for (const r of ['exceljs', 'sheetjs'] as const) {
      const res = child(['--one', r, t.path]);
      line.push(`${r === 'exceljs' ? 'before' : 'after'} ${(res.ms as number).toFixed(0)} ms ${(res.maxRssMb as number).toFixed(0)} MB ${res.cells} cells${res.error ? ` (${res.error})` : ''}`);
    }
    console.log(line.join(' | '));
  }
}

await main();
