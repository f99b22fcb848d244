import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Workbook } from '../../src/model/index.js';
import { fromBase64url, newWorkbookKeys, signingSecret, type Credential } from '../../src/protocol/access.js';
import { PROOF_HEADER } from '../../src/protocol/challenge.js';
import { historyRoom } from '../../src/protocol/messages.js';
import { SnapshotApiError } from '../../src/protocol/snapshots.js';
import { MemoryHubStateStore } from '../../src/sync/hub-state.js';
import { RetainedClient } from '../../src/sync/retained.js';
import { SyncSession } from '../../src/sync/session.js';
import { SnapshotClient } from '../../src/sync/snapshots.js';
import { DB_FILE_NAME } from '../../server/store.js';
import { allOnHub, makeClient, untilDoc, type TestClient } from '../support/clients.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

const relays: RelayProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
  await Promise.all(relays.splice(0).map((r) => r.stop('SIGKILL')));
});

/** Everything a device puts on the wire: each WebSocket frame, each upgrade request and each HTTP request (line, headers, body). */
interface Tap {
  items: { what: string; bytes: Uint8Array }[];
  Socket: typeof WebSocket;
  fetch: typeof fetch;
}

function tap(): Tap {
  const items: Tap['items'] = [];
  const text = (what: string, s: string) => items.push({ what, bytes: new TextEncoder().encode(s) });
  class RecordingSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // The upgrade request as `ws` sends it: its path and every header.
      const req = (this as unknown as { _req?: { path: string; getHeaders(): Record<string, unknown> } })._req;
      text('upgrade', `GET ${req?.path ?? String(url)}\n${JSON.stringify(req?.getHeaders() ?? {})}`);
    }
    override send(data: unknown, ...rest: unknown[]): void {
      const bytes = data instanceof Uint8Array ? data.slice() : data instanceof ArrayBuffer ? new Uint8Array(data.slice(0)) : new TextEncoder().encode(String(data));
      items.push({ what: 'frame', bytes });
      (WebSocket.prototype.send as (...a: unknown[]) => void).call(this, data, ...rest);
    }
  }
  const recordingFetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    text('http', `${init?.method ?? 'GET'} ${String(input)}\n${JSON.stringify(Array.from(headers.entries()))}\n${typeof init?.body === 'string' ? init.body : ''}`);
    return fetch(input, init);
  };
  return { items, Socket: RecordingSocket as unknown as typeof WebSocket, fetch: recordingFetch };
}

/** Every form a secret could take on the wire: its text, its bytes, and those bytes in base64, base64url and hex. */
function forms(label: string, text: string | null, bytes: Uint8Array | null): { label: string; needle: Uint8Array }[] {
  const out: { label: string; needle: Uint8Array }[] = [];
  const enc = (s: string) => new TextEncoder().encode(s);
  if (text) out.push({ label: `${label} (text)`, needle: enc(text) });
  if (bytes) {
    const b = Buffer.from(bytes);
    out.push({ label: `${label} (bytes)`, needle: new Uint8Array(b) });
    for (const f of ['base64', 'base64url', 'hex'] as const) out.push({ label: `${label} (${f})`, needle: enc(b.toString(f).replace(/=+$/, '')) });
  }
  return out;
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(hay).indexOf(Buffer.from(needle)) >= 0;
}

function session(relay: RelayProcess, wire: Tap, room: string, credential: Credential, doc = new Y.Doc()) {
  const s = new SyncSession({ doc, workbookId: room, syncUrl: relay.syncUrl, hubStateStore: new MemoryHubStateStore(), WebSocketPolyfill: wire.Socket, maxBackoffMs: 300, crossTab: false, credential });
  cleanups.push(async () => {
    await s.destroy();
    doc.destroy();
  });
  return { s, doc };
}

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof SnapshotApiError ? e.code : String(e)));

