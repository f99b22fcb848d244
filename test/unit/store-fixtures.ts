import { expect } from 'vitest';
import * as Y from 'yjs';

// Shared by the store contracts, sync (store-contract.ts) and async (async-store-contract.ts).

export const MiB = 1024 * 1024;

/** `n` bytes that differ from position to position and from seed to seed (so a swap or a truncation shows). */
export function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Byte-for-byte equality without a 5 MiB diff on failure. */
export function expectSame(actual: Uint8Array | null | undefined, expected: Uint8Array): void {
  expect(actual, 'stored').toBeInstanceOf(Uint8Array);
  expect(actual!.length).toBe(expected.length);
  expect(Buffer.from(actual!.buffer, actual!.byteOffset, actual!.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength))).toBe(true);
}

/** n edits to one doc, each its own update; `stateWhen(k)` is the doc's contents after the first k. */
export function history(n: number): { updates: Uint8Array[]; stateWhen: (k: number) => unknown } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  const states: unknown[] = [contentsOf(doc)];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < n; i++) {
    doc.transact(() => {
      // sets and deletes, so the base has deleted content to collect
      if (i % 3 === 2) doc.getMap('m').delete(`k${i - 1}`);
      else doc.getMap('m').set(`k${i}`, `value ${i}`);
      doc.getArray('a').push([i]);
    });
    states.push(contentsOf(doc));
  }
  return { updates, stateWhen: (k) => states[k] };
}

function contentsOf(doc: Y.Doc): unknown {
  return { m: doc.getMap('m').toJSON(), a: doc.getArray('a').toJSON() };
}

export function contents(update: Uint8Array): unknown {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return contentsOf(doc);
}
