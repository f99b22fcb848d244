import { credentialText, parseCredential, type Credential } from '../protocol/access.js';
import { randomId } from '../model/ids.js';
import { createLock, openCredential, openLock, parseLockHeader, rewrapLock, sealCredential, type LockHeader, type OpenedLock } from './device-lock.js';
import { parseRoute } from './route.js';

/** One workbook in this device's list: what the home screen shows. It never holds a key (see `credential`). */
export interface RecentWorkbook {
  id: string;
  title: string;
  openedAt: number;
}

/** What this device keeps for one workbook besides its local copy. */
interface WorkbookRecord {
  /** the link's key: edit, view, or none for an open workbook */
  credential: Credential | null;
  /** the device id this workbook's edits are signed with, random per workbook */
  device: string | null;
  /** with a device lock: the key as stored, sealed to the lock (device-lock.ts), carried along while it cannot be opened */
  sealed?: string | null;
}

/**
 * The device lock (device-lock.ts): none; locked (keys kept sealed, none can be read until the
 * passphrase is given); unlocked (in this page, since the passphrase was given).
 */
export type LockState = 'none' | 'locked' | 'unlocked';

const NAME_KEY = 'mutual-sheets:display-name';
/** Before device ids were per workbook, one id signed every workbook's edits; read only to migrate. */
const LEGACY_DEVICE_KEY = 'mutual-sheets:device-id';
const RECENT_KEY = 'mutual-sheets:recent';
/** Followed by the workbook id; forget() removes it with the rest of what this device kept for it. */
const LINK_SAVED_PREFIX = 'mutual-sheets:link-saved:';
/** Followed by the workbook id: its key and device id, as JSON `{key, device}` (`{sealed, device}` with a device lock). */
const RECORD_PREFIX = 'mutual-sheets:workbook:';
/** The device lock's header (device-lock.ts): present exactly when this device's keys are kept sealed. */
const LOCK_KEY = 'mutual-sheets:device-lock';
const MAX_RECENT = 20;
/** randomId(12) makes these; anything else in storage (hand-edited, corrupted) reads as absent. */
const DEVICE_ID = /^[A-Za-z0-9]{12}$/;

/**
 * What this device remembers about its person and their workbooks: the display name they
 * chose (one for every workbook: that is their choice), recently opened workbooks, and for
 * each workbook its key and a device id of its own. A device id shared by every workbook
 * would let anyone in two groups see that the same device edits both; per workbook, the
 * ids say nothing across groups. The key lives here, not in the address bar, so the
 * browser's history, session and favicon stores never hold it after the first visit.
 *
 * With a device lock the keys are kept sealed to the lock (device-lock.ts): while it is locked
 * every key lookup answers none, a key given (a link opened) is still kept, sealed, and
 * forgetting a workbook still forgets it; the passphrase unlocks them for this page.
 */
export class DeviceProfile {
  /** Whoever shows this device's list (the home screen, the keep-your-links panel) re-renders on a change. */
  private readonly listeners = new Set<() => void>();
  /** the lock, opened with its passphrase in this page; valid while the stored header has its public key */
  private opened: OpenedLock | null = null;
  /** sealed keys already opened with `opened`: `<id>\0<sealed>` → key */
  private readonly openedKeys = new Map<string, Credential | null>();
  /**
   * Keys given while locked for a workbook whose sealed key cannot be read now: kept for this page
   * and written on unlock, where a view key does not replace an edit key (as acceptLink decides).
   */
  private readonly pending = new Map<string, Credential>();

  constructor(private readonly storage: Storage) {}

  /** Calls `listener` after every change to the list or a "link saved" mark; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get displayName(): string {
    return this.read(NAME_KEY) ?? '';
  }

  set displayName(name: string) {
    this.write(NAME_KEY, name.trim().slice(0, 80));
  }

  /** The name edits are signed with: what they chose, or a neutral stand-in until they do. */
  get authorName(): string {
    return this.displayName || 'Anonymous';
  }

  /** The device id this workbook's edits and presence carry: made on first use, the same on every reload. */
  deviceIdFor(workbookId: string): string {
    this.migrate();
    const record = this.record(workbookId);
    if (record.device) return record.device;
    const device = randomId(12);
    this.writeRecord(workbookId, { ...record, device });
    return device;
  }

  /** The key this device holds for a workbook, or null (none, or a stored value that is not a key). */
  credential(workbookId: string): Credential | null {
    this.migrate();
    return this.record(workbookId).credential;
  }

