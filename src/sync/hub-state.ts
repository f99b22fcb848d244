import * as Y from 'yjs';

/**
 * What the hub (relay) holds of a workbook, as Yjs state vectors. Comparing them with the local
 * doc's state vector says how many changes exist only on this device. Counted in Yjs clock
 * units: one per cell write, row insert or column field change — the "changes" a person made.
 *
 * Two kinds of knowledge, kept apart:
 * - `acked`: what the hub has said is durably stored (its durable acks). Everything that must
 *   not be wrong about the disk reads this: the clock guard (own-work.ts), removing a workbook
 *   from this device, retiring one.
 * - `heard`: clocks that reached this device in a message from the hub itself (a sync step 2 or
 *   update on the hub's socket): the hub holds them, so they are no change of this device's
 *   waiting for it. The hub acks a colleague's change lazily (server/room.ts, COLLEAGUE_ACK_MS);
 *   this is what keeps it out of the pending count meanwhile. Only the status count reads it.
 */
export class HubState {
  private readonly acked = new Map<number, number>();
  private readonly heard = new Map<number, number>();

  constructor(initial?: Map<number, number>) {
    if (initial) for (const [c, clock] of initial) this.acked.set(c, clock);
  }

  /** Merges an ack; clocks only move forward. Returns true if anything advanced. */
  merge(sv: Map<number, number>): boolean {
    let changed = false;
    for (const [client, clock] of sv) {
      if (clock > (this.acked.get(client) ?? 0)) {
        this.acked.set(client, clock);
        changed = true;
        // what is durable needs no second word: the map stays as small as the changes in flight
        if ((this.heard.get(client) ?? 0) <= clock) this.heard.delete(client);
      }
    }
    return changed;
  }

  /**
   * A message from the hub moved this doc's clocks from `before` to `after`. A client's new
   * clocks count as on the hub only where they follow on from what is already known to be there:
   * a message that lands past clocks this device holds and the hub has not confirmed (its own
   * unsent work, or structs someone sent under its id) says nothing about those, and a clock is
   * one number, so the whole range stays pending until acked. Returns true if anything advanced.
   */
  hear(before: Map<number, number>, after: Map<number, number>): boolean {
    let changed = false;
    for (const [client, clock] of after) {
      const from = before.get(client) ?? 0;
      if (clock <= from) continue;
      const known = this.knownClock(client);
      if (known >= from && clock > known) {
        this.heard.set(client, clock);
        changed = true;
      }
    }
    return changed;
  }

  pendingFor(doc: Y.Doc): number {
    let pending = 0;
    for (const [client, clock] of clocksOf(doc)) {
      pending += Math.max(0, clock - this.knownClock(client));
    }
    return pending;
  }

  /** The clock the hub has durably stored for one Yjs client (0: nothing yet). */
  ackedClock(client: number): number {
    return this.acked.get(client) ?? 0;
  }

  /** The clock the hub is known to hold for one Yjs client, durable or heard from it. */
  knownClock(client: number): number {
    return Math.max(this.acked.get(client) ?? 0, this.heard.get(client) ?? 0);
  }

  toJSON(): { acked: [number, number][]; heard: [number, number][] } {
    return { acked: Array.from(this.acked.entries()), heard: Array.from(this.heard.entries()) };
  }

  /** Reads what toJSON wrote, or the older form (the acked pairs alone); whatever is not a pair of clocks is dropped. */
  static fromJSON(raw: unknown): HubState {
    const state = new HubState();
    const record = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
    readPairs(Array.isArray(raw) ? raw : record?.acked, state.acked);
    readPairs(record?.heard, state.heard);
    return state;
  }
}

function readPairs(raw: unknown, into: Map<number, number>): void {
  if (!Array.isArray(raw)) return;
  for (const entry of raw) {
    if (Array.isArray(entry) && isClock(entry[0]) && isClock(entry[1])) into.set(entry[0], entry[1]);
  }
}

function isClock(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}

/** This doc's clock per client, read off its store (no state vector encoded). */
export function clocksOf(doc: Y.Doc): Map<number, number> {
  const clocks = new Map<number, number>();
  for (const client of doc.store.clients.keys()) clocks.set(client, Y.getState(doc.store, client));
  return clocks;
}

/** Where a device remembers what the hub holds between visits (localStorage in the browser). */
export interface HubStateStore {
  load(workbookId: string): HubState;
  save(workbookId: string, state: HubState): void;
}

export class MemoryHubStateStore implements HubStateStore {
  private readonly states = new Map<string, ReturnType<HubState['toJSON']>>();
  load(workbookId: string): HubState {
    return HubState.fromJSON(this.states.get(workbookId));
  }
  save(workbookId: string, state: HubState): void {
    this.states.set(workbookId, state.toJSON());
  }
}

export class LocalStorageHubStateStore implements HubStateStore {
  constructor(private readonly storage: Storage) {}
  private key(id: string): string {
    return `mutual-sheets:hub-state:${id}`;
  }
  load(workbookId: string): HubState {
    try {
      return HubState.fromJSON(JSON.parse(this.storage.getItem(this.key(workbookId)) ?? 'null'));
    } catch {
      return new HubState();
    }
  }
  save(workbookId: string, state: HubState): void {
    try {
      this.storage.setItem(this.key(workbookId), JSON.stringify(state.toJSON()));
    } catch {
      // Quota or privacy mode: the count is then re-learned from the hub on the next connection.
    }
  }
  /** Drops what this device remembered for one room (the workbook is being removed from it). */
  forget(workbookId: string): void {
    try {
      this.storage.removeItem(this.key(workbookId));
    } catch {
      // storage refused: nothing more this device can do
    }
  }
}
