import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import { MESSAGE_HELLO, credentialText, type Credential } from '../../src/protocol/access.js';

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

export function helloFrame(c: Credential | string): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_HELLO);
  encoding.writeVarString(enc, typeof c === 'string' ? c : credentialText(c));
  return encoding.toUint8Array(enc);
}
