import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DB_FILE_NAME, MemoryStore, SqliteStore, type StoreOptions } from '../../server/store.js';
import { storeContract } from './store-contract.js';

// the memory store promises nothing across restarts: its restart tests are reported as skipped
storeContract('MemoryStore', { durable: false }, (options) => ({ store: new MemoryStore(options) }));
storeContract('SqliteStore', { durable: true }, (options?: StoreOptions) => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-store-'));
  return {
    store: new SqliteStore(dir, options),
    reopen: () => new SqliteStore(dir, options),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteStore', () => {
  it('retiring a workbook leaves none of its bytes in the database file or its WAL (secure_delete, then a checkpoint)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-store-'));
    const store = new SqliteStore(dir);
    const files = () =>
      Buffer.concat(['', '-wal'].map((ext) => join(dir, DB_FILE_NAME + ext)).filter((f) => existsSync(f)).map((f) => readFileSync(f)));
    const write = (room: string, text: string) => {
      const doc = new Y.Doc();
      const updates: Uint8Array[] = [];
      doc.on('update', (u: Uint8Array) => updates.push(u));
      for (let i = 0; i < 30; i++) doc.getMap('m').set(`k${i}`, `${text}-${i}`);
      for (const u of updates) store.append(room, u);
      store.saveSnapshot(room, { name: `${text}-snapshot`, kind: 'named', by: 'Ana', at: 1 }, Y.encodeStateAsUpdate(doc));
      store.compact(room, Y.encodeStateAsUpdate(doc), store.load(room).updates[10].seq);
      store.pruneRetained(room, Number.MAX_SAFE_INTEGER, { maxUpdates: 5, maxBytes: 1 << 20 });
    };
    write('workbook-gone', 'Canary-Retired-Rosa');
    write('workbook-gone.h', 'Canary-Retired-Journal');
    write('workbook-kept', 'Canary-Kept-Ben');
    expect(files().includes('Canary-Retired-Rosa-7')).toBe(true);
    expect(files().includes('Canary-Retired-Journal-7')).toBe(true);
    store.retire('workbook-gone');
    const after = files();
    expect(after.includes('Canary-Retired')).toBe(false);
    expect(after.includes('Canary-Kept-Ben-7')).toBe(true);
    store.close();
  });

  it('stores an update in both logs or in neither: a batch that fails leaves no trace in either', () => {
    const store = new SqliteStore(mkdtempSync(join(tmpdir(), 'ms-store-')));
    store.append('room-a', new Uint8Array([1]));
    expect(() =>
      store.appendMany([
        { room: 'room-a', update: new Uint8Array([2]) },
        // NOT NULL fails on the second entry, after the first went into both tables
        { room: null as unknown as string, update: new Uint8Array([3]) },
      ]),
    ).toThrow();
    expect(store.load('room-a').updates.map((u) => Array.from(u.data))).toEqual([[1]]);
    expect(store.retainedUpdates('room-a', Number.MAX_SAFE_INTEGER, null, 10).map((u) => Array.from(u.data))).toEqual([[1]]);
    store.close();
  });

  it('upgrading a database from before the retained log: each workbook’s stored state becomes its base, stamped at the upgrade', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-store-'));
    const doc = new Y.Doc();
    doc.getMap('m').set('kept', 'from before');
    const old = new Database(join(dir, DB_FILE_NAME));
    old.exec(`
      CREATE TABLE updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, data BLOB NOT NULL);
      CREATE TABLE snapshots (room TEXT PRIMARY KEY, data BLOB NOT NULL, through_seq INTEGER NOT NULL);
    `);
    old.prepare('INSERT INTO snapshots (room, data, through_seq) VALUES (?, ?, ?)').run('room-a', Y.encodeStateAsUpdate(doc), 3);
    const sv = Y.encodeStateVector(doc);
    doc.getMap('m').set('also', 'logged');
    old.prepare('INSERT INTO updates (seq, room, data) VALUES (?, ?, ?)').run(4, 'room-a', Y.encodeStateAsUpdate(doc, sv));
    old.close();

    const store = new SqliteStore(dir, { now: () => 50_000 });
    expect(store.retainedSummary('room-a')).toMatchObject({ earliest: 50_000, throughSeq: 4 });
    const then = new Y.Doc();
    Y.applyUpdate(then, store.retainedBase('room-a')!.data);
    expect(then.getMap('m').toJSON()).toEqual({ kept: 'from before', also: 'logged' });
    // once, not at every start
    store.close();
    const again = new SqliteStore(dir, { now: () => 90_000 });
    expect(again.retainedSummary('room-a')).toMatchObject({ earliest: 50_000 });
    again.append('room-a', new Uint8Array([0, 0]));
    expect(again.retainedUpdates('room-a', Number.MAX_SAFE_INTEGER, null, 10)[0]).toMatchObject({ seq: 5, at: 90_000 });
    again.close();
  });
});
