import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { csvFile } from '../../src/io/csv.js';
import { exportSnapshot } from '../../src/io/snapshot-json.js';
import { Workbook } from '../../src/model/index.js';
import { restoreTo } from '../../src/model/restore-to.js';
import { sealBlob, sealPresence } from '../../src/protocol/blob.js';
import { historyRoom } from '../../src/protocol/messages.js';
import { snapshotsPath, SnapshotApiError, APP_REQUEST_HEADER, APP_REQUEST_VALUE, type SnapshotInfo } from '../../src/protocol/snapshots.js';
import { newSealedWorkbookKeys, sealedKeysFor } from '../../src/protocol/sealed-keys.js';
import { BLOB_CHANGES, BLOB_FULL, DOC_JOURNAL, DOC_WORKBOOK, ENVELOPE_BLOBS, ENVELOPE_META, ENVELOPE_VERSION, SEALED_ID, type DocTag, type SealedKeys } from '../../src/protocol/sealed.js';
import { authHeaders } from '../../src/sync/api-auth.js';
import { RetainedClient } from '../../src/sync/retained.js';
import { SnapshotClient, openLabel, sealLabel } from '../../src/sync/snapshots.js';
import { RestoreSource } from '../../src/ui/restore-source.js';
import { DB_FILE_NAME } from '../../server/store.js';
import { cli } from '../support/cli.js';
import { allOnHub, makeClient, type TestClient } from '../support/clients.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

const relays: RelayProcess[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await Promise.all(relays.splice(0).map((r) => r.stop('SIGKILL')));
});

const canary = (what: string) => `CANARY-${what}-${Math.random().toString(36).slice(2, 10)}`;

/** Where each canary turns up in these files' raw bytes, as UTF-8 or UTF-16LE text. */
function hits(files: string[], canaries: string[]): string[] {
  const found: string[] = [];
  for (const f of files.filter(existsSync)) {
    const bytes = readFileSync(f);
    for (const c of canaries) {
      if (bytes.indexOf(Buffer.from(c, 'utf8')) >= 0) found.push(`${c} (UTF-8) in ${f}`);
      if (bytes.indexOf(Buffer.from(c, 'utf16le')) >= 0) found.push(`${c} (UTF-16LE) in ${f}`);
    }
  }
  return found;
}

const hubFiles = (relay: RelayProcess) => [DB_FILE_NAME, `${DB_FILE_NAME}-wal`].map((f) => join(relay.dataDir, f));

/**
 * Until the live bridge exists: a workbook (and its journal) in memory, each of its updates
 * sealed as a blob into the envelope of its room, synced with the real hub by a SyncSession.
 */
class SealedWriter {
  readonly doc = new Y.Doc();
  readonly journal = new Y.Doc();
  readonly wb: Workbook;
  readonly sheets: TestClient;
  readonly history: TestClient;
  private seq = 0;

  constructor(relay: RelayProcess, readonly keys: SealedKeys, credential: Parameters<typeof makeClient>[4], actor: string) {
    this.wb = new Workbook(this.doc, { actor: { name: actor, deviceId: 'writer-device' }, history: this.journal });
    this.sheets = makeClient(relay.syncUrl, keys.id, 'sheets-envelope', envelope(), credential);
    this.history = makeClient(relay.syncUrl, historyRoom(keys.id), 'journal-envelope', envelope(), credential);
    clients.push(this.sheets, this.history);
    this.doc.on('update', (u: Uint8Array) => this.seal(this.sheets.doc, DOC_WORKBOOK, BLOB_CHANGES, u));
    this.journal.on('update', (u: Uint8Array) => this.seal(this.history.doc, DOC_JOURNAL, BLOB_CHANGES, u));
  }

  private seal(into: Y.Doc, doc: DocTag, kind: typeof BLOB_CHANGES | typeof BLOB_FULL, update: Uint8Array): void {
    const blob = sealBlob(this.keys, { kind, doc, epoch: 1 }, { deviceId: 'writer-device', stream: 'stream-1', seq: ++this.seq, changes: 1, covers: [], update });
    into.getArray<Uint8Array>(ENVELOPE_BLOBS).push([blob]);
  }

