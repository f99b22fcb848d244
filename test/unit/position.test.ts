import { describe, expect, it } from 'vitest';
import { isValidKey, keyAfter, keyBetween, keysBetween } from '../../src/model/position.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

describe('position keys', () => {
  it('keyBetween is strictly between its bounds and valid', () => {
    const random = rng(7);
    let keys = [keyBetween(null, null)];
    for (let i = 0; i < 3000; i++) {
      const at = Math.floor(random() * (keys.length + 1));
      const k = keyBetween(keys[at - 1] ?? null, keys[at] ?? null);
      expect(isValidKey(k)).toBe(true);
      if (at > 0) expect(k > keys[at - 1]).toBe(true);
      if (at < keys.length) expect(k < keys[at]).toBe(true);
      keys = [...keys.slice(0, at), k, ...keys.slice(at)];
    }
  });
  it('keyAfter grows slowly', () => {
    let k = keyBetween(null, null);
    for (let i = 0; i < 100_000; i++) {
      const next = keyAfter(k);
      expect(next > k).toBe(true);
      k = next;
    }
    expect(k.length).toBeLessThanOrEqual(5);
  });
  it('keysBetween spreads many keys in order', () => {
    const keys = keysBetween('V', 'W', 1000);
    expect(keys).toHaveLength(1000);
    for (let i = 1; i < keys.length; i++) expect(keys[i] > keys[i - 1]).toBe(true);
    expect(keys[0] > 'V' && keys[999] < 'W').toBe(true);
    expect(Math.max(...keys.map((k) => k.length))).toBeLessThanOrEqual(4);
  });
  it('refuses inverted bounds', () => {
    expect(() => keyBetween('b', 'a')).toThrow(RangeError);
    expect(() => keyBetween('a', 'a')).toThrow(RangeError);
  });
});
