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
  /** why the last local write failed, in words */
  localError: string | null;
}

/** The "on this device" half of the status; the hub half is statusLabel. */
export function localLabel(s: SyncStatus): string {
  switch (s.local) {
    case 'saved':
      return 'Saved on this device';
    case 'saving':
      return 'Saving on this device…';
    case 'failed':
      return `Not saved on this device: ${s.localError ?? 'storage refused'}. Kept in this page and retried — do not close it.`;
    default:
      return 'Not kept on this device';
  }
}

export type StatusKind = 'offline' | 'connecting' | 'synced' | 'pending';

export function statusKind(s: SyncStatus): StatusKind {
  if (s.pending > 0) return 'pending';
  if (s.connection === 'online' && s.caughtUp) return 'synced';
  if (s.connection === 'offline') return 'offline';
  return 'connecting';
}

export function statusLabel(s: SyncStatus): string {
  const kind = statusKind(s);
  if (kind === 'pending') {
    const n = `${s.pending} ${s.pending === 1 ? 'change' : 'changes'} not yet on the hub`;
    if (s.connection === 'offline') return `Offline · ${n}`;
    return s.connection === 'connecting' ? `Connecting… · ${n}` : n;
  }
  if (kind === 'synced') return 'Synced';
  if (kind === 'offline') return 'Offline';
  return 'Connecting…';
}
