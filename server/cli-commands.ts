/**
 * Commands for the person running the hub:
 *   npm run export -- --workbook <id> --format csv|xlsx|json [--sheet <name>] [--out <file>] [--separator ';'] [--for-other-tools]
 *   npm run inspect -- FILE [--json]   (what importing FILE would bring in; no hub needed)
 *   npm run export -- --link '<edit or view link>' [--hub <http://host:port> | --backup <file>] --format … [--sheet] [--out]
 *   npm run backup -- --out <file>
 *   npm run restore -- <file>
 * They read DATA_DIR (default ./data) and work while the relay runs (SQLite WAL).
 *
 * A sealed workbook (`e…`) is exported with its link: the hub holds only its envelope, read from
 * DATA_DIR, from a running hub (`--hub`, the link proving itself as the app does; the key never
 * leaves this machine) or from a backup file (`--backup`), and opened here with the link's keys.
 * A backup holds what the hub holds: a sealed workbook's ciphertext.
 */
import { exportReader } from '../src/io/export-values.js';
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import * as Y from 'yjs';
import { csvFile, type CsvSeparator } from '../src/io/csv.js';
import { isIoError } from '../src/io/errors.js';
import { readImportFile } from '../src/io/import-file.js';
import { exportSnapshot } from '../src/io/snapshot-json.js';
import { isModelError } from '../src/model/errors.js';
import { fileRows, headerRowOf } from '../src/model/import-header.js';
import { checkImport, inferColumns, type ImportTable } from '../src/model/import.js';
import { writeXlsx } from '../src/io/xlsx.js';
import { Workbook } from '../src/model/workbook.js';
import { SECURED_ID, parseCredential, roleFor, type Credential } from '../src/protocol/access.js';
import { ROOM_ID_PATTERN } from '../src/protocol/messages.js';
import { decodeApiError, statePath } from '../src/protocol/retained.js';
import { sealedKeysFor } from '../src/protocol/sealed-keys.js';
import { DOC_WORKBOOK, SEALED_ID } from '../src/protocol/sealed.js';
import { authHeaders } from '../src/sync/api-auth.js';
import { openEnvelopeState } from '../src/sync/sealed/open.js';
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

/**
 * A workbook's link as people hand it on (`http://hub:8080/#/w/<id>/edit/<key>`, the view link's
 * `/view/<viewKey>.<verifier>`, or only the part from `#/w/`): its id, and the key it carries
 * (null for an open workbook's plain link). Throws CliError for anything else.
 */
