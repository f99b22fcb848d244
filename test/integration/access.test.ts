import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { isModelError, Workbook } from '../../src/model/index.js';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import {
  keysFromEditKey,
  legacyKeysFromEditKey,
  newSealedWorkbookKeys,
  newWorkbookKeys,
  proverFor,
  publicKeyOf,
  sealedSigningSecret,
  type Credential,
} from '../../src/protocol/access.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ENVELOPE_BLOBS, ENVELOPE_META } from '../../src/protocol/sealed.js';
import { MESSAGE_PROOF, encodeProof, prove, syncProofMessage } from '../../src/protocol/challenge.js';
import { CloseCode, MESSAGE_DURABLE_ACK, MESSAGE_SYNC } from '../../src/protocol/messages.js';
import { SnapshotApiError } from '../../src/protocol/snapshots.js';
import { SnapshotClient } from '../../src/sync/snapshots.js';
import { allOnHub, makeClient, untilDoc, untilStatus, type TestClient } from '../support/clients.js';
import { authenticate, challengeOf, helloFrame, proofFrame, rawSocket, type RawSocket } from '../support/raw-socket.js';
import { deleteEverythingUpdate } from '../support/vandal.js';
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

/** Resolves when a frame of this socket satisfies `pred`. */
function untilFrame(s: RawSocket, pred: (frames: Uint8Array[]) => boolean, what: string): Promise<void> {
  return until((n) => (s.ws.on('message', n), () => s.ws.off('message', n)), () => pred(s.frames), what);
}

const acksOf = (s: RawSocket) => s.frames.filter((f) => f[0] === MESSAGE_DURABLE_ACK).length;

/** A socket opened with a link's credential, once the hub has greeted it (its first durable ack). */
async function opened(relay: RelayProcess, room: string, credential: Credential): Promise<RawSocket> {
  const s = rawSocket(relay.syncUrl, room);
  await s.opened;
  await authenticate(s, room, credential);
  await untilFrame(s, () => acksOf(s) >= 1, 'the hub greets the socket');
  return s;
}

/** Everything the hub holds for a room, as sync step 2 answers an empty state vector. */
async function hubState(relay: RelayProcess, room: string, credential: Credential): Promise<Y.Doc> {
  const s = await opened(relay, room, credential);
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  encoding.writeVarUint(enc, 0);
  encoding.writeVarUint8Array(enc, Y.encodeStateVector(new Y.Doc()));
  s.ws.send(encoding.toUint8Array(enc));
  const step2 = () =>
    s.frames.find((f) => {
      const dec = decoding.createDecoder(f);
      return decoding.readVarUint(dec) === MESSAGE_SYNC && decoding.readVarUint(dec) === 1;
    });
  await untilFrame(s, () => step2() !== undefined, 'sync step 2');
  const dec = decoding.createDecoder(step2()!);
  decoding.readVarUint(dec);
  decoding.readVarUint(dec);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, decoding.readVarUint8Array(dec));
  s.ws.close();
  await s.closed;
  return doc;
}

/** What an envelope holds, comparably: its blobs and plain fields, and the full update (deletions included). */
function envelopeOf(doc: Y.Doc) {
  return {
    blobs: doc.getArray<Uint8Array>(ENVELOPE_BLOBS).toArray().map((b) => Array.from(b)),
    meta: doc.getMap(ENVELOPE_META).toJSON(),
    update: Array.from(Y.encodeStateAsUpdate(doc)),
  };
}