  /**
   * Keeps a workbook's key on this device (the caller has checked that it opens the workbook).
   * While locked it is sealed at once, unless a sealed key for the workbook is already kept: that
   * one cannot be read to compare, so the new key waits for the unlock (this page only).
   */
  keepCredential(workbookId: string, credential: Credential): void {
    this.migrate();
    const record = this.record(workbookId);
    if (this.lockState === 'locked' && record.sealed) this.pending.set(workbookId, credential);
    else this.writeRecord(workbookId, { ...record, credential });
    this.changed();
  }

  /** Whether this device's keys are kept under a passphrase, and whether it was given in this page. */
  get lockState(): LockState {
    const header = this.lockHeader();
    if (!header) return 'none';
    return this.openedFor(header) ? 'unlocked' : 'locked';
  }

  /** A device lock is set and not unlocked in this page: no key can be read. */
  get locked(): boolean {
    return this.lockState === 'locked';
  }

  /**
   * Sets a device lock (there is none): every kept key is sealed to it, and the device stays
   * unlocked in this page. Throws when storage refuses the lock (nothing changed then).
   */
  async setLock(passphrase: string): Promise<void> {
    if (this.lockHeader()) throw new Error('this device already has a lock');
    this.migrate();
    // Loaded before the lock is written: a lock set with no way to clear the plain first screens
    // would leave their text readable while saying it is locked. A failed load throws, nothing changed.
    const [cache, edits] = await Promise.all([import('./first-screen-cache.js'), import('./first-screen-edits.js')]);
    const { header, opened } = await createLock(passphrase);
    if (this.lockHeader()) throw new Error('this device already has a lock');
    if (!this.write(LOCK_KEY, JSON.stringify(header))) throw new Error('storage refused the lock');
    this.useLock(opened);
    // record() seals a key it finds in the clear while there is a lock.
    for (const id of this.recordIds()) this.record(id);
    // No workbook's text stays readable either: the first screens kept in the clear go (first-screen-cache.ts).
    cache.forgetPlainFirstScreens(this.storage);
    // Edits typed in a first screen and not yet applied are sealed under their workbook's key instead (first-screen-edits.ts).
    edits.sealPlainEdits(this.storage, (id) => edits.editsAccess(id, this.credential(id), this.lockState));
    this.changed();
  }

  /** Unlocks the keys for this page; false (and nothing changed) when the passphrase is not the lock's. */
  async unlock(passphrase: string): Promise<boolean> {
    const header = this.lockHeader();
    if (!header) return false;
    const opened = await openLock(header, passphrase);
    if (!opened || this.lockHeader()?.public !== opened.publicKey) return false;
    this.useLock(opened);
    for (const id of this.recordIds()) this.record(id);
    for (const [id, credential] of Array.from(this.pending)) {
      const record = this.record(id);
      if (!(credential.role === 'view' && record.credential?.role === 'edit')) this.writeRecord(id, { ...record, credential });
    }
    this.pending.clear();
    this.changed();
    return true;
  }

  /** Locks again now: keys read as none until the passphrase is given. */
  lock(): void {
    this.useLock(null);
    this.changed();
  }

  /** A new passphrase for the lock; false (and nothing changed) when `current` is not its passphrase. */
  async changePassphrase(current: string, next: string): Promise<boolean> {
    const header = this.lockHeader();
    if (!header) return false;
    const opened = await openLock(header, current);
    if (!opened) return false;
    const rewrapped = await rewrapLock(opened, next);
    if (this.lockHeader()?.public !== opened.publicKey) return false;
    if (!this.write(LOCK_KEY, JSON.stringify(rewrapped))) throw new Error('storage refused the lock');
    this.useLock(opened);
    this.changed();
    return true;
  }

  /**
   * Removes the lock: the keys are kept in the clear again (as without one). False (and nothing
   * changed) when the passphrase is not the lock's. A key that does not open is dropped.
   */
  async removeLock(passphrase: string): Promise<boolean> {
    const header = this.lockHeader();
    if (!header) return false;
    const opened = await openLock(header, passphrase);
    if (!opened || this.lockHeader()?.public !== opened.publicKey) return false;
    this.useLock(opened);
    const records = this.recordIds().map((id) => [id, this.record(id)] as const);
    for (const [id, record] of records) {
      const given = this.pending.get(id);
      const credential = given && !(given.role === 'view' && record.credential?.role === 'edit') ? given : record.credential;
      this.storeRecord(id, { credential, device: record.device }, null);
    }
    this.remove(LOCK_KEY);
    this.pending.clear();
    this.useLock(null);
    this.changed();
    return true;
  }

