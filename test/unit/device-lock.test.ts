import { describe, expect, it } from 'vitest';
import { base64url, credentialText, fromBase64url, type Credential } from '../../src/protocol/access.js';
import { SCRYPT_COST, createLock, openCredential, openLock, parseLockHeader, rewrapLock, sealCredential } from '../../src/ui/device-lock.js';
import { DeviceProfile } from '../../src/ui/device-profile.js';

/** The part of the Storage interface DeviceProfile uses, over a Map. */
function memoryStorage(): Storage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
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

const snapshot = (s: { map: Map<string, string> }) => new Map(s.map);
const LOCK_KEY = 'mutual-sheets:device-lock';
const PASS = 'correct horse battery';

/** Base64url text made of a canary, so any form of it in storage is easy to look for. */
const canaryKey = (tag: string) => `CANARY${tag}`.padEnd(43, 'x');
const EDIT: Credential = { role: 'edit', editKey: canaryKey('edit') };
const VIEW: Credential = { role: 'view', viewKey: canaryKey('view'), editVerifier: canaryKey('verifier') };
const OTHER: Credential = { role: 'edit', editKey: canaryKey('other') };

/** A device with three workbooks' keys (one not in the list) and their device ids. */
function device() {
  const storage = memoryStorage();
  const profile = new DeviceProfile(storage);
  profile.remember({ id: 'eAlpha', title: 'Pantry', openedAt: 1 });
  profile.remember({ id: 'sBravo', title: 'Shelter', openedAt: 2 });
  profile.keepCredential('eAlpha', EDIT);
  profile.keepCredential('sBravo', VIEW);
  profile.keepCredential('kCharlie', OTHER);
  const devices = ['eAlpha', 'sBravo', 'kCharlie'].map((id) => profile.deviceIdFor(id));
  return { storage, profile, devices };
}

const credentials = (p: DeviceProfile) => ['eAlpha', 'sBravo', 'kCharlie'].map((id) => p.credential(id));

