import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostedHub } from '../../server/hosted.js';
import { silentLogger } from '../../server/log.js';
import { PostgresStore } from '../../server/pg-store.js';
import { startBackends, type HostedBackends } from '../support/hosted.js';

// Seen in CI: an automatic snapshot that waited on the room's row while the workbook was being
// retired made the row again afterwards and kept its snapshot, so Postgres still held the
// workbook's contents after retirement.
let backends: HostedBackends;

beforeAll(async () => {
  backends = await startBackends();
}, 60_000);
afterAll(async () => {
  await backends?.destroy();
});

/** Resolves once some statement starting with `prefix` is waiting on a lock (asked of Postgres each round trip). */
async function untilWaitingOnLock(c: pg.Client, prefix: string): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    const r = await c.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1", [`${prefix}%`]);
    if (r.rows.length > 0) return;
  }
  throw new Error(`no statement starting "${prefix}" ever waited on a lock`);
}

describe('hosted hub: an automatic snapshot racing a retirement', () => {
  it('one that waited on the row while the workbook was retired keeps nothing, and makes no row for it', async () => {
    const room = 'retire-race';
    const hub = await HostedHub.open({ databaseUrl: backends.pg.url, redisUrl: backends.redis.url, redisPrefix: 'race:' }, { autoSnapshotMs: 3_600_000, maxDocBytes: 1 << 24 }, silentLogger);
    const retirer = new pg.Client(backends.pg.url);
    const watcher = new pg.Client(backends.pg.url);
    await Promise.all([retirer.connect(), watcher.connect()]);
    try {
      // the retirement's first steps, as PostgresStore.retire takes them: the row locked, the marker written
      await retirer.query('BEGIN');
      await retirer.query('INSERT INTO rooms (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name', [room]);
      await retirer.query('INSERT INTO retired (workbook, at) VALUES ($1, $2)', [room, Date.now()]);
      hub.autoSnapshot(room, { name: 'Automatic', kind: 'auto', by: 'hub', at: Date.now() }, new Uint8Array([0, 0]));
      await untilWaitingOnLock(watcher, 'INSERT INTO rooms');
      await retirer.query('DELETE FROM rooms WHERE name = $1', [room]);
      await retirer.query('COMMIT');
      // close waits for the hub's background work, the snapshot among it
      await hub.close();
      const store = await PostgresStore.open(backends.pg.url);
      try {
        expect(await store.listSnapshots(room)).toEqual([]);
        expect(await store.retiredAt(room)).not.toBeNull();
      } finally {
        await store.close();
      }
      const rows = await watcher.query('SELECT 1 FROM rooms WHERE name = $1', [room]);
      expect(rows.rows).toEqual([]);
    } finally {
      await Promise.all([retirer.end(), watcher.end()]);
    }
  }, 60_000);
});
