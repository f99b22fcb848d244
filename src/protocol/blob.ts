import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { Inflate, deflateSync } from 'fflate';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { base64url, concatBytes, fromBase64url } from './access.js';
import {
  BLOB_CHANGES,
  BLOB_FULL,
  DOC_JOURNAL,
  DOC_WORKBOOK,
  type BlobApi,
  type BlobBody,
  type BlobFailure,
  type BlobMeta,
  type DocTag,
  type OpenedBlob,
  type SealedKeys,
} from './sealed.js';

/**
 * Sealed blobs and sealed presence (src/protocol/sealed.ts has the interface, docs/sealed.md the
 * threat model). Only @noble and fflate: no WebCrypto beyond crypto.getRandomValues.
 *
 *   blob  = hdr ‖ nonce ‖ ciphertext ‖ signature
 *   hdr   = [format 1, kind, doc, flags 0]                                  4 bytes, not secret
 *   nonce = 24 random bytes
 *   ad    = "mutual-sheets/e1 blob\0" ‖ id ‖ 0x00 ‖ doc ‖ epoch (u32 BE) ‖ hdr
 *   ciphertext = XChaCha20-Poly1305(contentKey, nonce, deflate(body), AAD = ad)
 *   signature  = Ed25519(writer key, "mutual-sheets/e1 sig\0" ‖ ad ‖ nonce ‖ ciphertext)
 *   body  = lib0: varString deviceId, varString stream, varUint seq, varUint changes,
 *           varUint n, n × (varString stream, varUint seq), varUint8Array update
 *
 * openBlob checks in this order, and reports the first failure:
 *   'malformed'  shorter than hdr + nonce + tag + signature; unknown format, kind, doc or flags;
 *                or a header `doc` other than the one asked for (a journal blob is never opened
 *                as a workbook one: refused before any crypto, and `doc` is in the ad as well);
 *   'signature'  not a strict (RFC 8032, non-ZIP-215) Ed25519 signature by keys.writerPublic
 *                over ad ‖ nonce ‖ ciphertext: so any change to a signed blob lands here;
 *   'decrypt'    signed by the writer, but the AEAD does not open with this content key and ad;
 *   'body'       opens, but does not inflate (or inflates past MAX_BODY_BYTES: a zip bomb) or
 *                is not exactly one BlobBody.
 *
 * The epoch is not in the blob: it is 1 for every blob (replacing links makes a new workbook),
 * bound through the ad; sealBlob refuses any other.
 *
 * Presence: sealed = b64u(nonce ‖ XChaCha20-Poly1305(contentKey, nonce, JSON, AAD =
 * "mutual-sheets/e1 presence\0" ‖ id ‖ clientId (u32 BE))). Not signed (a view link shows
 * presence too); the JSON is padded with spaces to a multiple of 32 bytes so a name's exact
 * length does not show.
 */

export const BLOB_FORMAT = 1;
export const BLOB_EPOCH = 1;
const HEADER_BYTES = 4;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const SIGNATURE_BYTES = 64;
/** The shortest a blob can be: an empty ciphertext is still its tag. */
export const MIN_BLOB_BYTES = HEADER_BYTES + NONCE_BYTES + TAG_BYTES + SIGNATURE_BYTES;
/** A body inflating past this is refused ('body'): a signed zip bomb cannot exhaust memory. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;
/** Compressed input is fed to the inflater this much at a time, so one step's output is bounded too (~1032×). */
const INFLATE_SLICE = 16 * 1024;
/** A sealed presence string longer than this is not opened (the hub's own limit is smaller). */
const MAX_PRESENCE_CHARS = 1024 * 1024;
const PRESENCE_PAD = 32;

const encoder = new TextEncoder();
const utf8 = (text: string) => encoder.encode(text);
const BLOB_DOMAIN = utf8('mutual-sheets/e1 blob\0');
const SIG_DOMAIN = utf8('mutual-sheets/e1 sig\0');
const PRESENCE_DOMAIN = utf8('mutual-sheets/e1 presence\0');

function u32be(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

const isU32 = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

function associatedData(id: string, doc: DocTag, epoch: number, hdr: Uint8Array): Uint8Array {
  return concatBytes(BLOB_DOMAIN, utf8(id), new Uint8Array([0, doc]), u32be(epoch), hdr);
}

function signedMessage(ad: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return concatBytes(SIG_DOMAIN, ad, nonce, ciphertext);
}

const randomNonce = () => globalThis.crypto.getRandomValues(new Uint8Array(NONCE_BYTES));

export function encodeBody(body: BlobBody): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarString(enc, body.deviceId);
  encoding.writeVarString(enc, body.stream);
  encoding.writeVarUint(enc, body.seq);
  encoding.writeVarUint(enc, body.changes);
  encoding.writeVarUint(enc, body.covers.length);
  for (const [stream, seq] of body.covers) {
    encoding.writeVarString(enc, stream);
    encoding.writeVarUint(enc, seq);
  }
  encoding.writeVarUint8Array(enc, body.update);
  return encoding.toUint8Array(enc);
}

