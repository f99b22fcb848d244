import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
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
  // While the listeners are set aside, lib0's `off` would find no 'update' entry and do nothing,
  // and the listener it was asked to remove would come back with the others: it is removed from
  // the set aside instead (an own property over the prototype's method, deleted when done).
  const off = doc.off;
  const offWhileHeld = function (this: Y.Doc, name: string, f: Listener) {
    if (name === 'update' && held) held.listeners.delete(f);
    else off.call(this, name as never, f as never);
  };
  const putBack = () => {
    if (!held) return;
    delete (doc as unknown as { off?: unknown }).off;
    const added = observers.get('update');
    if (added) for (const f of added) held.listeners.add(f);
    if (held.listeners.size > 0) observers.set('update', held.listeners);
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
    (doc as unknown as { off: typeof offWhileHeld }).off = offWhileHeld;
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
 *
 * The bytes are passed on only when they are exactly what went in: when Yjs holds no structs back
 * from earlier messages (a message filling their gap brings them in too, and they are in no bytes
 * at hand), and when the update applied whole. One that breaks off part-way (a truncated or forged
 * update: Yjs applies what it read before it throws) is logged as y-protocols logs it, and what
 * did go in is encoded from the doc, so the stored copy never holds bytes that fail to load.
 */
export function storeReceivedAsIs(provider: WebsocketProvider): void {
  const plain = provider.messageHandlers[MESSAGE_SYNC];
  provider.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, p, emitSynced, type) => {
    const doc = p.doc;
    const big = bigPayload(decoder);
    if (!big || doc.store.pendingStructs !== null || doc.store.pendingDs !== null) return plain(encoder, decoder, p, emitSynced, type);
    decoder.pos = big.end;
    // What y-websocket's own handler writes for a step 2 or an update: a reply of no content, not sent.
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    const skip = skipUpdateEncodingOnce(doc, (tr) => tr.origin === p);
    let skipped: Y.Transaction | null;
    let whole = false;
    try {
      Y.applyUpdate(doc, big.payload, p);
      whole = true;
    } catch (err) {
      console.error('Caught error while handling a Yjs update', err);
    } finally {
      skipped = skip.stop();
    }
    // Heard before the provider says it is synced, as with y-websocket's own handler.
    if (skipped && changedAnything(skipped)) doc.emit('update', [whole ? big.payload : appliedBy(doc, skipped), p, doc, skipped]);
    if (emitSynced && big.kind === syncProtocol.messageYjsSyncStep2 && !p.synced) p.synced = true;
  };
}

/** What a transaction that broke off part-way did apply: everything past its start (deletions whole, which applying again ignores). */
function appliedBy(doc: Y.Doc, tr: Y.Transaction): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, tr.beforeState.size);
  for (const [client, clock] of tr.beforeState) {
    encoding.writeVarUint(enc, client);
    encoding.writeVarUint(enc, clock);
  }
  return Y.encodeStateAsUpdate(doc, encoding.toUint8Array(enc));
}

/** A step 2 or update message of at least AS_IS_BYTES at `decoder`'s position: its kind, payload and where it ends. */
function bigPayload(decoder: decoding.Decoder): { kind: number; payload: Uint8Array; end: number } | null {
  if (decoder.arr.length - decoder.pos < AS_IS_BYTES) return null;
  try {
    const dec = decoding.createDecoder(decoder.arr.subarray(decoder.pos));
    const kind = decoding.readVarUint(dec);
    if (kind !== syncProtocol.messageYjsSyncStep2 && kind !== syncProtocol.messageYjsUpdate) return null;
    const payload = decoding.readVarUint8Array(dec);
    return { kind, payload, end: decoder.pos + dec.pos };
  } catch {
    return null;
  }
}
