import * as Y from 'yjs';
import { Workbook } from '../../src/model/index.js';

import { prng, type Prng } from './prng.js';

export { prng, type Prng };

export interface Peer {
  name: string;
  doc: Y.Doc;
  wb: Workbook;
  online: boolean;
}

/** Which of a peer's two docs a message is for: the workbook or its history journal. */
type Channel = 'doc' | 'journal';

interface Message {
  from: number;
  to: number;
  channel: Channel;
  update: Uint8Array;
}

/**
 * In-memory peers joined by a lossy, reordering, duplicating network. While a
 * peer is offline, messages to and from it are dropped (as a dead socket would);
 * reconnecting runs the state-vector handshake y-protocols uses.
 */
export class Network {
  readonly peers: Peer[] = [];
  private queue: Message[] = [];

  constructor(
    count: number,
    private readonly random: Prng,
  ) {
    let clock = 1_764_000_000_000;
    for (let i = 0; i < count; i++) {
      const doc = new Y.Doc();
      doc.clientID = i + 1; // deterministic ids: same seed, same run
      const name = `peer${i}`;
      const history = new Y.Doc();
      history.clientID = i + 1;
      const wb = new Workbook(doc, {
        actor: { name, deviceId: `${name}-dev` },
        now: () => (clock += random.int(5000)),
        newId: (length) => random.id(length),
        history,
      });
      const peer: Peer = { name, doc, wb, online: true };
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === this) return;
        this.broadcast(i, 'doc', update);
      });
      history.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === this) return;
        this.broadcast(i, 'journal', update);
      });
      this.peers.push(peer);
    }
  }

  private broadcast(from: number, channel: Channel, update: Uint8Array): void {
    if (!this.peers[from].online) return;
    for (let to = 0; to < this.peers.length; to++) {
      if (to !== from && this.peers[to].online) this.queue.push({ from, to, channel, update });
    }
  }

  private docOf(i: number, channel: Channel): Y.Doc {
    return channel === 'doc' ? this.peers[i].doc : this.peers[i].wb.journal.doc;
  }

  private apply(msg: Message): void {
    Y.applyUpdate(this.docOf(msg.to, msg.channel), msg.update, this);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Delivers one random in-flight message, sometimes also leaving a duplicate behind. */
  deliverOne(): void {
    if (this.queue.length === 0) return;
    const i = this.random.int(this.queue.length);
    const msg = this.queue[i];
    if (!this.random.chance(0.1)) this.queue.splice(i, 1);
    if (!this.peers[msg.to].online) return;
    this.apply(msg);
  }

  disconnect(i: number): void {
    this.peers[i].online = false;
    this.queue = this.queue.filter((m) => m.from !== i && m.to !== i);
  }

  reconnect(i: number): void {
    const peer = this.peers[i];
    peer.online = true;
    for (let j = 0; j < this.peers.length; j++) {
      if (j === i || !this.peers[j].online) continue;
      this.handshake(i, j);
    }
  }

  /** Sync step 1/2 both ways, delivered through the same unreliable queue. */
  private handshake(a: number, b: number): void {
    for (const channel of ['doc', 'journal'] as const) {
      const A = this.docOf(a, channel);
      const B = this.docOf(b, channel);
      this.queue.push({ from: a, to: b, channel, update: Y.encodeStateAsUpdate(A, Y.encodeStateVector(B)) });
      this.queue.push({ from: b, to: a, channel, update: Y.encodeStateAsUpdate(B, Y.encodeStateVector(A)) });
    }
  }

  /** Everyone online, every message delivered (duplicates drained), then a final full exchange. */
  settle(): void {
    for (let i = 0; i < this.peers.length; i++) if (!this.peers[i].online) this.reconnect(i);
    while (this.queue.length) this.apply(this.queue.shift()!);
    for (const channel of ['doc', 'journal'] as const) {
      for (let a = 0; a < this.peers.length; a++) {
        for (let b = 0; b < this.peers.length; b++) {
          if (a === b) continue;
          const A = this.docOf(a, channel);
          const B = this.docOf(b, channel);
          Y.applyUpdate(B, Y.encodeStateAsUpdate(A, Y.encodeStateVector(B)), this);
        }
      }
    }
  }
}

/** Everything a user could observe of a workbook, in a comparable form. */
export function observable(wb: Workbook) {
  const sheets = wb.sheets();
  const all = [...sheets.map((s) => s.id), ...wb.deletedSheets().map((s) => s.id)].sort();
  return {
    title: wb.title(),
    sheets,
    content: all.map((id) => {
      const cells: [string, string, unknown][] = [];
      wb.forEachCell(id, (r, c, rec) => cells.push([r, c, rec]));
      cells.sort((x, y) => (x[0] + x[1] < y[0] + y[1] ? -1 : 1));
      return {
        id,
        columns: wb.columns(id),
        deletedColumns: wb.deletedColumns(id).map((c) => c.id).sort(),
        rows: wb.rowIds(id),
        deletedRows: wb.deletedRows(id).map((r) => r.id).sort(),
        cells,
      };
    }),
  };
}