/** The body in these bytes; throws unless they are exactly one. */
export function decodeBody(bytes: Uint8Array): BlobBody {
  const dec = decoding.createDecoder(bytes);
  const deviceId = decoding.readVarString(dec);
  const stream = decoding.readVarString(dec);
  const seq = decoding.readVarUint(dec);
  const changes = decoding.readVarUint(dec);
  const n = decoding.readVarUint(dec);
  // each pair is at least 2 bytes: a count past what is left is not read pair by pair
  if (n > (bytes.length - dec.pos) / 2) throw new Error('covers past the end');
  const covers: [string, number][] = [];
  for (let i = 0; i < n; i++) covers.push([decoding.readVarString(dec), decoding.readVarUint(dec)]);
  const update = decoding.readVarUint8Array(dec);
  if (decoding.hasContent(dec)) throw new Error('bytes after the body');
  if (![seq, changes, ...covers.map((c) => c[1])].every(isCount)) throw new Error('a number out of range');
  return { deviceId, stream, seq, changes, covers, update };
}

/** Raw DEFLATE, inflated a slice at a time; throws past `max` bytes of output or on a broken stream. */
export function inflateBounded(compressed: Uint8Array, max = MAX_BODY_BYTES): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let done = false;
  const inflater = new Inflate((chunk, final) => {
    total += chunk.length;
    if (total > max) throw new Error('body too large');
    if (chunk.length) chunks.push(chunk);
    if (final) done = true;
  });
  if (compressed.length === 0) throw new Error('empty');
  for (let at = 0; at < compressed.length; at += INFLATE_SLICE) {
    const end = Math.min(compressed.length, at + INFLATE_SLICE);
    inflater.push(compressed.subarray(at, end), end === compressed.length);
  }
  if (!done) throw new Error('unfinished stream');
  return chunks.length === 1 ? chunks[0] : concatBytes(...chunks);
}

/** Seals a body: compress, encrypt (random 24-byte nonce), sign. Throws without a writer key, or on a meta or body it cannot write. */
export function sealBlob(keys: SealedKeys, meta: BlobMeta, body: BlobBody): Uint8Array {
  if (!keys.sign) throw new Error('this link cannot write to the workbook: it has no writer key');
  if (meta.kind !== BLOB_CHANGES && meta.kind !== BLOB_FULL) throw new Error(`unknown blob kind ${String(meta.kind)}`);
  if (meta.doc !== DOC_WORKBOOK && meta.doc !== DOC_JOURNAL) throw new Error(`unknown doc ${String(meta.doc)}`);
  if (meta.epoch !== BLOB_EPOCH) throw new Error(`unsupported epoch ${String(meta.epoch)}`);
  if (![body.seq, body.changes, ...body.covers.map((c) => c[1])].every(isCount)) throw new Error('seq, changes and covers must be non-negative integers');
  const hdr = new Uint8Array([BLOB_FORMAT, meta.kind, meta.doc, 0]);
  const nonce = randomNonce();
  const ad = associatedData(keys.id, meta.doc, meta.epoch, hdr);
  const ciphertext = xchacha20poly1305(keys.contentKey, nonce, ad).encrypt(deflateSync(encodeBody(body)));
  const signature = keys.sign(signedMessage(ad, nonce, ciphertext));
  return concatBytes(hdr, nonce, ciphertext, signature);
}

const failed = (failure: BlobFailure): OpenedBlob => ({ ok: false, failure });

type Unsealed = { ok: true; kind: BlobMeta['kind']; compressed: Uint8Array } | { ok: false; failure: BlobFailure };

/** openBlob's checks up to the compressed body: format, then signature, then AEAD. */
function unseal(keys: SealedKeys, blob: Uint8Array, doc: DocTag): Unsealed {
  if (!(blob instanceof Uint8Array) || blob.length < MIN_BLOB_BYTES) return { ok: false, failure: 'malformed' };
  const [format, kind, blobDoc, flags] = blob;
  if (format !== BLOB_FORMAT || (kind !== BLOB_CHANGES && kind !== BLOB_FULL) || (blobDoc !== DOC_WORKBOOK && blobDoc !== DOC_JOURNAL) || flags !== 0) return { ok: false, failure: 'malformed' };
  if (blobDoc !== doc) return { ok: false, failure: 'malformed' };
  const hdr = blob.subarray(0, HEADER_BYTES);
  const nonce = blob.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES);
  const ciphertext = blob.subarray(HEADER_BYTES + NONCE_BYTES, blob.length - SIGNATURE_BYTES);
  const signature = blob.subarray(blob.length - SIGNATURE_BYTES);
  let ad: Uint8Array;
  try {
    ad = associatedData(keys.id, doc, BLOB_EPOCH, hdr);
    if (!ed25519.verify(signature, signedMessage(ad, nonce, ciphertext), keys.writerPublic, { zip215: false })) return { ok: false, failure: 'signature' };
  } catch {
    return { ok: false, failure: 'signature' };
  }
  try {
    return { ok: true, kind: kind as BlobMeta['kind'], compressed: xchacha20poly1305(keys.contentKey, nonce, ad).decrypt(ciphertext) };
  } catch {
    return { ok: false, failure: 'decrypt' };
  }
}