  /**
   * "Forget this device's keys": every workbook's key goes, sealed or not, with the lock; no
   * passphrase is asked (it may be forgotten, or there is no time). The list, copies and device
   * ids stay: each workbook opens again from its link. A key in an old list entry goes too.
   */
  forgetKeys(): void {
    this.remove(LOCK_KEY);
    this.useLock(null);
    this.pending.clear();
    for (const id of this.recordIds()) {
      const { device } = this.record(id);
      this.storeRecord(id, { credential: null, device }, null);
    }
    const list = this.readList();
    if (list.some((r) => r.hash !== undefined)) this.write(RECENT_KEY, JSON.stringify(list.map(({ id, title, openedAt }) => ({ id, title, openedAt }))));
    this.changed();
  }

  recent(): RecentWorkbook[] {
    this.migrate();
    return this.readList().map(({ id, title, openedAt }) => ({ id, title, openedAt }));
  }

  /** The entry for one workbook, if this device keeps it. */
  entry(id: string): RecentWorkbook | undefined {
    return this.recent().find((r) => r.id === id);
  }

  /**
   * Forgets a workbook's entry, key, device id and "link saved" mark. Only exact keys: an
   * id may be a prefix of another workbook's (open ids are any 8+ characters).
   * removeFromDevice (remove-workbook.ts) also clears what other modules kept.
   */
  forget(id: string): void {
    this.write(RECENT_KEY, JSON.stringify(this.recent().filter((r) => r.id !== id)));
    this.remove(RECORD_PREFIX + id);
    this.pending.delete(id);
    this.remove(LINK_SAVED_PREFIX + id);
    this.changed();
  }

  /** Puts a workbook first in the list (or moves it there with its new title). */
  remember(entry: RecentWorkbook): void {
    const { id, title, openedAt } = entry;
    const list = [{ id, title, openedAt }, ...this.recent().filter((r) => r.id !== id)].slice(0, MAX_RECENT);
    this.write(RECENT_KEY, JSON.stringify(list));
    this.changed();
  }

  /**
   * When this device last copied, downloaded or printed the workbook's edit link, or null:
   * anything but a positive whole number of milliseconds (an old or hand-edited value) reads as never.
   */
  linkSavedAt(id: string): number | null {
    const raw = this.read(LINK_SAVED_PREFIX + id);
    if (raw === null || !/^\d{1,16}$/.test(raw)) return null;
    const at = Number(raw);
    return Number.isSafeInteger(at) && at > 0 ? at : null;
  }

  /**
   * Records that the person kept the edit link somewhere (copied, downloaded or printed the card).
   * Kept under its own key rather than in the list entry, so that a copy made before the workbook
   * first reached the list (right after creating it) still counts.
   */
  markLinkSaved(id: string, at = Date.now()): void {
    this.write(LINK_SAVED_PREFIX + id, String(Math.max(1, Math.floor(at))));
    this.changed();
  }

  /**
   * Whether this device holds an edit key for the workbook that it never saw kept anywhere
   * else: removing the workbook here could lose the only copy of that key.
   */
  editLinkUnsaved(entry: RecentWorkbook): boolean {
    return this.credential(entry.id)?.role === 'edit' && this.linkSavedAt(entry.id) === null;
  }

  /** The list as stored, each field checked: a field of the wrong type reads as absent and the entry stays. */
  private readList(): (RecentWorkbook & { hash?: string })[] {
    try {
      const raw = JSON.parse(this.read(RECENT_KEY) ?? '[]');
      if (!Array.isArray(raw)) return [];
      return raw
        .filter((r) => r && typeof r.id === 'string' && typeof r.title === 'string')
        .map((r) => ({
          id: r.id,
          title: r.title,
          openedAt: typeof r.openedAt === 'number' && Number.isFinite(r.openedAt) ? r.openedAt : 0,
          ...(typeof r.hash === 'string' ? { hash: r.hash } : {}),
        }));
    } catch {
      return [];
    }
  }

  /**
   * Lists from before keys left the address bar kept each link (`hash`, key included) in the
   * entry, and one device id signed every workbook. Both move into each workbook's record once:
   * the key so the list still opens it, the old id so the workbooks this device already edits
   * keep the same author (its claims stay its own; those docs already hold that id). Workbooks
   * opened from then on get fresh ids. The old key goes only once every record is written.
   */
  private migrate(): void {
    const legacy = this.read(LEGACY_DEVICE_KEY);
    let rawList: unknown;
    try {
      rawList = JSON.parse(this.read(RECENT_KEY) ?? '[]');
    } catch {
      rawList = [];
    }
    const hasHash = Array.isArray(rawList) && rawList.some((r) => r && typeof r === 'object' && 'hash' in r);
    if (legacy === null && !hasHash) return;
    const list = this.readList();
    let written = true;
    for (const entry of list) {
      const record = this.record(entry.id);
      const route = entry.hash ? parseRoute(entry.hash) : null;
      const credential = record.credential ?? (route?.id === entry.id ? route.credential : null);
      const device = record.device ?? (legacy !== null && DEVICE_ID.test(legacy) ? legacy : null);
      if (credential !== record.credential || device !== record.device) written = this.writeRecord(entry.id, { ...record, credential, device }) && written;
    }
    if (!written) return;
    if (hasHash) written = this.write(RECENT_KEY, JSON.stringify(list.map(({ id, title, openedAt }) => ({ id, title, openedAt }))));
    if (written && legacy !== null) this.remove(LEGACY_DEVICE_KEY);
  }

