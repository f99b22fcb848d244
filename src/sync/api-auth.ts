import { sha256 } from '@noble/hashes/sha2.js';
import { CHALLENGE_ID, LEGACY_KEY_ID, base64url, credentialText, proverFor, type Credential } from '../protocol/access.js';
import { NONCE_PATH, PROOF_HEADER, apiProofMessage, encodeProofHeader, prove } from '../protocol/challenge.js';
import { baseWorkbookId } from '../protocol/messages.js';
import { CREDENTIAL_HEADER, SNAPSHOT_API_PREFIX } from '../protocol/snapshots.js';

/**
 * The header that lets one API request through for `room` (a workbook or its journal): for a
 * signed or sealed workbook a fresh proof — a nonce from the hub (`GET /api/w/<room>/nonce`), signed with
 * the request's method, path, body and role — so the key never crosses the wire; for a legacy
 * one the key (X-Workbook-Key); for an open one nothing. Throws what `fetchFn` throws when the
 * hub cannot be reached.
 */
export async function authHeaders(
  origin: string,
  room: string,
  credential: Credential | null,
  request: { method: string; path: string; body?: string },
  fetchFn: typeof fetch,
): Promise<Record<string, string>> {
  const workbook = baseWorkbookId(room) ?? room;
  if (!credential) return {};
  if (LEGACY_KEY_ID.test(workbook)) return { [CREDENTIAL_HEADER]: credentialText(credential) };
  if (!CHALLENGE_ID.test(workbook)) return {};
  // A key that cannot open this workbook is not used at all: the hub answers 401 without it.
  const prover = proverFor(workbook, credential);
  if (!prover) return {};
  const res = await fetchFn(`${origin}${SNAPSHOT_API_PREFIX}${encodeURIComponent(room)}/${NONCE_PATH}`, { method: 'GET' });
  const nonce = res.ok ? ((await res.json()) as { nonce?: unknown }).nonce : null;
  if (typeof nonce !== 'string') return {};
  const url = new URL(`${origin}${request.path}`);
  const bodyHash = base64url(sha256(new TextEncoder().encode(request.body ?? '')));
  const proof = prove(prover, apiProofMessage(nonce, request.method, url.pathname + url.search, prover.role, bodyHash));
  return { [PROOF_HEADER]: encodeProofHeader(nonce, proof) };
}