function opened(kind: BlobMeta['kind'], doc: DocTag, inflate: () => Uint8Array): OpenedBlob {
  try {
    return { ok: true, meta: { kind, doc, epoch: BLOB_EPOCH }, body: decodeBody(inflate()) };
  } catch {
    return failed('body');
  }
}

/** Checks the signature, then opens (AEAD with the workbook id, epoch, header and `doc` as associated data), then decodes. Never throws. */
export function openBlob(keys: SealedKeys, blob: Uint8Array, doc: DocTag): OpenedBlob {
  const u = unseal(keys, blob, doc);
  if (!u.ok) return failed(u.failure);
  return opened(u.kind, doc, () => inflateBounded(u.compressed));
}

/**
 * openBlob, the same checks in the same order with the same outcome, but inflating with the
 * platform's own DEFLATE (DecompressionStream, native code: ~20× faster than fflate on a big
 * body, and a cold page pays fflate's warm-up too). Fed INFLATE_SLICE at a time and read as it
 * comes, so it is bounded as inflateBounded is. Where that is missing or stops short of a whole
 * body, fflate decides, so no blob opens differently from one device to another. Never rejects.
 */
export async function openBlobAsync(keys: SealedKeys, blob: Uint8Array, doc: DocTag): Promise<OpenedBlob> {
  const u = unseal(keys, blob, doc);
  if (!u.ok) return failed(u.failure);
  const native = await inflateNative(u.compressed, MAX_BODY_BYTES);
  if (native === TOO_LARGE) return failed('body');
  return opened(u.kind, doc, () => native ?? inflateBounded(u.compressed));
}

const TOO_LARGE = 'too large';

/** Raw DEFLATE through DecompressionStream; null when it is not there or the stream does not end whole. */
export async function inflateNative(compressed: Uint8Array, max = MAX_BODY_BYTES): Promise<Uint8Array | null | typeof TOO_LARGE> {
  let stream: DecompressionStream;
  try {
    if (typeof DecompressionStream !== 'function' || compressed.length === 0) return null;
    stream = new DecompressionStream('deflate-raw');
  } catch {
    return null;
  }
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // Written a slice at a time, each once the one before is taken: the output waiting here stays bounded.
  const feeding = (async () => {
    for (let at = 0; at < compressed.length; at += INFLATE_SLICE) await writer.write(compressed.subarray(at, at + INFLATE_SLICE) as Uint8Array<ArrayBuffer>);
    await writer.close();
  })();
  feeding.catch(() => {
    // the reader below sees the same failure, or cancelled the stream itself
  });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > max) {
        await reader.cancel().catch(() => {});
        return TOO_LARGE;
      }
      chunks.push(value);
    }
    await feeding;
  } catch {
    return null;
  }
  return chunks.length === 1 ? chunks[0] : concatBytes(...chunks);
}

function presenceData(keys: SealedKeys, clientId: number): Uint8Array {
  return concatBytes(PRESENCE_DOMAIN, utf8(keys.id), u32be(clientId));
}

/** Presence, sealed (not signed: view links show presence too); bound to the awareness client id. Throws on a client id that is not a u32. */
export function sealPresence(keys: SealedKeys, clientId: number, state: unknown): string {
  if (!isU32(clientId)) throw new Error(`not an awareness client id: ${String(clientId)}`);
  const json = JSON.stringify(state) ?? 'null';
  const length = utf8(json).length;
  const plain = utf8(json + ' '.repeat(Math.max(PRESENCE_PAD, Math.ceil(length / PRESENCE_PAD) * PRESENCE_PAD) - length));
  const nonce = randomNonce();
  return base64url(concatBytes(nonce, xchacha20poly1305(keys.contentKey, nonce, presenceData(keys, clientId)).encrypt(plain)));
}

/** The state, or null if it does not open for this workbook and client id. Never throws. */
export function openPresence(keys: SealedKeys, clientId: number, sealed: unknown): unknown {
  try {
    if (!isU32(clientId) || typeof sealed !== 'string' || sealed.length > MAX_PRESENCE_CHARS) return null;
    const bytes = fromBase64url(sealed);
    if (!bytes || bytes.length < NONCE_BYTES + TAG_BYTES) return null;
    const nonce = bytes.subarray(0, NONCE_BYTES);
    const plain = xchacha20poly1305(keys.contentKey, nonce, presenceData(keys, clientId)).decrypt(bytes.subarray(NONCE_BYTES));
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain)) as unknown;
  } catch {
    return null;
  }
}

/** The interface this module implements, checked by the compiler. */
export const blobApi: BlobApi = { sealBlob, openBlob, sealPresence, openPresence };
