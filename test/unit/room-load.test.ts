import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { MESSAGE_SYNC } from '../../src/protocol/messages.js';
import { Room, type Peer } from '../../server/room.js';
import { MemoryStore } from '../../server/store.js';
import { silentLogger } from '../../server/log.js';

/** A new device: it keeps the room's sync step 2 answers. */
function newDevice(): Peer & { step2: Uint8Array[] } {
  const step2: Uint8Array[] = [];
  return {
    role: 'edit',
    step2,
    send(frame) {
      const dec = decoding.createDecoder(frame);
      if (decoding.readVarUint(dec) === MESSAGE_SYNC && decoding.readVarUint(dec) === syncProtocol.messageYjsSyncStep2) step2.push(decoding.readVarUint8Array(dec));
    },
    close() {},
  };
}

/** Sync step 1 with an empty state vector: "send me everything". */
function askForAll(): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(enc, new Y.Doc());
  return encoding.toUint8Array(enc);
}

function workbookBytes(rows: number): { doc: Y.Doc; bytes: Uint8Array } {
  const doc = new Y.Doc();
  const m = doc.getMap<string>('cells');
  doc.transact(() => {
    for (let r = 0; r < rows; r++) m.set(`r${r}`, `value ${r}`);
  });
  return { doc, bytes: Y.encodeStateAsUpdate(doc) };
}

const limits = { compactAfterUpdates: 1000, compactAfterBytes: 1 << 30 };

function contentOf(update: Uint8Array): unknown {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc.getMap('cells').toJSON();
}

describe('Room: a new device of a room loaded from its fold', () => {
  it('gets the stored fold as it is, not the doc encoded again', () => {
    const store = new MemoryStore();
    // A fold merged from separate transactions keeps typing "a", then "b" as two structs; a doc
    // joins them into one, so its own encoding differs byte for byte: which one was sent shows.
    const doc = new Y.Doc();
    const parts: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => parts.push(u));
    for (let r = 0; r < 300; r++) doc.getMap<string>('cells').set(`r${r}`, `value ${r}`);
    for (const ch of 'abc') doc.getText('note').insert(doc.getText('note').length, ch);
    const bytes = Y.mergeUpdates(parts);
    const reloaded = new Y.Doc();
    Y.applyUpdate(reloaded, bytes);
    expect(Buffer.from(Y.encodeStateAsUpdate(reloaded)).equals(Buffer.from(bytes))).toBe(false);
    store.compact('fold-1', bytes, 0);
    const room = new Room('fold-1', store, limits, silentLogger);
    const peer = newDevice();
    room.join(peer);
    room.receive(peer, askForAll());
    expect(peer.step2).toHaveLength(1);
    expect(Buffer.from(peer.step2[0]).equals(Buffer.from(store.load('fold-1').snapshot!))).toBe(true);
    expect(contentOf(peer.step2[0])).toEqual(doc.getMap('cells').toJSON());
    room.destroy();
  });

  it('gets the doc as it is now once the room holds more than the fold: a logged update, then a live one', () => {
    const store = new MemoryStore();
    const { doc, bytes } = workbookBytes(50);
    store.compact('fold-2', bytes, 0);
    const later: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => later.push(u));
    doc.getMap('cells').set('logged', 'in the log');
    store.append('fold-2', later[0]);
    const room = new Room('fold-2', store, limits, silentLogger);
    const first = newDevice();
    room.join(first);
    room.receive(first, askForAll());
    expect(contentOf(first.step2[0])).toEqual(doc.getMap('cells').toJSON());

    // a room whose doc moves on after loading its fold alone: the cached fold is dropped
    const store2 = new MemoryStore();
    store2.compact('fold-3', bytes, 0);
    const room2 = new Room('fold-3', store2, limits, silentLogger);
    const editor = newDevice();
    room2.join(editor);
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE_SYNC);
    syncProtocol.writeUpdate(enc, later[0]);
    room2.receive(editor, encoding.toUint8Array(enc));
    const joiner = newDevice();
    room2.join(joiner);
    room2.receive(joiner, askForAll());
    expect(contentOf(joiner.step2[0])).toMatchObject({ logged: 'in the log', r0: 'value 0' });
    room.destroy();
    room2.destroy();
  });

  it('never sends an unreadable fold as it is: what loaded is encoded', () => {
    const store = new MemoryStore();
    const { bytes } = workbookBytes(20);
    const broken = bytes.slice(0, Math.floor(bytes.length / 2));
    store.compact('fold-4', broken, 0);
    const room = new Room('fold-4', store, limits, silentLogger);
    const peer = newDevice();
    room.join(peer);
    room.receive(peer, askForAll());
    expect(peer.step2).toHaveLength(1);
    expect(Buffer.from(peer.step2[0]).equals(Buffer.from(broken))).toBe(false);
    expect(() => Y.applyUpdate(new Y.Doc(), peer.step2[0])).not.toThrow();
    room.destroy();
  });
});