export function parseLink(link: string): { id: string; credential: Credential | null } {
  const m = /(?:^|#)\/?w\/([^/?#\s]+)(?:\/([^?#\s]*))?\s*$/.exec(link.trim());
  let id: string | null = null;
  try {
    id = m ? decodeURIComponent(m[1]) : null;
  } catch {
    id = null;
  }
  if (!m || !id || !ROOM_ID_PATTERN.test(id)) throw new CliError("that is not a workbook's link: copy the whole link from Share (…#/w/<id>/edit/… or …/view/…)");
  const rest = m[2] ?? '';
  const credential = rest ? parseCredential(rest) : null;
  if (rest && !credential) throw new CliError(`the key in that link cannot be read: copy the whole link again (it ends after /edit/… or /view/…)`);
  if (!credential && SECURED_ID.test(id)) throw new CliError(`that link to ${id} carries no key: use its edit or view link`);
  return { id, credential };
}

/** Which workbook to export and what opens it: from --link, or --workbook (an id; a sealed one needs its link). */
function target(args: string[]): { id: string; credential: Credential | null } {
  const link = arg(args, 'link');
  const id = arg(args, 'workbook');
  if (link === undefined) {
    if (!id) throw new CliError("say which workbook: --link '<its edit or view link>' or --workbook <id> (the part after #/w/ in its link)");
    if (SEALED_ID.test(id)) throw new CliError(`${id} is sealed: the hub cannot read it. Export it with its link: --link '<edit or view link>'`);
    return { id, credential: null };
  }
  const parsed = parseLink(link);
  if (id !== undefined && id !== parsed.id) throw new CliError(`--workbook ${id} and the link's workbook ${parsed.id} differ: give one of them`);
  return parsed;
}

/** Everything stored for `id` in a data dir holding hub data, or null when it holds nothing for it. */
function readDataDir(dataDir: string, id: string): Uint8Array | null {
  if (!existsSync(join(dataDir, DB_FILE_NAME))) throw new CliError(`no hub data in ${dataDir}`);
  const store = new SqliteStore(dataDir);
  try {
    return storedUpdate(store.load(id));
  } finally {
    store.close();
  }
}

/** Everything stored for `id` in a backup file (`npm run backup`), read from a copy so the backup itself is never written to. */
function readBackup(file: string, id: string): Uint8Array | null {
  if (!existsSync(file)) throw new CliError(`no such file ${file}`);
  if (!isBackup(file)) throw new CliError(`${file} is not a readable Mutual Sheets backup`);
  const dir = mkdtempSync(join(tmpdir(), 'ms-export-'));
  try {
    copyFileSync(file, join(dir, DB_FILE_NAME));
    return readDataDir(dir, id);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What a running hub holds for `id` now (its retained log's latest state, `GET /api/w/<id>/state`),
 * the request proved with the link's key as the app proves it (src/sync/api-auth.ts).
 */
async function readHub(hub: string, id: string, credential: Credential | null): Promise<Uint8Array | null> {
  let origin: string;
  try {
    const url = new URL(hub);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    origin = url.origin;
  } catch {
    throw new CliError(`--hub ${hub} is not a hub address: give it as http://host:port`);
  }
  const path = statePath(id, Number.MAX_SAFE_INTEGER);
  let res: Response;
  try {
    const headers = await authHeaders(origin, id, credential, { method: 'GET', path }, fetch);
    res = await fetch(`${origin}${path}`, { method: 'GET', headers });
  } catch (err) {
    throw new CliError(`cannot reach the hub at ${origin}: ${String((err as Error).cause ?? (err as Error).message ?? err)}`);
  }
  if (res.ok) return new Uint8Array(await res.arrayBuffer());
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not the hub's API answering: the status says enough
  }
  const error = decodeApiError(res.status, body);
  if (error.code === 'UNKNOWN_WORKBOOK') return null;
  if (error.code === 'UNAUTHORIZED') throw new CliError(`the hub at ${origin} refused this link for ${id}: it does not open that workbook`);
  throw new CliError(`the hub at ${origin} could not give ${id}: ${error.message} (${res.status})`);
}

/** The workbook's own doc from what the hub stores: a sealed workbook's envelope is opened here, with the link's keys. */
async function openStored(id: string, credential: Credential | null, update: Uint8Array): Promise<Y.Doc> {
  if (!SEALED_ID.test(id)) {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, update);
    return doc;
  }
  const keys = sealedKeysFor(id, credential);
  if (!keys) throw new CliError(`this link does not open ${id}: a sealed workbook opens only with its own edit or view link`);
  const { doc, failures } = openEnvelopeState(update, keys, DOC_WORKBOOK);
  if (failures.length && doc.share.size === 0) {
    doc.destroy();
    throw new CliError(`none of the ${failures.length} sealed parts of ${id} opened with this link (${failures[0]}): it is not this workbook's link, or the data is not this workbook's`);
  }
  if (failures.length) process.stderr.write(`warning: ${failures.length} sealed parts of ${id} do not belong to this workbook and were left out (${failures.join(', ')})\n`);
  return doc;
}

export async function exportCommand(dataDir: string, args: string[]): Promise<void> {
  const format = arg(args, 'format') ?? 'json';
  const { id, credential } = target(args);
  if (format !== 'csv' && format !== 'json' && format !== 'xlsx') throw new CliError(`unknown format ${format}: use csv, xlsx or json`);
  // A key for another workbook is said so before anything is read (a sealed one's is checked again as it opens).
  if (credential && SECURED_ID.test(id) && (await roleFor(id, credential)) === null) {
    throw new CliError(`this link does not open ${id}: its key is another workbook's, or it was copied only in part`);
  }
  const hub = arg(args, 'hub');
  const backup = arg(args, 'backup');
  if (hub !== undefined && backup !== undefined) throw new CliError('read from one place: --hub or --backup (or neither, for DATA_DIR)');
  const from = hub !== undefined ? `the hub at ${hub}` : backup !== undefined ? backup : dataDir;
  const update = hub !== undefined ? await readHub(hub, id, credential) : backup !== undefined ? readBackup(backup, id) : readDataDir(dataDir, id);
  if (!update) throw new CliError(`no workbook ${id} in ${from}`);
  const doc = await openStored(id, credential, update);
  try {
    await exportWorkbook(new Workbook(doc, { actor: { name: 'export', deviceId: 'cli' } }), args);
  } finally {
    doc.destroy();
  }
}

/** Writes one workbook as --format says, exactly as the app's exports do. */
async function exportWorkbook(wb: Workbook, args: string[]): Promise<void> {
  const format = arg(args, 'format') ?? 'json';
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
  const separator = arg(args, 'separator') ?? ',';
  if (separator !== ',' && separator !== ';') throw new CliError(`--separator ${separator}: use , or ;`);
  // The same file the app downloads: BOM first, so Excel reads it as UTF-8.
  const options = { separator: separator as CsvSeparator, forOtherTools: args.includes('--for-other-tools') };
  const values = await exportReader(wb);
  write(arg(args, 'out'), csvFile(wb.columns(sheet.id), wb.rowIds(sheet.id), (r, c) => values.get(sheet.id, r, c), options));
  values.done();
}

/**
 * What importing FILE would bring in, without a hub: every sheet's rows as
 * read (header row included; text, numbers, booleans, ISO dates), the
 * columns the import would make and what does not fit them. A refusal is
 * printed as {"error":{"code",…}} and exits 2, so scripts can tell.
 */
export async function inspectCommand(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new CliError('say which file: npm run inspect -- <file> [--json]');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let tables: ImportTable[];
  try {
    tables = await readImportFile(bytes, basename(file));
  } catch (err) {
    if (!isIoError(err) && !isModelError(err)) throw err;
    const detail = Object.fromEntries(Object.entries(err.detail).filter(([, v]) => typeof v === 'string' || typeof v === 'number'));
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: err.code, message: err.message, ...detail } })}\n`);
    throw new CliError(json ? '' : `${file} would be refused: ${err.code}: ${err.message}`);
  }
  const sheets = tables.map((table) => {
    const plans = inferColumns(table);
    const check = checkImport(table, plans);
    return {
      name: table.name,
      headerRow: headerRowOf(table) + 1,
      table: fileRows(table).map((row) => row.map((cell) => (cell === '' ? null : cell))),
      columns: plans.map((p) => ({ name: p.name, type: p.type, ...(p.options.length ? { options: p.options.map((o) => o.label) } : {}) })),
      issues: check.issues.map((i) => ({ row: i.row + headerRowOf(table), column: i.column, text: i.text, code: i.code, kept: i.kept })),
      ...(table.merges?.length ? { merges: table.merges.length } : {}),
      ...(table.notes?.length ? { notes: table.notes } : {}),
    };
  });
  if (json) {
    process.stdout.write(`${JSON.stringify({ sheets })}\n`);
    return;
  }
  for (const s of sheets) {
    process.stdout.write(`${s.name}: ${s.table.length - s.headerRow} rows under the header on row ${s.headerRow}${s.merges ? `, ${s.merges} merged ranges (value kept once)` : ''}\n`);
    for (const c of s.columns) process.stdout.write(`  ${c.name}: ${c.type}${c.options ? ` (${c.options.join(', ')})` : ''}\n`);
    for (const i of s.issues) process.stdout.write(`  row ${i.row}, ${i.column}: “${i.text}” ${i.kept ? 'kept as text' : 'left out'} (${i.code})\n`);
  }
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
  if (!isBackup(file)) throw new CliError(`${file} is not a readable Mutual Sheets backup`);
  mkdirSync(dataDir, { recursive: true });
  copyFileSync(file, target);
}

/** Whether a file is a whole, readable hub database (what `npm run backup` writes). */
function isBackup(file: string): boolean {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.pragma('integrity_check', { simple: true }) === 'ok' && !!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'updates'").get();
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  const { dataDir } = configFromEnv();
  if (command === 'inspect') await inspectCommand(args);
  else if (command === 'export') await exportCommand(dataDir, args);
  else if (command === 'backup') await backupCommand(dataDir, args);
  else if (command === 'restore') restoreCommand(dataDir, args);
  else throw new CliError('commands: export, inspect, backup, restore');
}

if (process.argv[1] && resolve(process.argv[1]).endsWith(join('server', 'cli.ts'))) {
  main().catch((err) => {
    const message = err instanceof CliError ? err.message : String(err);
    if (message) process.stderr.write(`${message}\n`);
    process.exit(err instanceof CliError ? 2 : 1);
  });
}