  onHub(): Promise<unknown> {
    return Promise.all([allOnHub(this.sheets), allOnHub(this.history)]);
  }
}

function envelope(): Y.Doc {
  const e = new Y.Doc();
  e.getMap(ENVELOPE_META).set('v', ENVELOPE_VERSION);
  return e;
}

/** Everything a person sees: each sheet's name, columns and every cell by row. */
function contents(wb: Workbook): unknown {
  if (!wb.isInitialized()) return null;
  return wb.sheets().map((s) => ({
    name: s.name,
    columns: wb.columns(s.id).map((c) => c.name),
    rows: wb.rowIds(s.id).map((r) => wb.columns(s.id).map((c) => wb.getValue(s.id, r, c.id))),
  }));
}

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof SnapshotApiError ? e.code : String(e)));

describe('a sealed workbook’s snapshots', () => {
  it('named ones show their name to link holders while the hub’s disk holds neither it nor the cells; opening one decrypts it here', async () => {
    const relay = await startRelay({ env: { AUTO_SNAPSHOT_MS: '1' } });
    relays.push(relay);
    const link = newSealedWorkbookKeys();
    expect(link.id).toMatch(SEALED_ID);
    const keys = sealedKeysFor(link.id, link.edit)!;
    const secret = { cell: canary('cell'), title: canary('title'), name: canary('snapshot-name'), by: canary('author'), actor: canary('actor') };
    const w = new SealedWriter(relay, keys, link.edit, secret.actor);
    const sheet = w.wb.initialize({ title: secret.title, rows: 2, columns: 1 });
    const [r0] = w.wb.rowIds(sheet);
    const [col] = w.wb.columns(sheet);
    w.wb.setCell(sheet, r0, col.id, secret.cell);
    await w.onHub();

    // A plain workbook beside it, as a control: the scan below does find text the hub can read.
    const control = canary('control');
    const plain = makeClient(relay.syncUrl, 'plain-control-01', 'Pat');
    clients.push(plain);
    const plainSheet = plain.wb.initialize({ rows: 1, columns: 1 });
    plain.wb.setCell(plainSheet, plain.wb.rowIds(plainSheet)[0], plain.wb.columns(plainSheet)[0].id, control);
    await allOnHub(plain);

    const editApi = new SnapshotClient(relay.httpUrl, link.id, link.edit);
    const made = await editApi.create(`  ${secret.name}  `, secret.by);
    expect(made).toMatchObject({ name: secret.name, by: secret.by, kind: 'named' });

    // What the hub answers (read past the client): an opaque label and a placeholder author.
    const path = snapshotsPath(link.id);
    const raw = (await (await fetch(`${relay.httpUrl}${path}`, { headers: await authHeaders(relay.httpUrl, link.id, link.view, { method: 'GET', path }, fetch) })).json()) as SnapshotInfo[];
    const rawNamed = raw.find((s) => s.id === made.id)!;
    expect(rawNamed.by).toBe('sealed');
    expect(rawNamed.name).toMatch(/^[A-Za-z0-9_-]{300,2048}$/);
    expect(rawNamed.name).not.toContain(secret.name);

    // The workbook changes after the snapshot; an automatic one (the hub's, AUTO_SNAPSHOT_MS=1) is taken as it does.
    w.wb.setCell(sheet, r0, col.id, 'later value');
    await w.onHub();

    // A view link lists it with its name and author, and opens it: as it was, decrypted here.
    const viewApi = new SnapshotClient(relay.httpUrl, link.id, link.view);
    const list = await viewApi.list();
    expect(list.find((s) => s.id === made.id)).toMatchObject({ name: secret.name, by: secret.by, kind: 'named' });
    const opened = await viewApi.open(made.id);
    expect(opened.failures).toEqual([]);
    const then = new Workbook(opened.doc, { actor: { name: 'reader', deviceId: 'reader' } });
    expect(then.title()).toBe(secret.title);
    expect(then.getValue(sheet, r0, col.id)).toBe(secret.cell);
    // The hub's own automatic snapshots keep working: envelope states, opened the same way.
    const auto = list.find((s) => s.kind === 'auto');
    expect(auto).toMatchObject({ name: 'Automatic', by: 'hub' });
    const autoOpened = await viewApi.open(auto!.id);
    expect(autoOpened.failures).toEqual([]);
    expect(new Workbook(autoOpened.doc, { actor: { name: 'r', deviceId: 'r' } }).title()).toBe(secret.title);
    // The raw bytes are the envelope: ciphertext.
    expect(Buffer.from(await viewApi.fetch(made.id)).indexOf(Buffer.from(secret.cell))).toBe(-1);

    // A label that does not open for this workbook (sealed with another's keys) shows as unnamed, never crashes.
    const other = newSealedWorkbookKeys();
    const foreign = sealLabel(sealedKeysFor(other.id, other.edit)!, { name: 'forged', by: 'someone' });
    expect(openLabel(keys, foreign)).toBeNull();
    const body = JSON.stringify({ name: foreign, by: 'x' });
    const posted = await fetch(`${relay.httpUrl}${path}`, {
      method: 'POST',
      body,
      headers: { [APP_REQUEST_HEADER]: APP_REQUEST_VALUE, 'Content-Type': 'application/json', ...(await authHeaders(relay.httpUrl, link.id, link.edit, { method: 'POST', path, body }, fetch)) },
    });
    expect(posted.status).toBe(201);
    const withForeign = await viewApi.list();
    expect(withForeign.find((s) => s.id !== made.id && s.kind === 'named')).toMatchObject({ name: '', by: '' });
    // A view link's key cannot name one: it has no writer key (and the hub refuses a view link anyway).
    expect(await code(viewApi.create('nope', 'Vic'))).toBe('READ_ONLY');
    // The hub refuses a plain name for a sealed workbook, and a label longer than it keeps.
    for (const name of ['end of day 3', 'x'.repeat(2049)]) {
      const b = JSON.stringify({ name, by: 'Ana' });
      const refused = await fetch(`${relay.httpUrl}${path}`, {
        method: 'POST',
        body: b,
        headers: { [APP_REQUEST_HEADER]: APP_REQUEST_VALUE, ...(await authHeaders(relay.httpUrl, link.id, link.edit, { method: 'POST', path, body: b }, fetch)) },
      });
      expect([refused.status, ((await refused.json()) as { error: string }).error]).toEqual([400, 'BAD_NAME']);
    }
    // A link that does not open the workbook cannot open its snapshots.
    expect(await code(new SnapshotClient(relay.httpUrl, link.id, other.view).open(made.id))).toBe('UNAUTHORIZED');

    // The hub's disk: the control is there, nothing of the sealed workbook is, while it runs and after it stops.
    const secrets = Object.values(secret);
    expect(hits(hubFiles(relay), [control]).length).toBeGreaterThan(0);
    expect(hits(hubFiles(relay), secrets)).toEqual([]);
    expect(secrets.filter((s) => relay.stderr().includes(s))).toEqual([]);
    await Promise.all(clients.splice(0).map((c) => c.destroy()));
    await relay.stop('SIGTERM');
    expect(hits(hubFiles(relay), secrets)).toEqual([]);
  });
});

