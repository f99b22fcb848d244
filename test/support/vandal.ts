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
