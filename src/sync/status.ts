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

const LOCAL_ORDER: SyncStatus['local'][] = ['none', 'saved', 'saving', 'failed'];

/**
 * The workbook and its history journal are two docs with two sessions; the
 * person sees one status. Every edit is a change in each, so the count waiting
 * is the larger of the two (one edit reads "1 change", and history still on its
 * way keeps the status off "Synced"); the worse of each other part wins.
 * Before the journal opens, the workbook's status stands alone.
 */
export function combinedStatus(main: SyncStatus, journal: SyncStatus | null): SyncStatus {
  if (!journal) return main;
  const order: ConnectionState[] = ['online', 'connecting', 'offline'];
  return {
    connection: order[Math.max(order.indexOf(main.connection), order.indexOf(journal.connection))],
    caughtUp: main.caughtUp && journal.caughtUp,
    pending: Math.max(main.pending, journal.pending),
    lastClose: main.lastClose ?? journal.lastClose,
    local: LOCAL_ORDER[Math.max(LOCAL_ORDER.indexOf(main.local), LOCAL_ORDER.indexOf(journal.local))],
    localError: main.localError ?? journal.localError,
  };
}

/** Whether two statuses would read the same (a session tells its listeners only of a change). */
export function sameStatus(a: SyncStatus, b: SyncStatus): boolean {
  return a.connection === b.connection && a.caughtUp === b.caughtUp && a.pending === b.pending && a.lastClose === b.lastClose && a.local === b.local && a.localError === b.localError;
}

/** Resolves once `session` says every change is on the hub: online, caught up, nothing pending. */
export function allOnHub(session: { getStatus(): SyncStatus; onStatus(l: (s: SyncStatus) => void): () => void }): Promise<void> {
  return new Promise((resolve) => {
    const check = (s: SyncStatus) => {
      if (s.pending === 0 && s.connection === 'online' && s.caughtUp) {
        off();
        resolve();
      }
    };
    const off = session.onStatus(check);
    check(session.getStatus());
  });
}
