import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { MESSAGE_DURABLE_ACK, MESSAGE_SYNC } from '../../src/protocol/messages.js';
import { Room, type Peer } from '../../server/room.js';
import { MemoryStore } from '../../server/store.js';
import { silentLogger } from '../../server/log.js';

/** A peer that keeps what the room sends it: forwarded updates and durable acks. */
function recorder(): Peer & { updates: Uint8Array[]; acks: Map<number, number>[] } {
  const updates: Uint8Array[] = [];
  const acks: Map<number, number>[] = [];
  return {
    role: 'edit',
    updates,
    acks,
    send(frame) {
      const dec = decoding.createDecoder(frame);
      const type = decoding.readVarUint(dec);
      if (type === MESSAGE_DURABLE_ACK) acks.push(Y.decodeStateVector(decoding.readVarUint8Array(dec)));
      else if (type === MESSAGE_SYNC && decoding.readVarUint(dec) === 2) updates.push(decoding.readVarUint8Array(dec));
    },
    close() {},
  };
}

describe('Room.applyDurable (the hosted hub: an update another process committed)', () => {
  it('forwards it to every connection here and acks its clocks at once, for an update that starts past clock 0 too', () => {
    const room = new Room('durable-1', new MemoryStore(), { compactAfterUpdates: 1000, compactAfterBytes: 1 << 30 }, silentLogger);
    const peer = recorder();
    room.join(peer);
    const elsewhere = new Y.Doc();
    const updates: Uint8Array[] = [];
    elsewhere.on('update', (u: Uint8Array) => updates.push(u));
    elsewhere.getMap('m').set('a', 1);
    elsewhere.getMap('m').set('b', 2);
    const joinAcks = peer.acks.length;
    for (const u of updates) room.applyDurable(u);
    expect(peer.updates).toHaveLength(2);
    // the second update's structs start at clock 1: its ack still names where they end
    expect(peer.acks.slice(joinAcks).map((a) => a.get(elsewhere.clientID))).toEqual([1, 2]);
    expect(room.doc.getMap('m').toJSON()).toEqual({ a: 1, b: 2 });
    // applied again (a catch-up handing over what arrived already) it changes nothing and says the same
    room.applyDurable(updates[1]);
    expect(peer.updates).toHaveLength(2);
    expect(peer.acks.at(-1)!.get(elsewhere.clientID)).toBe(2);
    room.destroy();
  });
});
