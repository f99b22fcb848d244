import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * The relay refuses frames over 1 MiB, yet one Yjs update can be bigger (a long
 * offline session, a large paste). Such a message is sent as a series of
 * FRAGMENT frames that the relay reassembles, within a per-connection budget,
 * before handling it like any other message.
 *
 * Frame: varUint MESSAGE_FRAGMENT, varUint messageId, varUint index,
 *        varUint count, varUint8Array bytes
 */
export const MESSAGE_FRAGMENT = 101;
/** Payload bytes per fragment: well under the relay's smallest sensible frame cap. */
export const FRAGMENT_BYTES = 256 * 1024;

export function fragmentFrame(frame: Uint8Array, messageId: number, fragmentBytes = FRAGMENT_BYTES): Uint8Array[] {
  const count = Math.ceil(frame.length / fragmentBytes);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE_FRAGMENT);
    encoding.writeVarUint(enc, messageId);
    encoding.writeVarUint(enc, i);
    encoding.writeVarUint(enc, count);
    encoding.writeVarUint8Array(enc, frame.subarray(i * fragmentBytes, (i + 1) * fragmentBytes));
    out.push(encoding.toUint8Array(enc));
  }
  return out;
}

export class FragmentError extends Error {}

/** Collects one connection's fragments; fragments of one message arrive in order on one socket. */
export class Reassembler {
  private messageId = -1;
  private expected = 0;
  private parts: Uint8Array[] = [];
  private bytes = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** Takes a whole FRAGMENT frame; returns the reassembled message when its last fragment arrives. */
  push(frame: Uint8Array): Uint8Array | null {
    const dec = decoding.createDecoder(frame);
    let id: number, index: number, count: number, chunk: Uint8Array;
    try {
      if (decoding.readVarUint(dec) !== MESSAGE_FRAGMENT) throw new FragmentError('not a fragment');
      id = decoding.readVarUint(dec);
      index = decoding.readVarUint(dec);
      count = decoding.readVarUint(dec);
      chunk = decoding.readVarUint8Array(dec);
    } catch {
      throw new FragmentError('truncated fragment');
    }
    if (count < 2 || index >= count) throw new FragmentError('bad fragment numbering');
    if (index === 0) {
      if (this.parts.length > 0) throw new FragmentError('a new message began before the last one ended');
      this.messageId = id;
      this.expected = count;
    } else if (id !== this.messageId || index !== this.parts.length || count !== this.expected) {
      throw new FragmentError('fragment out of order');
    }
    this.bytes += chunk.length;
    if (this.bytes > this.maxMessageBytes) throw new FragmentError('message too large');
    this.parts.push(chunk);
    if (this.parts.length < this.expected) return null;
    const whole = new Uint8Array(this.bytes);
    let at = 0;
    for (const p of this.parts) {
      whole.set(p, at);
      at += p.length;
    }
    this.parts = [];
    this.bytes = 0;
    return whole;
  }
}
