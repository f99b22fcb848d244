import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import { CHALLENGE_ID, LEGACY_KEY_ID, MESSAGE_HELLO, credentialText, proverFor, type Credential } from '../../src/protocol/access.js';
import { MESSAGE_CHALLENGE, decodeChallenge, encodeProof, prove, syncProofMessage } from '../../src/protocol/challenge.js';
import { baseWorkbookId } from '../../src/protocol/messages.js';

/** A bare WebSocket to the relay, for sending exactly the bytes a test wants. */
export interface RawSocket {
  ws: WebSocket;
  /** resolves with the close code once the relay closes it */
  closed: Promise<number>;
  /** resolves once the handshake succeeded, rejects with the HTTP status if it was refused */
  opened: Promise<void>;
  frames: Uint8Array[];
}

export function rawSocket(syncUrl: string, room: string, headers: Record<string, string> = {}): RawSocket {
  const ws = new WebSocket(`${syncUrl}/${room}`, { headers });
  const frames: Uint8Array[] = [];
  ws.on('message', (d: Buffer) => frames.push(new Uint8Array(d)));
  const closed = new Promise<number>((res) => ws.on('close', (code) => res(code)));
  const opened = new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('unexpected-response', (_req, r) => rej(new Error(`HTTP ${r.statusCode}`)));
    ws.once('error', (e) => rej(e));
  });
  // A refused handshake also emits 'error' after 'unexpected-response'; it is expected here.
  ws.on('error', () => {});
  return { ws, closed, opened, frames };
}

/** A legacy (`k…`) workbook's HELLO: the link's key itself. */
export function helloFrame(c: Credential | string): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_HELLO);
  encoding.writeVarString(enc, typeof c === 'string' ? c : credentialText(c));
  return encoding.toUint8Array(enc);
}

/** The hub's CHALLENGE to this socket (signed workbooks), once it has come. */
export async function challengeOf(s: RawSocket): Promise<Uint8Array> {
  for (;;) {
    for (const f of s.frames) {
      const nonce = f[0] === MESSAGE_CHALLENGE ? decodeChallenge(f) : null;
      if (nonce) return nonce;
    }
    await new Promise<void>((res, rej) => {
      s.ws.once('message', () => res());
      s.ws.once('close', () => rej(new Error('closed before a challenge')));
    });
  }
}

/**
 * The PROOF frame a device with `credential` sends to answer `nonce` on a connection to `room`;
 * `workbook` names the workbook the credential is for when it is not the room's (a forgery).
 */
export function proofFrame(room: string, credential: Credential, nonce: Uint8Array, workbook = baseWorkbookId(room) ?? room): Uint8Array {
  const prover = proverFor(workbook, credential);
  if (!prover) throw new Error('this credential does not open this workbook');
  return encodeProof(prove(prover, syncProofMessage(nonce, room, prover.role)));
}

/** Opens an opened socket as the app would: answers a signed or sealed workbook's challenge, or sends a legacy HELLO. */
export async function authenticate(s: RawSocket, room: string, credential: Credential): Promise<void> {
  const workbook = baseWorkbookId(room) ?? room;
  if (LEGACY_KEY_ID.test(workbook)) s.ws.send(helloFrame(credential));
  else if (CHALLENGE_ID.test(workbook)) s.ws.send(proofFrame(room, credential, await challengeOf(s)));
}
