import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64url, concatBytes, equalBytes, fromBase64url } from '../protocol/access.js';

/**
 * The device lock: a passphrase that encrypts the link keys this device keeps (DeviceProfile).
 * No WebCrypto (`crypto.subtle` is absent on plain-http LAN pages): scrypt from @noble/hashes,
 * XChaCha20-Poly1305 from @noble/ciphers, X25519 from @noble/curves; only
 * `crypto.getRandomValues`, which every page has.
 *
 * The lock is a key pair. Its public key is stored as it is, so the device can keep a key it is
 * given while locked (opening a link) without asking for the passphrase; its secret key is stored
 * encrypted with a key scrypt derives from the passphrase:
 *
 *   lockKey    = scrypt(passphrase (UTF-8, NFC), salt (16 random bytes), N, r, p, 32 bytes)
 *   header     = { v: 1, kdf: "scrypt", N, r, p, salt, public, nonce, box }
 *   box        = XChaCha20-Poly1305(lockKey, nonce, secret, ad = "mutual-sheets/lock v1\0" ‖ N,r,p ‖ salt ‖ public)
 *
 * Each kept key is sealed to the public key on its own (one per workbook record):
 *
 *   E          = X25519 public key of a fresh ephemeral secret e
 *   k          = HKDF-SHA256(X25519(e, public), salt E ‖ public, info "mutual-sheets/lock v1 key", 32)
 *   sealed     = b64u(E ‖ nonce ‖ XChaCha20-Poly1305(k, nonce, pad128(text), ad = "mutual-sheets/lock v1 key\0" ‖ workbookId))
 *
 * `text` is the credential as credentialText writes it, padded with zero bytes to 128 so an edit
 * key and a view key look alike. A wrong passphrase is told from the right one by the AEAD
 * refusing the box (and the secret must give the stored public key): nothing about the
 * passphrase is stored besides that box. Changing the passphrase re-encrypts the secret only.
 */

/**
 * The cost of deriving the lock key, chosen to take about 0.3–1 s on a cheap phone. Measured
 * (noble's scrypt, a shared 2-core Xeon server, so the spread is wide): Node 0.09–0.15 s;
 * Chromium 0.09–0.18 s, with its CPU throttled 4× 0.24–0.53 s and 6× (a cheap phone)
 * 0.45–1.2 s. N = 2^15 took 0.85–1.3 s at 4× and 1.6–2.6 s at 6×: too slow to ask on every
 * open. 16 MiB of memory (128 · N · r), which a phone with little RAM can spare. Stored in the
 * header, so a later version can raise it for new passphrases.
 */
export const SCRYPT_COST = { N: 2 ** 14, r: 8, p: 1 } as const;

/** The shortest passphrase the lock accepts (in characters). */
export const MIN_PASSPHRASE = 8;

/** The stored form of a lock (JSON in localStorage), everything but `v`, `kdf` and the costs as base64url. */
export interface LockHeader {
  v: 1;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  public: string;
  nonce: string;
  box: string;
}

/** A lock opened with its passphrase: its secret key and the public key it belongs to. */
export interface OpenedLock {
  publicKey: string;
  secret: Uint8Array;
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));
const BOX_DOMAIN = utf8('mutual-sheets/lock v1\0');
const KEY_INFO = utf8('mutual-sheets/lock v1 key');
const KEY_DOMAIN = utf8('mutual-sheets/lock v1 key\0');
const PADDED = 128;

/** Costs a stored header may ask for: enough to raise them later, bounded so a corrupted value cannot exhaust the device. */
function validCost(N: unknown, r: unknown, p: unknown): boolean {
  return (
    Number.isSafeInteger(N) &&
    Number.isSafeInteger(r) &&
    Number.isSafeInteger(p) &&
    (N as number) >= 2 ** 10 &&
    (N as number) <= 2 ** 20 &&
    ((N as number) & ((N as number) - 1)) === 0 &&
    (r as number) >= 1 &&
    (r as number) <= 32 &&
    (p as number) >= 1 &&
    (p as number) <= 16 &&
    128 * (N as number) * (r as number) <= 256 * 1024 * 1024
  );
}

/** A stored header, or null when there is none or it is not one this app writes. */
export function parseLockHeader(raw: string | null): LockHeader | null {
  if (raw === null) return null;
  let h: unknown;
  try {
    h = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!h || typeof h !== 'object' || Array.isArray(h)) return null;
  const { v, kdf, N, r, p, salt, public: pub, nonce, box } = h as Record<string, unknown>;
  if (v !== 1 || kdf !== 'scrypt' || !validCost(N, r, p)) return null;
  const bytes = (x: unknown, n?: number) => typeof x === 'string' && (fromBase64url(x)?.length ?? -1) === (n ?? fromBase64url(x)?.length);
  if (!bytes(salt, 16) || !bytes(pub, 32) || !bytes(nonce, 24) || !bytes(box, 48)) return null;
  return { v, kdf, N: N as number, r: r as number, p: p as number, salt: salt as string, public: pub as string, nonce: nonce as string, box: box as string };
}

