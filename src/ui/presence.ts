import type { PresenceSource } from '../sync/presence-source.js';

/** Colours for people, readable as outlines on white. */
const COLORS = ['#cf222e', '#1f6feb', '#1a7f37', '#8250df', '#bc4c00', '#0a7ea4', '#bf3989', '#6e7781'];
/** A person is shown faded after this long without moving. */
export const IDLE_AFTER_MS = 60_000;
/**
 * At most this many people are drawn as chips; the rest are one "+N" chip. A page once drew
 * 10,124 chips for a flood of made-up presence states and froze for 15 s; the hub now lets a
 * connection set only its own few, but the page must stay usable whatever arrives.
 */
export const MAX_PEOPLE_SHOWN = 20;
/** At most this many colleagues' cursors are drawn on a sheet. */
export const MAX_CURSORS_SHOWN = 50;
/** A name longer than this is cut (presence is anyone's free text). */
const MAX_NAME_CHARS = 40;

export interface PeerCursor {
  clientId: number;
  name: string;
  color: string;
  sheetId: string;
  rowId: string;
  colId: string;
  idle: boolean;
}

export interface Person {
  clientId: number;
  name: string;
  color: string;
  idle: boolean;
  /** set on the last chip only, when more people are here than are shown: how many more ("+N") */
  more?: number;
}

const OVERFLOW_COLOR = '#6e7781';

function shortName(name: unknown): string {
  const s = String(name);
  return s.length > MAX_NAME_CHARS ? `${s.slice(0, MAX_NAME_CHARS - 1)}…` : s;
}

/** A stable colour per person (by device), so Ana is red on every screen. */
export function colorFor(key: string): string {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) >>> 0;
  return COLORS[h % COLORS.length];
}

/**
 * Presence is kept small on purpose — name, colour, where the cursor is,
 * when the person last moved — because it is re-sent to everyone on each change.
 */
export interface LocalPresence {
  user: { name: string; color: string };
  cursor: { sheetId: string; rowId: string; colId: string } | null;
  active: number;
}

/**
 * Who else is here, for the header: people who are active first (in the order they arrived),
 * then idle ones; past MAX_PEOPLE_SHOWN the rest are counted in one last `{more: N}` entry
 * named "+N".
 */
export function people(awareness: PresenceSource, now = Date.now(), max = MAX_PEOPLE_SHOWN): Person[] {
  const active: Person[] = [];
  const idle: Person[] = [];
  let total = 0;
  awareness.getStates().forEach((state, clientId) => {
    if (clientId === awareness.clientID || !state.user?.name) return;
    total++;
    const isIdle = typeof state.active !== 'number' || now - state.active > IDLE_AFTER_MS;
    const list = isIdle ? idle : active;
    // Only as many as can be shown are built; the rest are only counted.
    if (active.length + idle.length >= max && (isIdle || active.length >= max)) return;
    list.push({ clientId, name: shortName(state.user.name), color: String(state.user.color ?? COLORS[0]), idle: isIdle });
  });
  const shown = active.concat(idle);
  if (total <= max) return shown;
  const out = shown.slice(0, max);
  const more = total - out.length;
  out.push({ clientId: -1, name: `+${more}`, color: OVERFLOW_COLOR, idle: false, more });
  return out;
}

/**
 * Whether two lists from `people()` show the same: a colleague moving their cursor changes presence
 * but not who is here, and the header re-measures itself (and moves the grid) on every new list.
 */
export function samePeople(a: readonly Person[], b: readonly Person[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => {
      const q = b[i];
      return p.clientId === q.clientId && p.name === q.name && p.color === q.color && p.idle === q.idle && p.more === q.more;
    })
  );
}

export function cursors(awareness: PresenceSource, sheetId: string, now = Date.now(), max = MAX_CURSORS_SHOWN): PeerCursor[] {
  const out: PeerCursor[] = [];
  awareness.getStates().forEach((state, clientId) => {
    const c = state.cursor;
    if (out.length >= max || clientId === awareness.clientID || !c || c.sheetId !== sheetId || !state.user?.name) return;
    out.push({
      clientId,
      name: shortName(state.user.name),
      color: String(state.user.color ?? COLORS[0]),
      sheetId,
      rowId: String(c.rowId),
      colId: String(c.colId),
      idle: typeof state.active !== 'number' || now - state.active > IDLE_AFTER_MS,
    });
  });
  return out;
}
