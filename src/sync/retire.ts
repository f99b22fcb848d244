import * as Y from 'yjs';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64url, proverFor, type Credential } from '../protocol/access.js';
import { PROOF_HEADER, apiProofMessage, encodeProofHeader, prove } from '../protocol/challenge.js';
import { historyRoom } from '../protocol/messages.js';
import { newSealedWorkbookKeys } from '../protocol/sealed-keys.js';
import { SEALED_ID } from '../protocol/sealed.js';
import { APP_REQUEST_HEADER, APP_REQUEST_VALUE, SNAPSHOT_API_PREFIX } from '../protocol/snapshots.js';
import type { WorkbookSession } from './workbook-session.js';

/**
 * Retiring a workbook after its links leaked (issue 14, "Replace links"; server/retire-api.ts):
 *
 *   GET  /api/w/<id>/retire/nonce   {nonce}: a nonce to sign the retire request with
 *   POST /api/w/<id>/retire         X-Workbook-Proof (edit role), APP_REQUEST_HEADER, empty body → 200 {retired, at}
 *
 * The proof is the API's usual one (src/protocol/challenge.ts apiProofMessage) over a nonce the
 * retire route made. Afterwards the hub refuses every connection to the workbook and its journal
 * (REFUSED, then close RETIRED), answers every other API request for them with 410 RETIRED, and
 * holds nothing of them but the id. Retiring again answers 200 again.
 */
export const RETIRE_PATH = 'retire';
export const RETIRE_NONCE_PATH = 'nonce';

export function retirePath(workbookId: string): string {
  return `${SNAPSHOT_API_PREFIX}${encodeURIComponent(workbookId)}/${RETIRE_PATH}`;
}

export function retireNoncePath(workbookId: string): string {
  return `${retirePath(workbookId)}/${RETIRE_NONCE_PATH}`;
}

export type RetireErrorCode =
  /** no proof, or one that does not open this workbook (401) */
  | 'UNAUTHORIZED'
  /** a view link's proof: only an edit link retires a workbook (403) */
  | 'READ_ONLY'
  /** sent without APP_REQUEST_HEADER (403) */
  | 'CROSS_SITE'
  /** an open or legacy workbook: only signed and sealed ones can be retired (403) */
  | 'NOT_RETIRABLE'
  /** any other request for a retired workbook (410) */
  | 'RETIRED'
  | 'METHOD'
  | 'NOT_FOUND'
  /** a body where none belongs (413) */
  | 'TOO_LARGE'
  | 'STORAGE_FAILED'
  /** the hub could not be reached (this device's own) */
  | 'OFFLINE';

export class RetireError extends Error {
  constructor(
    readonly code: RetireErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RetireError';
  }
}

/**
 * Asks the hub at `origin` to retire `workbookId`, proved with its edit link. Resolves once the
 * hub has: from then on it holds nothing of the workbook and refuses it. Throws RetireError.
 */
export async function retireOnHub(origin: string, workbookId: string, credential: Credential | null, fetchFn: typeof fetch = fetch): Promise<{ at: number }> {
  const prover = proverFor(workbookId, credential);
  const path = retirePath(workbookId);
  const headers: Record<string, string> = { [APP_REQUEST_HEADER]: APP_REQUEST_VALUE };
  try {
    if (prover) {
      const res = await fetchFn(`${origin}${retireNoncePath(workbookId)}`, { method: 'GET' });
      const nonce = res.ok ? ((await res.json()) as { nonce?: unknown }).nonce : null;
      if (typeof nonce !== 'string') throw await refusal(res);
      const bodyHash = base64url(sha256(new Uint8Array(0)));
      headers[PROOF_HEADER] = encodeProofHeader(nonce, prove(prover, apiProofMessage(nonce, 'POST', path, prover.role, bodyHash)));
    }
    const res = await fetchFn(`${origin}${path}`, { method: 'POST', headers, body: '' });
    if (!res.ok) throw await refusal(res);
    const body = (await res.json()) as { at?: unknown };
    return { at: typeof body.at === 'number' ? body.at : Date.now() };
  } catch (err) {
    if (err instanceof RetireError) throw err;
    throw new RetireError('OFFLINE', err instanceof Error ? err.message : String(err));
  }
}

async function refusal(res: Response): Promise<RetireError> {
  try {
    const body = (await res.json()) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') return new RetireError(body.error as RetireErrorCode, typeof body.message === 'string' ? body.message : body.error);
  } catch {
    // not the hub's JSON: a proxy's page, or an older hub
  }
  return new RetireError(res.status === 404 ? 'NOT_FOUND' : 'STORAGE_FAILED', `the hub answered ${res.status}`);
}

