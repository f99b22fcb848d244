import { digest } from 'lib0/hash/sha256';
import { SECURED_ID, roleFor, type Credential } from '../protocol/access.js';
import type { DeviceProfile } from './device-profile.js';

/**
 * SHA-256 without `crypto.subtle`, which browsers offer only on secure pages: phones open
 * the hub at its LAN address over plain http, and must still check and derive keys there.
 */
export const sha256 = (text: string): Promise<Uint8Array> => Promise.resolve(digest(new TextEncoder().encode(text)));

/** What a link opened on this device leads to: the key to open the workbook with this visit. */
export interface OpenedLink {
  credential: Credential | null;
  /** whether that key is now kept on this device (a key that opens nothing is not) */
  kept: boolean;
}

/**
 * A link with a key was opened: keep its key on this device, so the address bar can drop it.
 * Anyone can send a link naming a workbook this device already holds, so a key replaces the
 * stored one only if it opens that workbook, and a view key never replaces an edit key
 * (opening a colleague's view link must not take this device's edit rights away).
 * A key that opens nothing is used for this visit only, so the hub's refusal is shown.
 */
export async function acceptLink(profile: DeviceProfile, workbookId: string, offered: Credential): Promise<OpenedLink> {
  const stored = profile.credential(workbookId);
  const role = await roleFor(workbookId, offered, sha256);
  if (role === null) return stored ? { credential: stored, kept: true } : { credential: offered, kept: false };
  if (role === 'view' && stored?.role === 'edit' && (await roleFor(workbookId, stored, sha256)) === 'edit') return { credential: stored, kept: true };
  profile.keepCredential(workbookId, offered);
  return { credential: offered, kept: true };
}

/** A secured workbook opened without a key and none on this device: there is nothing to open it with. */
export function needsLink(workbookId: string, credential: Credential | null): boolean {
  return SECURED_ID.test(workbookId) && credential === null;
}
