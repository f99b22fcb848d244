/**
 * Sealed workbooks (`e…` ids): the hub stores, orders, acknowledges and forwards what it cannot
 * read. docs/sealed.md has the threat model; ../shared/design-brief.md fixed the design.
 *
 * A sealed workbook is two Yjs docs per room. The **envelope** is what the hub, y-websocket and
 * y-indexeddb see: `envelope.getArray('b')` holds sealed blobs (each a Uint8Array, so an opaque
 * ContentBinary item of one clock), `envelope.getMap('m')` a few plain fields (`v`: format version).
 * The **workbook doc** (what src/model edits) lives only in memory, rebuilt by opening the blobs.
 *
 * THIS FILE IS THE FROZEN INTERFACE between the parts being built in parallel (keys and blobs;
 * the envelope bridge; the session; the tests). Implementations live in sealed-keys.ts and
 * blob.ts next to it; change a signature here only together with every user.
 */
import type { Credential, Role } from './access.js';

/** A sealed workbook's id: `e` + base64url(SHA-256(domain ‖ writer public key ‖ read public key)). */
export const SEALED_ID = /^e[A-Za-z0-9_-]{43}$/;

/** Root names in the envelope doc. */
export const ENVELOPE_BLOBS = 'b';
export const ENVELOPE_META = 'm';
export const ENVELOPE_VERSION = 1;

/** What a device holding a sealed workbook's link can do with it. Never leaves the device. */
export interface SealedKeys {
  id: string;
  role: Role;
  /** XChaCha20-Poly1305 key for blobs and presence (32 bytes), derived from the view secret */
  contentKey: Uint8Array;
  /** Ed25519 public key every blob's signature is checked against (32 bytes) */
  writerPublic: Uint8Array;
  /** signs with the writer key: only an edit link has one */
  sign: ((message: Uint8Array) => Uint8Array) | null;
}

/** Blob kinds (in the header, not secret). */
export const BLOB_CHANGES = 1;
export const BLOB_FULL = 2;
export type BlobKind = typeof BLOB_CHANGES | typeof BLOB_FULL;

/** Which of the workbook's docs a blob belongs to (in the associated data: a journal blob never opens as a workbook one). */
export const DOC_WORKBOOK = 0;
export const DOC_JOURNAL = 1;
export type DocTag = typeof DOC_WORKBOOK | typeof DOC_JOURNAL;

export interface BlobMeta {
  kind: BlobKind;
  doc: DocTag;
  /** key epoch; 1 for now (replacing links makes a new workbook instead of a new epoch) */
  epoch: number;
}

/** What a blob carries, encrypted. */
export interface BlobBody {
  /** the writing device's per-workbook id */
  deviceId: string;
  /** random per page session (two tabs of one device are two streams) */
  stream: string;
  /** 1, 2, 3… per stream: a gap means blobs from that stream are missing (withheld) */
  seq: number;
  /** the workbook doc's changes in `update`, in Yjs clock units (for "N changes not yet on the hub") */
  changes: number;
  /** a full-state blob: the highest seq of each stream it includes (the blobs it replaces) */
  covers: [stream: string, seq: number][];
  /** Yjs update (v1) of the workbook doc */
  update: Uint8Array;
}

export type BlobFailure =
  /** too short, wrong lengths, unknown format version */
  | 'malformed'
  /** not signed by this workbook's writer key */
  | 'signature'
  /** signed, but its ciphertext or associated data (workbook id, epoch, header) does not open */
  | 'decrypt'
  /** opens but its body is not a readable BlobBody */
  | 'body';

export type OpenedBlob = { ok: true; meta: BlobMeta; body: BlobBody } | { ok: false; failure: BlobFailure };

/** Implemented in sealed-keys.ts. */
export interface SealedKeysApi {
  /** A new sealed workbook: its id and both links' credentials (same Credential shapes as `s…`). */
  newSealedWorkbookKeys(): { id: string; edit: Credential; view: Credential };
  /** The keys a credential gives for a sealed id, or null if it gives none (malformed, or another workbook's). */
  sealedKeysFor(id: string, credential: Credential | null): SealedKeys | null;
}

/** Implemented in blob.ts. */
export interface BlobApi {
  /** Seals a body: compress, encrypt (random 24-byte nonce), sign. Throws without a writer key. */
  sealBlob(keys: SealedKeys, meta: BlobMeta, body: BlobBody): Uint8Array;
  /** Checks the signature, then opens (AEAD with the workbook id, epoch, header and `doc` as associated data), then decodes. Never throws. */
  openBlob(keys: SealedKeys, blob: Uint8Array, doc: DocTag): OpenedBlob;
  /** Presence, sealed (not signed: view links show presence too); bound to the awareness client id. */
  sealPresence(keys: SealedKeys, clientId: number, state: unknown): string;
  /** The state, or null if it does not open for this workbook and client id. Never throws. */
  openPresence(keys: SealedKeys, clientId: number, sealed: unknown): unknown;
}