function boxData(h: Pick<LockHeader, 'N' | 'r' | 'p' | 'salt' | 'public'>): Uint8Array {
  return concatBytes(BOX_DOMAIN, utf8(`${h.N},${h.r},${h.p}\0`), fromBase64url(h.salt)!, fromBase64url(h.public)!);
}

/** The passphrase as bytes: NFC, so the same words typed on another keyboard give the same key. */
async function lockKey(passphrase: string, salt: Uint8Array, cost: { N: number; r: number; p: number }): Promise<Uint8Array> {
  return scryptAsync(utf8(passphrase.normalize('NFC')), salt, { ...cost, dkLen: 32 });
}

async function wrap(secret: Uint8Array, publicKey: string, passphrase: string, cost: { N: number; r: number; p: number }): Promise<LockHeader> {
  const salt = random(16);
  const nonce = random(24);
  const head = { N: cost.N, r: cost.r, p: cost.p, salt: base64url(salt), public: publicKey };
  const key = await lockKey(passphrase, salt, cost);
  const box = xchacha20poly1305(key, nonce, boxData(head)).encrypt(secret);
  key.fill(0);
  return { v: 1, kdf: 'scrypt', ...head, nonce: base64url(nonce), box: base64url(box) };
}

/** A new lock for a passphrase: the header to store and the opened lock (the device is unlocked after setting it). */
export async function createLock(passphrase: string, cost: { N: number; r: number; p: number } = SCRYPT_COST): Promise<{ header: LockHeader; opened: OpenedLock }> {
  const secret = x25519.utils.randomSecretKey();
  const publicKey = base64url(x25519.getPublicKey(secret));
  return { header: await wrap(secret, publicKey, passphrase, cost), opened: { publicKey, secret } };
}

/** The lock opened with a passphrase, or null when the passphrase is not its own (the AEAD refuses). */
export async function openLock(header: LockHeader, passphrase: string): Promise<OpenedLock | null> {
  const key = await lockKey(passphrase, fromBase64url(header.salt)!, header);
  let secret: Uint8Array;
  try {
    secret = xchacha20poly1305(key, fromBase64url(header.nonce)!, boxData(header)).decrypt(fromBase64url(header.box)!);
  } catch {
    return null;
  } finally {
    key.fill(0);
  }
  if (secret.length !== 32 || !equalBytes(x25519.getPublicKey(secret), fromBase64url(header.public)!)) return null;
  return { publicKey: header.public, secret };
}

/** The same lock under a new passphrase (a new salt; the costs of today), for an opened lock. */
export function rewrapLock(opened: OpenedLock, passphrase: string, cost: { N: number; r: number; p: number } = SCRYPT_COST): Promise<LockHeader> {
  return wrap(opened.secret, opened.publicKey, passphrase, cost);
}

function credentialKey(shared: Uint8Array, ephemeral: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return hkdf(sha256, shared, concatBytes(ephemeral, publicKey), KEY_INFO, 32);
}

/** A credential's text sealed to the lock's public key, bound to its workbook: needs no passphrase. */
export function sealCredential(publicKey: string, workbookId: string, text: string): string {
  const pub = fromBase64url(publicKey)!;
  const plain = utf8(text);
  if (plain.length > PADDED || plain.includes(0)) throw new Error('not a credential');
  const padded = new Uint8Array(PADDED);
  padded.set(plain);
  const e = x25519.utils.randomSecretKey();
  const ephemeral = x25519.getPublicKey(e);
  const key = credentialKey(x25519.getSharedSecret(e, pub), ephemeral, pub);
  e.fill(0);
  const nonce = random(24);
  const sealed = xchacha20poly1305(key, nonce, concatBytes(KEY_DOMAIN, utf8(workbookId))).encrypt(padded);
  key.fill(0);
  return base64url(concatBytes(ephemeral, nonce, sealed));
}

/** A sealed credential's text, or null when it does not open with this lock for this workbook. */
export function openCredential(opened: OpenedLock, workbookId: string, sealed: string): string | null {
  const bytes = fromBase64url(sealed);
  if (!bytes || bytes.length !== 32 + 24 + PADDED + 16) return null;
  const ephemeral = bytes.subarray(0, 32);
  try {
    const key = credentialKey(x25519.getSharedSecret(opened.secret, ephemeral), ephemeral, fromBase64url(opened.publicKey)!);
    const padded = xchacha20poly1305(key, bytes.subarray(32, 56), concatBytes(KEY_DOMAIN, utf8(workbookId))).decrypt(bytes.subarray(56));
    key.fill(0);
    const end = padded.indexOf(0);
    return new TextDecoder().decode(end === -1 ? padded : padded.subarray(0, end));
  } catch {
    return null;
  }
}