describe('a sealed workbook’s retained log', () => {
  it('Restore to…: the hub’s moments of the sheets and the journal are opened here, and restore as for any workbook', async () => {
    const relay = await startRelay({ env: { AUTO_SNAPSHOT_MS: '0' } });
    relays.push(relay);
    const link = newSealedWorkbookKeys();
    const keys = sealedKeysFor(link.id, link.edit)!;
    const secret = { cell: canary('cell'), actor: canary('actor'), sheet: canary('sheet') };
    const w = new SealedWriter(relay, keys, link.edit, secret.actor);
    const sheet = w.wb.initialize({ title: 'Pantry', rows: 2, columns: 1 });
    w.wb.renameSheet(sheet, secret.sheet);
    const [r0, r1] = w.wb.rowIds(sheet);
    const [col] = w.wb.columns(sheet);
    w.wb.setCell(sheet, r0, col.id, secret.cell);
    w.wb.setCell(sheet, r1, col.id, 'Beans');
    await w.onHub();
    const before = contents(w.wb);
    const journalBefore = w.wb.history().length;
    expect(journalBefore).toBeGreaterThan(0);

    // Someone with the edit link empties both envelopes: every blob deleted (acked, like any change).
    const view = new RestoreSource(relay.httpUrl, link.id, link.view);
    const wipeAt = Date.now();
    // An update of deletions alone moves no clock, so nothing would be pending to wait on: the same
    // transaction writes the envelope's version again, and the hub's ack for that covers the wipe.
    for (const c of [w.sheets, w.history]) {
      c.doc.transact(() => {
        c.doc.getArray(ENVELOPE_BLOBS).delete(0, c.doc.getArray(ENVELOPE_BLOBS).length);
        c.doc.getMap(ENVELOPE_META).set('v', ENVELOPE_VERSION);
      });
    }
    await w.onHub();

    // The timeline is sizes and times only; the moment just before the wipe opens here, sheets and journal.
    const timeline = await view.timeline();
    const wipes = timeline.changes.filter((c) => c.at >= wipeAt);
    expect(wipes.map((c) => c.room).sort()).toEqual(['history', 'sheets']);
    const wipe = wipes.at(-1)!;
    const moment = await view.moment(wipe.at - 1);
    expect(moment.failures).toEqual([]);
    expect(moment.historyGone).toBe(false);
    expect(contents(moment.then)).toEqual(before);
    expect(moment.then.history().length).toBe(journalBefore);
    // The moment after it: the envelopes were empty, so nothing opens (and nothing fails).
    const after = await view.moment(Date.now() + 1_000);
    expect(contents(after.then)).toBeNull();

    // A new device with the edit link restores the workbook from that moment, as for any workbook.
    const fresh = new Workbook(new Y.Doc(), { actor: { name: 'Ben', deviceId: 'ben' }, history: new Y.Doc() });
    const editSource = new RestoreSource(relay.httpUrl, link.id, link.edit);
    await editSource.catchUp(fresh);
    const back = await editSource.moment(wipe.at - 1);
    restoreTo(back.then, fresh, { at: back.at });
    expect(contents(fresh)).toEqual(before);

    // The retained log's raw states are envelopes; a link for another workbook opens nothing.
    const sheetsLog = new RetainedClient(relay.httpUrl, link.id, link.view);
    expect(Buffer.from(await sheetsLog.stateAt(wipe.at - 1)).indexOf(Buffer.from(secret.cell))).toBe(-1);
    const other = newSealedWorkbookKeys();
    expect(await code(new RetainedClient(relay.httpUrl, link.id, other.edit).openedStateAt(wipe.at - 1))).toBe('UNAUTHORIZED');
    expect(hits(hubFiles(relay), Object.values(secret))).toEqual([]);
  });
});

