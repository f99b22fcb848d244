import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * The relay refuses frames over 1 MiB, yet one Yjs update can be bigger (a long
 * offline session, a large paste). Such a message is sent as a series of
 * FRAGMENT frames that the relay reassembles, within a per-connection budget
 * (bytes, fragment count, time) and a budget shared by every connection, before
 * handling it like any other message.
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

/** Why a fragmented message was refused; the relay turns each into its own close code. */
export type FragmentFailure =
  /** not a well-formed FRAGMENT frame, out of order, or bytes after the payload (4400) */
  | 'malformed'
  /** over the message's byte budget or its fragment count (4413) */
  | 'too-large'
  /** the message did not complete within its time (FRAGMENT_TIMEOUT_CODE) */
  | 'too-slow'
  /** the hub's shared budget for messages in flight is spent: try again later (1013) */
  | 'busy';

export class FragmentError extends Error {
  constructor(
    message: string,
    readonly failure: FragmentFailure = 'malformed',
  ) {
    super(message);
    this.name = 'FragmentError';
  }
}

/** Close code: a fragmented message did not complete within the hub's time for one message; the client reconnects. */
export const FRAGMENT_TIMEOUT_CODE = 4410;

/**
 * Bytes held by every connection's unfinished messages together, so many connections cannot
 * each hold a full message's worth. One per relay; each Reassembler takes from it and gives back.
 */
export class FragmentBudget {
  private used = 0;
  constructor(readonly maxBytes: number) {}
  get bytes(): number {
    return this.used;
  }
  take(n: number): boolean {
    if (this.used + n > this.maxBytes) return false;
    this.used += n;
    return true;
  }
  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

export interface ReassemblerLimits {
  /** largest reassembled message, bytes */
  maxMessageBytes: number;
  /** most fragments one message may declare; by default what `maxMessageBytes` needs at FRAGMENT_BYTES, twice over */
  maxFragments?: number;
  /** a message must complete this soon after its first fragment (ms); checked at each fragment, and by the caller's timer */
  maxMessageMs?: number;
  /** shared with other connections (the relay's); absent: only this connection's limit */
  budget?: FragmentBudget;
  now?: () => number;
}

/** Fragments a message up to `maxMessageBytes` needs at the client's FRAGMENT_BYTES, with room for smaller pieces. */
export function defaultMaxFragments(maxMessageBytes: number): number {
  return Math.max(64, 2 * Math.ceil(maxMessageBytes / FRAGMENT_BYTES));
}

/**
 * Collects one connection's fragments; fragments of one message arrive in order on one socket.
 * What it keeps is copied out of each frame, so the bytes it counts are the bytes it holds: a
 * 1-byte payload in a 1 MiB frame keeps 1 byte alive, not the frame (and trailing bytes after the
 * payload are refused anyway).
 */
export class Reassembler {
  private messageId = -1;
  private expected = 0;
  private parts: Uint8Array[] = [];
  private bytes = 0;
  private startedAt = 0;
  private readonly maxMessageBytes: number;
  private readonly maxFragments: number;
  private readonly maxMessageMs: number;
  private readonly budget: FragmentBudget | null;
  private readonly now: () => number;

  constructor(limits: ReassemblerLimits | number) {
    const l = typeof limits === 'number' ? { maxMessageBytes: limits } : limits;
    this.maxMessageBytes = l.maxMessageBytes;
    this.maxFragments = l.maxFragments ?? defaultMaxFragments(l.maxMessageBytes);
    this.maxMessageMs = l.maxMessageMs ?? Infinity;
    this.budget = l.budget ?? null;
    this.now = l.now ?? Date.now;
  }

  /** Bytes held for the message in progress (0 between messages). */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** When the message in progress must be complete (ms, the `now` clock), or null between messages. */
  get deadline(): number | null {
    return this.parts.length > 0 ? this.startedAt + this.maxMessageMs : null;
  }

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
      this.fail(new FragmentError('truncated fragment'));
    }
    if (dec.pos !== frame.length) this.fail(new FragmentError('bytes after the fragment'));
    if (count < 2 || index >= count) this.fail(new FragmentError('bad fragment numbering'));
    if (count > this.maxFragments) this.fail(new FragmentError(`more than ${this.maxFragments} fragments`, 'too-large'));
    if (chunk.length === 0) this.fail(new FragmentError('empty fragment'));
    if (index === 0) {
      if (this.parts.length > 0) this.fail(new FragmentError('a new message began before the last one ended'));
      this.messageId = id;
      this.expected = count;
      this.startedAt = this.now();
    } else if (this.parts.length === 0 || id !== this.messageId || index !== this.parts.length || count !== this.expected) {
      this.fail(new FragmentError('fragment out of order'));
    } else if (this.now() - this.startedAt > this.maxMessageMs) {
      this.fail(new FragmentError('message took too long', 'too-slow'));
    }
    if (this.bytes + chunk.length > this.maxMessageBytes) this.fail(new FragmentError('message too large', 'too-large'));
    if (this.budget && !this.budget.take(chunk.length)) this.fail(new FragmentError('hub busy with other messages', 'busy'));
    this.bytes += chunk.length;
    // A copy: the chunk is a view into the frame, and keeping it would keep the whole frame alive.
    this.parts.push(chunk.slice());
    if (this.parts.length < this.expected) return null;
    const whole = new Uint8Array(this.bytes);
    let at = 0;
    for (const p of this.parts) {
      whole.set(p, at);
      at += p.length;
    }
    this.reset();
    return whole;
  }

  /** Drops the message in progress and gives its bytes back to the shared budget (on close, and on any refusal). */
  reset(): void {
    this.budget?.give(this.bytes);
    this.parts = [];
    this.bytes = 0;
    this.messageId = -1;
    this.expected = 0;
  }

  private fail(err: FragmentError): never {
    this.reset();
    throw err;
  }
}
