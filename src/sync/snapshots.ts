import type { Credential } from '../protocol/access.js';
import { APP_REQUEST_HEADER, APP_REQUEST_VALUE, SnapshotApiError, snapshotsPath, type SnapshotApiErrorCode, type SnapshotInfo } from '../protocol/snapshots.js';
import { authHeaders } from './api-auth.js';

/** Talks to the hub's snapshot API. Snapshots live on the hub, so every call needs it reachable. */
export class SnapshotClient {
  constructor(
    /** the hub's http(s) origin, e.g. http://192.168.1.20:8080 */
    private readonly origin: string,
    private readonly workbookId: string,
    /** the link's key, for secured workbooks: signed workbooks sign each request with it, and it never leaves the device */
    private readonly credential: Credential | null = null,
    private readonly fetchFn: typeof fetch = (...args) => globalThis.fetch(...args),
  ) {}

  list(): Promise<SnapshotInfo[]> {
    return this.call(snapshotsPath(this.workbookId), { method: 'GET' }).then((r) => r.json() as Promise<SnapshotInfo[]>);
  }

  create(name: string, by: string): Promise<SnapshotInfo> {
    return this.call(snapshotsPath(this.workbookId), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, by }),
    }).then((r) => r.json() as Promise<SnapshotInfo>);
  }

  /** Deletes a named snapshot (an edit link's; automatic ones are the hub's and are refused with AUTOMATIC_SNAPSHOT). */
  async delete(id: number): Promise<void> {
    await this.call(snapshotsPath(this.workbookId, id), { method: 'DELETE' });
  }

  async fetch(id: number): Promise<Uint8Array> {
    const res = await this.call(snapshotsPath(this.workbookId, id), { method: 'GET' });
    return new Uint8Array(await res.arrayBuffer());
  }

  private async call(path: string, init: RequestInit & { method: string; body?: string }): Promise<Response> {
    let res: Response;
    const headers = new Headers(init.headers);
    // What tells the hub this is the app, not a form on another site (src/protocol/snapshots.ts).
    headers.set(APP_REQUEST_HEADER, APP_REQUEST_VALUE);
    try {
      const auth = await authHeaders(this.origin, this.workbookId, this.credential, { method: init.method, path, body: init.body }, this.fetchFn);
      for (const [k, v] of Object.entries(auth)) headers.set(k, v);
      res = await this.fetchFn(`${this.origin}${path}`, { ...init, headers });
    } catch {
      throw new SnapshotApiError('OFFLINE', 'The hub cannot be reached: snapshots are kept on the hub.');
    }
    if (res.ok) return res;
    let code: SnapshotApiErrorCode = 'BAD_REQUEST';
    let message = `the hub answered ${res.status}`;
    try {
      const body = (await res.json()) as { error?: SnapshotApiErrorCode; message?: string };
      if (body.error) code = body.error;
      if (body.message) message = body.message;
    } catch {
      // not our API answering (a proxy, an old hub): keep the status
    }
    throw new SnapshotApiError(code, message);
  }
}
