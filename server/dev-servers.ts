/**
 * `npm run dev`: the relay on RELAY_PORT (default 8787) plus Vite's dev server
 * with hot reload, which forwards /sync to it (see vite.config.ts).
 * `npm start` is the product; this is for working on the UI.
 */
import { createServer } from 'vite';
import { configFromEnv } from './config.js';
import { jsonLogger } from './log.js';
import { createRelay } from './relay.js';
import { SqliteStore } from './store.js';

const config = { ...configFromEnv({ ...process.env, PORT: process.env.RELAY_PORT ?? '8787', HOST: '127.0.0.1' }) };
const relay = createRelay(config, new SqliteStore(config.dataDir), jsonLogger());
await relay.listen();
const vite = await createServer({ server: { host: process.env.HOST ?? '0.0.0.0' } });
await vite.listen();
vite.printUrls();
const stop = async () => {
  await vite.close();
  await relay.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
