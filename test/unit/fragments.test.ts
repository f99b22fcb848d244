import { describe, expect, it } from 'vitest';
import { FragmentError, Reassembler, fragmentFrame } from '../../src/protocol/fragments.js';

const message = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251);

describe('fragments', () => {
  it('reassemble to the original message, one message after another', () => {
    const r = new Reassembler(1 << 20);
    for (const [id, size] of [
      [0, 1000],
      [1, 1001],
      [7, 4096],
    ]) {
      const parts = fragmentFrame(message(size), id, 100);
      expect(parts.length).toBe(Math.ceil(size / 100));
      const results = parts.map((p) => r.push(p));
      expect(results.slice(0, -1).every((x) => x === null)).toBe(true);
      expect(results.at(-1)).toEqual(message(size));
    }
  });

  it('refuse out-of-order, interleaved, truncated and oversized input', () => {
    const parts = fragmentFrame(message(1000), 3, 100);
    const cases: [string, (r: Reassembler) => void][] = [
      ['skips a fragment', (r) => [parts[0], parts[2]].forEach((p) => r.push(p))],
      ['starts mid-message', (r) => r.push(parts[1])],
      ['interleaves a second message', (r) => [parts[0], fragmentFrame(message(300), 4, 100)[0]].forEach((p) => r.push(p))],
      ['is truncated', (r) => r.push(parts[0].subarray(0, 6))],
      ['claims a single fragment', (r) => r.push(Uint8Array.from([101, 0, 0, 1, 1, 9]))],
      ['is too large', (r) => parts.forEach((p) => r.push(p))],
    ];
    for (const [what, feed] of cases) {
      const r = new Reassembler(what === 'is too large' ? 500 : 1 << 20);
      expect(() => feed(r), what).toThrow(FragmentError);
    }
  });
});
