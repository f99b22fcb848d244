/**
 * For the bench's idle-memory figure: ours (SQLite on a fresh data dir) or the reference
 * y-websocket server in this process, run with --expose-gc. Each line on stdin asks for
 * memory after a full collection: "MEM <heapUsed> <rss> <external>" on stdout.
 */
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { writeHeapSnapshot } from 'node:v8';
import { WebSocketServer } from 'ws';
import { setupWSConnection } from '@y/websocket-server/utils';
import { configFromEnv } from '../../../server/config.js';
import { createRelay } from '../../../server/relay.js';
import { SqliteStore } from '../../../server/store.js';
import { silentLogger } from '../../../server/log.js';

async function listen(kind: string): Promise<number> {
  if (kind === 'ours') {
    const dataDir = mkdtempSync(join(tmpdir(), 'ms-idle-'));
    const config = configFromEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      OPEN_WORKBOOKS_WRITABLE: '1',
      MAX_CONNECTIONS: '100000',
      MAX_CONNECTIONS_PER_IP: '100000',
      MAX_ROOM_LOADS_PER_IP: '100000',
      MAX_ROOMS: '100000',
    });
    const relay = createRelay(config, new SqliteStore(dataDir), silentLogger);
    return (await relay.listen()).port;
  }
  const server = createServer((_req, res) => res.writeHead(200).end('ok'));
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => setupWSConnection(ws, req)));
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  return (server.address() as AddressInfo).port;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const port = await listen(process.argv[2] ?? 'ours');
process.stdout.write(`LISTENING ${port}\n`);
process.stdin.on('data', (d) => {
  // "snapshot <file>": a heap snapshot, for finding where an idle connection's memory goes
  const [command, file] = String(d).trim().split(' ');
  if (command === 'snapshot' && file) writeHeapSnapshot(file);
  gc();
  gc();
  const m = process.memoryUsage();
  process.stdout.write(`MEM ${m.heapUsed} ${m.rss} ${m.external}\n`);
});
