import { describe, expect, it } from 'vitest';
import { DeviceProfile } from '../../src/ui/device-profile.js';

/** The part of the Storage interface DeviceProfile uses, over a Map. */
function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    key: (i: number) => Array.from(map.keys())[i] ?? null,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
    clear: () => map.clear(),
  };
}

describe('DeviceProfile: this device’s list of workbooks', () => {
  it('keeps a workbook’s key when the title changes, so the list still opens it; the list itself holds no key', () => {
    const storage = memoryStorage();
    const profile = new DeviceProfile(storage);
    const key = 's'.repeat(43);
    profile.keepCredential('kAbc', { role: 'edit', editKey: key });
    profile.remember({ id: 'kAbc', title: 'Pantry', openedAt: 1 });
    profile.remember({ id: 'kAbc', title: 'Pantry – north', openedAt: 2 });
    expect(profile.recent()).toEqual([{ id: 'kAbc', title: 'Pantry – north', openedAt: 2 }]);
    expect(profile.credential('kAbc')).toEqual({ role: 'edit', editKey: key });
    expect(storage.getItem('mutual-sheets:recent')).not.toContain(key);
  });

  it('puts the latest first and forgets a removed one with everything it kept for it (removeFromDevice clears the rest)', () => {
    const storage = memoryStorage();
    const profile = new DeviceProfile(storage);
    profile.remember({ id: 'one11111', title: 'One', openedAt: 1 });
    profile.remember({ id: 'two22222', title: 'Two', openedAt: 2 });
    profile.keepCredential('two22222', { role: 'edit', editKey: 'k'.repeat(43) });
    profile.deviceIdFor('two22222');
    expect(profile.recent().map((r) => r.id)).toEqual(['two22222', 'one11111']);
    profile.forget('two22222');
    expect(profile.recent().map((r) => r.id)).toEqual(['one11111']);
    expect(storage.getItem('mutual-sheets:workbook:two22222')).toBeNull();
    expect(profile.credential('two22222')).toBeNull();
  });
});

describe('DeviceProfile: whether this device saw a workbook’s edit link kept', () => {
  const EDIT = { role: 'edit', editKey: 'a'.repeat(43) } as const;
  const VIEW = { role: 'view', viewKey: 'b'.repeat(43), editVerifier: 'c'.repeat(43) } as const;

  it('marks an edit link as not saved until it is copied, downloaded or printed, and remembers when', () => {
    const profile = new DeviceProfile(memoryStorage());
    profile.keepCredential('kAbc12345', EDIT);
    profile.remember({ id: 'kAbc12345', title: 'Pantry', openedAt: 1 });
    const entry = profile.entry('kAbc12345')!;
    expect(profile.linkSavedAt('kAbc12345')).toBeNull();
    expect(profile.editLinkUnsaved(entry)).toBe(true);
    profile.markLinkSaved('kAbc12345', 1_764_000_000_000);
    expect(profile.linkSavedAt('kAbc12345')).toBe(1_764_000_000_000);
    expect(profile.editLinkUnsaved(entry)).toBe(false);
  });

  it('counts a copy made before the workbook reached the list (right after creating it)', () => {
    const profile = new DeviceProfile(memoryStorage());
    profile.markLinkSaved('kAbc12345', 5);
    profile.keepCredential('kAbc12345', EDIT);
    profile.remember({ id: 'kAbc12345', title: 'Pantry', openedAt: 6 });
    expect(profile.editLinkUnsaved(profile.entry('kAbc12345')!)).toBe(false);
  });

  it('never marks a view link or a plain link: this device holds no edit key to lose', () => {
    const storage = memoryStorage();
    const profile = new DeviceProfile(storage);
    profile.keepCredential('kAbc12345', VIEW);
    expect(profile.editLinkUnsaved({ id: 'kAbc12345', title: 'V', openedAt: 1 })).toBe(false);
    expect(profile.editLinkUnsaved({ id: 'open1234', title: 'O', openedAt: 1 })).toBe(false);
    // A stored key of the wrong length is not an edit key.
    storage.setItem('mutual-sheets:workbook:kAbc99999', JSON.stringify({ key: 'edit:short' }));
    expect(profile.editLinkUnsaved({ id: 'kAbc99999', title: 'X', openedAt: 1 })).toBe(false);
  });

  it('reads a bad stored mark as absent (never saved), so the warning shows rather than hides', () => {
    const storage = memoryStorage();
    const profile = new DeviceProfile(storage);
    for (const bad of ['', 'yes', 'true', '-5', '0', '1.5', '1e3', ' 12', '{"at":12}', '99999999999999999999']) {
      storage.setItem('mutual-sheets:link-saved:kAbc12345', bad);
      expect(profile.linkSavedAt('kAbc12345'), bad).toBeNull();
    }
    storage.setItem('mutual-sheets:link-saved:kAbc12345', '1764000000000');
    expect(profile.linkSavedAt('kAbc12345')).toBe(1_764_000_000_000);
  });

  it('reads list fields of the wrong type as absent and keeps the entry', () => {
    const storage = memoryStorage();
    storage.setItem('mutual-sheets:recent', JSON.stringify([{ id: 'kAbc12345', title: 'Pantry', openedAt: 'soon', hash: { evil: true } }, null, { id: 7 }]));
    expect(new DeviceProfile(storage).recent()).toEqual([{ id: 'kAbc12345', title: 'Pantry', openedAt: 0 }]);
    storage.setItem('mutual-sheets:recent', '{not json');
    expect(new DeviceProfile(storage).recent()).toEqual([]);
  });

  it('forgets the mark with the workbook, and tells listeners of every change', () => {
    const storage = memoryStorage();
    const profile = new DeviceProfile(storage);
    let changes = 0;
    const stop = profile.onChange(() => changes++);
    profile.remember({ id: 'kAbc12345', title: 'Pantry', openedAt: 1 });
    profile.markLinkSaved('kAbc12345');
    profile.forget('kAbc12345');
    expect(changes).toBe(3);
    expect(storage.getItem('mutual-sheets:link-saved:kAbc12345')).toBeNull();
    stop();
    profile.markLinkSaved('kAbc12345');
    expect(changes).toBe(3);
  });
});
