import { ed25519 } from '@noble/curves/ed25519.js';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import {
  CHALLENGE_ID,
  LEGACY_KEY_ID,
  MESSAGE_HELLO,
  base64url,
  challengeIdOf,
  concatBytes,
  credentialText,
  fromBase64url,
  proverFor,
  type Credential,
  type Prover,
  type Role,
} from './access.js';

/**
 * Challenge–response for signed (`s…`) and sealed (`e…`) workbooks (src/protocol/access.ts), so
 * that nothing that crosses the wire can be used again:
 *
 *   hub → device   CHALLENGE (104): varUint8Array nonce — 32 fresh random bytes per connection
 *   device → hub   PROOF (105): varString role, varUint8Array editPublic, varUint8Array viewPublic,
 *                  varUint8Array Ed25519 signature by the role's signer over
 *                  "mutual-sheets/s1 sync\0" ‖ room ‖ "\0" ‖ role ‖ "\0" ‖ nonce
 *
 * (For a sealed workbook editPublic / viewPublic are its writer / read public keys, and the id is
 * hashed with the sealed domain; the messages signed are the same, and name the room.)
 * The hub hashes the two public keys into the id, compares it with the room's workbook and
 * verifies the signature with the role's public key; a PROOF is good for the one connection whose
 * nonce it signs (a replay on a new connection meets a new nonce: 4401).
 *
 * The HTTP API signs each request instead of sending a key: `GET /api/w/<room>/nonce` gives a
 * nonce the hub made (good for API_NONCE_TTL_MS, once), and the request carries
 *
 *   X-Workbook-Proof: <role>.<nonce>.<b64u editPublic>.<b64u viewPublic>.<b64u signature>
 *
 * signed over "mutual-sheets/s1 api\0" ‖ method ‖ "\0" ‖ path?query ‖ "\0" ‖ role ‖ "\0" ‖
 * nonce ‖ "\0" ‖ b64u(SHA-256(body)). Legacy (`k…`) workbooks still send their key (HELLO, and
 * X-Workbook-Key): their ids commit to hashes of the keys, which only the key itself can match.
 */
export const MESSAGE_CHALLENGE = 104;
export const MESSAGE_PROOF = 105;
export const NONCE_BYTES = 32;
const PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

/** Carries a signed API request's proof. */
export const PROOF_HEADER = 'X-Workbook-Proof';
/** The last part of `/api/w/<room>/nonce`, where a device gets a nonce to sign. */
export const NONCE_PATH = 'nonce';
/** How long an API nonce may be used after the hub made it. */
export const API_NONCE_TTL_MS = 120_000;

export interface Proof {
  role: Role;
  editPublic: Uint8Array;
  viewPublic: Uint8Array;
  signature: Uint8Array;
}

/** Verifies an Ed25519 signature (the hub passes Node's, which is faster; the default works anywhere). */
export type Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

export const nobleVerify: Verify = (signature, message, publicKey) => {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
};

const utf8 = (text: string) => new TextEncoder().encode(text);

export function encodeChallenge(nonce: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_CHALLENGE);
  encoding.writeVarUint8Array(enc, nonce);
  return encoding.toUint8Array(enc);
}

/** The nonce of a CHALLENGE frame, or null when the frame is not one. */
export function decodeChallenge(frame: Uint8Array): Uint8Array | null {
  try {
    const dec = decoding.createDecoder(frame);
    if (decoding.readVarUint(dec) !== MESSAGE_CHALLENGE) return null;
    const nonce = decoding.readVarUint8Array(dec);
    return nonce.length === NONCE_BYTES && !decoding.hasContent(dec) ? nonce : null;
  } catch {
    return null;
  }
}

export function encodeProof(proof: Proof): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_PROOF);
  encoding.writeVarString(enc, proof.role);
  encoding.writeVarUint8Array(enc, proof.editPublic);
  encoding.writeVarUint8Array(enc, proof.viewPublic);
  encoding.writeVarUint8Array(enc, proof.signature);
  return encoding.toUint8Array(enc);
}

