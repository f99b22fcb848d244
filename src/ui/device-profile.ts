import { randomId } from '../model/ids.js';

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
const MAX_RECENT = 20;

/**
 * What this device remembers about its person: the display name they chose,
 * a random device id (so two "Sam"s stay apart), and recently opened workbooks.
 * Never sent anywhere except as the author of their own edits.
 */
export class DeviceProfile {
  constructor(private readonly storage: Storage) {}

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
      return Array.isArray(raw) ? raw.filter((r) => r && typeof r.id === 'string' && typeof r.title === 'string') : [];
    } catch {
      return [];
    }
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
  }

  /** Puts a workbook first in the list; an entry without a link keeps the one remembered before (its key). */
  remember(entry: RecentWorkbook): void {
    const before = this.recent();
    const hash = entry.hash ?? before.find((r) => r.id === entry.id)?.hash;
    const list = [{ ...entry, ...(hash ? { hash } : {}) }, ...before.filter((r) => r.id !== entry.id)].slice(0, MAX_RECENT);
    this.write(RECENT_KEY, JSON.stringify(list));
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
