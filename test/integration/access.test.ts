import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { isModelError, Workbook } from '../../src/model/index.js';
import { keysFromEditKey, newWorkbookKeys, type Credential } from '../../src/protocol/access.js';
import { CloseCode } from '../../src/protocol/messages.js';
import { SnapshotApiError } from '../../src/protocol/snapshots.js';
import { SnapshotClient } from '../../src/sync/snapshots.js';
import { allOnHub, makeClient, untilDoc, untilStatus, type TestClient } from '../support/clients.js';
import { helloFrame, rawSocket } from '../support/raw-socket.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

const relays: RelayProcess[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await Promise.all(relays.splice(0).map((r) => r.stop('SIGKILL')));
});

function client(relay: RelayProcess, id: string, name: string, credential: Credential | null) {
  const c = makeClient(relay.syncUrl, id, name, new Y.Doc(), credential);
  clients.push(c);
  return c;
}

describe('edit and view links', () => {
  it('a view link reads and sees presence; its change is refused with a reason and the hub document is unchanged; nothing stored or logged can be used as a key', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const keys = await newWorkbookKeys();
    const ana = client(relay, keys.id, 'Ana', keys.edit);
    const sheet = ana.wb.initialize({ title: 'Shelter' });
    const [row] = ana.wb.rowIds(sheet);
    const [col] = ana.wb.columns(sheet);
    ana.wb.setCell(sheet, row, col.id, 'Gym: 40 beds');
    await allOnHub(ana);

    const viewer = client(relay, keys.id, 'Vic', keys.view);
    await untilDoc(viewer, () => viewer.wb.isInitialized() && viewer.wb.getValue(sheet, row, col.id) === 'Gym: 40 beds', 'the viewer reads');
    ana.session.awareness.setLocalStateField('user', { name: 'Ana' });
    await new Promise<void>((res) => {
      const check = () => {
        if (Array.from(viewer.session.awareness.getStates().values()).some((s) => s.user?.name === 'Ana')) {
          viewer.session.awareness.off('change', check);
          res();
        }
      };
      viewer.session.awareness.on('change', check);
      check();
    });

    // The viewer's device writes anyway (a modified app): the hub refuses, says why, and closes.
    viewer.wb.setCell(sheet, row, col.id, 'Gym: 0 beds');
    await untilStatus(viewer, (s) => s.lastClose?.code === CloseCode.READ_ONLY, 'refused as read-only');
    expect(viewer.session.getStatus().lastClose?.reason).toMatch(/view-only/);
    const check = client(relay, keys.id, 'Ben', keys.edit);
    await untilDoc(check, () => check.wb.isInitialized() && check.wb.getValue(sheet, row, col.id) !== null, 'a fresh editor loads');
    expect(check.wb.getValue(sheet, row, col.id)).toBe('Gym: 40 beds');

    // A read-only Workbook refuses locally too, with a typed error.
    const readOnly = new Workbook(new Y.Doc(), { actor: { name: 'v', deviceId: 'v' }, readOnly: true });
    let error: unknown;
    try {
      readOnly.initialize();
    } catch (err) {
      error = err;
    }
    expect(isModelError(error, 'READ_ONLY')).toBe(true);

    const edit = keys.edit.role === 'edit' ? keys.edit.editKey : '';
    const view = keys.view.role === 'view' ? keys.view.viewKey : '';
    const db = readdirSync(relay.dataDir).map((f) => readFileSync(join(relay.dataDir, f)).toString('latin1')).join('');
    expect(db).not.toContain(edit);
    expect(db).not.toContain(view);
    expect(relay.stderr()).not.toContain(edit);
    expect(relay.stderr()).not.toContain(view);
  });

  it('refuses a missing, wrong or forged key with 4401, and a view key cannot be used as an edit key', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const keys = await newWorkbookKeys();
    const other = await newWorkbookKeys();
    const view = keys.view.role === 'view' ? keys.view : null;
    const attempts: (Uint8Array | null)[] = [
      null,
      helloFrame(other.edit),
      helloFrame({ role: 'edit', editKey: view!.viewKey }),
      helloFrame({ role: 'view', viewKey: view!.viewKey, editVerifier: view!.viewKey }),
      helloFrame('edit:not-a-key'),
    ];
    for (const hello of attempts) {
      const s = rawSocket(relay.syncUrl, keys.id);
      await s.opened;
      // Without a hello, the first frame is what y-websocket sends first: sync step 1.
      s.ws.send(hello ?? new Uint8Array([0, 0, 1, 0]));
      expect(await s.closed).toBe(CloseCode.UNAUTHORIZED);
    }
    // The real view key, verified, is only ever a viewer.
    const derived = await keysFromEditKey(keys.edit.role === 'edit' ? keys.edit.editKey : '');
    expect(derived.id).toBe(keys.id);
  });

  it('snapshots need the link too: a view link lists and reads, only an edit link takes one', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const keys = await newWorkbookKeys();
    const ana = client(relay, keys.id, 'Ana', keys.edit);
    ana.wb.initialize();
    await allOnHub(ana);
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof SnapshotApiError ? e.code : String(e)));
    const made = await new SnapshotClient(relay.httpUrl, keys.id, keys.edit).create('day 1', 'Ana');
    const viewer = new SnapshotClient(relay.httpUrl, keys.id, keys.view);
    expect(await viewer.list()).toEqual([made]);
    expect((await viewer.fetch(made.id)).length).toBeGreaterThan(0);
    expect(await code(viewer.create('mine', 'Vic'))).toBe('READ_ONLY');
    expect(await code(new SnapshotClient(relay.httpUrl, keys.id).list())).toBe('UNAUTHORIZED');
    expect(await code(new SnapshotClient(relay.httpUrl, keys.id, (await newWorkbookKeys()).edit).list())).toBe('UNAUTHORIZED');
  });
});

describe('origin allow-list', () => {
  it('refuses a WebSocket opened from another site, accepts the hub’s own origin and configured ones', async () => {
    const relay = await startRelay({ env: { ALLOWED_ORIGINS: 'https://sheets.example.org' } });
    relays.push(relay);
    const evil = rawSocket(relay.syncUrl, 'open-room-0001', { Origin: 'https://evil.example' });
    await expect(evil.opened).rejects.toThrow('HTTP 403');
    const own = rawSocket(relay.syncUrl, 'open-room-0001', { Origin: relay.httpUrl });
    await own.opened;
    const configured = rawSocket(relay.syncUrl, 'open-room-0001', { Origin: 'https://sheets.example.org' });
    await configured.opened;
    own.ws.close();
    configured.ws.close();
  });
});
