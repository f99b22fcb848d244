import type * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import type { WebsocketProvider } from 'y-websocket';
import { MESSAGE_SYNC } from '../protocol/messages.js';

type Listener = (...args: unknown[]) => void;

/**
 * Yjs encodes every transaction into an update for the doc's 'update' listeners. When the bytes
 * are already at hand that encode is waste, and on a big workbook it is a large part of opening
 * (~0.3 s for 10k × 10): the first load from this device's disk (every listener drops it: the
 * local saver and y-indexeddb skip their own origin, the providers are not connected yet), and
 * the hub's answer on a new device (`storeReceivedAsIs`).
 *
 * For the one transaction `isLoad` picks, the 'update' listeners are set aside and put back as
 * soon as that transaction's cleanup ends, or the moment any other transaction starts (one an
 * observer opens then gets its update as always, and so does the picked one: nothing is skipped
 * unless it is skipped whole). `stop()` puts everything back and says which transaction went
 * by with its update unsent, if one did.
 */
export function skipUpdateEncodingOnce(doc: Y.Doc, isLoad: (tr: Y.Transaction) => boolean): { stop: () => Y.Transaction | null } {
  // lib0's Observable keeps listeners by name in `_observers`; yjs only encodes when the name is there.
  const observers = (doc as unknown as { _observers: Map<string, Set<Listener>> })._observers;
  let held: { listeners: Set<Listener>; tr: Y.Transaction } | null = null;
  let skipped: Y.Transaction | null = null;
  let done = false;
  const putBack = () => {
    if (!held) return;
    const added = observers.get('update');
    if (added) for (const f of added) held.listeners.add(f);
    observers.set('update', held.listeners);
    held = null;
  };
  const before = (tr: Y.Transaction) => {
    putBack();
    if (done || !isLoad(tr)) return;
    done = true;
    const current = observers.get('update');
    if (!current) return;
    held = { listeners: current, tr };
    observers.delete('update');
  };
  const after = () => {
    if (held) skipped = held.tr;
    putBack();
  };
  doc.on('beforeTransaction', before);
  doc.on('afterAllTransactions', after);
  return {
    stop: () => {
      putBack();
      doc.off('beforeTransaction', before);
      doc.off('afterAllTransactions', after);
      return skipped;
    },
  };
}

/** Whether a transaction changed the doc (what Yjs checks before it emits an update). */
function changedAnything(tr: Y.Transaction): boolean {
  if (tr.deleteSet.clients.size > 0) return true;
  for (const [client, clock] of tr.afterState) if ((tr.beforeState.get(client) ?? 0) !== clock) return true;
  return false;
}

/** Updates smaller than this are encoded as usual: the saving is in the big ones. */
export const AS_IS_BYTES = 64 * 1024;

/**
 * A big update from the hub (a new device's whole workbook, a colleague's large paste) reaches the
 * doc's 'update' listeners as the bytes that came, instead of Yjs encoding what it applied again.
 * Those bytes hold everything that was applied (and perhaps structs already here, which applying
 * again ignores), so the local saver stores a copy that loads the same; every other listener only
 * looks at the origin. Installed under the clock guard, so it sees each message when it is applied.
 */
export function storeReceivedAsIs(provider: WebsocketProvider): void {
  const plain = provider.messageHandlers[MESSAGE_SYNC];
  provider.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, p, emitSynced, type) => {
    const payload = bigPayload(decoder.arr.subarray(decoder.pos));
    if (!payload) return plain(encoder, decoder, p, emitSynced, type);
    const doc = p.doc;
    const skip = skipUpdateEncodingOnce(doc, (tr) => tr.origin === p);
    let skipped: Y.Transaction | null;
    try {
      plain(encoder, decoder, p, emitSynced, type);
    } finally {
      skipped = skip.stop();
    }
    if (skipped && changedAnything(skipped)) doc.emit('update', [payload, p, doc, skipped]);
  };
}

function bigPayload(bytes: Uint8Array): Uint8Array | null {
  if (bytes.length < AS_IS_BYTES) return null;
  try {
    const dec = decoding.createDecoder(bytes);
    const kind = decoding.readVarUint(dec);
    if (kind !== syncProtocol.messageYjsSyncStep2 && kind !== syncProtocol.messageYjsUpdate) return null;
    return decoding.readVarUint8Array(dec);
  } catch {
    return null;
  }
}
