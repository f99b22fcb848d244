import * as Y from 'yjs';
import { base64url, fromBase64url, type Credential } from '../protocol/access.js';
import { openPresence, sealPresence } from '../protocol/blob.js';
import { nobleVerify } from '../protocol/challenge.js';
import { sealedKeysFor } from '../protocol/sealed-keys.js';
import { DOC_WORKBOOK, SEALED_ID, type BlobFailure, type SealedKeys } from '../protocol/sealed.js';
import { APP_REQUEST_HEADER, APP_REQUEST_VALUE, SnapshotApiError, snapshotsPath, type SnapshotApiErrorCode, type SnapshotInfo } from '../protocol/snapshots.js';
import { authHeaders } from './api-auth.js';
import { openEnvelopeState } from './sealed/open.js';

/** A snapshot's name and author, as a person typed them (at most this many characters each, as the hub allows for plain ones). */
export const MAX_SNAPSHOT_NAME_LENGTH = 100;

/** What a sealed workbook's snapshot sends the hub as its author: the real one is inside the label. */
export const SEALED_SNAPSHOT_BY = 'sealed';

/** A snapshot opened on this device: its workbook doc, and the parts of it that did not open (a sealed workbook's blobs). */
export interface OpenedSnapshot {
  doc: Y.Doc;
  /** a sealed snapshot's blobs that failed their check and were left out; always empty for other workbooks */
  failures: BlobFailure[];
}

/** Talks to the hub's snapshot API. Snapshots live on the hub, so every call needs it reachable. */
export class SnapshotClient {
  /** a sealed (`e…`) workbook's keys from the link; null for every other workbook, or a sealed one whose link opens nothing */
  private readonly sealed: SealedKeys | null;

  constructor(
    /** the hub's http(s) origin, e.g. http://192.168.1.20:8080 */
    private readonly origin: string,
    private readonly workbookId: string,
    /** the link's key, for secured workbooks: signed workbooks sign each request with it, and it never leaves the device */
    private readonly credential: Credential | null = null,
    private readonly fetchFn: typeof fetch = (...args) => globalThis.fetch(...args),
  ) {
    this.sealed = SEALED_ID.test(workbookId) ? sealedKeysFor(workbookId, credential) : null;
  }

  /** Whether this workbook is sealed: names, authors and contents are sealed here and opened here. */
  get isSealed(): boolean {
    return SEALED_ID.test(this.workbookId);
  }

  /**
   * The hub's list, newest first. A sealed workbook's named snapshots come with their names and
   * authors opened here; one whose label does not open (not sealed by this workbook's writer)
   * comes as an unnamed snapshot: name and by ''.
   */
  async list(): Promise<SnapshotInfo[]> {
    const list = await this.call(snapshotsPath(this.workbookId), { method: 'GET' }).then((r) => r.json() as Promise<SnapshotInfo[]>);
    if (!this.isSealed || !Array.isArray(list)) return list;
    return list.map((s) => (s?.kind === 'named' ? this.opened(s) : s));
  }

  /**
   * Takes a snapshot of what the hub holds now. For a sealed workbook the name and author are
   * sealed here (sealLabel) and the hub stores only the sealed label; the answer carries them
   * opened again. `by` comes worded by the UI (the hub refuses a plain snapshot without one);
   * this layer adds no words of its own, so a sealed label may carry '' and each reader names it.
   */
  async create(name: string, by: string): Promise<SnapshotInfo> {
    let body: { name: string; by: string } = { name, by };
    if (this.isSealed) {
      const keys = this.keys();
      if (!keys.sign) throw new SnapshotApiError('READ_ONLY', 'a view link cannot take snapshots');
      const plainName = tidy(name);
      if (!plainName || plainName.length > MAX_SNAPSHOT_NAME_LENGTH) {
        throw new SnapshotApiError('BAD_NAME', `a snapshot needs a name (up to ${MAX_SNAPSHOT_NAME_LENGTH} characters) and who made it`);
      }
      body = { name: sealLabel(keys, { name: plainName, by: tidy(by) }), by: SEALED_SNAPSHOT_BY };
    }
    const text = JSON.stringify(body);
    const info = await this.call(snapshotsPath(this.workbookId), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: text,
    }).then((r) => r.json() as Promise<SnapshotInfo>);
    return this.isSealed ? this.opened(info) : info;
  }

  /** Deletes a named snapshot (an edit link's; automatic ones are the hub's and are refused with AUTOMATIC_SNAPSHOT). */
  async delete(id: number): Promise<void> {
    await this.call(snapshotsPath(this.workbookId, id), { method: 'DELETE' });
  }

  /** The snapshot's bytes as the hub keeps them: the workbook's Yjs state, or a sealed workbook's envelope state (ciphertext). */
  async fetch(id: number): Promise<Uint8Array> {
    const res = await this.call(snapshotsPath(this.workbookId, id), { method: 'GET' });
    return new Uint8Array(await res.arrayBuffer());
  }

  /**
   * The snapshot as a workbook doc, opened on this device: a sealed workbook's envelope is opened
   * with the link's keys (openEnvelopeState), and blobs that fail their check are left out and
   * listed in `failures`. Throws SnapshotApiError UNAUTHORIZED for a sealed workbook without a
   * link that opens it, and whatever Yjs throws for bytes that are not a Yjs update.
   */
  async open(id: number): Promise<OpenedSnapshot> {
    const data = await this.fetch(id);
    return openSnapshotState(data, this.isSealed ? this.keys() : null);
  }

  private keys(): SealedKeys {
    if (!this.sealed) throw new SnapshotApiError('UNAUTHORIZED', 'this link does not open this workbook');
    return this.sealed;
  }

  private opened(info: SnapshotInfo): SnapshotInfo {
    const label = this.sealed ? openLabel(this.sealed, info?.name) : null;
    return { ...info, name: label?.name ?? '', by: label?.by ?? '' };
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

/** A snapshot's (or any room state's) bytes as a workbook doc: opened with `keys` for a sealed workbook, applied as they are otherwise. */
export function openSnapshotState(data: Uint8Array, keys: SealedKeys | null): OpenedSnapshot {
  if (keys) return openEnvelopeState(data, keys, DOC_WORKBOOK);
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, data);
  } catch (err) {
    doc.destroy();
    throw err;
  }
  return { doc, failures: [] };
}

