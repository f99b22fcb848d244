import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { isModelError, Workbook } from '../../src/model/index.js';
import * as encoding from 'lib0/encoding';
import { keysFromEditKey, legacyKeysFromEditKey, newWorkbookKeys, proverFor, type Credential } from '../../src/protocol/access.js';
import { MESSAGE_PROOF, encodeProof, prove, syncProofMessage } from '../../src/protocol/challenge.js';
import { CloseCode, MESSAGE_DURABLE_ACK, MESSAGE_SYNC } from '../../src/protocol/messages.js';
import { SnapshotApiError } from '../../src/protocol/snapshots.js';
import { SnapshotClient } from '../../src/sync/snapshots.js';
import { allOnHub, makeClient, untilDoc, untilStatus, type TestClient } from '../support/clients.js';
import { authenticate, challengeOf, helloFrame, proofFrame, rawSocket } from '../support/raw-socket.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { until } from '../support/wait.js';

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

  it('a signed workbook opens only with a proof of this connection’s challenge: none, another workbook’s, a forged role, a HELLO with the real key and a replayed proof all get 4401', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const keys = await newWorkbookKeys();
    const other = await newWorkbookKeys();
    expect(keys.id).toMatch(/^s[\w-]{43}$/);
    const view = keys.view.role === 'view' ? keys.view : null;
    const viewer = proverFor(keys.id, view)!;
    const attempts: ((nonce: Uint8Array) => Uint8Array)[] = [
      // Without a proof, the first frame is what y-websocket sends first: sync step 1.
      () => new Uint8Array([0, 0, 1, 0]),
      (nonce) => proofFrame(keys.id, other.edit, nonce, other.id),
      // The view key's signer claiming to be an editor.
      (nonce) => encodeProof({ ...prove(viewer, syncProofMessage(nonce, keys.id, 'edit')), role: 'edit' }),
      // A proof for the journal's room is not one for the workbook's.
      (nonce) => proofFrame(`${keys.id}.h`, keys.edit, nonce, keys.id),
      () => helloFrame(keys.edit),
      () => new Uint8Array([MESSAGE_PROOF, 4, 101, 100, 105, 116]),
    ];
    for (const attempt of attempts) {
      const s = rawSocket(relay.syncUrl, keys.id);
      await s.opened;
      s.ws.send(attempt(await challengeOf(s)));
      expect(await s.closed).toBe(CloseCode.UNAUTHORIZED);
    }

    // A proof that opened one connection opens no other: each connection has its own nonce.
    const first = rawSocket(relay.syncUrl, keys.id);
    await first.opened;
    const seen = proofFrame(keys.id, keys.edit, await challengeOf(first));
    first.ws.send(seen);
    await until((n) => (first.ws.on('message', n), () => first.ws.off('message', n)), () => first.frames.some((f) => f[0] === MESSAGE_DURABLE_ACK), 'the proof opens its own connection');
    const replay = rawSocket(relay.syncUrl, keys.id);
    await replay.opened;
    await challengeOf(replay);
    replay.ws.send(seen);
    expect(await replay.closed).toBe(CloseCode.UNAUTHORIZED);
    first.ws.close();

    // The view link's proof opens it read-only: a change is refused (4403) and nothing is stored.
    const doc = new Y.Doc();
    doc.getMap('m').set('x', 'forged');
    const v = rawSocket(relay.syncUrl, keys.id);
    await v.opened;
    await authenticate(v, keys.id, keys.view);
    v.ws.send(syncUpdate(Y.encodeStateAsUpdate(doc)));
    expect(await v.closed).toBe(CloseCode.READ_ONLY);
    const derived = await keysFromEditKey(keys.edit.role === 'edit' ? keys.edit.editKey : '');
    expect(derived.id).toBe(keys.id);
  });

  it('a legacy k… workbook still opens with its key in HELLO (edit and view), and a wrong one gets 4401', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const legacy = await legacyKeysFromEditKey('L'.repeat(43));
    expect(legacy.id).toMatch(/^k[\w-]{43}$/);
    expect((await keysFromEditKey('L'.repeat(43), undefined, legacy.id)).view).toEqual(legacy.view);
    const ana = client(relay, legacy.id, 'Ana', legacy.edit);
    const sheet = ana.wb.initialize({ title: 'Old pantry' });
    const [row] = ana.wb.rowIds(sheet);
    const [col] = ana.wb.columns(sheet);
    ana.wb.setCell(sheet, row, col.id, 'rice');
    await allOnHub(ana);
    const vic = client(relay, legacy.id, 'Vic', legacy.view);
    await untilDoc(vic, () => vic.wb.isInitialized() && vic.wb.getValue(sheet, row, col.id) === 'rice', 'the legacy view link reads');
    const made = await new SnapshotClient(relay.httpUrl, legacy.id, legacy.edit).create('old', 'Ana');
    expect(await new SnapshotClient(relay.httpUrl, legacy.id, legacy.view).list()).toEqual([made]);
    for (const hello of [null, helloFrame((await legacyKeysFromEditKey('M'.repeat(43))).edit), helloFrame({ role: 'edit', editKey: legacy.view.role === 'view' ? legacy.view.viewKey : '' })]) {
      const s = rawSocket(relay.syncUrl, legacy.id);
      await s.opened;
      s.ws.send(hello ?? new Uint8Array([0, 0, 1, 0]));
      expect(await s.closed).toBe(CloseCode.UNAUTHORIZED);
    }
  });

  it('an open (unkeyed) workbook is read-only on a hub with the default setting: a write is refused (4403) and its state is unchanged', async () => {
    const writable = await startRelay();
    relays.push(writable);
    const room = 'open-legacy-0001';
    const old = client(writable, room, 'Ana', null);
    const sheet = old.wb.initialize({ title: 'Before keys' });
    const [row] = old.wb.rowIds(sheet);
    const [col] = old.wb.columns(sheet);
    old.wb.setCell(sheet, row, col.id, 'kept');
    await allOnHub(old);
    await old.destroy();
    clients.splice(clients.indexOf(old), 1);
    await writable.stop('SIGTERM');

    const relay = await startRelay({ dataDir: writable.dataDir, openWorkbooksWritable: false });
    relays.push(relay);
    const reader = client(relay, room, 'Vic', null);
    await untilDoc(reader, () => reader.wb.isInitialized() && reader.wb.getValue(sheet, row, col.id) === 'kept', 'anyone can still read it');
    reader.wb.setCell(sheet, row, col.id, 'changed by anyone');
    await untilStatus(reader, (st) => st.lastClose?.code === CloseCode.READ_ONLY, 'the change is refused');
    const check = client(relay, room, 'Ben', null);
    await untilDoc(check, () => check.wb.isInitialized() && check.wb.getValue(sheet, row, col.id) !== null, 'a fresh reader loads');
    expect(check.wb.getValue(sheet, row, col.id)).toBe('kept');
    // Nor can anyone take or delete its snapshots there.
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof SnapshotApiError ? e.code : String(e)));
    expect(await code(new SnapshotClient(relay.httpUrl, room).create('mine', 'Mal'))).toBe('READ_ONLY');
    expect(await new SnapshotClient(relay.httpUrl, room).list()).toEqual([]);
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

function syncUpdate(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  encoding.writeVarUint(enc, 2);
  encoding.writeVarUint8Array(enc, update);
  return encoding.toUint8Array(enc);
}

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
