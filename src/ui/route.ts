import { parseCredential, type Credential } from '../protocol/access.js';

const ROUTE = /^#\/w\/([A-Za-z0-9_-]{8,128})(?:\/(.+))?$/;

/**
 * What a link's fragment (`#/w/<id>[/edit/<key> | /view/<key>.<verifier>]`) opens: the
 * workbook id, and the key it carries (null for an open workbook's plain link). The
 * fragment is never sent to a server, which is why the key lives there.
 */
export function parseRoute(hash: string): { id: string; credential: Credential | null } | null {
  const m = ROUTE.exec(hash);
  if (!m) return null;
  return { id: m[1], credential: m[2] ? parseCredential(m[2]) : null };
}
