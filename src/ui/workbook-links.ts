import { keysFromEditKey, type Credential } from '../protocol/access.js';
import { sha256 } from './link-keys.js';

/** The links this device can hand on for a workbook; each is null when its key is not known here. */
export interface WorkbookLinks {
  /** opens it to change (carries the edit key) */
  edit: string | null;
  /** opens it read-only (carries the view key, derived from the edit key, and the edit key's verifier) */
  view: string | null;
  /** a workbook from before links carried keys: anyone with it can change it */
  open: string | null;
  /** the hub's LAN address used instead of localhost, to say so */
  lanHost: string | null;
}

/**
 * Opened as localhost on the hub's own laptop, a link would point phones at themselves:
 * use the hub's address on the local network instead (from /api/hub).
 */
async function hubOrigin(): Promise<{ origin: string; lanHost: string | null }> {
  if (!/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(location.hostname)) return { origin: location.origin, lanHost: null };
  try {
    const info = (await (await fetch('/api/hub', { cache: 'no-store' })).json()) as { lanUrls?: string[] };
    const lan = info.lanUrls?.[0];
    if (lan) return { origin: new URL(lan).origin, lanHost: new URL(lan).host };
  } catch {
    // Offline or an older hub: links keep this page's address.
  }
  return { origin: location.origin, lanHost: null };
}

/**
 * Every link to a workbook this credential allows: an edit key yields both links (the
 * view key is derived from it); a view key only passes itself on. The keys live after
 * the #, which browsers never send to a server. The credential is the one this device
 * keeps (the address bar no longer carries it once a workbook is open).
 */
export async function workbookLinks(workbookId: string, credential: Credential | null): Promise<WorkbookLinks> {
  const { origin, lanHost } = await hubOrigin();
  const base = `${origin}${location.pathname}#/w/${workbookId}`;
  if (credential?.role === 'edit') {
    const { view } = await keysFromEditKey(credential.editKey, sha256, workbookId);
    return {
      edit: `${base}/edit/${credential.editKey}`,
      view: view.role === 'view' ? `${base}/view/${view.viewKey}.${view.editVerifier}` : null,
      open: null,
      lanHost,
    };
  }
  if (credential?.role === 'view') return { edit: null, view: `${base}/view/${credential.viewKey}.${credential.editVerifier}`, open: null, lanHost };
  return { edit: null, view: null, open: base, lanHost };
}
