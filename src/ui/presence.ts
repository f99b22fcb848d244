import type { Awareness } from 'y-protocols/awareness';

/** Colours for people, readable as outlines on white. */
const COLORS = ['#cf222e', '#1f6feb', '#1a7f37', '#8250df', '#bc4c00', '#0a7ea4', '#bf3989', '#6e7781'];
/** A person is shown faded after this long without moving. */
export const IDLE_AFTER_MS = 60_000;

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
}

/** A stable colour per person (by device), so Ana is red on every screen. */
export function colorFor(key: string): string {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) >>> 0;
  return COLORS[h % COLORS.length];
}

/**
 * Awareness state is kept small on purpose — name, colour, where the cursor is,
 * when the person last moved — because it is re-sent to everyone on each change.
 */
export interface LocalPresence {
  user: { name: string; color: string };
  cursor: { sheetId: string; rowId: string; colId: string } | null;
  active: number;
}

export function people(awareness: Awareness, now = Date.now()): Person[] {
  const out: Person[] = [];
  awareness.getStates().forEach((state, clientId) => {
    if (clientId === awareness.clientID || !state.user?.name) return;
    out.push({
      clientId,
      name: String(state.user.name),
      color: String(state.user.color ?? COLORS[0]),
      idle: typeof state.active !== 'number' || now - state.active > IDLE_AFTER_MS,
    });
  });
  return out;
}

export function cursors(awareness: Awareness, sheetId: string, now = Date.now()): PeerCursor[] {
  const out: PeerCursor[] = [];
  awareness.getStates().forEach((state, clientId) => {
    const c = state.cursor;
    if (clientId === awareness.clientID || !c || c.sheetId !== sheetId || !state.user?.name) return;
    out.push({
      clientId,
      name: String(state.user.name),
      color: String(state.user.color ?? COLORS[0]),
      sheetId,
      rowId: String(c.rowId),
      colId: String(c.colId),
      idle: typeof state.active !== 'number' || now - state.active > IDLE_AFTER_MS,
    });
  });
  return out;
}
