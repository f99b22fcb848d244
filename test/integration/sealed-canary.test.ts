import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { Workbook } from '../../src/model/workbook.js';
import { restoreTo } from '../../src/model/restore-to.js';
import { historyRoom } from '../../src/protocol/messages.js';
import { DOC_JOURNAL, DOC_WORKBOOK } from '../../src/protocol/sealed.js';
import { newSealedWorkbookKeys, sealedKeysFor } from '../../src/protocol/sealed-keys.js';
import { MemoryHubStateStore } from '../../src/sync/hub-state.js';
import { SealedSession } from '../../src/sync/sealed/session.js';
import { SnapshotClient } from '../../src/sync/snapshots.js';
import { cli } from '../support/cli.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { until } from '../support/wait.js';

/**
 * Planted plaintext (issue 14): canaries in every place a person's words go — cells, sheet and
 * column names, option labels, the title, display names, presence, a snapshot's name — through a
 * session of edits, history, a snapshot, a restore and a compaction. Then the hub's SQLite file and
 * WAL, its log, a backup file and every WebSocket frame either way are searched in UTF-8, UTF-16
 * and base64: nothing. (The devices' IndexedDB is searched in test/e2e/sealed.test.ts.)
 */

const CANARY = {
  cell: 'CanaryCellRosa5550101',
  sheet: 'CanarySheetPantry',
  column: 'CanaryColumnPhone',
  option: 'CanaryOptionUrgent',
  title: 'CanaryTitleNorthside',
  person: 'CanaryPersonMaribel',
  presence: 'CanaryCursorCaption',
  snapshot: 'CanarySnapshotEndOfDay',
  overwritten: 'CanaryOverwrittenValue',
};
const ALL = Object.values(CANARY);

