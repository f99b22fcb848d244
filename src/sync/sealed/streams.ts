/**
 * Which blobs of each stream a device holds (src/protocol/sealed.ts: every blob carries its
 * stream and a seq 1, 2, 3…). A seq is accounted for when its blob was applied here or when an
 * applied full-state blob covers it (`covers: [stream, n]` means seqs 1…n of that stream are in it).
 * A seq below the highest seen that is neither is missing: withheld, or not delivered yet.
 */

export interface Gap {
  /** the writing device, as its blobs say (null if none of its blobs opened here) */
  deviceId: string | null;
  stream: string;
  /** seqs below the highest seen from this stream that are neither here nor covered */
  missing: number;
}

interface Stream {
  deviceId: string | null;
  /** every seq 1…prefix is accounted for */
  prefix: number;
  /** seqs above the prefix that are here */
  above: Set<number>;
  /** seqs that arrived but wait for an earlier one of their stream before they are applied */
  held: Set<number>;
}

export class StreamLedger {
  private readonly streams = new Map<string, Stream>();

  private stream(id: string): Stream {
    let s = this.streams.get(id);
    if (!s) {
      s = { deviceId: null, prefix: 0, above: new Set(), held: new Set() };
      this.streams.set(id, s);
    }
    return s;
  }

  /** Whether this seq is accounted for (applied here, or in an applied full state). */
  has(stream: string, seq: number): boolean {
    const s = this.streams.get(stream);
    return !!s && (seq <= s.prefix || s.above.has(seq));
  }

  /** The highest n such that seqs 1…n of the stream are all accounted for. */
  prefix(stream: string): number {
    return this.streams.get(stream)?.prefix ?? 0;
  }

  /** A blob of this stream arrived but waits for an earlier one (it counts toward the gap it is past). */
  hold(stream: string, seq: number, deviceId: string): void {
    const s = this.stream(stream);
    s.deviceId = deviceId;
    if (seq > s.prefix) s.held.add(seq);
  }

  /** A blob of this stream was applied. */
  see(stream: string, seq: number, deviceId: string): void {
    const s = this.stream(stream);
    s.deviceId = deviceId;
    s.held.delete(seq);
    if (seq <= s.prefix) return;
    s.above.add(seq);
    this.advance(s);
  }

  /** An applied full state holds seqs 1…seq of the stream. */
  cover(stream: string, seq: number): void {
    const s = this.stream(stream);
    if (seq <= s.prefix) return;
    s.prefix = seq;
    for (const n of s.above) if (n <= seq) s.above.delete(n);
    for (const n of s.held) if (n <= seq) s.held.delete(n);
    this.advance(s);
  }

  private advance(s: Stream): void {
    while (s.above.has(s.prefix + 1)) {
      s.prefix++;
      s.above.delete(s.prefix);
    }
  }

  /**
   * What a full state made now can honestly claim to hold: each stream's contiguous prefix (a seq
   * past a gap is not claimed, so its blob stays, and the gap stays visible to everyone).
   */
  covers(): [stream: string, seq: number][] {
    const out: [string, number][] = [];
    for (const [id, s] of this.streams) if (s.prefix > 0) out.push([id, s.prefix]);
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  gaps(): Gap[] {
    const out: Gap[] = [];
    for (const [stream, s] of this.streams) {
      if (s.above.size === 0 && s.held.size === 0) continue;
      let highest = 0;
      for (const n of s.above) if (n > highest) highest = n;
      for (const n of s.held) if (n > highest) highest = n;
      const missing = highest - s.prefix - s.above.size - s.held.size;
      if (missing > 0) out.push({ deviceId: s.deviceId, stream, missing });
    }
    return out;
  }
}
