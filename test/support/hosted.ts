import * as Y from 'yjs';
import { PostgresStore } from '../../server/pg-store.js';
import type { TestClient } from './clients.js';
import { startPostgres, type PostgresServer } from './postgres.js';
import { startRedis, type RedisServer } from './redis.js';
import { startRelay, type RelayProcess } from './relay-process.js';
import { until } from './wait.js';

export interface HostedBackends {
  pg: PostgresServer;
  redis: RedisServer;
  destroy(): Promise<void>;
}

export async function startBackends(): Promise<HostedBackends> {
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  return {
    pg,
    redis,
    destroy: async () => {
      await Promise.all([pg.destroy(), redis.destroy()]);
    },
  };
}

/** One hub process of the hosted hub (server/main.ts with DATABASE_URL and REDIS_URL). */
export function startHostedHub(b: HostedBackends, env: Record<string, string> = {}): Promise<RelayProcess> {
  return startRelay({ env: { DATABASE_URL: b.pg.url, REDIS_URL: b.redis.url, MAX_MESSAGES_PER_SECOND: '10000', ...env } });
}

/** The workbook as Postgres holds it (snapshot + log), read as a hub process would load it. */
export async function storedDoc(b: HostedBackends, room: string): Promise<Y.Doc> {
  const store = await PostgresStore.open(b.pg.url);
  try {
    const { stored } = await store.loadSequenced(room);
    const doc = new Y.Doc();
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const u of stored.updates) Y.applyUpdate(doc, u.data);
    return doc;
  } finally {
    await store.close();
  }
}

/** The clock Postgres holds for each client's own changes. */
export async function storedClocks(b: HostedBackends, room: string): Promise<Map<number, number>> {
  const doc = await storedDoc(b, room);
  const sv = Y.decodeStateVector(Y.encodeStateVector(doc));
  doc.destroy();
  return sv;
}

/** Waits until every client's doc has the same state vector (each update re-checks). */
export function untilConverged(clients: TestClient[], what: string, timeoutMs = 30_000): Promise<void> {
  const same = () => clients.every((c) => Y.encodeStateVector(c.doc).toString() === Y.encodeStateVector(clients[0].doc).toString());
  return until(
    (notify) => {
      clients.forEach((c) => c.doc.on('update', notify));
      return () => clients.forEach((c) => c.doc.off('update', notify));
    },
    same,
    what,
    timeoutMs,
  );
}

/** Waits until every client says all its changes are on the hub (online, caught up, nothing pending). */
export function untilAllOnHub(clients: TestClient[], timeoutMs = 30_000): Promise<void> {
  return Promise.all(
    clients.map((c) =>
      until(
        (n) => c.session.onStatus(n),
        () => {
          const s = c.session.getStatus();
          return s.connection === 'online' && s.caughtUp && s.pending === 0;
        },
        `${c.wb.getActor().name}: all changes on the hub`,
        timeoutMs,
      ).catch((err: Error) => {
        const behind = Array.from(Y.decodeStateVector(Y.encodeStateVector(c.doc)))
          .filter(([client, clock]) => c.session.hubAckedClock(client) < clock)
          .map(([client, clock]) => `client ${client}${client === c.doc.clientID ? ' (own)' : ''} at ${clock}, acked ${c.session.hubAckedClock(client)}`);
        throw new Error(`${err.message} (status ${JSON.stringify(c.session.getStatus())}; ${behind.join('; ')})`);
      }),
    ),
  ).then(() => {});
}
