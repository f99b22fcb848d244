import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket, { WebSocketServer } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { ClockGuard } from '../../src/sync/clock-guard.js';
import { HubState } from '../../src/sync/hub-state.js';
import { MESSAGE_SYNC } from '../../src/protocol/messages.js';
import { until } from '../support/wait.js';

/**
 * A stand-in hub that answers a device's first sync step 1 with nothing and never answers the
 * clock guard's second one, so the guard's check stays open until the test closes the socket.
 * (The real hub answers at once: the window this holds open is the one a socket dropping
 * mid-check falls into.)
 */
function silentHub() {
  const server: Server = createServer();
  const wss = new WebSocketServer({ server });
  const sockets: WebSocket[] = [];
  const askedTwice: (() => void)[] = [];
  let asked = 0;
  wss.on('connection', (ws) => {
    sockets.push(ws);
    let steps = 0;
    ws.on('message', (data: Buffer) => {
      const dec = decoding.createDecoder(new Uint8Array(data));
      if (decoding.readVarUint(dec) !== MESSAGE_SYNC || decoding.readVarUint(dec) !== 0) return;
      if (++steps === 1) {
        const enc = encoding.createEncoder();
        encoding.writeVarUint(enc, MESSAGE_SYNC);
        encoding.writeVarUint(enc, 1);
        encoding.writeVarUint8Array(enc, Y.encodeStateAsUpdate(new Y.Doc()));
        ws.send(encoding.toUint8Array(enc));
      } else {
        asked++;
        askedTwice.splice(0).forEach((f) => f());
      }
    });
  });
  return {
    listen: () => new Promise<number>((res) => server.listen(0, '127.0.0.1', () => res((server.address() as AddressInfo).port))),
    untilAsked: () => new Promise<void>((res) => (asked > 0 ? res() : askedTwice.push(res))),
    dropAll: () => sockets.splice(0).forEach((s) => s.terminate()),
    close: () => new Promise<void>((res) => {
      wss.clients.forEach((c) => c.terminate());
      wss.close();
      server.close(() => res());
    }),
  };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the clock guard and other tabs', () => {
  it('a change another tab posted while the check waited on the hub is applied when the socket drops, not thrown away', async () => {
    const hub = silentHub();
    const port = await hub.listen();
    cleanups.push(() => hub.close());
    const url = `ws://127.0.0.1:${port}`;
    const room = `guard-tabs-${Math.random().toString(36).slice(2)}`;

    // This tab holds work the hub has not acked, so connecting starts a check.
    const doc = new Y.Doc();
    doc.getMap('m').set('mine', 1);
    const provider = new WebsocketProvider(url, room, doc, { connect: false, WebSocketPolyfill: WebSocket as never, maxBackoffTime: 100 });
    cleanups.push(() => provider.destroy());
    new ClockGuard(provider, new HubState(), () => {});
    // Counts what reaches the guard from other tabs (y-websocket passes emitSynced false for those).
    const guarded = provider.messageHandlers[MESSAGE_SYNC];
    let fromTabs = 0;
    const tabListeners = new Set<() => void>();
    provider.messageHandlers[MESSAGE_SYNC] = (enc, dec, p, emitSynced, type) => {
      guarded(enc, dec, p, emitSynced, type);
      if (!emitSynced) {
        fromTabs++;
        tabListeners.forEach((l) => l());
      }
    };
    provider.connect();
    await hub.untilAsked();

    // Another tab of the same browser, offline itself: its change reaches this one by BroadcastChannel only.
    const other = new Y.Doc();
    const tab = new WebsocketProvider(url, room, other, { connect: false, WebSocketPolyfill: WebSocket as never });
    cleanups.push(() => tab.destroy());
    tab.connectBc();
    const seen = fromTabs;
    other.getMap('m').set('from the other tab', 'kept');
    await until((n) => (tabListeners.add(n), () => tabListeners.delete(n)), () => fromTabs > seen, 'the other tab’s change reaches the guard');
    expect(doc.getMap('m').get('from the other tab')).toBeUndefined();

    hub.dropAll();
    await until(
      (n) => (doc.on('update', n), () => doc.off('update', n)),
      () => doc.getMap('m').get('from the other tab') === 'kept',
      'the other tab’s change applied once the socket is gone',
    );
    expect(doc.getMap('m').get('mine')).toBe(1);
  });
});
