import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asyncStore } from '../../server/async-store.js';
import { MemoryStore, SqliteStore, type StoreOptions } from '../../server/store.js';
import { asyncStoreContract } from './async-store-contract.js';

// The sync stores through the adapter: the async contract is the same contract, so both pass it.
asyncStoreContract('asyncStore(MemoryStore)', { durable: false }, (options) => ({ store: asyncStore(new MemoryStore(options)) }));
asyncStoreContract('asyncStore(SqliteStore)', { durable: true }, (options?: StoreOptions) => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-async-store-'));
  return {
    store: asyncStore(new SqliteStore(dir, options)),
    reopen: async () => asyncStore(new SqliteStore(dir, options)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('asyncStore', () => {
  it('runs each call at once, in call order, and turns a throw into a rejection', async () => {
    const store = asyncStore(new MemoryStore());
    const first = store.append('room-a', new Uint8Array([1]));
    // already stored before the promise is awaited: the adapter adds no turn of its own
    const loaded = store.load('room-a');
    expect((await loaded).updates.map((u) => Array.from(u.data))).toEqual([[1]]);
    expect(await first).toBeGreaterThan(0);
    await store.retire('room-a');
    await expect(store.saveSnapshot('room-a', { name: 'x', kind: 'named', by: 'Ana', at: 1 }, new Uint8Array([1]))).rejects.toThrow(/retired/);
  });
});