describe('nothing that crosses the wire opens a signed workbook', () => {
  it('an edit and a view device sync, take and read snapshots and read the retained log: no frame, upgrade or HTTP request carries a key or anything a key can be recomputed from, and a recorded API proof does not work twice', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const keys = await newWorkbookKeys();
    const editKey = keys.edit.role === 'edit' ? keys.edit.editKey : '';
    const viewKey = keys.view.role === 'view' ? keys.view.viewKey : '';
    const wire = tap();

    // The editor: the workbook and its journal, and a snapshot.
    const { s: edit, doc } = session(relay, wire, keys.id, keys.edit);
    const wb = new Workbook(doc, { actor: { name: 'Ana', deviceId: 'ana' } });
    const sheet = wb.initialize({ title: 'Shelter' });
    const [row] = wb.rowIds(sheet);
    const [col] = wb.columns(sheet);
    wb.setCell(sheet, row, col.id, 'Gym: 40 beds');
    const journal = session(relay, wire, historyRoom(keys.id), keys.edit);
    journal.doc.getArray('entries').push(['set']);
    await Promise.all([edit.whenAllOnHub(), journal.s.whenAllOnHub()]);
    const snapshots = new SnapshotClient(relay.httpUrl, keys.id, keys.edit, wire.fetch);
    const made = await snapshots.create('day 1', 'Ana');
    expect(await code(snapshots.delete(made.id))).toBe('ok');
    const kept = await snapshots.create('day 1 again', 'Ana');

    // The viewer: reads the workbook, its snapshots and its retained log.
    const viewer = session(relay, wire, keys.id, keys.view);
    const viewWb = new Workbook(viewer.doc, { actor: { name: 'Vic', deviceId: 'vic' }, readOnly: true });
    await new Promise<void>((res) => {
      const check = () => viewWb.isInitialized() && viewWb.getValue(sheet, row, col.id) === 'Gym: 40 beds' && (viewer.doc.off('update', check), res());
      viewer.doc.on('update', check);
      check();
    });
    const viewSnapshots = new SnapshotClient(relay.httpUrl, keys.id, keys.view, wire.fetch);
    expect((await viewSnapshots.list()).map((s) => s.id)).toEqual([kept.id]);
    expect((await viewSnapshots.fetch(kept.id)).length).toBeGreaterThan(0);
    const history = new RetainedClient(relay.httpUrl, historyRoom(keys.id), keys.view, wire.fetch);
    const timeline = await history.timeline();
    expect(timeline.entries.length).toBeGreaterThan(0);
    expect((await history.stateAt(timeline.entries[0].at)).length).toBeGreaterThan(0);
    // A view link's proof is a viewer's: it lists, it does not write.
    expect(await code(viewSnapshots.create('mine', 'Vic'))).toBe('READ_ONLY');

    // What the tap saw: sockets to both rooms, proofs, and signed API requests, but no secret.
    const frames = wire.items.filter((i) => i.what === 'frame');
    const requests = wire.items.filter((i) => i.what === 'http');
    expect(wire.items.filter((i) => i.what === 'upgrade').length).toBeGreaterThanOrEqual(3);
    expect(frames.length).toBeGreaterThan(5);
    expect(requests.length).toBeGreaterThan(10);
    const secrets = [
      ...forms('edit key', editKey, fromBase64url(editKey)),
      ...forms('view key', viewKey, fromBase64url(viewKey)),
      ...forms('edit signing secret', null, signingSecret('edit', editKey)),
      ...forms('view signing secret', null, signingSecret('view', viewKey)),
    ];
    for (const item of wire.items) for (const s of secrets) expect(contains(item.bytes, s.needle), `${s.label} in ${item.what}`).toBe(false);

    // A recorded signed request, sent again as it was: refused (its nonce is spent).
    const signed = new TextDecoder().decode(requests.find((r) => new TextDecoder().decode(r.bytes).startsWith(`GET ${relay.httpUrl}/api/w/${keys.id}/snapshots\n`))!.bytes);
    const header = (JSON.parse(signed.split('\n')[1]) as [string, string][]).find(([k]) => k === PROOF_HEADER.toLowerCase())![1];
    const replayed = await fetch(`${relay.httpUrl}/api/w/${keys.id}/snapshots`, { headers: { [PROOF_HEADER]: header } });
    expect(replayed.status).toBe(401);
    // …and so is the same proof on another path, or with the key in the legacy header.
    expect((await fetch(`${relay.httpUrl}/api/w/${keys.id}/snapshots/${kept.id}`, { headers: { [PROOF_HEADER]: header } })).status).toBe(401);
    expect((await fetch(`${relay.httpUrl}/api/w/${keys.id}/snapshots`, { headers: { 'X-Workbook-Key': `edit:${editKey}` } })).status).toBe(401);
  });
});

describe('the hub’s disk keeps no overwritten text', () => {
  it('a canary written, overwritten twice and compacted past RETAIN_MS is in neither the database file nor its WAL', async () => {
    // RETAIN_MS=1: by the time the room is unloaded every update is older than the window, so
    // compaction folds them all into a garbage-collected base. (Within RETAIN_MS the retained log
    // keeps old text on purpose; snapshots keep what they were taken of: both are off this test's path.)
    const relay = await startRelay({ env: { RETAIN_MS: '1', AUTO_SNAPSHOT_MS: '0' } });
    relays.push(relay);
    const keys = await newWorkbookKeys();
    const canary = `CANARY-${Math.random().toString(36).slice(2)}-text-nobody-should-find`;
    const a: TestClient = makeClient(relay.syncUrl, keys.id, 'Ana', new Y.Doc(), keys.edit);
    cleanups.push(() => a.destroy());
    const sheet = a.wb.initialize({ title: 'Shelter' });
    const [row] = a.wb.rowIds(sheet);
    const [col] = a.wb.columns(sheet);
    await allOnHub(a);
    a.wb.setCell(sheet, row, col.id, canary);
    await allOnHub(a);
    a.wb.setCell(sheet, row, col.id, 'second value');
    await allOnHub(a);
    a.wb.setCell(sheet, row, col.id, 'third value');
    await allOnHub(a);
    const files = () => [DB_FILE_NAME, `${DB_FILE_NAME}-wal`].map((f) => join(relay.dataDir, f)).filter(existsSync);
    const hits = () => files().filter((f) => readFileSync(f).indexOf(Buffer.from(canary)) >= 0);
    // The scan finds it while it is meant to be there (the update logs)…
    expect(hits().length).toBeGreaterThan(0);
    await cleanups.pop()!();
    // …and not once the room is unloaded (after ROOM_GRACE_MS, 200 ms): compacted, pruned, the WAL checkpointed.
    const deadline = Date.now() + 10_000;
    while (hits().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(hits()).toEqual([]);
    // …and the workbook is whole: the latest text is there.
    const b = makeClient(relay.syncUrl, keys.id, 'Ben', new Y.Doc(), keys.edit);
    cleanups.push(() => b.destroy());
    await untilDoc(b, () => b.wb.isInitialized() && b.wb.getValue(sheet, row, col.id) === 'third value', 'the latest value loads');
  });
});
