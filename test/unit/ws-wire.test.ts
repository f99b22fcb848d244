import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { wire } from '../../server/ws-wire.js';

/** ws's own frame reader (untyped in @types/ws), reading as a client reads what the hub writes. */
const Receiver = (createRequire(import.meta.url)('ws') as { Receiver: unknown }).Receiver as new (options: Record<string, unknown>) => Writable;

/** Every message ws's client-side reader finds in these bytes, fed in chunks of `chunk` bytes. */
function read(bytes: Buffer, chunk: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    const r = new Receiver({ isServer: false, binaryType: 'nodebuffer', maxPayload: 0 });
    r.on('message', (data: Buffer, isBinary: boolean) => {
      expect(isBinary).toBe(true);
      got.push(Buffer.from(data));
    });
    r.on('error', reject);
    for (let at = 0; at < bytes.length; at += chunk) r.write(bytes.subarray(at, at + chunk));
    r.end(() => resolve(got));
  });
}

const payload = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

describe('ws-wire: a broadcast framed once', () => {
  it('writes frames ws reads back exactly, at every length encoding (7-, 16- and 64-bit) and their edges', async () => {
    const lengths = [0, 1, 125, 126, 127, 65535, 65536, 70_000];
    const frames = lengths.map((n, i) => payload(n, i));
    const w = wire(frames);
    expect(w.frames).toBe(frames);
    const headers = lengths.reduce((sum, n) => sum + (n < 126 ? 2 : n < 65536 ? 4 : 10), 0);
    expect(w.bytes.length).toBe(headers + lengths.reduce((a, b) => a + b, 0));
    for (const chunk of [w.bytes.length, 1000, 7]) {
      const got = await read(w.bytes, chunk);
      expect(got.map((g) => g.length)).toEqual(lengths);
      got.forEach((g, i) => expect(new Uint8Array(g)).toEqual(frames[i]));
    }
  });

  it('copies the payloads: a frame changed afterwards does not change what is written', async () => {
    const f = payload(10, 3);
    const w = wire([f]);
    f.fill(0);
    expect(new Uint8Array((await read(w.bytes, 64))[0])).toEqual(payload(10, 3));
  });
});
