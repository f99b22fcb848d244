import { FRAGMENT_BYTES, fragmentFrame } from '../protocol/fragments.js';

type SocketClass = new (url: string | URL, protocols?: string | string[]) => WebSocket;

/**
 * Wraps a WebSocket class so that a binary message larger than a fragment is
 * sent as FRAGMENT frames (see src/protocol/fragments.ts) instead of one frame
 * the relay would refuse, and opens every connection with `hello` when given.
 * y-websocket takes the result as its WebSocketPolyfill.
 */
export function fragmentingSocket(Base: SocketClass, fragmentBytes = FRAGMENT_BYTES, hello: Uint8Array | null = null): SocketClass {
  return class FragmentingSocket extends (Base as typeof WebSocket) {
    private nextMessageId = 0;

    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Registered before y-websocket sets onopen, so the hello (the link's credential) is the
      // first frame on every connection, ahead of sync step 1.
      if (hello) this.addEventListener('open', () => Base.prototype.send.call(this, hello));
    }

    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      const bytes =
        data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : null;
      if (!bytes || bytes.length <= fragmentBytes) {
        super.send(data);
        return;
      }
      const id = this.nextMessageId++;
      for (const part of fragmentFrame(bytes, id, fragmentBytes)) super.send(part);
    }
  } as unknown as SocketClass;
}
