import * as Y from 'yjs';

/** The top-level map of clock marks (docs/schema.md): Yjs client id (decimal) → a count. */
export const CLOCK_MARKS = 'clockMarks';

/**
 * A device counts a change as on the hub by Yjs clocks (src/sync/hub-state.ts), and a Yjs
 * deletion moves no clock: restoring a row from the trash (deleting its tombstone key) or undoing
 * a value typed into an empty cell would read "all on the hub" while it is on this device only,
 * and removing the workbook from the device would be allowed to lose it. So a local transaction
 * that deleted something and made no struct of this device's is followed at once by one that does:
 * the device's own key in CLOCK_MARKS goes up by one. That second update is sent after the first
 * on the same ordered channel, so the hub acking its clock means it holds the deletion too.
 * The mark's origin is its own (no undo manager tracks it: an undo step of nothing would be one
 * key press that does nothing).
 */
export function markDeletionOnlyChanges(doc: Y.Doc): () => void {
  const marks = doc.getMap<unknown>(CLOCK_MARKS);
  const origin = Symbol('clock mark');
  const afterTransaction = (tr: Y.Transaction) => {
    if (!tr.local || tr.origin === origin || tr.deleteSet.clients.size === 0) return;
    const id = doc.clientID;
    if ((tr.afterState.get(id) ?? 0) > (tr.beforeState.get(id) ?? 0)) return;
    const key = String(id);
    const was = marks.get(key);
    doc.transact(() => marks.set(key, (typeof was === 'number' && Number.isSafeInteger(was) && was >= 0 ? was : 0) + 1), origin);
  };
  doc.on('afterTransaction', afterTransaction);
  return () => doc.off('afterTransaction', afterTransaction);
}
