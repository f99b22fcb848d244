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
