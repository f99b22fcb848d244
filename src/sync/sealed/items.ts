import * as Y from 'yjs';
import { openBlob } from '../../protocol/blob.js';
import { BLOB_CHANGES, BLOB_FULL, type BlobFailure, type BlobKind, type DocTag, type OpenedBlob, type SealedKeys } from '../../protocol/sealed.js';

/** What the sealed bridge (bridge.ts) knows of the envelope's items and the blobs they hold. */

/** A struct in the envelope: (Yjs client id, clock). */
export interface EnvelopeItemId {
  client: number;
  clock: number;
}

export interface FailedBlob {
  failure: BlobFailure;
  item: EnvelopeItemId;
  /** bytes of the item's content */
  size: number;
}

/** A blob that opened: what its body says, without the update. */
export interface OpenedInfo {
  /** the exact sealed bytes, pushed again if deleted with nothing covering them */
  data: Uint8Array;
  kind: BlobKind;
  deviceId: string;
  stream: string;
  seq: number;
  /** a full state's covers (empty for changes: only a full state's are honoured) */
  covers: [string, number][];
  /** this device's changes this blob carries, for "N changes not yet on the hub" */
  pending: number;
  /** deleted, and waiting for a full state on its way */
  waited?: boolean;
}

/** One live item of the envelope array. */
export interface Live {
  item: Y.Item;
  size: number;
  /** null: a failed blob (evidence: never applied, never deleted by compaction) */
  blob: OpenedInfo | null;
}

export type Opened = { ok: true; info: OpenedInfo; update: Uint8Array } | { ok: false; failure: BlobFailure };

/**
 * Opens one blob for this doc (openBlob: signature, then AEAD, then body) and checks what the
 * bridge relies on: seqs from 1 (a 0 would count as already held and never be applied), covers
 * well formed. `deviceId` is this device's: its own changes blobs carry pending changes.
 * `preopened`: openBlob's (or openBlobAsync's) answer for exactly these bytes, already at hand.
 */
export function openInfo(keys: SealedKeys, docTag: DocTag, data: Uint8Array, deviceId: string, preopened?: OpenedBlob): Opened {
  const opened = preopened ?? openBlob(keys, data, docTag);
  if (!opened.ok) return opened;
  const { meta, body } = opened;
  const covers = meta.kind === BLOB_FULL ? validCovers(body.covers) : [];
  if (!covers || !Number.isSafeInteger(body.seq) || body.seq < 1) return { ok: false, failure: 'body' };
  const info: OpenedInfo = {
    data,
    kind: meta.kind,
    deviceId: body.deviceId,
    stream: body.stream,
    seq: body.seq,
    covers,
    pending: meta.kind === BLOB_CHANGES && body.deviceId === deviceId ? body.changes : 0,
  };
  return { ok: true, info, update: body.update };
}

function validCovers(raw: unknown): [string, number][] | null {
  if (!Array.isArray(raw)) return null;
  const out: [string, number][] = [];
  for (const c of raw) {
    if (!Array.isArray(c) || c.length !== 2 || typeof c[0] !== 'string' || !Number.isSafeInteger(c[1]) || c[1] < 1) return null;
    out.push([c[0], c[1]]);
  }
  return out;
}

/**
 * Yjs clock units in an update: over its clients, the clocks its structs span (one per cell
 * write, row insert, map field…). An update that only deletes counts 1, so it is never "nothing".
 */
export function countChanges(update: Uint8Array): number {
  let n = 0;
  try {
    const { from, to } = Y.parseUpdateMeta(update);
    for (const [client, clock] of to) n += clock - (from.get(client) ?? clock);
    if (n === 0 && Y.decodeUpdate(update).ds.clients.size > 0) n = 1;
  } catch {
    return 0;
  }
  return n;
}

/** The item's bytes when it holds one binary (a blob candidate), else null. */
export function binaryOf(item: Y.Item): Uint8Array | null {
  return item.content instanceof Y.ContentBinary ? (item.content as unknown as { content: Uint8Array }).content : null;
}

export function itemKey(item: Y.Item): string {
  return `${item.id.client}:${item.id.clock}`;
}

export function idOf(item: Y.Item): EnvelopeItemId {
  return { client: item.id.client, clock: item.id.clock };
}

export function seqKey(stream: string, seq: number): string {
  return `${stream}\u0000${seq}`;
}

/** 16 random bytes, base64url: a stream id (crypto.getRandomValues works on plain-http pages too). */
export function randomStream(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
