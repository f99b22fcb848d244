import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { Workbook } from '../../src/model/index.js';
import { EMPTY_VIEW } from '../../src/model/view.js';
import { historyRoom } from '../../src/protocol/messages.js';
import { HubState, LocalStorageHubStateStore } from '../../src/sync/hub-state.js';
import { SyncSession, localDatabaseName } from '../../src/sync/session.js';
import { DeviceProfile } from '../../src/ui/device-profile.js';
import { removeFromDevice } from '../../src/ui/remove-workbook.js';
import { ViewStore } from '../../src/ui/view-store.js';
import { editsAccess, keepEdit } from '../../src/ui/first-screen-edits.js';

const PAGE = 'page0001';
import { memoryStorage, storageKeys } from '../support/memory-storage.js';

/** Opens a room's local copy as the app does (y-indexeddb, no hub), writes something and closes it. */
async function localCopy(room: string, storage: Storage, write: (doc: Y.Doc) => void): Promise<void> {
  const doc = new Y.Doc();
  const session = new SyncSession({
    doc,
    workbookId: room,
    syncUrl: 'ws://127.0.0.1:9/sync',
    hubStateStore: new LocalStorageHubStateStore(storage),
    persist: true,
    connect: false,
    crossTab: false,
    WebSocketPolyfill: WebSocket,
  });
  await session.whenLoaded;
  write(doc);
  await session.destroy();
  doc.destroy();
}

/** Everything the app writes for one workbook: key, device id, list entry, mark, views, hub acks, a queued edit, both local copies. */
async function useWorkbook(storage: Storage, id: string): Promise<void> {
  const profile = new DeviceProfile(storage);
  profile.keepCredential(id, { role: 'edit', editKey: 'e'.repeat(43) });
  const deviceId = profile.deviceIdFor(id);
  profile.remember({ id, title: `Workbook ${id}`, openedAt: 1 });
  profile.markLinkSaved(id, 5);
  new ViewStore(storage, id).save('sheet00001', { ...EMPTY_VIEW, hidden: ['c1'] });
  new ViewStore(storage, id).save('sheet00002', EMPTY_VIEW);
  const hub = new LocalStorageHubStateStore(storage);
  hub.save(id, new HubState(new Map([[1, 3]])));
  hub.save(historyRoom(id), new HubState(new Map([[2, 4]])));
  // an edit typed in the first screen and not yet applied
  expect(keepEdit(storage, id, editsAccess(id, null, 'none'), { sheetId: 'sheet00001', rowId: 'row0000001', colId: 'col00001', cell: 'A1', text: 'typed', at: 1 }, PAGE).ok).toBe(true);
  const journal = new Y.Doc();
  await localCopy(id, storage, (doc) => {
    const wb = new Workbook(doc, { actor: { name: 'Ana', deviceId }, history: journal });
    wb.initialize({ rows: 1, columns: 1 });
  });
  await localCopy(historyRoom(id), storage, (doc) => Y.applyUpdate(doc, Y.encodeStateAsUpdate(journal)));
}

async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '');
}

describe('Remove from this device', () => {
  it('leaves no key the app wrote for the workbook in localStorage and neither local copy in IndexedDB; other workbooks keep theirs', async () => {
    const storage = memoryStorage();
    const id = 'kRemoveMe1';
    // An open workbook's id may start with another's: removing one must not touch the other.
    const neighbour = 'kRemoveMe1x';
    await useWorkbook(storage, id);
    await useWorkbook(storage, neighbour);
    storage.setItem('mutual-sheets:display-name', 'Ana');
    const neighbourKeys = storageKeys(storage).filter((k) => k.includes(neighbour));
    expect(storageKeys(storage).filter((k) => k.includes(id) && !k.includes(neighbour)).length).toBeGreaterThanOrEqual(7);
    expect(await databaseNames()).toEqual(expect.arrayContaining([localDatabaseName(id), localDatabaseName(historyRoom(id))]));

    const profile = new DeviceProfile(storage);
    await removeFromDevice(profile, storage, id);

    const left = storageKeys(storage);
    expect(left.filter((k) => k.includes(id) && !k.includes(neighbour))).toEqual([]);
    expect(storage.getItem('mutual-sheets:recent')).not.toContain(`"${id}"`);
    expect(profile.credential(id)).toBeNull();
    const names = await databaseNames();
    expect(names).not.toContain(localDatabaseName(id));
    expect(names).not.toContain(localDatabaseName(historyRoom(id)));

    // The neighbour, and what belongs to the person rather than to a workbook, are untouched.
    expect(left).toEqual(expect.arrayContaining([...neighbourKeys, 'mutual-sheets:display-name']));
    expect(profile.credential(neighbour)).not.toBeNull();
    expect(profile.recent().map((r) => r.id)).toEqual([neighbour]);
    expect(names).toEqual(expect.arrayContaining([localDatabaseName(neighbour), localDatabaseName(historyRoom(neighbour))]));
  });
});
