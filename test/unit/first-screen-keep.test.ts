import { describe, expect, it } from 'vitest';
import { newSealedWorkbookKeys, newWorkbookKeys } from '../../src/protocol/access.js';
import { DeviceProfile } from '../../src/ui/device-profile.js';
import { cachePolicy } from '../../src/ui/first-screen-cache.js';
import { keepFor, type LiveWorkbook } from '../../src/ui/first-screen-capture.js';
import { newWorkbook } from '../support/model.js';
import { memoryStorage } from '../support/memory-storage.js';

const STANDARD = 'standard-room-1';

/** A device that lists these workbooks, as open() leaves it (profile.remember once the sheet is in). */
function device(...ids: string[]) {
  const storage = memoryStorage();
  const profile = new DeviceProfile(storage);
  for (const id of ids) profile.remember({ id, title: id, openedAt: 1 });
  return { storage, profile };
}

describe('first screen keepers: whose screen is saved, under what (keepFor)', () => {
  it('leaving sealed A for standard B: A’s live view is saved as A’s, sealed under A’s key, never under B’s id in the clear', () => {
    const a = newSealedWorkbookKeys();
    const { profile } = device(a.id, STANDARD);
    const live: LiveWorkbook = { workbook: newWorkbook('Rosa').wb, workbookId: a.id, credential: a.edit };
    // As close() flushes the keepers: the page's workbookId and credential are already B's
    // (standard, no key), its workbook and grid still A's. keepFor never reads the page's.
    const to = keepFor(live, live.workbook, true, profile);
    expect(to?.workbookId).toBe(a.id);
    expect(to?.workbook).toBe(live.workbook);
    expect(to?.policy).toEqual(cachePolicy(a.id, a.edit, 'none'));
    expect(to?.policy.kind).toBe('sealed');
  });

  it('saves nothing once the page’s live view is another workbook’s, or none, or not ready', () => {
    const { profile } = device(STANDARD, 'standard-room-2');
    const live: LiveWorkbook = { workbook: newWorkbook('Rosa').wb, workbookId: STANDARD, credential: null };
    expect(keepFor(live, newWorkbook('Rosa').wb, true, profile)).toBeNull();
    expect(keepFor(live, null, true, profile)).toBeNull();
    expect(keepFor(live, live.workbook, false, profile)).toBeNull();
    expect(keepFor(null, live.workbook, true, profile)).toBeNull();
    expect(keepFor(live, live.workbook, true, null)).toBeNull();
    expect(keepFor(live, live.workbook, true, profile)).toEqual({ workbook: live.workbook, workbookId: STANDARD, policy: { kind: 'plain' } });
  });

  it('"Remove from this device" in another tab: this tab’s keeper no longer saves the workbook', () => {
    const { storage, profile } = device(STANDARD);
    const live: LiveWorkbook = { workbook: newWorkbook('Rosa').wb, workbookId: STANDARD, credential: null };
    expect(keepFor(live, live.workbook, true, profile)).not.toBeNull();
    // the other tab's profile, on the same storage
    new DeviceProfile(storage).forget(STANDARD);
    expect(keepFor(live, live.workbook, true, profile)).toBeNull();
  });

  it('a lock set since the open: the policy follows it (sealed under the workbook’s key, or none without one)', async () => {
    const signed = await newWorkbookKeys();
    const { profile } = device(signed.id, STANDARD);
    const signedLive: LiveWorkbook = { workbook: newWorkbook('Rosa').wb, workbookId: signed.id, credential: signed.edit };
    const openLive: LiveWorkbook = { workbook: newWorkbook('Rosa').wb, workbookId: STANDARD, credential: null };
    expect(keepFor(signedLive, signedLive.workbook, true, profile)?.policy.kind).toBe('plain');
    await profile.setLock('a long passphrase for the test');
    expect(keepFor(signedLive, signedLive.workbook, true, profile)?.policy).toEqual(cachePolicy(signed.id, signed.edit, 'unlocked'));
    expect(keepFor(signedLive, signedLive.workbook, true, profile)?.policy.kind).toBe('sealed');
    expect(keepFor(openLive, openLive.workbook, true, profile)?.policy.kind).toBe('none');
  });
});
