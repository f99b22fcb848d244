import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import { FragmentBudget, FragmentError, MESSAGE_FRAGMENT, Reassembler, fragmentFrame } from '../../src/protocol/fragments.js';

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

  it('keep a copy of each payload, not the frame it came in: a 1-byte payload does not keep a 1 MiB frame alive', () => {
    const r = new Reassembler(1 << 20);
    const [first, second] = fragmentFrame(message(2), 5, 1);
    // the frame's buffer is reused (as a socket's read buffer would be): what was kept must not change
    const frame = new Uint8Array(first);
    expect(r.push(frame)).toBeNull();
    frame.fill(0xee);
    expect(r.pendingBytes).toBe(1);
    expect(r.push(second)).toEqual(message(2));
  });

  it('refuse bytes after the payload, empty payloads, and more fragments than a message of the largest size needs', () => {
    const [part] = fragmentFrame(message(10), 1, 5);
    const trailing = new Uint8Array(part.length + 1024);
    trailing.set(part);
    const refused = (r: Reassembler, f: Uint8Array) => {
      try {
        r.push(f);
      } catch (err) {
        return err instanceof FragmentError ? err.failure : 'other';
      }
      return 'accepted';
    };
    expect(refused(new Reassembler(1 << 20), trailing)).toBe('malformed');
    expect(refused(new Reassembler(1 << 20), fragment(1, 0, 3, new Uint8Array(0)))).toBe('malformed');
    expect(refused(new Reassembler({ maxMessageBytes: 1 << 20, maxFragments: 8 }), fragment(1, 0, 9, new Uint8Array(1)))).toBe('too-large');
    // a million one-byte pieces is not a message anybody's app sends
    expect(refused(new Reassembler(64 << 20), fragment(1, 0, 1_000_000, new Uint8Array(1)))).toBe('too-large');
    expect(refused(new Reassembler(1 << 20), fragment(1, 0, 64, new Uint8Array(1)))).toBe('accepted');
  });

  it('refuse a message that takes longer than its time, and give its bytes back', () => {
    let now = 0;
    const budget = new FragmentBudget(1000);
    const r = new Reassembler({ maxMessageBytes: 1000, maxMessageMs: 100, budget, now: () => now });
    const parts = fragmentFrame(message(30), 2, 10);
    r.push(parts[0]);
    expect(r.deadline).toBe(100);
    expect(budget.bytes).toBe(10);
    now = 101;
    expect(() => r.push(parts[1])).toThrow(expect.objectContaining({ failure: 'too-slow' }));
    expect(budget.bytes).toBe(0);
    expect(r.deadline).toBeNull();
  });

  it('share one budget between connections: past it a connection is told the hub is busy, and a finished message gives its bytes back', () => {
    const budget = new FragmentBudget(30);
    const a = new Reassembler({ maxMessageBytes: 1000, budget });
    const b = new Reassembler({ maxMessageBytes: 1000, budget });
    const pa = fragmentFrame(message(30), 1, 10);
    const pb = fragmentFrame(message(30), 1, 10);
    a.push(pa[0]);
    a.push(pa[1]);
    b.push(pb[0]);
    expect(budget.bytes).toBe(30);
    expect(() => b.push(pb[1])).toThrow(expect.objectContaining({ failure: 'busy' }));
    // b's refused message gave its bytes back; a's are still held
    expect(budget.bytes).toBe(20);
    a.reset();
    expect(budget.bytes).toBe(0);
    expect(pb.map((p) => b.push(p)).at(-1)).toEqual(message(30));
    expect(budget.bytes).toBe(0);
  });
});

function fragment(id: number, index: number, count: number, bytes: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_FRAGMENT);
  encoding.writeVarUint(enc, id);
  encoding.writeVarUint(enc, index);
  encoding.writeVarUint(enc, count);
  encoding.writeVarUint8Array(enc, bytes);
  return encoding.toUint8Array(enc);
}
