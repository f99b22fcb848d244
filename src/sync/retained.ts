import type { Credential } from '../protocol/access.js';
import { decodeApiError, decodeTimeline, statePath, timelinePath, type Timeline } from '../protocol/retained.js';
import { SnapshotApiError } from '../protocol/snapshots.js';
import { authHeaders } from './api-auth.js';

/**
 * Reads the hub's retained log of one room (a workbook id, or its journal's `<id>.h`): what it was
 * at a moment, and when its changes happened. Refusals are SnapshotApiErrors by code; a moment
 * past the retention window is a BeforeRetentionError carrying the earliest one the hub has.
 */
export class RetainedClient {
  constructor(
    /** the hub's http(s) origin, e.g. http://192.168.1.20:8080 */
    private readonly origin: string,
    private readonly room: string,
    /** the workbook link's key, for secured workbooks (the journal takes the same one); signed workbooks sign with it, never send it */
    private readonly credential: Credential | null = null,
    private readonly fetchFn: typeof fetch = (...args) => globalThis.fetch(...args),
  ) {}

  /** The room at `at` (ms since epoch, the hub's clock) as one Yjs update, for a fresh Y.Doc. */
  async stateAt(at: number): Promise<Uint8Array> {
    const res = await this.call(statePath(this.room, at));
    return new Uint8Array(await res.arrayBuffer());
  }

  /** When changes were stored, newest first; without a range, the newest ones the hub has. */
  async timeline(range: { from?: number; to?: number } = {}): Promise<Timeline> {
    const res = await this.call(timelinePath(this.room, range));
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    return decodeTimeline(body);
  }

  private async call(path: string): Promise<Response> {
    let res: Response;
    try {
      // Signed workbooks: a proof over this request and a nonce from the hub; the key stays here.
      const headers = await authHeaders(this.origin, this.room, this.credential, { method: 'GET', path }, this.fetchFn);
      res = await this.fetchFn(`${this.origin}${path}`, { method: 'GET', headers });
    } catch {
      throw new SnapshotApiError('OFFLINE', 'The hub cannot be reached: the history is kept on the hub.');
    }
    if (res.ok) return res;
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      // not our API answering (a proxy, an old hub): the status is all there is
    }
    throw decodeApiError(res.status, body);
  }
}
