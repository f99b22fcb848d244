/**
 * Access without accounts. A secured workbook's id commits to two secrets:
 *
 *   editKey      32 random bytes (base64url), in the edit link only
 *   viewKey      = b64u(SHA-256("ms-view\0" + editKey))       — an edit link can make the view link
 *   verifier(k)  = b64u(SHA-256("ms-verify\0" + k))
 *   id           = "k" + b64u(SHA-256(verifier(editKey) + "\0" + verifier(viewKey)))
 *
 * Edit link: #/w/<id>/edit/<editKey>. View link: #/w/<id>/view/<viewKey>.<verifier(editKey)>.
 * The relay checks a credential against the id alone, so it stores nothing about
 * keys: holding its database lets no one read or write. A view link carries only
 * the edit key's verifier, from which the edit key cannot be recovered.
 * Ids without the "k" form are open workbooks (made before links carried keys).
 */
export const MESSAGE_HELLO = 102;
/** Relay → client before it closes a connection: varUint close code, varString reason. */
export const MESSAGE_REFUSED = 103;

export type Role = 'edit' | 'view';

export const SECURED_ID = /^k[A-Za-z0-9_-]{43}$/;

export type Credential = { role: 'edit'; editKey: string } | { role: 'view'; viewKey: string; editVerifier: string };

/** What a link's fragment after the id says, or null for an open workbook's plain link. */
export function parseCredential(text: string): Credential | null {
  const edit = /^edit[/:]([A-Za-z0-9_-]{43})$/.exec(text);
  if (edit) return { role: 'edit', editKey: edit[1] };
  const view = /^view[/:]([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/.exec(text);
  if (view) return { role: 'view', viewKey: view[1], editVerifier: view[2] };
  return null;
}

/** How a credential travels in HELLO and in the X-Workbook-Key header (never in a URL path). */
export function credentialText(c: Credential): string {
  return c.role === 'edit' ? `edit:${c.editKey}` : `view:${c.viewKey}.${c.editVerifier}`;
}

export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

type Sha256 = (text: string) => Promise<Uint8Array>;

const webSha256: Sha256 = async (text) => new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));

export async function viewKeyOf(editKey: string, sha: Sha256 = webSha256): Promise<string> {
  return base64url(await sha(`ms-view\0${editKey}`));
}

export async function verifierOf(key: string, sha: Sha256 = webSha256): Promise<string> {
  return base64url(await sha(`ms-verify\0${key}`));
}

export async function securedId(editVerifier: string, viewVerifier: string, sha: Sha256 = webSha256): Promise<string> {
  return `k${base64url(await sha(`${editVerifier}\0${viewVerifier}`))}`;
}

/** A new secured workbook: its id and both links' credentials. */
export async function newWorkbookKeys(sha: Sha256 = webSha256): Promise<{ id: string; edit: Credential; view: Credential }> {
  const editKey = base64url(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  return keysFromEditKey(editKey, sha);
}

export async function keysFromEditKey(editKey: string, sha: Sha256 = webSha256): Promise<{ id: string; edit: Credential; view: Credential }> {
  const viewKey = await viewKeyOf(editKey, sha);
  const editVerifier = await verifierOf(editKey, sha);
  const id = await securedId(editVerifier, await verifierOf(viewKey, sha), sha);
  return { id, edit: { role: 'edit', editKey }, view: { role: 'view', viewKey, editVerifier } };
}

/** Which role a credential gives for this id, or null if it gives none. */
export async function roleFor(id: string, credential: Credential | null, sha: Sha256 = webSha256): Promise<Role | null> {
  if (!SECURED_ID.test(id)) return 'edit';
  if (!credential) return null;
  if (credential.role === 'edit') {
    const keys = await keysFromEditKey(credential.editKey, sha);
    return keys.id === id ? 'edit' : null;
  }
  return (await securedId(credential.editVerifier, await verifierOf(credential.viewKey, sha), sha)) === id ? 'view' : null;
}
