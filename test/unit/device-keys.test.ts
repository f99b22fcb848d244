import { describe, expect, it } from 'vitest';
import { keysFromEditKey, newWorkbookKeys, type Credential } from '../../src/protocol/access.js';
import { DeviceProfile } from '../../src/ui/device-profile.js';
import { acceptLink, needsLink, sha256 } from '../../src/ui/link-keys.js';
import { memoryStorage, storageKeys } from '../support/memory-storage.js';

const RECORD = (id: string) => `mutual-sheets:workbook:${id}`;

describe('DeviceProfile: keys kept on the device, not in the address bar', () => {
  it('keeps a workbook’s key under its id and reads it back after a reload', async () => {
    const storage = memoryStorage();
    const keys = await newWorkbookKeys(sha256);
    new DeviceProfile(storage).keepCredential(keys.id, keys.edit);
    expect(new DeviceProfile(storage).credential(keys.id)).toEqual(keys.edit);
    expect(new DeviceProfile(storage).credential('kOther')).toBeNull();
  });

  it('reads a stored value that is not a key as absent', () => {
    const storage = memoryStorage();
    const profile = new DeviceProfile(storage);
    for (const bad of ['{not json', '[]', '"edit:x"', '{"key":42}', '{"key":{"role":"edit"}}', '{"key":"edit:short"}', `{"key":"admin:${'a'.repeat(43)}"}`]) {
      storage.setItem(RECORD('kAbc12345'), bad);
      expect(profile.credential('kAbc12345'), bad).toBeNull();
    }
    storage.setItem(RECORD('kAbc12345'), JSON.stringify({ key: `view:${'b'.repeat(43)}.${'c'.repeat(43)}` }));
    expect(profile.credential('kAbc12345')).toEqual({ role: 'view', viewKey: 'b'.repeat(43), editVerifier: 'c'.repeat(43) });
  });

  it('moves the key out of an old list’s links (`hash`) on first read, and the list keeps no link', () => {
    const storage = memoryStorage();
    const key = 'a'.repeat(43);
    storage.setItem(
      'mutual-sheets:recent',
      JSON.stringify([
        { id: 'kAbc12345', title: 'Pantry', openedAt: 1, hash: `#/w/kAbc12345/edit/${key}` },
        // a link naming another workbook is not this entry's key
        { id: 'kDef12345', title: 'Shelter', openedAt: 2, hash: `#/w/kAbc12345/edit/${key}` },
        { id: 'open1234', title: 'Open', openedAt: 3, hash: '#/w/open1234' },
      ]),
    );
    const profile = new DeviceProfile(storage);
    expect(profile.recent()).toEqual([
      { id: 'kAbc12345', title: 'Pantry', openedAt: 1 },
      { id: 'kDef12345', title: 'Shelter', openedAt: 2 },
      { id: 'open1234', title: 'Open', openedAt: 3 },
    ]);
    expect(storage.getItem('mutual-sheets:recent')).not.toContain(key);
    expect(storage.getItem('mutual-sheets:recent')).not.toContain('hash');
    expect(profile.credential('kAbc12345')).toEqual({ role: 'edit', editKey: key });
    expect(profile.credential('kDef12345')).toBeNull();
    expect(profile.editLinkUnsaved(profile.entry('kAbc12345')!)).toBe(true);
  });
});

describe('DeviceProfile: a device id per workbook', () => {
  it('gives two workbooks on one device different ids, and one workbook the same id after a reload', () => {
    const storage = memoryStorage();
    const profile = new DeviceProfile(storage);
    const a = profile.deviceIdFor('kWorkbookA1');
    const b = profile.deviceIdFor('kWorkbookB1');
    expect(a).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(b).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(a).not.toBe(b);
    const reloaded = new DeviceProfile(storage);
    expect(reloaded.deviceIdFor('kWorkbookA1')).toBe(a);
    expect(reloaded.deviceIdFor('kWorkbookB1')).toBe(b);
    // No id common to every workbook is kept anywhere.
    expect(storageKeys(storage)).not.toContain('mutual-sheets:device-id');
  });

  it('keeps the name global: it is the person’s choice, the same in every workbook', () => {
    const storage = memoryStorage();
    new DeviceProfile(storage).displayName = ' Ana ';
    expect(new DeviceProfile(storage).authorName).toBe('Ana');
  });

  it('keeps the old shared id for workbooks this device already had (their claims stay its own), and new ones get fresh ids', () => {
    const storage = memoryStorage();
    storage.setItem('mutual-sheets:device-id', 'OldDevice123');
    storage.setItem('mutual-sheets:recent', JSON.stringify([{ id: 'kOld1234', title: 'Old', openedAt: 1 }]));
    const profile = new DeviceProfile(storage);
    expect(profile.deviceIdFor('kNew1234')).not.toBe('OldDevice123');
    expect(profile.deviceIdFor('kOld1234')).toBe('OldDevice123');
    expect(storage.getItem('mutual-sheets:device-id')).toBeNull();
    expect(new DeviceProfile(storage).deviceIdFor('kOld1234')).toBe('OldDevice123');
  });

  it('reads a stored device id that is not one of ours as absent, and makes a new one', () => {
    const storage = memoryStorage();
    storage.setItem(RECORD('kAbc12345'), JSON.stringify({ device: 'red;background:url(x)' }));
    const id = new DeviceProfile(storage).deviceIdFor('kAbc12345');
    expect(id).toMatch(/^[A-Za-z0-9]{12}$/);
  });
});

describe('acceptLink: what a link opened on this device may change', () => {
  async function setup() {
    const storage = memoryStorage();
    const profile = new DeviceProfile(storage);
    const keys = await keysFromEditKey('e'.repeat(43), sha256);
    return { storage, profile, keys };
  }

  it('keeps a key that opens the workbook', async () => {
    const { profile, keys } = await setup();
    expect(await acceptLink(profile, keys.id, keys.edit)).toEqual({ credential: keys.edit, kept: true });
    expect(profile.credential(keys.id)).toEqual(keys.edit);
  });

  it('never keeps a key that opens nothing, and never lets one replace the key this device holds', async () => {
    const { profile, keys } = await setup();
    const forged: Credential = { role: 'edit', editKey: 'f'.repeat(43) };
    expect(await acceptLink(profile, keys.id, forged)).toEqual({ credential: forged, kept: false });
    expect(profile.credential(keys.id)).toBeNull();
    profile.keepCredential(keys.id, keys.edit);
    expect(await acceptLink(profile, keys.id, forged)).toEqual({ credential: keys.edit, kept: true });
    expect(profile.credential(keys.id)).toEqual(keys.edit);
  });

  it('a view link does not take away an edit key; an edit link upgrades a view key', async () => {
    const { profile, keys } = await setup();
    profile.keepCredential(keys.id, keys.edit);
    expect((await acceptLink(profile, keys.id, keys.view)).credential).toEqual(keys.edit);
    expect(profile.credential(keys.id)).toEqual(keys.edit);

    const other = await setup();
    await acceptLink(other.profile, other.keys.id, other.keys.view);
    expect(other.profile.credential(other.keys.id)).toEqual(other.keys.view);
    await acceptLink(other.profile, other.keys.id, other.keys.edit);
    expect(other.profile.credential(other.keys.id)).toEqual(other.keys.edit);
  });

  it('a secured workbook without a key needs a link; an open one does not', async () => {
    const { keys } = await setup();
    expect(needsLink(keys.id, null)).toBe(true);
    expect(needsLink(keys.id, keys.view)).toBe(false);
    expect(needsLink('open1234', null)).toBe(false);
  });
});
