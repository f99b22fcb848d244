import { randomId } from '../model/ids.js';
import { parseRoute } from './route.js';

export interface RecentWorkbook {
  id: string;
  title: string;
  openedAt: number;
  /** the link's fragment (with its key) so the workbook reopens from this list */
  hash?: string;
}

const NAME_KEY = 'mutual-sheets:display-name';
const DEVICE_KEY = 'mutual-sheets:device-id';
const RECENT_KEY = 'mutual-sheets:recent';
/** Followed by the workbook id; forget() removes it with the rest of what this device kept for it. */
const LINK_SAVED_PREFIX = 'mutual-sheets:link-saved:';
const MAX_RECENT = 20;

/**
 * What this device remembers about its person: the display name they chose,
 * a random device id (so two "Sam"s stay apart), and recently opened workbooks.
 * Never sent anywhere except as the author of their own edits.
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

  get deviceId(): string {
    let id = this.read(DEVICE_KEY);
    if (!id) {
      id = randomId(12);
      this.write(DEVICE_KEY, id);
    }
    return id;
  }

  recent(): RecentWorkbook[] {
    try {
      const raw = JSON.parse(this.read(RECENT_KEY) ?? '[]');
      if (!Array.isArray(raw)) return [];
      // A field of the wrong type (an old or hand-edited list) reads as absent; the entry stays.
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

  /** The entry for one workbook, if this device keeps it. */
  entry(id: string): RecentWorkbook | undefined {
    return this.recent().find((r) => r.id === id);
  }

  /** Forgets a workbook on this device: the list entry and every key this device kept for it. */
  forget(id: string): void {
    this.write(RECENT_KEY, JSON.stringify(this.recent().filter((r) => r.id !== id)));
    try {
      const doomed: string[] = [];
      for (let i = 0; i < this.storage.length; i++) {
        const key = this.storage.key(i);
        if (key && key.startsWith('mutual-sheets:') && key.includes(id)) doomed.push(key);
      }
      for (const key of doomed) this.storage.removeItem(key);
    } catch {
      // storage refused: the list entry is gone, which is what the person sees
    }
    this.changed();
  }

  /** Puts a workbook first in the list; an entry without a link keeps the one remembered before (its key). */
  remember(entry: RecentWorkbook): void {
    const before = this.recent();
    const hash = entry.hash ?? before.find((r) => r.id === entry.id)?.hash;
    const list = [{ ...entry, ...(hash ? { hash } : {}) }, ...before.filter((r) => r.id !== entry.id)].slice(0, MAX_RECENT);
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
   * Whether this device holds an edit link (the entry's link carries an edit key) that it never
   * saw kept anywhere else: removing the workbook here could lose the only copy of that key.
   */
  editLinkUnsaved(entry: RecentWorkbook): boolean {
    return isEditLink(entry.hash) && this.linkSavedAt(entry.id) === null;
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

  private write(key: string, value: string): void {
    try {
      this.storage.setItem(key, value);
    } catch {
      // Storage full or blocked: the value lives for this page only.
    }
  }
}

/** A link fragment that carries an edit key (`#/w/<id>/edit/<key>`). */
export function isEditLink(hash: string | undefined): boolean {
  return typeof hash === 'string' && parseRoute(hash)?.credential?.role === 'edit';
}
