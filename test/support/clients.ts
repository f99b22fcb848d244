import * as Y from 'yjs';
import WebSocket from 'ws';
import { Workbook } from '../../src/model/index.js';
import type { Credential } from '../../src/protocol/access.js';
import { MESSAGE_DURABLE_ACK } from '../../src/protocol/messages.js';
import { MemoryHubStateStore } from '../../src/sync/hub-state.js';
import { SyncSession } from '../../src/sync/session.js';
import { SealedSession } from '../../src/sync/sealed/session.js';
import { sealedKeysFor } from '../../src/protocol/sealed-keys.js';
import { DOC_WORKBOOK } from '../../src/protocol/sealed.js';
import type { SyncStatus } from '../../src/sync/status.js';
import type { WorkbookSession } from '../../src/sync/workbook-session.js';
import { until } from './wait.js';

export interface TestClient {
  doc: Y.Doc;
  wb: Workbook;
  session: SyncSession;
  destroy(): Promise<void>;
}

/** A real y-websocket client (through our SyncSession) in Node, without IndexedDB. */
export function makeClient(syncUrl: string, workbookId: string, name = 'tester', doc = new Y.Doc(), credential: Credential | null = null): TestClient {
  const session = new SyncSession({
    credential,
    doc,
    workbookId,
    syncUrl,
    hubStateStore: new MemoryHubStateStore(),
    WebSocketPolyfill: WebSocket,
    maxBackoffMs: 300,
    crossTab: false,
  });
  const wb = new Workbook(doc, { actor: { name, deviceId: `${name}-device` } });
  return {
    doc,
    wb,
    session,
    destroy: async () => {
      wb.destroy();
      await session.destroy();
      doc.destroy();
    },
  };
}

/** A client of either kind: what waiting on its status needs. */
type WithSession = { session: Pick<WorkbookSession, 'getStatus' | 'onStatus'> };

export function untilStatus(c: WithSession, pred: (s: SyncStatus) => boolean, what: string): Promise<void> {
  return until((n) => c.session.onStatus(n), () => pred(c.session.getStatus()), what);
}

export function untilDoc(c: { doc: Y.Doc }, pred: () => boolean, what: string): Promise<void> {
  return until(
    (n) => {
      c.doc.on('update', n);
      return () => c.doc.off('update', n);
    },
    pred,
    what,
  );
}

/**
 * Resolves once the hub has durably acked `client` up to `clock` to this device (a colleague's ack
 * comes lazily, within COLLEAGUE_ACK_MS: its status says nothing, so the ack handler is watched).
 */
export function untilHubAcked(c: TestClient, client: number, clock: number, what: string): Promise<void> {
  const handlers = c.session.provider.messageHandlers;
  const handle = handlers[MESSAGE_DURABLE_ACK];
  const listeners = new Set<() => void>();
  handlers[MESSAGE_DURABLE_ACK] = (...args) => {
    handle(...args);
    for (const n of listeners) n();
  };
  return until(
    (n) => {
      listeners.add(n);
      return () => listeners.delete(n);
    },
    () => c.session.hubAckedClock(client) >= clock,
    what,
  ).finally(() => {
    handlers[MESSAGE_DURABLE_ACK] = handle;
  });
}

export const allOnHub = (c: WithSession) => untilStatus(c, (s) => s.connection === 'online' && s.caughtUp && s.pending === 0, 'all changes on the hub');

export interface SealedTestClient {
  doc: Y.Doc;
  wb: Workbook;
  session: SealedSession;
  destroy(): Promise<void>;
}

/** A sealed workbook's device in Node: the envelope through a real SyncSession, the workbook in memory. */
export function makeSealedClient(syncUrl: string, workbookId: string, name: string, credential: Credential, options: { readOnly?: boolean; batchMs?: number; compactJitterMs?: number } = {}): SealedTestClient {
  const doc = new Y.Doc();
  const session = new SealedSession({
    credential,
    doc,
    keys: sealedKeysFor(workbookId, credential),
    docTag: DOC_WORKBOOK,
    deviceId: `${name}-device`,
    workbookId,
    syncUrl,
    hubStateStore: new MemoryHubStateStore(),
    WebSocketPolyfill: WebSocket,
    maxBackoffMs: 300,
    crossTab: false,
    batchMs: options.batchMs ?? 20,
    compactJitterMs: options.compactJitterMs ?? 0,
  });
  const wb = new Workbook(doc, { actor: { name, deviceId: `${name}-device` }, readOnly: options.readOnly ?? credential.role === 'view' });
  return {
    doc,
    wb,
    session,
    destroy: async () => {
      wb.destroy();
      await session.destroy();
      doc.destroy();
    },
  };
}

/** Sealed clients wait the same way (kept as names the sealed tests read well with). */
export const untilSealed = untilStatus;
export const allSealedOnHub = allOnHub;
