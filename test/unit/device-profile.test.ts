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
  it('keeps a workbook’s link (with its key) when the title changes, so the list still opens it', () => {
    const profile = new DeviceProfile(memoryStorage());
    profile.remember({ id: 'kAbc', title: 'Pantry', openedAt: 1, hash: '#/w/kAbc/edit/secret' });
    profile.remember({ id: 'kAbc', title: 'Pantry – north', openedAt: 2 });
    expect(profile.recent()).toEqual([{ id: 'kAbc', title: 'Pantry – north', openedAt: 2, hash: '#/w/kAbc/edit/secret' }]);
  });

  it('puts the latest first and forgets a removed one with everything it kept for it', () => {
    const storage = memoryStorage();
    const profile = new DeviceProfile(storage);
    profile.remember({ id: 'one11111', title: 'One', openedAt: 1 });
    profile.remember({ id: 'two22222', title: 'Two', openedAt: 2 });
    storage.setItem('mutual-sheets:view:two22222:s1', '{}');
    expect(profile.recent().map((r) => r.id)).toEqual(['two22222', 'one11111']);
    profile.forget('two22222');
    expect(profile.recent().map((r) => r.id)).toEqual(['one11111']);
    expect(storage.getItem('mutual-sheets:view:two22222:s1')).toBeNull();
  });
});