/** Every form a key's text could take in storage: as typed, base64 and base64url of its UTF-8 (any alignment), its bytes as hex. */
function forms(text: string): string[] {
  const out = new Set<string>([text, encodeURIComponent(text)]);
  const bytes = new TextEncoder().encode(text);
  for (let shift = 0; shift < 3; shift++) {
    const b64 = Buffer.from(bytes.subarray(shift)).toString('base64');
    // the middle of an encoding does not depend on what came before, once aligned
    const middle = b64.slice(4, -4);
    out.add(middle);
    out.add(middle.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  out.add(Buffer.from(bytes).toString('hex'));
  const raw = fromBase64url(text);
  if (raw) {
    out.add(Buffer.from(raw).toString('hex'));
    out.add(Buffer.from(raw).toString('base64').slice(4, -4));
  }
  return Array.from(out).filter((f) => f.length >= 16);
}

/** Where any form of any of these keys shows in storage: in the text itself or in bytes that decode from base64url in it. */
function leaks(storage: { map: Map<string, string> }, keys: string[]): string[] {
  const needles = keys.flatMap((k) => [k, ...forms(k)]);
  const found: string[] = [];
  for (const [name, value] of storage.map) {
    const decoded = Array.from(value.matchAll(/[A-Za-z0-9_-]{16,}/g), (m) => fromBase64url(m[0]))
      .filter((b): b is Uint8Array => b !== null)
      .map((b) => Buffer.from(b).toString('latin1'));
    for (const needle of needles) {
      if (value.includes(needle) || name.includes(needle) || decoded.some((d) => d.includes(needle))) found.push(`${name}: ${needle}`);
    }
  }
  return found;
}

const SECRETS = [EDIT.editKey, VIEW.viewKey, OTHER.editKey, credentialText(EDIT), credentialText(VIEW), credentialText(OTHER)];

describe('device lock (device-lock.ts): the primitives', () => {
  it('stores the chosen scrypt costs, opens only with its passphrase, and a sealed key only for its workbook', async () => {
    expect(SCRYPT_COST).toEqual({ N: 2 ** 14, r: 8, p: 1 });
    const { header, opened } = await createLock(PASS);
    expect(parseLockHeader(JSON.stringify(header))).toEqual(header);
    expect(header).toMatchObject({ v: 1, kdf: 'scrypt', N: 2 ** 14, r: 8, p: 1 });
    expect((await openLock(header, PASS))?.publicKey).toBe(opened.publicKey);
    expect(await openLock(header, 'correct horse batterY')).toBeNull();
    // NFC: the same words typed as a decomposed "é" open it too.
    const accent = await createLock('contraseña café');
    expect(await openLock(accent.header, 'contraseña cafe\u0301')).not.toBeNull();

    const sealed = sealCredential(opened.publicKey, 'eAlpha', credentialText(EDIT));
    expect(openCredential(opened, 'eAlpha', sealed)).toBe(credentialText(EDIT));
    expect(openCredential(opened, 'eOther', sealed)).toBeNull();
    expect(openCredential(accent.opened, 'eAlpha', sealed)).toBeNull();
    // An edit key and a view key seal to the same length: the stored form does not tell the role.
    expect(sealCredential(opened.publicKey, 'eAlpha', credentialText(VIEW)).length).toBe(sealed.length);
    const flipped = fromBase64url(sealed)!;
    flipped[70] ^= 1;
    expect(openCredential(opened, 'eAlpha', base64url(flipped))).toBeNull();

    // A new passphrase: the same lock (its sealed keys still open), a new salt, the old one refused.
    const rewrapped = await rewrapLock(opened, 'a new passphrase');
    expect(rewrapped.public).toBe(header.public);
    expect(rewrapped.salt).not.toBe(header.salt);
    expect(await openLock(rewrapped, PASS)).toBeNull();
    expect(openCredential((await openLock(rewrapped, 'a new passphrase'))!, 'eAlpha', sealed)).toBe(credentialText(EDIT));

    // A header whose parts are not what this app writes, or asks for an exhausting cost, reads as none.
    expect(parseLockHeader(JSON.stringify({ ...header, N: 2 ** 24 }))).toBeNull();
    expect(parseLockHeader(JSON.stringify({ ...header, N: 3000 }))).toBeNull();
    expect(parseLockHeader(JSON.stringify({ ...header, box: 'AAAA' }))).toBeNull();
    expect(parseLockHeader('{')).toBeNull();
  });
});

describe('DeviceProfile with a device lock', () => {
  it('round trip: a lock set keeps every key sealed; after a reload none reads until unlocked, then all do; lock, change and remove', async () => {
    const { storage, profile, devices } = device();
    const before = credentials(profile);
    expect(profile.lockState).toBe('none');
    await profile.setLock(PASS);
    // Setting it leaves this page unlocked.
    expect(profile.lockState).toBe('unlocked');
    expect(credentials(profile)).toEqual(before);

    // A reload: locked, nothing reads, everything else works as before.
    const reloaded = new DeviceProfile(storage);
    expect(reloaded.lockState).toBe('locked');
    expect(reloaded.locked).toBe(true);
    expect(credentials(reloaded)).toEqual([null, null, null]);
    expect(reloaded.editLinkUnsaved({ id: 'eAlpha', title: 'Pantry', openedAt: 1 })).toBe(false);
    expect(['eAlpha', 'sBravo', 'kCharlie'].map((id) => reloaded.deviceIdFor(id))).toEqual(devices);
    expect(reloaded.recent().map((r) => r.title)).toEqual(['Shelter', 'Pantry']);
    expect(await reloaded.unlock(PASS)).toBe(true);
    expect(reloaded.lockState).toBe('unlocked');
    expect(credentials(reloaded)).toEqual(before);

    // Lock now: none reads again in this page.
    reloaded.lock();
    expect(credentials(reloaded)).toEqual([null, null, null]);

    // A new passphrase: the old one no longer unlocks, the new one does.
    expect(await profile.changePassphrase(PASS, 'second passphrase')).toBe(true);
    const third = new DeviceProfile(storage);
    expect(await third.unlock(PASS)).toBe(false);
    expect(await third.unlock('second passphrase')).toBe(true);
    expect(credentials(third)).toEqual(before);

    // Removing it: keys in the clear again, readable without a passphrase.
    expect(await third.removeLock('second passphrase')).toBe(true);
    expect(storage.getItem(LOCK_KEY)).toBeNull();
    const after = new DeviceProfile(storage);
    expect(after.lockState).toBe('none');
    expect(credentials(after)).toEqual(before);
    expect(JSON.parse(storage.getItem('mutual-sheets:workbook:eAlpha')!)).toEqual({ key: credentialText(EDIT), device: devices[0] });
  });

  it('a wrong passphrase is refused, with storage and state unchanged (unlock, change and remove alike)', async () => {
    const { storage, profile } = device();
    await profile.setLock(PASS);
    const locked = new DeviceProfile(storage);
    const stored = snapshot(storage);
    for (const wrong of ['', 'correct horse', 'Correct horse battery', `${PASS} `]) {
      expect(await locked.unlock(wrong)).toBe(false);
      expect(await locked.changePassphrase(wrong, 'whatever it is')).toBe(false);
      expect(await locked.removeLock(wrong)).toBe(false);
    }
    expect(snapshot(storage)).toEqual(stored);
    expect(locked.lockState).toBe('locked');
    expect(credentials(locked)).toEqual([null, null, null]);
    // The right one still works afterwards.
    expect(await locked.unlock(PASS)).toBe(true);
    expect(credentials(locked)).toEqual([EDIT, VIEW, OTHER]);
  });

  it('the stored form holds no key in any form (as typed, UTF-8 base64 / base64url at any alignment, hex), nor once a key is kept while locked', async () => {
    const { storage, profile } = device();
    // The control: without a lock the keys are there to be found.
    expect(leaks(storage, SECRETS).length).toBeGreaterThan(0);
    await profile.setLock(PASS);
    expect(leaks(storage, SECRETS)).toEqual([]);
    expect(Array.from(storage.map.values()).join('\n')).not.toContain(PASS);

    // A link opened while locked: its key is kept sealed at once (no passphrase needed), unreadable until unlocked.
    const locked = new DeviceProfile(storage);
    const NEW: Credential = { role: 'edit', editKey: canaryKey('new') };
    locked.keepCredential('eDelta', NEW);
    expect(locked.credential('eDelta')).toBeNull();
    expect(leaks(storage, [...SECRETS, NEW.editKey, credentialText(NEW)])).toEqual([]);
    expect(await locked.unlock(PASS)).toBe(true);
    expect(locked.credential('eDelta')).toEqual(NEW);
    // Unlocking writes nothing in the clear either.
    expect(leaks(storage, [...SECRETS, NEW.editKey, credentialText(NEW)])).toEqual([]);
  });

  it('a key given while locked for a workbook that already has one waits for the unlock, where a view key does not replace an edit key', async () => {
    const { storage, profile } = device();
    await profile.setLock(PASS);
    const locked = new DeviceProfile(storage);
    const otherView: Credential = { role: 'view', viewKey: canaryKey('view2'), editVerifier: canaryKey('verif2') };
    const newEdit: Credential = { role: 'edit', editKey: canaryKey('edit2') };
    locked.keepCredential('eAlpha', otherView);
    locked.keepCredential('sBravo', newEdit);
    expect(locked.credential('eAlpha')).toBeNull();
    expect(await locked.unlock(PASS)).toBe(true);
    expect(locked.credential('eAlpha')).toEqual(EDIT);
    expect(locked.credential('sBravo')).toEqual(newEdit);
    expect(await new DeviceProfile(storage).unlock(PASS)).toBe(true);
  });

  it('forget removes every key, sealed or in the clear, and the lock; the list and device ids stay, and another tab sees it', async () => {
    const { storage, profile, devices } = device();
    // Without a lock, and with a key left in an old list entry.
    const legacy = JSON.parse(storage.getItem('mutual-sheets:recent')!);
    legacy[0].hash = `#/w/sBravo/${credentialText(VIEW).replace(':', '/')}`;
    storage.setItem('mutual-sheets:recent', JSON.stringify(legacy));
    profile.forgetKeys();
    expect(leaks(storage, SECRETS)).toEqual([]);
    expect(credentials(new DeviceProfile(storage))).toEqual([null, null, null]);

    const second = device();
    await second.profile.setLock(PASS);
    const otherTab = new DeviceProfile(second.storage);
    expect(await otherTab.unlock(PASS)).toBe(true);
    second.profile.forgetKeys();
    expect(second.storage.getItem(LOCK_KEY)).toBeNull();
    for (const [name, value] of second.storage.map) {
      if (name.startsWith('mutual-sheets:workbook:')) expect(Object.keys(JSON.parse(value))).toEqual(['device']);
    }
    expect(second.profile.lockState).toBe('none');
    expect(otherTab.lockState).toBe('none');
    expect(credentials(otherTab)).toEqual([null, null, null]);
    expect(credentials(new DeviceProfile(second.storage))).toEqual([null, null, null]);
    expect(['eAlpha', 'sBravo', 'kCharlie'].map((id) => second.profile.deviceIdFor(id))).toEqual(second.devices);
    expect(second.profile.recent().map((r) => r.id)).toEqual(['sBravo', 'eAlpha']);
    expect(devices).toHaveLength(3);
    // A link opened afterwards is kept in the clear again, as on a device that never had a lock.
    second.profile.keepCredential('eAlpha', EDIT);
    expect(new DeviceProfile(second.storage).credential('eAlpha')).toEqual(EDIT);
  });

  it('a key found in the clear beside a lock (the page closed while it was set) is sealed at once and reads as none while locked', async () => {
    const { storage, profile } = device();
    await profile.setLock(PASS);
    storage.setItem('mutual-sheets:workbook:kCharlie', JSON.stringify({ key: credentialText(OTHER) }));
    const locked = new DeviceProfile(storage);
    expect(locked.credential('kCharlie')).toBeNull();
    expect(leaks(storage, SECRETS)).toEqual([]);
    expect(await locked.unlock(PASS)).toBe(true);
    expect(locked.credential('kCharlie')).toEqual(OTHER);
  });
});
