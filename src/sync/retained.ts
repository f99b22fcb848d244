import * as Y from 'yjs';
import type { Credential } from '../protocol/access.js';
import { baseWorkbookId, historyRoom } from '../protocol/messages.js';
import { sealedKeysFor } from '../protocol/sealed-keys.js';
import { DOC_JOURNAL, DOC_WORKBOOK, SEALED_ID, type BlobFailure, type SealedKeys } from '../protocol/sealed.js';
import { decodeApiError, decodeTimeline, statePath, timelinePath, type Timeline } from '../protocol/retained.js';
import { SnapshotApiError } from '../protocol/snapshots.js';
import { authHeaders } from './api-auth.js';
import { openEnvelopeState } from './sealed/open.js';

/** A room's state as its own doc's update, opened on this device. */
export interface OpenedState {
  /** one Yjs update of the workbook doc (or its journal's), for a fresh Y.Doc */
  update: Uint8Array;
  /** a sealed room's blobs that failed their check and were left out; always empty for other workbooks */
  failures: BlobFailure[];
}

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

  /** The room at `at` (ms since epoch, the hub's clock) as one Yjs update, for a fresh Y.Doc: a sealed room's envelope as it is (openedStateAt opens it). */
  async stateAt(at: number): Promise<Uint8Array> {
    const res = await this.call(statePath(this.room, at));
    return new Uint8Array(await res.arrayBuffer());
  }

  /**
   * The room at `at` as the workbook doc (or, for `<id>.h`, the journal doc) itself. The hub holds
   * a sealed (`e…`) workbook's rooms as envelopes it cannot read: this opens one here with the
   * link's keys (DOC_WORKBOOK or DOC_JOURNAL blobs), leaving out and listing blobs that fail their
   * check. Any other room's state comes as the hub sent it. A sealed room without a link that
   * opens it is refused (SnapshotApiError UNAUTHORIZED) before anything is asked of the hub.
   */
  async openedStateAt(at: number): Promise<OpenedState> {
    const keys = this.sealedKeys();
    const update = await this.stateAt(at);
    if (!keys) return { update, failures: [] };
    const { doc, failures } = openEnvelopeState(update, keys, this.room === historyRoom(keys.id) ? DOC_JOURNAL : DOC_WORKBOOK);
    try {
      return { update: Y.encodeStateAsUpdate(doc), failures };
    } finally {
      doc.destroy();
    }
  }

  /** Whether this room is a sealed workbook's (or its journal's): the hub's states of it are envelopes. */
  get isSealed(): boolean {
    return SEALED_ID.test(baseWorkbookId(this.room) ?? '');
  }

  /** A sealed room's keys from the link; null for any other room; throws for a sealed room the link does not open. */
  private sealedKeys(): SealedKeys | null {
    if (!this.isSealed) return null;
    const keys = sealedKeysFor(baseWorkbookId(this.room)!, this.credential);
    if (!keys) throw new SnapshotApiError('UNAUTHORIZED', 'this link does not open this workbook');
    return keys;
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