/** One of a workbook's docs, to open a session for (the caller chooses how: the app with IndexedDB, tests in memory). */
export interface SessionDoc {
  /** the room: a workbook id, or its journal's (`<id>.h`) */
  workbookId: string;
  baseId: string;
  journal: boolean;
  credential: Credential;
  doc: Y.Doc;
}

export interface ReplaceLinksOptions {
  origin: string;
  /** the sealed workbook being replaced, and its edit link's credential */
  oldId: string;
  credential: Credential;
  /**
   * The workbook doc and its history journal as this page has them, if it has them open (they may
   * go on changing while this runs): changes still being sealed there are copied too. Without
   * them the copy is what the hub and this device's disk hold, which is everything once sealed.
   */
  workbook?: Y.Doc | null;
  journal?: Y.Doc | null;
  /**
   * Opens a sealed session for one doc: the new workbook's two (to write them), and the old one's
   * two (to read what the hub and this device's disk hold, in case the page has not loaded it all).
   */
  open(doc: SessionDoc): WorkbookSession;
  /** a new workbook made by an earlier attempt that did not get as far as retiring: finished instead of making another */
  keys?: NewKeys;
  fetchFn?: typeof fetch;
  /** 'copying' once the new workbook's keys exist (a retry can pass them back as `keys`), 'retiring' once the hub holds all of it */
  onStep?(step: 'copying' | 'retiring', keys: NewKeys): void;
  signal?: AbortSignal;
}

export interface NewKeys {
  id: string;
  edit: Credential;
  view: Credential;
}

/** How many times the copy catches up with edits made to the old workbook while it was being sent. */
const MAX_ROUNDS = 5;

/**
 * "Replace links": a new sealed workbook (new keys, new id) whose workbook doc and journal start
 * from the old ones' whole state (Y.encodeStateAsUpdate: every cell, sheet and history entry,
 * with who wrote them) — what the hub and this device's disk hold (read through sessions of the
 * old workbook's own, so a journal the page has not finished loading is copied whole), and what
 * the page holds when given — sealed with the new keys and
 * waited for until the hub holds all of it; then the old workbook is retired on the hub. Returns
 * the new workbook's keys. Nothing is retired unless the new workbook is complete on the hub: a
 * failure or an abort before that leaves the old one as it was (throws; RetireError from the
 * hub, or the abort's reason).
 */
export async function replaceLinks(options: ReplaceLinksOptions): Promise<NewKeys> {
  const { oldId, credential, signal } = options;
  if (!SEALED_ID.test(oldId) || credential.role !== 'edit' || !proverFor(oldId, credential)) {
    throw new RetireError('READ_ONLY', 'only the edit link of a sealed workbook can replace its links');
  }
  signal?.throwIfAborted();
  const keys = options.keys ?? newSealedWorkbookKeys();
  options.onStep?.('copying', keys);
  const open = (id: string, journal: boolean, credential: Credential) => {
    const doc = new Y.Doc();
    const session = options.open({ workbookId: journal ? historyRoom(id) : id, baseId: id, journal, credential, doc });
    return { doc, session };
  };
  const pairs = [false, true].map((journal) => ({
    live: journal ? options.journal : options.workbook,
    held: open(oldId, journal, credential),
    target: open(keys.id, journal, keys.edit),
  }));
  const sessions = pairs.flatMap((p) => [p.held, p.target]);
  try {
    await untilDone(Promise.all(sessions.map((s) => s.session.whenLoaded)), signal);
    // the old workbook as the hub holds it (and as this device's disk does: pushed to the hub on the way)
    await untilDone(Promise.all(pairs.map((p) => p.held.session.whenAllOnHub())), signal);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let changed = false;
      for (const p of pairs) {
        changed = catchUp(p.held.doc, p.target.doc) || changed;
        if (p.live) changed = catchUp(p.live, p.target.doc) || changed;
      }
      // The first round always waits (an empty workbook still has its envelope to open); later ones only for what changed.
      if (!changed && round > 0) break;
      await untilDone(Promise.all(pairs.map((p) => p.target.session.whenAllOnHub())), signal);
    }
  } finally {
    await Promise.all(sessions.map((s) => s.session.destroy()));
    for (const s of sessions) s.doc.destroy();
  }
  signal?.throwIfAborted();
  options.onStep?.('retiring', keys);
  await retireOnHub(options.origin, oldId, credential, options.fetchFn);
  return keys;
}
/** Applies to `target` what `source` has and it lacks; whether anything changed. */
function catchUp(source: Y.Doc, target: Y.Doc): boolean {
  let changed = false;
  const mark = () => (changed = true);
  target.on('update', mark);
  try {
    Y.applyUpdate(target, Y.encodeStateAsUpdate(source, Y.encodeStateVector(target)));
  } finally {
    target.off('update', mark);
  }
  return changed;
}

function untilDone<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
