import type { PresenceSource } from './presence-source.js';
import type { SyncStatus } from './status.js';

/**
 * What the UI holds of one open doc's sync: a plain `SyncSession` for workbooks the hub can read,
 * a `SealedSession` (src/sync/sealed/session.ts) for sealed ones.
 */
export interface WorkbookSession {
  readonly whenLoaded: Promise<void>;
  /** this device could not open its local copy: edits live only while the page is open */
  readonly localUnavailable: boolean;
  /** changes made here that are not yet on this device's disk */
  readonly unsavedLocal: number;
  readonly awareness: PresenceSource;
  getStatus(): SyncStatus;
  onStatus(listener: (s: SyncStatus) => void): () => void;
  whenAllOnHub(): Promise<void>;
  retryLocalSave(): void;
  connect(): void;
  disconnect(): void;
  destroy(): Promise<void>;
}