function wellFormed(role: string, editPublic: Uint8Array, viewPublic: Uint8Array, signature: Uint8Array): Proof | null {
  if (role !== 'edit' && role !== 'view') return null;
  if (editPublic.length !== PUBLIC_KEY_BYTES || viewPublic.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return null;
  return { role, editPublic, viewPublic, signature };
}

/** A PROOF frame's contents, or null when the frame is not a well-formed one. */
export function decodeProof(frame: Uint8Array): Proof | null {
  try {
    const dec = decoding.createDecoder(frame);
    if (decoding.readVarUint(dec) !== MESSAGE_PROOF) return null;
    const role = decoding.readVarString(dec);
    const editPublic = decoding.readVarUint8Array(dec);
    const viewPublic = decoding.readVarUint8Array(dec);
    const signature = decoding.readVarUint8Array(dec);
    if (decoding.hasContent(dec)) return null;
    return wellFormed(role, editPublic, viewPublic, signature);
  } catch {
    return null;
  }
}

/** What a device signs to open `room` (a workbook or its journal) on the connection that sent `nonce`. */
export function syncProofMessage(nonce: Uint8Array, room: string, role: Role): Uint8Array {
  return concatBytes(utf8(`mutual-sheets/s1 sync\0${room}\0${role}\0`), nonce);
}

/** What a device signs for one API request. `target` is the path with its query, as sent. */
export function apiProofMessage(nonce: string, method: string, target: string, role: Role, bodyHash: string): Uint8Array {
  return utf8(`mutual-sheets/s1 api\0${method.toUpperCase()}\0${target}\0${role}\0${nonce}\0${bodyHash}`);
}

/** The role a proof gives for `workbookId` (`s…` or `e…`), or null: its keys must hash to the id (of that kind) and its signature verify. */
export function checkProof(workbookId: string, proof: Proof, message: Uint8Array, verify: Verify = nobleVerify): Role | null {
  if (!CHALLENGE_ID.test(workbookId) || challengeIdOf(workbookId, proof.editPublic, proof.viewPublic) !== workbookId) return null;
  return verify(proof.signature, message, proof.role === 'edit' ? proof.editPublic : proof.viewPublic) ? proof.role : null;
}

export function prove(prover: Prover, message: Uint8Array): Proof {
  return { role: prover.role, editPublic: prover.editPublic, viewPublic: prover.viewPublic, signature: prover.sign(message) };
}

export function encodeProofHeader(nonce: string, proof: Proof): string {
  return [proof.role, nonce, base64url(proof.editPublic), base64url(proof.viewPublic), base64url(proof.signature)].join('.');
}

export function decodeProofHeader(text: string): { nonce: string; proof: Proof } | null {
  const parts = text.split('.');
  if (parts.length !== 5 || parts[1].length > 200) return null;
  const [role, nonce, editPublic, viewPublic, signature] = parts;
  const bytes = [editPublic, viewPublic, signature].map(fromBase64url);
  if (!/^[A-Za-z0-9_-]+$/.test(nonce) || bytes.some((b) => b === null)) return null;
  const proof = wellFormed(role, bytes[0]!, bytes[1]!, bytes[2]!);
  return proof ? { nonce, proof } : null;
}

/** HELLO (legacy `k…` workbooks only): the link's key itself. */
export function encodeHello(credential: Credential): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_HELLO);
  encoding.writeVarString(enc, credentialText(credential));
  return encoding.toUint8Array(enc);
}

/**
 * How a connection to `room` opens with this credential (src/sync/fragmenting-socket.ts): a
 * signed or sealed workbook answers the hub's CHALLENGE (nothing else is sent before), a legacy one sends
 * HELLO first, an open one (or a signed one without a usable key, which the hub will refuse)
 * starts syncing at once.
 */
export type Handshake = { kind: 'hello'; frame: Uint8Array } | { kind: 'challenge'; answer(nonce: Uint8Array): Uint8Array };

export function linkHandshake(room: string, workbookId: string, credential: Credential | null): Handshake | null {
  if (!credential) return null;
  if (LEGACY_KEY_ID.test(workbookId)) return { kind: 'hello', frame: encodeHello(credential) };
  let prover: Prover | null | undefined;
  if (CHALLENGE_ID.test(workbookId)) {
    return {
      kind: 'challenge',
      answer(nonce) {
        // Derived once, on the first connection: a reconnect only signs.
        prover ??= proverFor(workbookId, credential);
        // No key for this workbook: send nothing the hub could use; its refusal (4401) follows.
        if (!prover) return new Uint8Array([MESSAGE_PROOF]);
        return encodeProof(prove(prover, syncProofMessage(nonce, room, prover.role)));
      },
    };
  }
  return null;
}
