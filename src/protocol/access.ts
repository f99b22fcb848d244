import { ed25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { SEALED_ID } from './sealed.js';

/**
 * Access without accounts. A secured workbook's id commits to its link keys; the hub checks a
 * device against the id alone, so it stores nothing about keys.
 *
 * Signed workbooks (`s…`, every new workbook): the device proves it holds a key without sending
 * it (src/protocol/challenge.ts). Ed25519 keys are derived from the link's key:
 *
 *   editKey      32 random bytes (base64url), in the edit link only
 *   viewKey      = b64u(HKDF-SHA256(editKey, salt "mutual-sheets/s1", info "view key"))
 *   editSigner   = Ed25519 secret HKDF(editKey, info "edit signing key")  → editPublic
 *   viewSigner   = Ed25519 secret HKDF(viewKey, info "view signing key")  → viewPublic
 *   id           = "s" + b64u(SHA-256("mutual-sheets/s1 id\0" ‖ editPublic ‖ viewPublic))
 *
 * Edit link: #/w/<id>/edit/<editKey>. View link: #/w/<id>/view/<viewKey>.<b64u(editPublic)>.
 * To open a connection the device signs the hub's fresh nonce with the signer of its role and
 * sends both public keys (which are public: nothing can be derived from them); the hub hashes
 * them into the id, compares, and verifies the signature. Nothing that crosses the wire opens the
 * workbook again. A view key cannot yield the edit key, nor sign as an editor.
 *
 * Sealed workbooks (`e…`, src/protocol/sealed.ts: the hub cannot read them) are opened the same
 * way, with their own domain; the edit key also signs every blob and the view key also gives the
 * content key (src/protocol/sealed-keys.ts):
 *
 *   editKey      32 random bytes (base64url), in the edit link only
 *   viewKey      = b64u(HKDF-SHA256(editKey, salt "mutual-sheets/e1", info "view key"))
 *   writer       = Ed25519 secret HKDF(editKey, info "writer signing key")  → writerPublic
 *   reader       = Ed25519 secret HKDF(viewKey, info "read signing key")    → readPublic
 *   contentKey   = HKDF(viewKey, info "content key")  (never used for proofs)
 *   id           = "e" + b64u(SHA-256("mutual-sheets/e1 id\0" ‖ writerPublic ‖ readPublic))
 *
 * Links and PROOFs have the same shapes as a signed workbook's: the view link's second part is
 * b64u(writerPublic), and a PROOF's editPublic / viewPublic are writerPublic / readPublic. As for
 * `s…`, HKDF's input is the key's base64url text (UTF-8), exactly as it appears in the link.
 *
 * Legacy workbooks (`k…`, made before signed links; to be retired): the id commits to SHA-256
 * verifiers of the keys, and the device sends its key itself in HELLO (message 102):
 *
 *   viewKey      = b64u(SHA-256("ms-view\0" + editKey))
 *   verifier(k)  = b64u(SHA-256("ms-verify\0" + k))
 *   id           = "k" + b64u(SHA-256(verifier(editKey) + "\0" + verifier(viewKey)))
 *   view link    #/w/<id>/view/<viewKey>.<verifier(editKey)>
 *
 * Ids of neither form are open workbooks (made before links carried keys): anyone who can reach
 * the hub can read them, and they are read-only unless the hub sets OPEN_WORKBOOKS_WRITABLE.
 */
export const MESSAGE_HELLO = 102;
/** Relay → client before it closes a connection: varUint close code, varString reason. */
export const MESSAGE_REFUSED = 103;

export type Role = 'edit' | 'view';

/** A secured workbook of any kind (legacy, signed, sealed): it needs a link's key to open. */
export const SECURED_ID = /^[kse][A-Za-z0-9_-]{43}$/;
/** A signed (`s…`) workbook: its keys derive the `s1` way (sealed `e…` ones are opened by challenge–response too: CHALLENGE_ID). */
export const SIGNED_ID = /^s[A-Za-z0-9_-]{43}$/;
/** A workbook opened by challenge–response: signed (`s…`) or sealed (`e…`). */
export const CHALLENGE_ID = /^[se][A-Za-z0-9_-]{43}$/;
/** A legacy workbook whose key is sent to the hub in HELLO. */
export const LEGACY_KEY_ID = /^k[A-Za-z0-9_-]{43}$/;

/**
 * A link's key. For a view link `editVerifier` is what the id needs besides the view key: the
 * edit key's verifier (legacy `k…`) or the edit public key (signed `s…`) — never a secret.
 */
export type Credential = { role: 'edit'; editKey: string } | { role: 'view'; viewKey: string; editVerifier: string };

/** What a link's fragment after the id says, or null for an open workbook's plain link. */
export function parseCredential(text: string): Credential | null {
  const edit = /^edit[/:]([A-Za-z0-9_-]{43})$/.exec(text);
  if (edit) return { role: 'edit', editKey: edit[1] };
  const view = /^view[/:]([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/.exec(text);
  if (view) return { role: 'view', viewKey: view[1], editVerifier: view[2] };
  return null;
}

/**
 * A credential as text: how the device keeps it, and how a legacy (`k…`) workbook's key travels
 * in HELLO and in the X-Workbook-Key header. A signed workbook's key never travels.
 */
export function credentialText(c: Credential): string {
  return c.role === 'edit' ? `edit:${c.editKey}` : `view:${c.viewKey}.${c.editVerifier}`;
}

export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes of base64url text, or null when it is not base64url. */
export function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Both sides compare fixed-length values; no early exit on the first difference. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

// ── Signed workbooks (`s…`) ─────────────────────────────────────────────────────────────────────

const SALT = utf8('mutual-sheets/s1');
const derive = (key: string, info: string) => hkdf(nobleSha256, utf8(key), SALT, utf8(info), 32);

/** The view key of a signed workbook's edit key. */
export function signedViewKey(editKey: string): string {
  return base64url(derive(editKey, 'view key'));
}

/** The Ed25519 secret a link's key signs with for its role. Never leaves the device. */
export function signingSecret(role: Role, key: string): Uint8Array {
  return derive(key, role === 'edit' ? 'edit signing key' : 'view signing key');
}

export function publicKeyOf(secret: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secret);
}

/** The id two public keys commit to. */
export function signedIdOf(editPublic: Uint8Array, viewPublic: Uint8Array): string {
  return `s${base64url(nobleSha256(concatBytes(utf8('mutual-sheets/s1 id\0'), editPublic, viewPublic)))}`;
}

// ── Sealed workbooks (`e…`): their link keys; the content key is in sealed-keys.ts ────────────

const SEALED_SALT = utf8('mutual-sheets/e1');
const deriveSealed = (key: string, info: string) => hkdf(nobleSha256, utf8(key), SEALED_SALT, utf8(info), 32);

/** The view key of a sealed workbook's edit key. */
export function sealedViewKey(editKey: string): string {
  return base64url(deriveSealed(editKey, 'view key'));
}

/** A sealed workbook's Ed25519 secret for a role: the writer key (edit key) or the read key (view key). Never leaves the device. */
export function sealedSigningSecret(role: Role, key: string): Uint8Array {
  return role === 'edit' ? deriveSealed(key, 'writer signing key') : deriveSealed(key, 'read signing key');
}

/** A sealed workbook's content key (XChaCha20-Poly1305), from its view key. */
export function sealedContentKey(viewKey: string): Uint8Array {
  return deriveSealed(viewKey, 'content key');
}

/** The sealed id the writer and read public keys commit to. */
export function sealedIdOf(writerPublic: Uint8Array, readPublic: Uint8Array): string {
  return `e${base64url(nobleSha256(concatBytes(utf8('mutual-sheets/e1 id\0'), writerPublic, readPublic)))}`;
}

// ── Either challenge–response kind ──────────────────────────────────────────────────────────────

/** How a challenge–response kind derives its keys and id. */
interface Scheme {
  viewKey(editKey: string): string;
  secret(role: Role, key: string): Uint8Array;
  idOf(editPublic: Uint8Array, viewPublic: Uint8Array): string;
}
const SIGNED: Scheme = { viewKey: signedViewKey, secret: signingSecret, idOf: signedIdOf };
const SEALED: Scheme = { viewKey: sealedViewKey, secret: sealedSigningSecret, idOf: sealedIdOf };

function schemeOf(workbookId: string): Scheme | null {
  return SIGNED_ID.test(workbookId) ? SIGNED : SEALED_ID.test(workbookId) ? SEALED : null;
}

/**
 * The id two public keys commit to, of the same kind as `workbookId` (`s…` or `e…`), or null for
 * any other id. What the hub compares a PROOF's keys with.
 */
export function challengeIdOf(workbookId: string, editPublic: Uint8Array, viewPublic: Uint8Array): string | null {
  const scheme = schemeOf(workbookId);
  return scheme ? scheme.idOf(editPublic, viewPublic) : null;
}

function keysOf(scheme: Scheme, editKey: string): { id: string; edit: Credential; view: Credential } {
  const viewKey = scheme.viewKey(editKey);
  const editPublic = publicKeyOf(scheme.secret('edit', editKey));
  const viewPublic = publicKeyOf(scheme.secret('view', viewKey));
  return {
    id: scheme.idOf(editPublic, viewPublic),
    edit: { role: 'edit', editKey },
    view: { role: 'view', viewKey, editVerifier: base64url(editPublic) },
  };
}

const randomEditKey = () => base64url(globalThis.crypto.getRandomValues(new Uint8Array(32)));

/** A new sealed (`e…`) workbook: its id and both links' credentials (the same shapes as a signed one's). */
export function newSealedWorkbookKeys(): { id: string; edit: Credential; view: Credential } {
  return keysOf(SEALED, randomEditKey());
}

/**
 * What a device needs to answer a challenge for a signed or sealed workbook: both public keys and
 * its role's signer. For a sealed workbook editPublic is the writer public key and viewPublic the
 * read public key.
 */
export interface Prover {
  role: Role;
  editPublic: Uint8Array;
  viewPublic: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** The prover of a credential for a signed or sealed workbook, or null when it cannot be one (malformed, or the wrong id). */
export function proverFor(workbookId: string, credential: Credential | null): Prover | null {
  const scheme = schemeOf(workbookId);
  if (!credential || !scheme) return null;
  let secret: Uint8Array;
  let editPublic: Uint8Array | null;
  let viewPublic: Uint8Array;
  if (credential.role === 'edit') {
    if (typeof credential.editKey !== 'string') return null;
    secret = scheme.secret('edit', credential.editKey);
    editPublic = publicKeyOf(secret);
    viewPublic = publicKeyOf(scheme.secret('view', scheme.viewKey(credential.editKey)));
  } else if (credential.role === 'view') {
    if (typeof credential.viewKey !== 'string' || typeof credential.editVerifier !== 'string') return null;
    secret = scheme.secret('view', credential.viewKey);
    viewPublic = publicKeyOf(secret);
    editPublic = fromBase64url(credential.editVerifier);
    if (!editPublic || editPublic.length !== 32) return null;
  } else return null;
  // A key for another workbook is not sent at all: the hub would refuse it anyway.
  if (scheme.idOf(editPublic, viewPublic) !== workbookId) return null;
  const role = credential.role;
  return { role, editPublic, viewPublic, sign: (message) => ed25519.sign(message, secret) };
}

// ── Legacy workbooks (`k…`) ─────────────────────────────────────────────────────────────────────

type Sha256 = (text: string) => Promise<Uint8Array>;

/** SHA-256 without WebCrypto (absent on plain-http LAN pages): the same digest everywhere. */
const noWebCryptoSha256: Sha256 = (text) => Promise.resolve(nobleSha256(utf8(text)));

export async function viewKeyOf(editKey: string, sha: Sha256 = noWebCryptoSha256): Promise<string> {
  return base64url(await sha(`ms-view\0${editKey}`));
}

export async function verifierOf(key: string, sha: Sha256 = noWebCryptoSha256): Promise<string> {
  return base64url(await sha(`ms-verify\0${key}`));
}

export async function securedId(editVerifier: string, viewVerifier: string, sha: Sha256 = noWebCryptoSha256): Promise<string> {
  return `k${base64url(await sha(`${editVerifier}\0${viewVerifier}`))}`;
}

/** A legacy (`k…`) workbook's id and links from its edit key: for tests and for links already handed out. */
export async function legacyKeysFromEditKey(editKey: string, sha: Sha256 = noWebCryptoSha256): Promise<{ id: string; edit: Credential; view: Credential }> {
  const viewKey = await viewKeyOf(editKey, sha);
  const editVerifier = await verifierOf(editKey, sha);
  const id = await securedId(editVerifier, await verifierOf(viewKey, sha), sha);
  return { id, edit: { role: 'edit', editKey }, view: { role: 'view', viewKey, editVerifier } };
}

// ── Either kind ─────────────────────────────────────────────────────────────────────────────────

/** A new workbook: signed (`s…`), its id and both links' credentials. `sha` is unused (signed ids need none from outside). Sealed ones: newSealedWorkbookKeys. */
export async function newWorkbookKeys(_sha?: Sha256): Promise<{ id: string; edit: Credential; view: Credential }> {
  return keysOf(SIGNED, randomEditKey());
}

/**
 * A workbook's id and both links' credentials from its edit key. The kind follows `workbookId`
 * when given (a legacy `k…` id derives the legacy way, a sealed `e…` one the sealed way);
 * otherwise the edit key is a signed one.
 */
export async function keysFromEditKey(editKey: string, sha: Sha256 = noWebCryptoSha256, workbookId?: string): Promise<{ id: string; edit: Credential; view: Credential }> {
  if (workbookId !== undefined && LEGACY_KEY_ID.test(workbookId)) return legacyKeysFromEditKey(editKey, sha);
  if (workbookId !== undefined && SEALED_ID.test(workbookId)) return keysOf(SEALED, editKey);
  return keysOf(SIGNED, editKey);
}

/**
 * Which role a credential gives for this id, or null if it gives none (checked on the device,
 * which holds the key; the hub checks a proof instead, src/protocol/challenge.ts). Open workbooks
 * answer 'edit': whether the hub lets anyone write to them is the hub's setting.
 */
export async function roleFor(id: string, credential: Credential | null, sha: Sha256 = noWebCryptoSha256): Promise<Role | null> {
  if (!SECURED_ID.test(id)) return 'edit';
  if (!credential) return null;
  if (CHALLENGE_ID.test(id)) return proverFor(id, credential)?.role ?? null;
  if (credential.role === 'edit') {
    const keys = await legacyKeysFromEditKey(credential.editKey, sha);
    return keys.id === id ? 'edit' : null;
  }
  return (await securedId(credential.editVerifier, await verifierOf(credential.viewKey, sha), sha)) === id ? 'view' : null;
}
