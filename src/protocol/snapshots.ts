/** The hub's snapshot API (server/snapshot-api.ts), shared by the app and the relay. */
export const SNAPSHOT_API_PREFIX = '/api/w/';

export interface SnapshotInfo {
  id: number;
  name: string;
  kind: 'named' | 'auto';
  by: string;
  /** ms since epoch, the hub's clock */
  at: number;
  bytes: number;
}

export type SnapshotApiErrorCode =
  | 'NOT_FOUND'
  | 'METHOD'
  | 'BAD_REQUEST'
  | 'BAD_NAME'
  | 'TOO_LARGE'
  | 'UNKNOWN_WORKBOOK'
  | 'UNKNOWN_SNAPSHOT'
  | 'STORAGE_FAILED'
  | 'UNAUTHORIZED'
  | 'READ_ONLY'
  | 'OFFLINE'
  /** retained log (src/protocol/retained.ts): a time in the query is missing or not whole ms */
  | 'BAD_TIME'
  /** retained log: that moment is older than the hub keeps (410; the body says the earliest it has) */
  | 'BEFORE_RETENTION';

/** Carries the link's credential (src/protocol/access.ts) on API requests: a header, never the URL. */
export const CREDENTIAL_HEADER = 'X-Workbook-Key';

export class SnapshotApiError extends Error {
  constructor(
    readonly code: SnapshotApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SnapshotApiError';
  }
}

export function snapshotsPath(workbookId: string, id?: number): string {
  return `${SNAPSHOT_API_PREFIX}${encodeURIComponent(workbookId)}/snapshots${id === undefined ? '' : `/${id}`}`;
}
