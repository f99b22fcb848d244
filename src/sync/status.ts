export type ConnectionState = 'offline' | 'connecting' | 'online';

/** The one sync status the UI shows. */
export interface SyncStatus {
  connection: ConnectionState;
  /** the hub has sent us everything it has (sync step 2 received on this connection) */
  caughtUp: boolean;
  /** changes on this device the hub has not yet durably acknowledged */
  pending: number;
  /** why the hub last closed the connection, if it said */
  lastClose: { code: number; reason: string } | null;
  /** this device's own copy: every change on its disk, some still being written, or a write refused */
  local: 'saved' | 'saving' | 'failed' | 'none';
  /** the name of the storage error that refused the last local write (`QuotaExceededError`, …); the UI chooses the words */
  localError: string | null;
}

export type StatusKind = 'offline' | 'connecting' | 'synced' | 'pending';

export function statusKind(s: SyncStatus): StatusKind {
  if (s.pending > 0) return 'pending';
  if (s.connection === 'online' && s.caughtUp) return 'synced';
  if (s.connection === 'offline') return 'offline';
  return 'connecting';
}
