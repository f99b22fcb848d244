import type * as Y from 'yjs';
import { openBlobAsync } from '../../protocol/blob.js';
import { ENVELOPE_BLOBS, type DocTag, type OpenedBlob, type SealedKeys } from '../../protocol/sealed.js';
import { binaryOf } from './items.js';

/** Blobs smaller than this are opened by the bridge itself: fflate is quick on them, a stream is not quicker. */
export const PREOPEN_BYTES = 32 * 1024;

/** Opened blobs by the very bytes they were opened from (the envelope item's content). */
export type Preopened = ReadonlyMap<Uint8Array, OpenedBlob>;

/**
 * Opens the envelope's big blobs ahead of the bridge (openBlobAsync: the same checks, native
 * inflating), for a session that has just loaded its envelope from this device's disk. The bridge
 * then takes these answers instead of opening the same bytes again; everything else it does with a
 * blob (seqs, gaps, replays, the update's framing check) is unchanged. Never rejects.
 */
export async function preopenEnvelope(envelope: Y.Doc, keys: SealedKeys, docTag: DocTag): Promise<Preopened> {
  const out = new Map<Uint8Array, OpenedBlob>();
  const blobs = envelope.getArray<unknown>(ENVELOPE_BLOBS);
  const big: Uint8Array[] = [];
  for (let item = blobs._start; item !== null; item = item.right) {
    if (item.deleted || !item.countable) continue;
    const data = binaryOf(item);
    if (data && data.length >= PREOPEN_BYTES) big.push(data);
  }
  for (const data of big) out.set(data, await openBlobAsync(keys, data, docTag));
  return out;
}
