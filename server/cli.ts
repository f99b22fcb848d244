/**
 * Commands for the person running the hub:
 *   npm run export -- --workbook <id> --format csv|xlsx|json [--sheet <name>] [--out <file>]
 *   npm run backup -- --out <file>
 *   npm run restore -- <file>
 * They read DATA_DIR (default ./data) and work while the relay runs (SQLite WAL).
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as Y from 'yjs';
import { toCsv } from '../src/io/csv.js';
import { exportSnapshot } from '../src/io/snapshot-json.js';
import { writeXlsx } from '../src/io/xlsx.js';
import { Workbook } from '../src/model/workbook.js';
import { configFromEnv } from './config.js';
import { DB_FILE_NAME, SqliteStore, storedUpdate } from './store.js';

export class CliError extends Error {}

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function write(out: string | undefined, data: string | Uint8Array): void {
  if (!out) {
    process.stdout.write(data);
    return;
  }
  try {
    writeFileSync(out, data);
  } catch (err) {
    throw new CliError(`cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

export async function exportCommand(dataDir: string, args: string[]): Promise<void> {
  const id = arg(args, 'workbook');
  const format = arg(args, 'format') ?? 'json';
  if (!id) throw new CliError('say which workbook: --workbook <id> (the part after #/w/ in its link)');
  if (format !== 'csv' && format !== 'json' && format !== 'xlsx') throw new CliError(`unknown format ${format}: use csv, xlsx or json`);
  if (!existsSync(join(dataDir, DB_FILE_NAME))) throw new CliError(`no hub data in ${dataDir}`);
  const store = new SqliteStore(dataDir);
  const doc = new Y.Doc();
  try {
    const update = storedUpdate(store.load(id));
    if (!update) throw new CliError(`no workbook ${id} in ${dataDir}`);
    Y.applyUpdate(doc, update);
  } finally {
    store.close();
  }
  const wb = new Workbook(doc, { actor: { name: 'export', deviceId: 'cli' } });
  if (format === 'json') {
    write(arg(args, 'out'), JSON.stringify(exportSnapshot(wb), null, 2));
    return;
  }
  const sheetName = arg(args, 'sheet');
  const sheet = sheetName ? wb.sheets().find((s) => s.name === sheetName) : wb.sheets()[0];
  if (!sheet) throw new CliError(`no sheet named ${sheetName}; sheets: ${wb.sheets().map((s) => s.name).join(', ')}`);
  if (format === 'xlsx') {
    const out = arg(args, 'out');
    if (!out && process.stdout.isTTY) throw new CliError('an .xlsx file is binary: say where with --out <file>');
    write(out, await writeXlsx(wb, sheetName ? [{ sheetId: sheet.id }] : undefined));
    return;
  }
  write(arg(args, 'out'), toCsv(wb.columns(sheet.id), wb.rowIds(sheet.id), (r, c) => wb.getValue(sheet.id, r, c)));
}

/** A consistent copy of the whole hub database, taken while it runs (SQLite online backup). */
export async function backupCommand(dataDir: string, args: string[]): Promise<void> {
  const out = arg(args, 'out');
  if (!out) throw new CliError('say where: --out <file>');
  const source = join(dataDir, DB_FILE_NAME);
  if (!existsSync(source)) throw new CliError(`no hub data in ${dataDir}`);
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(resolve(out));
  } catch (err) {
    throw new CliError(`cannot write ${out}: ${String((err as Error).message)}`);
  } finally {
    db.close();
  }
}

/** Puts a backup in place as the hub's database, only into a data dir that has none. */
export function restoreCommand(dataDir: string, args: string[]): void {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new CliError('say which backup: npm run restore -- <file>');
  if (!existsSync(file)) throw new CliError(`no such file ${file}`);
  const target = join(dataDir, DB_FILE_NAME);
  if (existsSync(target)) throw new CliError(`${dataDir} already holds hub data; restore into an empty data dir`);
  let ok = false;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      ok = db.pragma('integrity_check', { simple: true }) === 'ok' && !!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'updates'").get();
    } finally {
      db.close();
    }
  } catch {
    ok = false;
  }
  if (!ok) throw new CliError(`${file} is not a readable Mutual Sheets backup`);
  mkdirSync(dataDir, { recursive: true });
  copyFileSync(file, target);
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  const { dataDir } = configFromEnv();
  if (command === 'export') await exportCommand(dataDir, args);
  else if (command === 'backup') await backupCommand(dataDir, args);
  else if (command === 'restore') restoreCommand(dataDir, args);
  else throw new CliError('commands: export, backup, restore');
}

if (process.argv[1] && resolve(process.argv[1]).endsWith(join('server', 'cli.ts'))) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof CliError ? err.message : String(err)}\n`);
    process.exit(err instanceof CliError ? 2 : 1);
  });
}
