import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHALLENGE_ID } from '../src/protocol/access.js';
import { PROOF_HEADER, apiProofMessage, checkProof, decodeProofHeader } from '../src/protocol/challenge.js';
import { ROOM_ID_PATTERN, baseWorkbookId } from '../src/protocol/messages.js';
import { SNAPSHOT_API_PREFIX } from '../src/protocol/snapshots.js';
import { RETIRE_NONCE_PATH, RETIRE_PATH, type RetireErrorCode } from '../src/sync/retire.js';
import { json } from './api-response.js';
import type { Logger } from './log.js';
import { ApiNonces, nodeVerify } from './proofs.js';
import type { AsyncRoomStore } from './async-store.js';
import { isAppRequest } from './workbook-api.js';

export interface RetireApiDeps {
  store: Pick<AsyncRoomStore, 'retire' | 'retiredAt'>;
  now(): number;
  log: Logger;
  /**
   * Closes every live connection to the workbook and its journal (REFUSED, then RETIRED) and drops
   * their rooms from memory without writing them again; called once the store has forgotten them.
   * (A hosted hub also tells the other processes, which do the same.)
   */
  closeRooms(workbook: string): void;
}

/** The retire request has no body; anything past this is refused unread. */
const MAX_BODY_BYTES = 1024;

/**
 * /api/w/<id>/retire/nonce   GET: a nonce to sign the retire request with
 * /api/w/<id>/retire         POST with an edit link's proof: retires the workbook (src/sync/retire.ts)
 * (anything else for a retired workbook or its journal is 410 RETIRED: the workbook API says so)
 *
 * Retiring deletes everything the hub stored for the workbook and its journal (both logs, the
 * retained base, saved snapshots; secure_delete zeroes them in the file, a checkpoint empties the
 * WAL) and keeps only a marker with its id, so a hub seized later holds nothing of it; the live
 * connections are closed, saying why. Retiring again answers 200 again. Returns false for paths
 * it does not own (the workbook API answers those).
 */
export function createRetireApi(deps: RetireApiDeps) {
  const nonces = new ApiNonces(deps.now);

  const refuse = (res: ServerResponse, status: number, code: RetireErrorCode, message: string) => {
    if (!res.headersSent) json(res, status, { error: code, message });
  };

  /** The role the request's proof gives for `workbook`, or null. The nonce is used up only by a valid proof. */
  const roleOf = (req: IncomingMessage, url: URL, workbook: string, body: string) => {
    const header = req.headers[PROOF_HEADER.toLowerCase()];
    const signed = typeof header === 'string' ? decodeProofHeader(header) : null;
    if (!signed || !nonces.valid(workbook, signed.nonce)) return null;
    const bodyHash = createHash('sha256').update(body, 'utf8').digest('base64url');
    const message = apiProofMessage(signed.nonce, req.method ?? 'POST', url.pathname + url.search, signed.proof.role, bodyHash);
    const role = checkProof(workbook, signed.proof, message, nodeVerify);
    if (role) nonces.spend(signed.nonce);
    return role;
  };

  const retire = async (req: IncomingMessage, res: ServerResponse, url: URL, workbook: string): Promise<void> => {
    let body: string;
    try {
      body = await readBody(req);
    } catch {
      refuse(res, 413, 'TOO_LARGE', 'a retire request has no body');
      return;
    }
    if (!CHALLENGE_ID.test(workbook)) {
      refuse(res, 403, 'NOT_RETIRABLE', 'only a signed or sealed workbook can be retired');
      return;
    }
    const role = roleOf(req, url, workbook, body);
    if (!role) {
      refuse(res, 401, 'UNAUTHORIZED', 'this link does not open this workbook');
      return;
    }
    if (role !== 'edit') {
      refuse(res, 403, 'READ_ONLY', 'a view link cannot retire a workbook');
      return;
    }
    if (!isAppRequest(req)) {
      refuse(res, 403, 'CROSS_SITE', 'send this request from the app');
      return;
    }
    let before: number | null;
    try {
      before = await deps.store.retiredAt(workbook);
      if (before === null) await deps.store.retire(workbook, deps.now());
    } catch (err) {
      deps.log.error('could not retire workbook', { room: workbook, error: String(err) });
      refuse(res, 507, 'STORAGE_FAILED', 'the hub could not retire the workbook');
      return;
    }
    // Even when it was retired already: a connection must never outlive it.
    deps.closeRooms(workbook);
    const at = (await deps.store.retiredAt(workbook).catch(() => null)) ?? deps.now();
    if (before === null) deps.log.info('workbook retired', { room: workbook });
    json(res, 200, { retired: workbook, at });
  };

  return (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (!url.pathname.startsWith(SNAPSHOT_API_PREFIX)) return false;
    const parts = url.pathname.slice(SNAPSHOT_API_PREFIX.length).split('/');
    const [room, what] = parts;
    const workbook = baseWorkbookId(room ?? '');
    if (!workbook) return false;
    if (what === RETIRE_PATH) {
      res.setHeader('Cache-Control', 'no-store');
      // The workbook's own id: retiring it takes its journal too.
      if (!ROOM_ID_PATTERN.test(room)) refuse(res, 404, 'NOT_FOUND', 'retire the workbook, not its journal');
      else if (parts.length === 3 && parts[2] === RETIRE_NONCE_PATH) {
        if (req.method === 'GET') json(res, 200, { nonce: nonces.issue(workbook) });
        else refuse(res, 405, 'METHOD', 'use GET');
      } else if (parts.length !== 2) refuse(res, 404, 'NOT_FOUND', 'no such address');
      else if (req.method !== 'POST') refuse(res, 405, 'METHOD', 'use POST');
      else {
        void retire(req, res, url, workbook).catch((err) => {
          deps.log.error('retire api failed', { room: workbook, error: String(err) });
          refuse(res, 500, 'STORAGE_FAILED', 'the hub failed to answer');
        });
      }
      return true;
    }
    return false;
  };
}

type ApiHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;

/** `first` answers what it owns; everything else goes on to `next`. */
export function apiAfter(first: ApiHandler, next: ApiHandler): ApiHandler {
  return (req, res, url) => first(req, res, url) || next(req, res, url);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new Error('too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
