import { afterEach } from 'vitest';
import type { TestClient } from './clients.js';
import type { RawSocket } from './raw-socket.js';
import type { RelayProcess } from './relay-process.js';

/**
 * What a test file's tests start against the real hub, each ended after every test: raw sockets
 * first (cut, as a hostile device would vanish), then the clients, then the hubs (killed, so a
 * test's last writes are never flushed by a clean shutdown it did not ask for).
 */
export function endedAfterEach(): { relays: RelayProcess[]; clients: TestClient[]; sockets: RawSocket[] } {
  const started = { relays: [] as RelayProcess[], clients: [] as TestClient[], sockets: [] as RawSocket[] };
  afterEach(async () => {
    for (const s of started.sockets.splice(0)) s.ws.terminate();
    await Promise.all(started.clients.splice(0).map((c) => c.destroy()));
    await Promise.all(started.relays.splice(0).map((r) => r.stop('SIGKILL')));
  });
  return started;
}
