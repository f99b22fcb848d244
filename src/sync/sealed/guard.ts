import * as Y from 'yjs';
import { BLOB_FULL } from '../../protocol/sealed.js';
import { binaryOf, itemKey, seqKey, type OpenedInfo } from './items.js';

/**
 * Guarding against blobs deleted from the envelope that nothing else holds. A compaction deletes
 * blobs together with the full state that covers them, in one transaction, so an honest deletion
 * always comes with its cover. A deletion without one (a hostile hub, or a client that deletes
 * items) would lose those changes for every device that had not opened them yet; the device that
 * still has the exact bytes writes them again (they are signed: they verify anywhere).
 *
 * A full state can arrive ahead of a struct it follows in the envelope (messages reordered): Yjs
 * keeps it "pending" while the deletions in the same update already apply. Such a deletion waits
 * for the full state on its way instead of being undone.
 */

export interface Coverage {
  holds(b: OpenedInfo): boolean;
}

/** What a set of verified blobs holds: each its own (stream, seq), and a full state's covers. */
export function coverage(blobs: Iterable<OpenedInfo>): Coverage {
  const copies = new Set<string>();
  const covered = new Map<string, number>();
  for (const b of blobs) {
    copies.add(seqKey(b.stream, b.seq));
    if (b.kind !== BLOB_FULL) continue;
    for (const [stream, seq] of b.covers) if (seq > (covered.get(stream) ?? 0)) covered.set(stream, seq);
  }
  return { holds: (b) => copies.has(seqKey(b.stream, b.seq)) || (covered.get(b.stream) ?? 0) >= b.seq };
}

export interface GuardVerdict {
  /** deleted, and nothing live or on its way holds them */
  lost: OpenedInfo[];
  /** deleted, held by a live blob (an ordinary compaction) */
  covered: number;
  /** newly waiting for a full state pending in the envelope */
  waiting: number;
}

export class DeletionGuard {
  private suspects: OpenedInfo[] = [];
  /** pending envelope items already opened, by item key (null: did not open) */
  private readonly pendingOpened = new Map<string, OpenedInfo | null>();

  constructor(
    private readonly envelope: Y.Doc,
    private readonly open: (data: Uint8Array) => OpenedInfo | null,
  ) {}

  get waiting(): readonly OpenedInfo[] {
    return this.suspects;
  }

  /** A live blob was deleted from the envelope; judged by check() once the transaction is complete. */
  deleted(blob: OpenedInfo): void {
    this.suspects.push(blob);
  }

  check(live: Iterable<OpenedInfo>): GuardVerdict {
    const verdict: GuardVerdict = { lost: [], covered: 0, waiting: 0 };
    if (this.suspects.length === 0) return verdict;
    const held = coverage(live);
    let inFlight: Coverage | null = null;
    const waiting: OpenedInfo[] = [];
    const seen = new Set<string>();
    for (const s of this.suspects) {
      const key = seqKey(s.stream, s.seq);
      if (seen.has(key)) continue;
      seen.add(key);
      if (held.holds(s)) {
        verdict.covered++;
        continue;
      }
      inFlight ??= coverage(this.pendingBlobs());
      if (inFlight.holds(s)) {
        if (!s.waited) verdict.waiting++;
        s.waited = true;
        waiting.push(s);
      } else {
        verdict.lost.push(s);
      }
    }
    this.suspects = waiting;
    return verdict;
  }

  /** Blobs that arrived in the envelope but wait there for structs they follow (Yjs "pending"). */
  private pendingBlobs(): OpenedInfo[] {
    const pending = this.envelope.store.pendingStructs;
    if (!pending) {
      this.pendingOpened.clear();
      return [];
    }
    let structs: ReturnType<typeof Y.decodeUpdateV2>['structs'];
    try {
      structs = Y.decodeUpdateV2(pending.update).structs;
    } catch {
      return [];
    }
    const out: OpenedInfo[] = [];
    for (const s of structs) {
      if (!(s instanceof Y.Item)) continue;
      const data = binaryOf(s);
      if (!data) continue;
      const key = itemKey(s);
      let info = this.pendingOpened.get(key);
      if (info === undefined) {
        info = this.open(data);
        this.pendingOpened.set(key, info);
      }
      if (info) out.push(info);
    }
    return out;
  }
}