  /**
   * A workbook's record as stored; each part that is not what this app writes reads as absent.
   * With a lock, the key is the sealed one opened (none while locked); a key found in the clear
   * (a lock set or removed when the page closed, another tab) is sealed here at once.
   */
  private record(workbookId: string): WorkbookRecord {
    let raw: unknown = null;
    try {
      raw = JSON.parse(this.read(RECORD_PREFIX + workbookId) ?? 'null');
    } catch {
      raw = null;
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { credential: null, device: null, sealed: null };
    const { key, device: storedDevice, sealed: storedSealed } = raw as Record<string, unknown>;
    const device = typeof storedDevice === 'string' && DEVICE_ID.test(storedDevice) ? storedDevice : null;
    const plain = typeof key === 'string' ? parseCredential(key) : null;
    const header = this.lockHeader();
    if (!header) return { credential: plain, device, sealed: null };
    const opened = this.openedFor(header);
    if (plain) {
      const sealed = sealCredential(header.public, workbookId, credentialText(plain));
      // Storage refused: the key stays in the clear until a later read manages it, and still reads as none while locked.
      this.storeRecord(workbookId, { credential: null, device, sealed }, header);
      return { credential: opened ? plain : null, device, sealed };
    }
    const sealed = typeof storedSealed === 'string' ? storedSealed : null;
    return { credential: sealed && opened ? this.openSealed(opened, workbookId, sealed) : null, device, sealed };
  }

  private writeRecord(workbookId: string, record: WorkbookRecord): boolean {
    return this.storeRecord(workbookId, record, this.lockHeader());
  }

  /** Writes a record: its key sealed to `lock` when there is one (or kept as sealed), in the clear when not. */
  private storeRecord(workbookId: string, record: WorkbookRecord, lock: LockHeader | null): boolean {
    const stored: { key?: string; sealed?: string; device?: string } = {};
    if (lock) {
      if (record.credential) stored.sealed = sealCredential(lock.public, workbookId, credentialText(record.credential));
      else if (record.sealed) stored.sealed = record.sealed;
    } else if (record.credential) stored.key = credentialText(record.credential);
    if (record.device) stored.device = record.device;
    return this.write(RECORD_PREFIX + workbookId, JSON.stringify(stored));
  }

  private lockHeader(): LockHeader | null {
    return parseLockHeader(this.read(LOCK_KEY));
  }

  /** The lock opened in this page, if it is the stored one (another tab may have removed or replaced it). */
  private openedFor(header: LockHeader): OpenedLock | null {
    return this.opened && this.opened.publicKey === header.public ? this.opened : null;
  }

  private useLock(opened: OpenedLock | null): void {
    if (this.opened && this.opened !== opened) this.opened.secret.fill(0);
    this.opened = opened;
    this.openedKeys.clear();
  }

  private openSealed(opened: OpenedLock, workbookId: string, sealed: string): Credential | null {
    const at = `${workbookId}\0${sealed}`;
    if (this.openedKeys.has(at)) return this.openedKeys.get(at)!;
    const text = openCredential(opened, workbookId, sealed);
    const credential = text === null ? null : parseCredential(text);
    if (this.openedKeys.size > 500) this.openedKeys.clear();
    this.openedKeys.set(at, credential);
    return credential;
  }

  /** The workbooks this device keeps a record for (listed or not). */
  private recordIds(): string[] {
    const ids: string[] = [];
    try {
      for (let i = 0; i < this.storage.length; i++) {
        const key = this.storage.key(i);
        if (key?.startsWith(RECORD_PREFIX)) ids.push(key.slice(RECORD_PREFIX.length));
      }
    } catch {
      // storage refused: nothing to list
    }
    return ids;
  }

  private changed(): void {
    for (const fn of Array.from(this.listeners)) fn();
  }

  private read(key: string): string | null {
    try {
      return this.storage.getItem(key);
    } catch {
      return null;
    }
  }

  /** False when storage refused (full or blocked): the value then lives for this page only. */
  private write(key: string, value: string): boolean {
    try {
      this.storage.setItem(key, value);
      return true;
    } catch {
      return false;
    }
  }

  private remove(key: string): void {
    try {
      this.storage.removeItem(key);
    } catch {
      // storage refused: nothing more this device can do
    }
  }
}
