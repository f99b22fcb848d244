import type * as Y from 'yjs';

type Listener = (...args: unknown[]) => void;

/**
 * Yjs encodes every transaction into an update for the doc's 'update' listeners. The first load
 * from this device's disk is the whole workbook, already stored: encoding it again (~0.3 s for
 * 10k × 10) only to have every listener drop it (y-indexeddb and the local saver skip their own
 * origin; the providers are not connected yet) was a fifth of a returning open. So for the one
 * transaction `isLoad` picks, the 'update' listeners are set aside and put back as soon as that
 * transaction's cleanup ends, or the moment any other transaction starts (one an observer opens
 * then gets its update as always). Returns a function that puts everything back.
 */
export function skipUpdateEncodingOnce(doc: Y.Doc, isLoad: (tr: Y.Transaction) => boolean): () => void {
  // lib0's Observable keeps listeners by name in `_observers`; yjs only encodes when the name is there.
  const observers = (doc as unknown as { _observers: Map<string, Set<Listener>> })._observers;
  let held: Set<Listener> | null = null;
  let done = false;
  const restore = () => {
    if (!held) return;
    const added = observers.get('update');
    if (added) for (const f of added) held.add(f);
    observers.set('update', held);
    held = null;
  };
  const before = (tr: Y.Transaction) => {
    restore();
    if (done || !isLoad(tr)) return;
    done = true;
    const current = observers.get('update');
    if (!current) return;
    held = current;
    observers.delete('update');
  };
  const stop = () => {
    restore();
    doc.off('beforeTransaction', before);
    doc.off('afterAllTransactions', restore);
  };
  doc.on('beforeTransaction', before);
  doc.on('afterAllTransactions', restore);
  return stop;
}
