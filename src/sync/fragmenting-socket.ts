import { decodeChallenge, type Handshake } from '../protocol/challenge.js';
import { FRAGMENT_BYTES, fragmentFrame } from '../protocol/fragments.js';

type SocketClass = new (url: string | URL, protocols?: string | string[]) => WebSocket;
type Sendable = string | ArrayBufferLike | Blob | ArrayBufferView;

function bytesOf(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return null;
}

/**
 * Wraps a WebSocket class so that a binary message larger than a fragment is
 * sent as FRAGMENT frames (see src/protocol/fragments.ts) instead of one frame
 * the relay would refuse, and opens every connection as `handshake` says
 * (src/protocol/challenge.ts): a HELLO first (legacy keys), or, for a signed
 * workbook, nothing at all until the hub's CHALLENGE has been answered — the
 * frames y-websocket sends on open (sync step 1, presence) are held until the
 * PROOF is out, then sent in order. y-websocket takes the result as its
 * WebSocketPolyfill.
 */
export function fragmentingSocket(Base: SocketClass, fragmentBytes = FRAGMENT_BYTES, handshake: Handshake | null = null): SocketClass {
  return class FragmentingSocket extends (Base as typeof WebSocket) {
    private nextMessageId = 0;
    /** frames sent before the challenge was answered; null once it has been (or when there is none) */
    private held: Sendable[] | null = null;

    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      if (handshake?.kind === 'hello') {
        // Registered before y-websocket sets onopen, so the hello (the link's credential) is the
        // first frame on every connection, ahead of sync step 1.
        const hello = handshake.frame;
        this.addEventListener('open', () => Base.prototype.send.call(this, hello));
      } else if (handshake?.kind === 'challenge') {
        this.held = [];
        // Registered before y-websocket's onmessage, so the proof is out (and the held frames
        // after it) before y-websocket reads anything; it ignores the CHALLENGE (session.ts).
        const onMessage = (event: MessageEvent) => {
          const bytes = bytesOf(event.data);
          const nonce = bytes && this.held ? decodeChallenge(bytes) : null;
          if (!nonce) return;
          const held = this.held!;
          this.held = null;
          this.removeEventListener('message', onMessage);
          Base.prototype.send.call(this, handshake.answer(nonce));
          for (const frame of held) this.send(frame);
        };
        this.addEventListener('message', onMessage);
      }
    }

    override send(data: Sendable): void {
      if (this.held) {
        this.held.push(data);
        return;
      }
      const bytes = bytesOf(data);
      if (!bytes || bytes.length <= fragmentBytes) {
        super.send(data);
        return;
      }
      const id = this.nextMessageId++;
      for (const part of fragmentFrame(bytes, id, fragmentBytes)) super.send(part);
    }
  } as unknown as SocketClass;
}