describe('sealed (e…) workbooks: the same challenge–response as signed ones', () => {
  it('an e… edit link opens by proof and writes (acked, stored); its view link reads, and every kind of write from it is refused (4403) with the hub state unchanged', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const keys = newSealedWorkbookKeys();
    expect(keys.id).toMatch(/^e[\w-]{43}$/);

    const envelope = new Y.Doc();
    envelope.getMap(ENVELOPE_META).set('v', 1);
    envelope.getArray<Uint8Array>(ENVELOPE_BLOBS).push([new Uint8Array([1, 2, 3, 4]), new Uint8Array(300).fill(9)]);
    const writer = await opened(relay, keys.id, keys.edit);
    writer.ws.send(syncUpdate(Y.encodeStateAsUpdate(envelope)));
    await untilFrame(writer, () => acksOf(writer) >= 2, 'the hub acks the edit link’s write');
    writer.ws.close();
    await writer.closed;

    const before = envelopeOf(await hubState(relay, keys.id, keys.view));
    expect(before.blobs).toEqual([[1, 2, 3, 4], Array(300).fill(9)]);
    expect(before.meta).toEqual({ v: 1 });

    // The view link's device writes anyway (a modified app, or a view-link holder colluding with nobody):
    // a new blob, a deletion of every blob, a plain field. Each is refused before it is stored.
    const forged = new Y.Doc();
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(envelope));
    const added = new Y.Doc();
    added.getArray<Uint8Array>(ENVELOPE_BLOBS).push([new Uint8Array([6, 6, 6])]);
    const meta = new Y.Doc();
    Y.applyUpdate(meta, Y.encodeStateAsUpdate(envelope));
    const sv = Y.encodeStateVector(meta);
    meta.getMap(ENVELOPE_META).set('v', 99);
    for (const write of [Y.encodeStateAsUpdate(added), deleteEverythingUpdate(forged), Y.encodeStateAsUpdate(meta, sv)]) {
      const v = await opened(relay, keys.id, keys.view);
      v.ws.send(syncUpdate(write));
      expect(await v.closed).toBe(CloseCode.READ_ONLY);
    }
    expect(envelopeOf(await hubState(relay, keys.id, keys.edit))).toEqual(before);

    // No key of either link is stored or logged.
    const edit = keys.edit.role === 'edit' ? keys.edit.editKey : '';
    const view = keys.view.role === 'view' ? keys.view.viewKey : '';
    const db = readdirSync(relay.dataDir).map((f) => readFileSync(join(relay.dataDir, f)).toString('latin1')).join('');
    for (const secret of [edit, view]) {
      expect(db).not.toContain(secret);
      expect(relay.stderr()).not.toContain(secret);
    }
  });

  it('an e… workbook opens only with a proof of this connection’s challenge: none, a wrong key, another e… workbook’s, the same key’s s… workbook’s, a forged role, a HELLO and a replay all get 4401', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const keys = newSealedWorkbookKeys();
    const other = newSealedWorkbookKeys();
    const editKey = keys.edit.role === 'edit' ? keys.edit.editKey : '';
    const viewKey = keys.view.role === 'view' ? keys.view.viewKey : '';
    const signedTwin = await keysFromEditKey(editKey);
    expect(signedTwin.id).toMatch(/^s/);
    const viewer = proverFor(keys.id, keys.view)!;
    const editor = proverFor(keys.id, keys.edit)!;
    // A key that is not the writer key, signing with the workbook's true public keys.
    const wrongSecret = sealedSigningSecret('edit', viewKey);
    expect(publicKeyOf(wrongSecret)).not.toEqual(editor.editPublic);
    const attempts: ((nonce: Uint8Array) => Uint8Array)[] = [
      () => new Uint8Array([0, 0, 1, 0]),
      (nonce) => encodeProof({ role: 'edit', editPublic: editor.editPublic, viewPublic: editor.viewPublic, signature: ed25519.sign(syncProofMessage(nonce, keys.id, 'edit'), wrongSecret) }),
      (nonce) => proofFrame(keys.id, other.edit, nonce, other.id),
      (nonce) => proofFrame(keys.id, other.view, nonce, other.id),
      (nonce) => proofFrame(keys.id, signedTwin.edit, nonce, signedTwin.id),
      (nonce) => encodeProof({ ...prove(viewer, syncProofMessage(nonce, keys.id, 'edit')), role: 'edit' }),
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
    // A good proof for the other e… workbook opens that one, and a replay of it opens nothing.
    const first = rawSocket(relay.syncUrl, other.id);
    await first.opened;
    const seen = proofFrame(other.id, other.edit, await challengeOf(first));
    first.ws.send(seen);
    await untilFrame(first, () => acksOf(first) >= 1, 'the proof opens its own connection');
    for (const room of [other.id, keys.id]) {
      const replay = rawSocket(relay.syncUrl, room);
      await replay.opened;
      await challengeOf(replay);
      replay.ws.send(seen);
      expect(await replay.closed).toBe(CloseCode.UNAUTHORIZED);
    }
    first.ws.close();
    // The journal room opens with its own proof.
    const journal = await opened(relay, `${keys.id}.h`, keys.view);
    journal.ws.close();
  });

  it('the HTTP API takes e… proofs as it takes s… ones: a view link lists and reads snapshots, only an edit link takes one, no key or another workbook’s gets 401', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const keys = newSealedWorkbookKeys();
    const envelope = new Y.Doc();
    envelope.getArray<Uint8Array>(ENVELOPE_BLOBS).push([new Uint8Array([7, 7, 7])]);
    const writer = await opened(relay, keys.id, keys.edit);
    writer.ws.send(syncUpdate(Y.encodeStateAsUpdate(envelope)));
    await untilFrame(writer, () => acksOf(writer) >= 2, 'acked');
    writer.ws.close();
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof SnapshotApiError ? e.code : String(e)));
    const made = await new SnapshotClient(relay.httpUrl, keys.id, keys.edit).create('day 1', 'Ana');
    const viewer = new SnapshotClient(relay.httpUrl, keys.id, keys.view);
    expect(await viewer.list()).toEqual([made]);
    expect((await viewer.fetch(made.id)).length).toBeGreaterThan(0);
    expect(await code(viewer.create('mine', 'Vic'))).toBe('READ_ONLY');
    expect(await code(new SnapshotClient(relay.httpUrl, keys.id).list())).toBe('UNAUTHORIZED');
    expect(await code(new SnapshotClient(relay.httpUrl, keys.id, newSealedWorkbookKeys().edit).list())).toBe('UNAUTHORIZED');
    // the view link of the signed workbook the same edit key makes
    expect(await code(new SnapshotClient(relay.httpUrl, keys.id, (await keysFromEditKey(keys.edit.role === 'edit' ? keys.edit.editKey : '')).view).list())).toBe('UNAUTHORIZED');
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
