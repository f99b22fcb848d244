import * as Y from 'yjs';
import { openBlob } from '../../protocol/blob.js';
import { ENVELOPE_BLOBS, type BlobFailure, type DocTag, type SealedKeys } from '../../protocol/sealed.js';

/**
 * Opens a sealed envelope's state (a snapshot, a retained moment, a backup) into a plain doc, on
 * the device: the hub hands out only ciphertext. Blobs that do not open are counted and skipped.
 */
export function openEnvelopeState(update: Uint8Array, keys: SealedKeys, docTag: DocTag, into = new Y.Doc()): { doc: Y.Doc; failures: BlobFailure[] } {
  const envelope = new Y.Doc();
  const failures: BlobFailure[] = [];
  try {
    Y.applyUpdate(envelope, update);
    const blobs = envelope.getArray<unknown>(ENVELOPE_BLOBS).toArray();
    for (const blob of blobs) {
      if (!(blob instanceof Uint8Array)) {
        failures.push('malformed');
        continue;
      }
      const opened = openBlob(keys, blob, docTag);
      if (!opened.ok) {
        failures.push(opened.failure);
        continue;
      }
      try {
        Y.applyUpdate(into, opened.body.update);
      } catch {
        failures.push('body');
      }
    }
  } finally {
    envelope.destroy();
  }
  return { doc: into, failures };
}