describe('the hub’s command line and a sealed workbook', () => {
  it('exports with the link from the data dir, a running hub and a backup, exactly as the plain workbook exports; the backup is ciphertext', async () => {
    const relay = await startRelay({ env: { AUTO_SNAPSHOT_MS: '0' } });
    relays.push(relay);
    const link = newSealedWorkbookKeys();
    const keys = sealedKeysFor(link.id, link.edit)!;
    const secret = { cell: canary('cell'), title: canary('title') };
    const w = new SealedWriter(relay, keys, link.edit, 'Ana');
    const sheet = w.wb.initialize({ title: secret.title, rows: 2, columns: 2 });
    const [r0, r1] = w.wb.rowIds(sheet);
    const [c0, c1] = w.wb.columns(sheet).map((c) => c.id);
    w.wb.setCells(sheet, [
      { rowId: r0, colId: c0, value: `${secret.cell}, 10kg` },
      { rowId: r0, colId: c1, value: '=HYPERLINK("x")' },
      { rowId: r1, colId: c0, value: 'Beans' },
    ]);
    await w.onHub();
    const second = w.wb.addSheet('Drivers');
    const driver = w.wb.addColumn(second, { name: 'Driver', type: 'text' });
    w.wb.setCell(second, w.wb.insertRows(second, 0, 1)[0], driver, 'Luis');
    await w.onHub();

    // What the app would export from the workbook doc itself.
    const expected = csvFile(w.wb.columns(sheet), w.wb.rowIds(sheet), (r, c) => w.wb.getValue(sheet, r, c));
    const expectedDrivers = csvFile(w.wb.columns(second), w.wb.rowIds(second), (r, c) => w.wb.getValue(second, r, c));
    expect(expected).toContain(secret.cell);
    // …and what the command line exports from the same doc kept plain (an open workbook, on another hub).
    const plainHub = await startRelay({ env: { AUTO_SNAPSHOT_MS: '0' } });
    relays.push(plainHub);
    const plain = makeClient(plainHub.syncUrl, 'cli-plain-copy-01', 'Pat');
    clients.push(plain);
    Y.applyUpdate(plain.doc, Y.encodeStateAsUpdate(w.doc));
    await allOnHub(plain);
    const plainCsv = await cli(plainHub.dataDir, ['export', '--workbook', 'cli-plain-copy-01', '--format', 'csv']);
    expect(plainCsv.stdout).toBe(expected);
    const editLink = `http://hub.lan:8080/#/w/${link.id}/edit/${(link.edit as { editKey: string }).editKey}`;
    const view = link.view as { viewKey: string; editVerifier: string };
    const viewLink = `http://hub.lan:8080/#/w/${link.id}/view/${view.viewKey}.${view.editVerifier}`;

    const fromData = await cli(relay.dataDir, ['export', '--link', editLink, '--format', 'csv']);
    expect([fromData.code, fromData.stderr]).toEqual([0, '']);
    expect(fromData.stdout).toBe(expected);
    const fromHub = await cli(mkdtempSync(join(tmpdir(), 'ms-nodata-')), ['export', '--link', viewLink, '--hub', relay.httpUrl, '--format', 'csv', '--sheet', 'Drivers']);
    expect([fromHub.code, fromHub.stderr]).toEqual([0, '']);
    expect(fromHub.stdout).toBe(expectedDrivers);
    const hubFirst = await cli(mkdtempSync(join(tmpdir(), 'ms-nodata-')), ['export', '--link', editLink, '--hub', relay.httpUrl, '--format', 'csv']);
    expect(hubFirst.stdout).toBe(expected);
    const json = await cli(relay.dataDir, ['export', '--link', viewLink, '--format', 'json']);
    expect(json.code).toBe(0);
    const withoutTime = (snap: Record<string, unknown>) => ({ ...snap, exportedAt: null });
    expect(withoutTime(JSON.parse(json.stdout))).toEqual(withoutTime(JSON.parse(JSON.stringify(exportSnapshot(w.wb)))));

    // `npm run backup` copies ciphertext; the export reads it with the link.
    const backupFile = join(mkdtempSync(join(tmpdir(), 'ms-backup-')), 'hub.sqlite');
    expect((await cli(relay.dataDir, ['backup', '--out', backupFile])).code).toBe(0);
    expect(hits([backupFile], Object.values(secret))).toEqual([]);
    const fromBackup = await cli(mkdtempSync(join(tmpdir(), 'ms-nodata-')), ['export', '--link', editLink, '--backup', backupFile, '--format', 'csv', '--out', join(mkdtempSync(join(tmpdir(), 'ms-out-')), 'x.csv')]);
    expect([fromBackup.code, fromBackup.stderr]).toEqual([0, '']);
    const out = join(mkdtempSync(join(tmpdir(), 'ms-out-')), 'pantry.csv');
    expect((await cli(relay.dataDir, ['export', '--link', viewLink, '--backup', backupFile, '--format', 'csv', '--out', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(expected);
    expect(hits([backupFile], Object.values(secret))).toEqual([]);
    expect(hits(hubFiles(relay), Object.values(secret))).toEqual([]);
  });

  it('a wrong link, a sealed id without its link, or a link the hub refuses: a clear error', async () => {
    const relay = await startRelay({ env: { AUTO_SNAPSHOT_MS: '0' } });
    relays.push(relay);
    const link = newSealedWorkbookKeys();
    const w = new SealedWriter(relay, sealedKeysFor(link.id, link.edit)!, link.edit, 'Ana');
    w.wb.initialize({ rows: 1, columns: 1 });
    await w.onHub();
    const other = newSealedWorkbookKeys();
    const otherKey = (other.edit as { editKey: string }).editKey;
    const run = (args: string[]) => cli(relay.dataDir, ['export', ...args, '--format', 'csv']);
    const expectError = async (args: string[], text: string) => {
      const r = await run(args);
      expect([r.code, r.stderr, r.stdout]).toEqual([2, expect.stringContaining(text), '']);
    };
    // another workbook's key on this workbook's id: refused before anything is read, wherever from
    await expectError(['--link', `#/w/${link.id}/edit/${otherKey}`], `this link does not open ${link.id}`);
    await expectError(['--link', `#/w/${link.id}/edit/${otherKey}`, '--hub', relay.httpUrl], `this link does not open ${link.id}`);
    await expectError(['--link', `#/w/${link.id}/edit/${otherKey.slice(0, 20)}`], 'the key in that link cannot be read');
    await expectError(['--link', `#/w/${link.id}`], 'carries no key');
    await expectError(['--link', 'https://example.org/some/page'], "not a workbook's link");
    await expectError(['--workbook', link.id], 'is sealed');
    await expectError(['--workbook', other.id, '--link', `#/w/${link.id}/edit/${otherKey}`], 'differ');
    // another workbook's own link: it is not on this hub
    await expectError(['--link', `#/w/${other.id}/edit/${otherKey}`], `no workbook ${other.id}`);
    await expectError(['--link', `#/w/${other.id}/edit/${otherKey}`, '--hub', relay.httpUrl], `no workbook ${other.id}`);
    await expectError(['--link', `#/w/${link.id}/edit/${(link.edit as { editKey: string }).editKey}`, '--hub', 'http://127.0.0.1:1'], 'cannot reach the hub');
    await expectError(['--link', `#/w/${link.id}/edit/${(link.edit as { editKey: string }).editKey}`, '--backup', join(relay.dataDir, 'nope.sqlite')], 'no such file');
  });
});

describe('sealed snapshot labels', () => {
  it('open with either link, only for their workbook, never when changed, never as presence; a view link cannot make one; lengths come in steps', () => {
    const link = newSealedWorkbookKeys();
    const edit = sealedKeysFor(link.id, link.edit)!;
    const view = sealedKeysFor(link.id, link.view)!;
    const label = sealLabel(edit, { name: 'end of day 3', by: 'Ana' });
    expect(openLabel(view, label)).toEqual({ name: 'end of day 3', by: 'Ana' });
    expect(openLabel(edit, label)).toEqual({ name: 'end of day 3', by: 'Ana' });
    expect(() => sealLabel(view, { name: 'x', by: 'y' })).toThrow();
    const other = newSealedWorkbookKeys();
    expect(openLabel(sealedKeysFor(other.id, other.view)!, label)).toBeNull();
    // every byte changed in turn: version, nonce, signature, ciphertext
    const bytes = Buffer.from(label, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const bad = Buffer.from(bytes);
      bad[i] ^= 0x01;
      expect(openLabel(view, bad.toString('base64url'))).toBeNull();
    }
    expect(openLabel(view, sealPresence(view, 0, { name: 'end of day 3', by: 'Ana' }))).toBeNull();
    for (const junk of [undefined, 42, '', 'not a label!', 'A'.repeat(5000)]) expect(openLabel(view, junk)).toBeNull();
    expect(sealLabel(edit, { name: 'a', by: 'b' }).length).toBe(sealLabel(edit, { name: 'a'.repeat(100), by: 'b'.repeat(100) }).length);
    const longest = sealLabel(edit, { name: '\u0001\ud800界'.repeat(100), by: '界\udc00'.repeat(100) });
    expect(longest.length).toBeLessThanOrEqual(2048);
    expect(openLabel(view, longest)).toEqual({ name: '\ufffd界'.repeat(50), by: '界\ufffd'.repeat(50) });
  });
});