// ── Sealed labels: a sealed workbook's snapshot name and author ─────────────────────────────────

/**
 * A label is what the hub stores as a sealed workbook's snapshot name. Built on the protocol's
 * primitives (src/sync holds no cipher of its own, test/unit/layers.test.ts):
 *
 *   label     = sealPresence(keys, 0, { l: 1, n: name, b: by, s: signature, p: padding })
 *   signature = b64u(Ed25519(writer key, "mutual-sheets/e1 snapshot label\0" ‖ id ‖ "\0" ‖ JSON [name, by]))
 *
 * so it is XChaCha20-Poly1305 under the content key, bound to this workbook's id; signed with the
 * writer key like a blob, so a view-link holder working with the hub cannot name a snapshot (nor
 * turn a presence state into a label: it has no `l` and no signature); padded with `p` so the
 * JSON is a multiple of 512 bytes (two 100-character ASCII fields fit in one) and the label's length says little about the name's. Bound to
 * awareness client id 0: were one replayed as presence it would show no name, colour or cursor.
 */
const LABEL_VERSION = 1;
const LABEL_CLIENT_ID = 0;
const LABEL_DOMAIN = 'mutual-sheets/e1 snapshot label\0';
const LABEL_PAD = 512;
/** The longest label the hub stores for a sealed workbook (server/snapshot-api.ts); sealLabel's longest (two 100-character fields of 3-byte characters: controls are dropped, lone surrogates made U+FFFD, so nothing is escaped) is about 1,420. */
export const MAX_LABEL_LENGTH = 2048;

const utf8 = (text: string) => new TextEncoder().encode(text);
const labelMessage = (id: string, name: string, by: string) => utf8(`${LABEL_DOMAIN}${id}\0${JSON.stringify([name, by])}`);

/** Seals a snapshot's name and author for the hub to store. Throws without a writer key (an edit link's). */
export function sealLabel(keys: SealedKeys, label: { name: string; by: string }): string {
  if (!keys.sign) throw new Error('only an edit link can seal a snapshot label');
  const name = tidy(String(label.name)).slice(0, MAX_SNAPSHOT_NAME_LENGTH);
  const by = tidy(String(label.by)).slice(0, MAX_SNAPSHOT_NAME_LENGTH);
  const state = { l: LABEL_VERSION, n: name, b: by, s: base64url(keys.sign(labelMessage(keys.id, name, by))), p: '' };
  const length = utf8(JSON.stringify(state)).length;
  state.p = ' '.repeat(Math.ceil(length / LABEL_PAD) * LABEL_PAD - length);
  const sealed = sealPresence(keys, LABEL_CLIENT_ID, state);
  if (sealed.length > MAX_LABEL_LENGTH) throw new Error('a snapshot label came out longer than the hub keeps');
  return sealed;
}

/** The name and author in a label, or null if it is not one this workbook's writer sealed. Never throws. */
export function openLabel(keys: SealedKeys, label: unknown): { name: string; by: string } | null {
  try {
    if (typeof label !== 'string' || label.length > MAX_LABEL_LENGTH) return null;
    const state = openPresence(keys, LABEL_CLIENT_ID, label) as { l?: unknown; n?: unknown; b?: unknown; s?: unknown } | null;
    if (!state || typeof state !== 'object' || state.l !== LABEL_VERSION || typeof state.n !== 'string' || typeof state.b !== 'string' || typeof state.s !== 'string') return null;
    const signature = fromBase64url(state.s);
    if (!signature || signature.length !== 64 || !nobleVerify(signature, labelMessage(keys.id, state.n, state.b), keys.writerPublic)) return null;
    return { name: tidy(state.n).slice(0, MAX_SNAPSHOT_NAME_LENGTH), by: tidy(state.b).slice(0, MAX_SNAPSHOT_NAME_LENGTH) };
  } catch {
    return null;
  }
}

/**
 * As the hub tidies a plain snapshot's name and author (runs of white space become one space,
 * trimmed), and also without control characters or lone surrogates, which JSON would escape to
 * six bytes each.
 */
function tidy(text: string): string {
  if (typeof text !== 'string') return '';
  return text
    .replace(/\s+/g, ' ')
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .trim();
}
