import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../server/pg-store.js';
import { SqliteStore } from '../../server/store.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { bytes, history } from '../unit/async-store-contract.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/** `tsx server/migrate-store.ts …` as the operator runs it (`npm run migrate-store -- …`). */
function migrate(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/migrate-store.ts'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => res({ code, stdout, stderr }));
  });
}

let server: PostgresServer;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'ms-migrate-'));
  dirs.push(d);
  return d;
};

async function database(name: string): Promise<string> {
  const admin = new pg.Client(server.url);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return server.url.replace(/\/postgres$/, `/${name}`);
}

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.destroy();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A SQLite hub with a bit of everything: logs, a fold, saved snapshots, a pruned base, a retired workbook, a 1 MiB update. */
function fillSqlite(dir: string): string[] {
  const clock = { t: 1_000_000 };
  const store = new SqliteStore(dir, { now: () => clock.t });
  const rooms = ['workbook-one', 'workbook-one.h', 'workbook-two', 'workbook-gone'];
  const { updates } = history(12);
  for (const room of rooms) {
    for (const u of updates) {
      clock.t += 100;
      store.append(room, u);
    }
    const seqs = store.load(room).updates.map((u) => u.seq);
    store.compact(room, updates[0], seqs[4]);
    store.saveSnapshot(room, { name: `kept ${room}`, kind: 'named', by: 'Ana', at: clock.t }, updates[1]);
    store.saveSnapshot(room, { name: 'Automatic', kind: 'auto', by: 'hub', at: clock.t + 1 }, updates[2]);
    store.pruneRetained(room, clock.t - 500, { maxUpdates: 3, maxBytes: 1 << 20 });
  }
  store.append('workbook-two', bytes(1024 * 1024, 9));
  store.retire('workbook-gone', 4242);
  store.close();
  return rooms;
}

describe('migrate-store', () => {
  it('copies a SQLite hub into Postgres and back, verified byte for byte, and each copy works as a store', async () => {
    const from = tempDir();
    const rooms = fillSqlite(from);
    const url = await database('there');
    const there = await migrate(['--from', `sqlite:${from}`, '--to', url]);
    expect(there.stderr).toBe('');
    expect(there.code).toBe(0);
    expect(there.stdout).toMatch(/copied 3 rooms/);
    expect(there.stdout).toMatch(/verified/);

    const added = history(1).updates[0];
    const sqlite = new SqliteStore(from);
    const postgres = await PostgresStore.open(url);
    try {
      for (const room of rooms) {
        expect(await postgres.load(room), room).toEqual(sqlite.load(room));
        expect(await postgres.listSnapshots(room), room).toEqual(sqlite.listSnapshots(room));
        expect(await postgres.retainedBase(room), room).toEqual(sqlite.retainedBase(room));
        expect(await postgres.retainedUpdates(room, Number.MAX_SAFE_INTEGER, null, 1000), room).toEqual(
          sqlite.retainedUpdates(room, Number.MAX_SAFE_INTEGER, null, 1000),
        );
      }
      expect(await postgres.retiredAt('workbook-gone.h')).toBe(4242);
      // numbering goes on after the copy's, and stamps after its newest
      const maxSeq = Math.max(...rooms.flatMap((r) => sqlite.load(r).updates.map((u) => u.seq)));
      const lastAt = sqlite.retainedTimeline('workbook-one', 0, Number.MAX_SAFE_INTEGER, 1)[0].at;
      const seq = await postgres.append('workbook-one', added);
      expect(seq).toBeGreaterThan(maxSeq);
      expect((await postgres.retainedTimeline('workbook-one', 0, Number.MAX_SAFE_INTEGER, 1))[0].at).toBeGreaterThan(lastAt);
      expect(await postgres.loadSequenced('workbook-one')).toMatchObject({ roomSeq: sqlite.load('workbook-one').updates.length + 1 });
    } finally {
      sqlite.close();
      await postgres.close();
    }

    const back = tempDir();
    const home = await migrate(['--from', url, '--to', `sqlite:${back}`]);
    expect(home.code).toBe(0);
    expect(home.stdout).toMatch(/verified/);
    const returned = new SqliteStore(back);
    try {
      const loaded = returned.load('workbook-one');
      expect(loaded.updates.at(-1)?.data).toEqual(added);
      expect(returned.retiredAt('workbook-gone')).toBe(4242);
      expect(returned.listSnapshots('workbook-two').map((s) => s.name)).toEqual(['Automatic', 'kept workbook-two']);
    } finally {
      returned.close();
    }
    // two tsx processes start in this test; on a loaded machine each can take seconds
  }, 45_000);

  it('--verify names the room whose copy differs (one byte of one retained update), and exits 1', async () => {
    const from = tempDir();
    fillSqlite(from);
    const url = await database('tampered');
    expect((await migrate(['--from', `sqlite:${from}`, '--to', url])).code).toBe(0);
    const c = new pg.Client(url);
    await c.connect();
    await c.query(
      `UPDATE retained SET data = overlay(data placing '\\x00'::bytea from 3 for 1)
       WHERE seq = (SELECT MAX(seq) FROM retained WHERE room = (SELECT id FROM rooms WHERE name = 'workbook-two.h' OR name = 'workbook-one'))`,
    );
    await c.end();
    const check = await migrate(['--from', `sqlite:${from}`, '--to', url, '--verify']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/DIFFERS workbook-one: retained update \d+@\d+ differs/);
  });

  it('refuses to copy into a store that already holds workbooks (nothing is merged), exit 2', async () => {
    const from = tempDir();
    fillSqlite(from);
    const url = await database('busy');
    const busy = await PostgresStore.open(url);
    await busy.append('someone-else', history(1).updates[0]);
    await busy.close();
    const r = await migrate(['--from', `sqlite:${from}`, '--to', url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already holds workbooks/);
    const after = await PostgresStore.open(url);
    expect((await after.load('workbook-one')).updates).toEqual([]);
    await after.close();
  });
});
