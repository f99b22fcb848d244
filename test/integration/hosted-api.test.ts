import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../../src/protocol/messages.js';
import { SnapshotApiError } from '../../src/protocol/snapshots.js';
import { newSealedWorkbookKeys } from '../../src/protocol/sealed-keys.js';
import { Workbook } from '../../src/model/index.js';
import { RetainedClient } from '../../src/sync/retained.js';
import { retireOnHub } from '../../src/sync/retire.js';
import { SnapshotClient } from '../../src/sync/snapshots.js';
import type { SyncStatus } from '../../src/sync/status.js';
import { PostgresStore } from '../../server/pg-store.js';
import { allSealedOnHub, makeSealedClient, untilDoc, type SealedTestClient } from '../support/clients.js';
import { startBackends, startHostedHub, type HostedBackends } from '../support/hosted.js';
import type { RelayProcess } from '../support/relay-process.js';
import { until } from '../support/wait.js';

/**
 * The workbook HTTP API on a hosted hub (issue 19): snapshots, "Restore to…" (the retained log)
 * and retiring answer from Postgres on whichever process a request reaches, for a workbook whose
 * devices are connected to another.
 */
let backends: HostedBackends;
const hubs: RelayProcess[] = [];
const clients: SealedTestClient[] = [];

beforeAll(async () => {
  backends = await startBackends();
}, 60_000);
afterAll(async () => {
  await backends?.destroy();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await Promise.all(hubs.splice(0).map((h) => h.stop('SIGKILL')));
});

const code = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof SnapshotApiError ? e.code : String(e)));

function untilStatus(c: SealedTestClient, pred: (s: SyncStatus) => boolean, what: string): Promise<void> {
  return until((n) => c.session.onStatus(n), () => pred(c.session.getStatus()), what);
}

/** The workbook in an opened snapshot or state: its first sheet's first column, top to bottom. */
function firstColumn(update: Uint8Array): (string | null)[] {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  const wb = new Workbook(doc, { actor: { name: 'Reader', deviceId: 'reader' }, readOnly: true });
  try {
    const sheet = wb.sheets()[0].id;
    const col = wb.columns(sheet)[0].id;
    return wb.rowIds(sheet).map((r) => wb.getValue(sheet, r, col) as string | null);
  } finally {
    wb.destroy();
    doc.destroy();
  }
}

/** Two hub processes, and a sealed workbook Ana made on the first (one column of `rows` rows); Ben, if asked, on the second. */
async function twoProcesses(rows: number, withBen = false) {
  const [a, b] = await Promise.all([startHostedHub(backends), startHostedHub(backends)]);
  hubs.push(a, b);
  const keys = newSealedWorkbookKeys();
  const ana = makeSealedClient(a.syncUrl, keys.id, 'Ana', keys.edit);
  clients.push(ana);
  const ben = withBen ? makeSealedClient(b.syncUrl, keys.id, 'Ben', keys.edit) : null;
  if (ben) clients.push(ben);
  await ana.session.whenLoaded;
  const sheet = ana.wb.initialize({ rows, columns: 1 });
  const col = ana.wb.columns(sheet)[0].id;
  return { a, b, keys, ana, ben: ben!, sheet, col };
}

