import * as Y from 'yjs';

/**
 * What the hub (relay) has durably stored, as a Yjs state vector built from its
 * durable acks. Comparing it with the local doc's state vector says how many
 * changes exist only on this device. Counted in Yjs clock units: one per cell
 * write, row insert or column field change — the "changes" a person made.
 */
export class HubState {
  private readonly acked = new Map<number, number>();

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
      }
    }
    return changed;
  }

  pendingFor(doc: Y.Doc): number {
    let pending = 0;
    for (const [client, clock] of stateVectorOf(doc)) {
      pending += Math.max(0, clock - (this.acked.get(client) ?? 0));
    }
    return pending;
  }

  /** The clock the hub has durably stored for one Yjs client (0: nothing yet). */
  ackedClock(client: number): number {
    return this.acked.get(client) ?? 0;
  }

  toJSON(): [number, number][] {
    return Array.from(this.acked.entries());
  }

  static fromJSON(raw: unknown): HubState {
    const state = new HubState();
    if (Array.isArray(raw)) {
      for (const entry of raw) {
        if (Array.isArray(entry) && Number.isInteger(entry[0]) && Number.isInteger(entry[1])) state.acked.set(entry[0], entry[1]);
      }
    }
    return state;
  }
}

function stateVectorOf(doc: Y.Doc): Map<number, number> {
  return Y.decodeStateVector(Y.encodeStateVector(doc));
}

/** Where a device remembers the hub's acked state between visits (localStorage in the browser). */
export interface HubStateStore {
  load(workbookId: string): HubState;
  save(workbookId: string, state: HubState): void;
}

export class MemoryHubStateStore implements HubStateStore {
  private readonly states = new Map<string, [number, number][]>();
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
