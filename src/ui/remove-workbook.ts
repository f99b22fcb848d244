import { historyRoom } from '../protocol/messages.js';
import type { DeviceProfile } from './device-profile.js';

/**
 * "Remove from this device": every trace of the workbook the app can reach goes, so a
 * device handed on (or searched) says nothing of the group: its list entry, key, device id
 * and "link saved" mark (the profile), the person's sorted and filtered views, the first screen
 * kept from last time (first-screen-cache.ts) and edits typed in it not yet applied (first-screen-edits.ts), what the hub had acknowledged for the workbook
 * and for its journal, and both IndexedDB copies (`mutual-sheets:<id>` and `mutual-sheets:<id>.h`).
 * The hub keeps its own copy.
 * Settles even when the browser refuses a deletion (see deleteLocalCopy).
 */
export async function removeFromDevice(profile: DeviceProfile, storage: Storage, workbookId: string): Promise<void> {
  // These belong to the workbook page (Yjs, IndexedDB, views): the home screen loads them only to delete.
  // Loaded first, so the workbook leaves the list only as its copies start being deleted.
  const [{ ViewStore }, { LocalStorageHubStateStore }, { deleteLocalCopies }, { forgetFirstScreen }, { forgetEdits }] = await Promise.all([
    import('./view-store.js'),
    import('../sync/hub-state.js'),
    import('../sync/session.js'),
    import('./first-screen-cache.js'),
    import('./first-screen-edits.js'),
  ]);
  profile.forget(workbookId);
  new ViewStore(storage, workbookId).forgetAll();
  forgetFirstScreen(storage, workbookId);
  forgetEdits(storage, workbookId);
  const hub = new LocalStorageHubStateStore(storage);
  hub.forget(workbookId);
  hub.forget(historyRoom(workbookId));
  await deleteLocalCopies(workbookId);
}
