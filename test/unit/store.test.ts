import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, SqliteStore } from '../../server/store.js';
import { storeContract } from './store-contract.js';

storeContract('MemoryStore', () => ({ store: new MemoryStore() }));
storeContract('SqliteStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-store-'));
  return { store: new SqliteStore(dir), reopen: () => new SqliteStore(dir) };
});
