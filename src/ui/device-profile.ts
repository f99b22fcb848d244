import { credentialText, parseCredential, type Credential } from '../protocol/access.js';
import { randomId } from '../model/ids.js';
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
}

const NAME_KEY = 'mutual-sheets:display-name';
/** Before device ids were per workbook, one id signed every workbook's edits; read only to migrate. */
const LEGACY_DEVICE_KEY = 'mutual-sheets:device-id';
const RECENT_KEY = 'mutual-sheets:recent';
/** Followed by the workbook id; forget() removes it with the rest of what this device kept for it. */
const LINK_SAVED_PREFIX = 'mutual-sheets:link-saved:';
/** Followed by the workbook id: its key and device id, as JSON `{key, device}`. */
const RECORD_PREFIX = 'mutual-sheets:workbook:';
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
 */
export class DeviceProfile {
  /** Whoever shows this device's list (the home screen, the keep-your-links panel) re-renders on a change. */
  private readonly listeners = new Set<() => void>();

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

  /** Keeps a workbook's key on this device (the caller has checked that it opens the workbook). */
  keepCredential(workbookId: string, credential: Credential): void {
    this.migrate();
    this.writeRecord(workbookId, { ...this.record(workbookId), credential });
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
      if (credential !== record.credential || device !== record.device) written = this.writeRecord(entry.id, { credential, device }) && written;
    }
    if (!written) return;
    if (hasHash) written = this.write(RECENT_KEY, JSON.stringify(list.map(({ id, title, openedAt }) => ({ id, title, openedAt }))));
    if (written && legacy !== null) this.remove(LEGACY_DEVICE_KEY);
  }

  /** A workbook's record as stored; each part that is not what this app writes reads as absent. */
  private record(workbookId: string): WorkbookRecord {
    let raw: unknown = null;
    try {
      raw = JSON.parse(this.read(RECORD_PREFIX + workbookId) ?? 'null');
    } catch {
      raw = null;
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { credential: null, device: null };
    const { key, device } = raw as Record<string, unknown>;
    return {
      credential: typeof key === 'string' ? parseCredential(key) : null,
      device: typeof device === 'string' && DEVICE_ID.test(device) ? device : null,
    };
  }

  private writeRecord(workbookId: string, record: WorkbookRecord): boolean {
    const stored: { key?: string; device?: string } = {};
    if (record.credential) stored.key = credentialText(record.credential);
    if (record.device) stored.device = record.device;
    return this.write(RECORD_PREFIX + workbookId, JSON.stringify(stored));
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
