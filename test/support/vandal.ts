import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/**
 * A raw Yjs update (format v1) with no structs and a delete set covering every
 * clock of every client in `doc`: what one edit-link holder can send to wipe a
 * workbook. Built by hand, as an attacker would, not through any model call.
 */
export function deleteEverythingUpdate(doc: Y.Doc): Uint8Array {
  const sv = Y.decodeStateVector(Y.encodeStateVector(doc));
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, 0);
  encoding.writeVarUint(enc, sv.size);
  for (const [client, clock] of sv) {
    encoding.writeVarUint(enc, client);
    encoding.writeVarUint(enc, 1);
    encoding.writeVarUint(enc, 0);
    encoding.writeVarUint(enc, clock);
  }
  return encoding.toUint8Array(enc);
}

/** A hand-written v1 update: per client, a run of GC (len) or Skip (-len) structs from `clock`; then delete ranges. */
export function rawUpdate(runs: { client: number; clock: number; structs: number[] }[], deletes: [client: number, clock: number, len: number][] = []): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, runs.length);
  for (const r of runs) {
    encoding.writeVarUint(enc, r.structs.length);
    encoding.writeVarUint(enc, r.client);
    encoding.writeVarUint(enc, r.clock);
    for (const len of r.structs) {
      encoding.writeUint8(enc, len < 0 ? 10 : 0);
      encoding.writeVarUint(enc, Math.abs(len));
    }
  }
  encoding.writeVarUint(enc, deletes.length);
  for (const [client, clock, len] of deletes) {
    encoding.writeVarUint(enc, client);
    encoding.writeVarUint(enc, 1);
    encoding.writeVarUint(enc, clock);
    encoding.writeVarUint(enc, len);
  }
  return encoding.toUint8Array(enc);
}
