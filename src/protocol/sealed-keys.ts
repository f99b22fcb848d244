import {
  newSealedWorkbookKeys,
  proverFor,
  sealedContentKey,
  sealedViewKey,
  type Credential,
} from './access.js';
import { SEALED_ID, type SealedKeys, type SealedKeysApi } from './sealed.js';

/**
 * A sealed (`e…`) workbook's keys from a link's credential (src/protocol/sealed.ts; the
 * derivation is written out in src/protocol/access.ts, next to the signed one's):
 *
 *   editKey → writer secret (HKDF "writer signing key")    signs blobs, proves the edit role
 *   editKey → viewKey (HKDF "view key")
 *   viewKey → contentKey (HKDF "content key")              opens blobs and presence
 *   viewKey → read secret (HKDF "read signing key")        proves the view role
 *   id = "e" + b64u(SHA-256("mutual-sheets/e1 id\0" ‖ writerPublic ‖ readPublic))
 *
 * All with @noble (HKDF-SHA256, salt "mutual-sheets/e1", Ed25519): nothing here needs WebCrypto,
 * so a page on plain http (no crypto.subtle) opens a sealed workbook; only a new workbook's
 * random edit key needs crypto.getRandomValues, which every page has.
 */

export { newSealedWorkbookKeys };

/** The keys a credential gives for a sealed id, or null if it gives none (malformed, or another workbook's). Never throws. */
export function sealedKeysFor(id: string, credential: Credential | null): SealedKeys | null {
  if (typeof id !== 'string' || !SEALED_ID.test(id) || !credential) return null;
  try {
    // proverFor recomputes the id from the credential's public keys (sealed domain) and checks it.
    const prover = proverFor(id, credential);
    if (!prover) return null;
    if (credential.role === 'edit') {
      // The edit role's prover signs with the writer key: the key that signs every blob.
      return { id, role: 'edit', contentKey: sealedContentKey(sealedViewKey(credential.editKey)), writerPublic: prover.editPublic, sign: prover.sign };
    }
    return { id, role: 'view', contentKey: sealedContentKey(credential.viewKey), writerPublic: prover.editPublic, sign: null };
  } catch {
    return null;
  }
}

/** The interface this module implements, checked by the compiler. */
export const sealedKeysApi: SealedKeysApi = { newSealedWorkbookKeys, sealedKeysFor };
