/**
 * Claim / assignee cells ("who took this request or shift"). Every person's
 * claim is its own key in the row's map (`colId@personKey`), holding whether
 * they hold it now. Two people claiming at once therefore both stay claimed —
 * a conflict the grid shows ("claimed by Ana and Luis") until someone releases
 * or a coordinator resolves it. A claim only ever ends by a release (its owner,
 * or a resolution/reassignment that releases it explicitly); nothing is
 * silently overwritten.
 */

export const CLAIM_SEPARATOR = '@';

export interface ClaimEntry {
  /** stable key of the person: a hash of their name and device */
  person: string;
  name: string;
  held: boolean;
  /** who last changed this entry (the person, or a coordinator resolving) */
  ref: string;
  at: number;
}

export function claimKey(colId: string, person: string): string {
  return `${colId}${CLAIM_SEPARATOR}${person}`;
}

export function parseClaimKey(key: string): { colId: string; person: string } | null {
  const i = key.indexOf(CLAIM_SEPARATOR);
  if (i <= 0 || i === key.length - 1) return null;
  return { colId: key.slice(0, i), person: key.slice(i + 1) };
}

export function encodeClaim(e: Omit<ClaimEntry, 'person'>): string {
  return JSON.stringify([e.held ? 1 : 0, e.name, e.ref, e.at]);
}

export function decodeClaim(key: string, raw: unknown): ClaimEntry | null {
  const k = parseClaimKey(key);
  if (!k || typeof raw !== 'string') return null;
  try {
    const v = JSON.parse(raw);
    if (!Array.isArray(v) || (v[0] !== 0 && v[0] !== 1) || typeof v[1] !== 'string' || typeof v[2] !== 'string' || typeof v[3] !== 'number') return null;
    return { person: k.person, held: v[0] === 1, name: v[1], ref: v[2], at: v[3] };
  } catch {
    return null;
  }
}

/** Current holders, earliest claim first; more than one is a conflict. */
export function holders(entries: readonly ClaimEntry[]): ClaimEntry[] {
  return entries.filter((e) => e.held).sort((a, b) => a.at - b.at || (a.person < b.person ? -1 : 1));
}