describe('hosted hub: the workbook API on any process', () => {
  it('a snapshot taken through one process of a workbook edited on another holds every acked change, lists and opens on both, and a named one is deleted through either', async () => {
    const { a, b, keys, ana, sheet, col } = await twoProcesses(3);
    const rows = ana.wb.rowIds(sheet);
    ana.wb.setCell(sheet, rows[0], col, 'Rosa: 555-0100');
    ana.wb.setCell(sheet, rows[1], col, 'Beans: 4 cans');
    await allSealedOnHub(ana);

    // Process B has never loaded this workbook: it reads Postgres.
    const onB = new SnapshotClient(b.httpUrl, keys.id, keys.edit);
    const taken = await onB.create('Before the distribution', 'Ana');
    expect(taken).toMatchObject({ name: 'Before the distribution', by: 'Ana', kind: 'named' });
    const onA = new SnapshotClient(a.httpUrl, keys.id, keys.edit);
    expect((await onA.list()).filter((s) => s.kind === 'named').map((s) => s.name)).toEqual(['Before the distribution']);
    const opened = await onA.open(taken.id);
    expect(opened.failures).toEqual([]);
    expect(firstColumn(Y.encodeStateAsUpdate(opened.doc))).toEqual(['Rosa: 555-0100', 'Beans: 4 cans', null]);

    // A view link lists and opens, and may not take or delete.
    const viewer = new SnapshotClient(b.httpUrl, keys.id, keys.view);
    expect((await viewer.list()).some((s) => s.id === taken.id)).toBe(true);
    expect(await code(viewer.create('mine', 'Vic'))).toBe('READ_ONLY');
    expect(await code(viewer.delete(taken.id))).toBe('READ_ONLY');

    await onA.delete(taken.id);
    expect((await onB.list()).some((s) => s.id === taken.id)).toBe(false);
    expect(await code(onB.fetch(taken.id))).toBe('UNKNOWN_SNAPSHOT');
    opened.doc.destroy();
  }, 60_000);

  it('"Restore to…" through another process: the timeline and the state at a moment before a wipe come from Postgres', async () => {
    const { b, keys, ana, sheet, col } = await twoProcesses(2);
    const [r0, r1] = ana.wb.rowIds(sheet);
    ana.wb.setCell(sheet, r0, col, 'kept');
    ana.wb.setCell(sheet, r1, col, 'also kept');
    await allSealedOnHub(ana);
    const history = new RetainedClient(b.httpUrl, keys.id, keys.edit);
    const before = await history.timeline();
    const lastGood = before.entries[0].at;
    ana.wb.setCell(sheet, r0, col, 'wiped');
    ana.wb.setCell(sheet, r1, col, 'wiped');
    await allSealedOnHub(ana);
    const after = await history.timeline();
    expect(after.entries[0].at).toBeGreaterThan(lastGood);
    const then = await history.openedStateAt(lastGood);
    expect(then.failures).toEqual([]);
    expect(firstColumn(then.update)).toEqual(['kept', 'also kept']);
    const now = await history.openedStateAt(after.entries[0].at);
    expect(firstColumn(now.update)).toEqual(['wiped', 'wiped']);
    expect(await code(new RetainedClient(b.httpUrl, keys.id, newSealedWorkbookKeys().edit).stateAt(Date.now()))).toBe('UNAUTHORIZED');
  }, 60_000);

  it('retiring through one process closes the workbook’s devices on every process; afterwards no process lets it in, serves it, or stores a write for it, and Postgres keeps nothing of it', async () => {
    const { a, b, keys, ana, ben, sheet, col } = await twoProcesses(2, true);
    ana.wb.setCell(sheet, ana.wb.rowIds(sheet)[0], col, 'Rosa: 555-0100');
    await allSealedOnHub(ana);
    await untilDoc(ben, () => ben.wb.isInitialized() && ben.wb.getValue(sheet, ben.wb.rowIds(sheet)[0], col) === 'Rosa: 555-0100', 'Ben (process B) has it');

    await retireOnHub(a.httpUrl, keys.id, keys.edit);
    // Ben is on the other process: told through Redis, at once
    await Promise.all([
      untilStatus(ana, (s) => s.lastClose?.code === CloseCode.RETIRED, 'Ana (process A) told'),
      untilStatus(ben, (s) => s.lastClose?.code === CloseCode.RETIRED, 'Ben (process B) told'),
    ]);
    // A device arriving at either process is refused the same way.
    for (const hub of [a, b]) {
      const late = makeSealedClient(hub.syncUrl, keys.id, 'Late', keys.edit);
      clients.push(late);
      await untilStatus(late, (s) => s.lastClose?.code === CloseCode.RETIRED, `a late device on ${hub.httpUrl} refused`);
      expect(late.wb.isInitialized()).toBe(false);
    }
    // Nothing of it is served by either process.
    for (const hub of [a, b]) {
      expect(await code(new SnapshotClient(hub.httpUrl, keys.id, keys.edit).list())).toBe('RETIRED');
      expect(await code(new RetainedClient(hub.httpUrl, keys.id, keys.edit).timeline())).toBe('RETIRED');
    }
    // retiring again, through the other process, is retiring once
    await retireOnHub(b.httpUrl, keys.id, keys.edit);
    const store = await PostgresStore.open(backends.pg.url);
    try {
      const { stored } = await store.loadSequenced(keys.id);
      expect(stored.snapshot).toBeNull();
      expect(stored.updates).toEqual([]);
      expect(await store.listSnapshots(keys.id)).toEqual([]);
      expect(await store.retiredAt(keys.id)).not.toBeNull();
    } finally {
      await store.close();
    }
  }, 60_000);

  it('with Redis away when it is retired, a process that missed the word finds out at its device’s next write: that write is never acked, and the device is told', async () => {
    const { a, keys, ana, ben, sheet, col } = await twoProcesses(2, true);
    await allSealedOnHub(ana);
    await untilDoc(ben, () => ben.wb.isInitialized(), 'Ben (process B) has it');
    await backends.redis.stop();
    try {
      await retireOnHub(a.httpUrl, keys.id, keys.edit);
      await untilStatus(ana, (s) => s.lastClose?.code === CloseCode.RETIRED, 'Ana (process A) told');
      expect(ben.session.getStatus().connection).toBe('online');
      ben.wb.setCell(sheet, ben.wb.rowIds(sheet)[1], col, 'written after the move');
      await untilStatus(ben, (s) => s.lastClose?.code === CloseCode.RETIRED, 'Ben told at his write');
      // the write went nowhere, and Ben's device still counts it as not on the hub
      expect(ben.session.getStatus().pending).toBeGreaterThan(0);
    } finally {
      await backends.redis.start();
    }
  }, 60_000);
});
