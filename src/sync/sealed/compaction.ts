import * as Y from 'yjs';
import { BLOB_FULL } from '../../protocol/sealed.js';
import { itemKey, seqKey, type Live } from './items.js';
import type { StreamLedger } from './streams.js';

/** shouldCompact: more live blobs a compaction would replace than this… */
export const COMPACT_BLOBS = 256;
/** …or their bytes past twice the largest live full state plus this */
export const COMPACT_SLACK_BYTES = 1024 * 1024;

/**
 * Whether a compaction is worth it. Only blobs it could replace count (opened, and within each
 * stream's contiguous prefix): blobs that failed, or sit past a gap, stay after a compaction, so
 * counting them would have devices compact over and over.
 */
export function worthCompacting(live: Iterable<Live>, ledger: StreamLedger): boolean {
  let count = 0;
  let bytes = 0;
  let fullSize = 0;
  for (const l of live) {
    const b = l.blob;
    if (!b || ledger.prefix(b.stream) < b.seq) continue;
    count++;
    bytes += l.size;
    if (b.kind === BLOB_FULL && l.size > fullSize) fullSize = l.size;
  }
  return count > COMPACT_BLOBS || bytes > 2 * fullSize + COMPACT_SLACK_BYTES;
}

export interface CompactionPlan {
  /** index ranges of the envelope array to delete, ascending */
  ranges: [index: number, length: number][];
  deleted: number;
  deletedBytes: number;
  /** unacknowledged changes of this device's blobs among them (the full state carries them now) */
  carried: number;
}

/** The live blobs a full state with these covers replaces: opened ones within the covers, in array order. */
export function planCompaction(
  blobs: Y.Array<unknown>,
  live: Map<string, Live>,
  covers: [string, number][],
  deviceId: string,
  acked: Set<string>,
): CompactionPlan {
  const coverOf = new Map(covers);
  const plan: CompactionPlan = { ranges: [], deleted: 0, deletedBytes: 0, carried: 0 };
  let index = 0;
  for (let item = blobs._start; item !== null; item = item.right) {
    if (item.deleted || !item.countable) continue;
    const l = live.get(itemKey(item));
    const b = l?.blob;
    if (l && b && (coverOf.get(b.stream) ?? 0) >= b.seq) {
      const last = plan.ranges[plan.ranges.length - 1];
      if (last && last[0] + last[1] === index) last[1]++;
      else plan.ranges.push([index, 1]);
      plan.deleted++;
      plan.deletedBytes += l.size;
      if (b.deviceId === deviceId && !acked.has(seqKey(b.stream, b.seq))) plan.carried += b.pending;
    }
    index += item.length;
  }
  return plan;
}