function forms(text: string): Buffer[] {
  const utf8 = Buffer.from(text, 'utf8');
  // base64 of the text at each of the three alignments it can start at inside a longer run
  const b64 = [0, 1, 2].flatMap((pad) => {
    const s = Buffer.concat([Buffer.alloc(pad), utf8]).toString('base64');
    const inner = s.slice(Math.ceil((pad * 4) / 3) + 2, s.length - 4);
    return [Buffer.from(inner), Buffer.from(inner.replace(/\+/g, '-').replace(/\//g, '_'))];
  });
  return [utf8, Buffer.from(text, 'utf16le'), ...b64.filter((b) => b.length >= 8)];
}

function found(haystack: Buffer, texts: string[]): string[] {
  return texts.filter((t) => forms(t).some((f) => haystack.includes(f)));
}

const relays: RelayProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  for (const r of relays.splice(0)) await r.stop();
});

describe('sealed workbooks: planted plaintext', () => {
  it('after edits, history, a snapshot, a restore and a compaction, the hub’s database and WAL, its log, a backup and every frame on the wire hold no canary', async () => {
    const relay = await startRelay({ env: { AUTO_SNAPSHOT_MS: '0' } });
    relays.push(relay);
    const frames: Buffer[] = [];
    /** every frame this device sends and receives */
    class RecordingSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        this.on('message', (d: Buffer) => frames.push(Buffer.from(d)));
      }
      override send(data: unknown, ...rest: unknown[]): void {
        if (data instanceof Uint8Array || data instanceof ArrayBuffer) frames.push(Buffer.from(data as Uint8Array));
        (super.send as (...a: unknown[]) => void)(data, ...rest);
      }
    }
    const keys = newSealedWorkbookKeys();
    const device = (name: string, credential = keys.edit) => {
      const doc = new Y.Doc();
      const journal = new Y.Doc();
      const common = {
        credential,
        keys: sealedKeysFor(keys.id, credential),
        deviceId: `${name}-device`,
        syncUrl: relay.syncUrl,
        hubStateStore: new MemoryHubStateStore(),
        WebSocketPolyfill: RecordingSocket,
        maxBackoffMs: 300,
        crossTab: false,
        batchMs: 10,
        compactJitterMs: 0,
      };
      const session = new SealedSession({ ...common, doc, docTag: DOC_WORKBOOK, workbookId: keys.id });
      const journalSession = new SealedSession({ ...common, doc: journal, docTag: DOC_JOURNAL, workbookId: historyRoom(keys.id) });
      const wb = new Workbook(doc, { actor: { name, deviceId: `${name}-device` }, history: journal, readOnly: credential.role === 'view' });
      cleanups.push(async () => {
        wb.destroy();
        await journalSession.destroy();
        await session.destroy();
      });
      return { doc, journal, session, journalSession, wb };
    };
    const allOnHub = (d: ReturnType<typeof device>) => Promise.all([d.session.whenAllOnHub(), d.journalSession.whenAllOnHub()]);

    const ana = device(CANARY.person);
    await Promise.all([ana.session.whenLoaded, ana.journalSession.whenLoaded]);
    ana.session.awareness.setLocalStateField('user', { name: CANARY.person, color: '#1f6feb' });
    ana.session.awareness.setLocalStateField('caption', CANARY.presence);
    const sheet = ana.wb.initialize({ rows: 40, columns: 2 });
    ana.wb.setTitle(CANARY.title);
    ana.wb.renameSheet(sheet, CANARY.sheet);
    const col = ana.wb.columns(sheet)[0].id;
    ana.wb.updateColumn(sheet, col, { name: CANARY.column });
    const status = ana.wb.addColumn(sheet, { name: 'Status', type: 'select', options: [{ id: 'u', label: CANARY.option, color: '#cf222e' }] });
    const rows = ana.wb.rowIds(sheet);
    ana.wb.setCell(sheet, rows[0], col, CANARY.overwritten);
    ana.wb.setCell(sheet, rows[0], col, CANARY.cell);
    ana.wb.setCell(sheet, rows[1], status, 'u');
    await allOnHub(ana);

    // a named snapshot, then more edits, then Restore to the snapshot
    const snapshots = new SnapshotClient(relay.httpUrl, keys.id, keys.edit);
    const snap = await snapshots.create(CANARY.snapshot, CANARY.person);
    expect((await snapshots.list()).find((s) => s.id === snap.id)?.name).toBe(CANARY.snapshot);
    for (let i = 2; i < 40; i++) {
      ana.wb.setCell(sheet, rows[i], col, `${CANARY.cell}-${i}`);
      ana.session.bridge!.flush();
    }
    ana.wb.deleteRows(sheet, [rows[0]]);
    const opened = await snapshots.open(snap.id);
    expect(opened.failures).toEqual([]);
    const then = new Workbook(opened.doc, { actor: { name: 'snapshot', deviceId: 'snapshot' } });
    restoreTo(then, ana.wb, { at: Date.now() });
    expect(ana.wb.getValue(sheet, rows[0], col)).toBe(CANARY.cell);
    await allOnHub(ana);

    // a second device (a viewer) opens everything; an editor's device compacts what piled up
    const vic = device('Vic', keys.view);
    await until(
      (n) => {
        vic.doc.on('update', n);
        return () => vic.doc.off('update', n);
      },
      () => vic.wb.isInitialized() && vic.wb.getValue(sheet, rows[0], col) === CANARY.cell && vic.wb.title() === CANARY.title,
      'the viewer opens the workbook',
    );
    // (automatic compaction waits for 256 blobs: test/integration/sealed.test.ts; here it is asked for)
    expect(ana.session.bridge!.compact()).not.toBeNull();
    expect(ana.journalSession.bridge!.compact()).not.toBeNull();
    expect(ana.session.bridge!.envelopeSize().blobs).toBe(1);
    await allOnHub(ana);
    await until(
      (n) => {
        vic.session.awareness.on('change', n);
        return () => vic.session.awareness.off('change', n);
      },
      () => [...vic.session.awareness.getStates().values()].some((s) => s.caption === CANARY.presence),
      'the viewer sees Ana’s presence',
    );

    const backup = join(mkdtempSync(join(tmpdir(), 'ms-canary-')), 'backup.sqlite');
    const made = await cli(relay.dataDir, ['backup', '--out', backup]);
    expect(made.code).toBe(0);
    for (const c of cleanups.splice(0)) await c();
    await relay.stop();
    relays.splice(0);

    const files = ['mutual-sheets.sqlite', 'mutual-sheets.sqlite-wal'].map((f) => join(relay.dataDir, f)).filter((p) => existsSync(p));
    expect(files.length).toBeGreaterThan(0);
    const places: Record<string, Buffer> = {
      database: Buffer.concat(files.map((f) => readFileSync(f))),
      log: Buffer.from(relay.stderr()),
      backup: readFileSync(backup),
      frames: Buffer.concat(frames),
    };
    expect(frames.length).toBeGreaterThan(50);
    for (const [place, bytes] of Object.entries(places)) expect(found(bytes, ALL), place).toEqual([]);
    // the search finds a canary in each form it looks for, wherever it starts
    for (const pad of ['', 'x', 'xy']) {
      const plain = Buffer.from(`${pad}${CANARY.cell}!`);
      for (const form of [plain, Buffer.from(`${pad}${CANARY.cell}!`, 'utf16le'), Buffer.from(plain.toString('base64')), Buffer.from(plain.toString('base64url'))]) {
        expect(found(form, [CANARY.cell]), `${pad} ${form.toString().slice(0, 12)}`).toEqual([CANARY.cell]);
      }
    }
  }, 90_000);
});
