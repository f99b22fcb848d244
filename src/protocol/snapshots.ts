/**
 * The hub's snapshot API (server/snapshot-api.ts), shared by the app and the relay.
 *
 * GET    /api/w/<id>/snapshots        the list, newest first
 * POST   /api/w/<id>/snapshots        {name, by}: take one now (edit link; APP_REQUEST_HEADER)
 * GET    /api/w/<id>/snapshots/<n>    one snapshot's Yjs state
 * DELETE /api/w/<id>/snapshots/<n>    delete a named one (edit link; APP_REQUEST_HEADER); 204
 */
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
  | 'BEFORE_RETENTION'
  /** too many snapshots taken for this workbook, or from this address, in the last hour (429; `Retry-After` says when to try again) */
  | 'RATE_LIMITED'
  /** the workbook and its snapshots would take more than the hub's MAX_DOC_BYTES: delete a snapshot first (413) */
  | 'SNAPSHOTS_FULL'
  /** automatic snapshots are the hub's: it keeps and rotates them itself, and nobody deletes them (403) */
  | 'AUTOMATIC_SNAPSHOT'
  /** a request that changes something came without APP_REQUEST_HEADER, as a form on another site would send it (403) */
  | 'CROSS_SITE'
  /** the workbook was retired (Replace links): nothing of it is served (410) */
  | 'RETIRED';

/** Carries the link's credential (src/protocol/access.ts) on API requests: a header, never the URL. */
export const CREDENTIAL_HEADER = 'X-Workbook-Key';

/**
 * Every API request that changes something must carry this header with APP_REQUEST_VALUE. A form
 * on another site cannot send a custom header, and a page's fetch with one needs a CORS preflight
 * the hub never grants: so a cross-site POST (against an open workbook, which needs no key) fails.
 */
export const APP_REQUEST_HEADER = 'X-Requested-With';
export const APP_REQUEST_VALUE = 'mutual-sheets';

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
