import { describe, expect, it } from 'vitest';
import { cardTops } from '../../src/ui/phone/card-list.js';

describe('cardTops: where each phone card starts when some cards carry conflict lines', () => {
  const rows = ['a', 'b', 'c', 'd'];

  it('without conflicts, cards are evenly spaced and the card under a point is found by division', () => {
    const tops = cardTops(rows, 100, null);
    expect([0, 1, 2, 3, 4].map(tops.top)).toEqual([0, 100, 200, 300, 400]);
    expect(tops.indexAt(0)).toBe(0);
    expect(tops.indexAt(250)).toBe(2);
    expect(tops.indexAt(-20)).toBe(0);
  });

  it('a taller card pushes the ones after it down, and lookups follow the real positions', () => {
    const tops = cardTops(rows, 100, (r) => (r === 'b' ? 52 : 0));
    expect([0, 1, 2, 3, 4].map(tops.top)).toEqual([0, 100, 252, 352, 452]);
    expect(tops.indexAt(99)).toBe(0);
    expect(tops.indexAt(100)).toBe(1);
    expect(tops.indexAt(251)).toBe(1);
    expect(tops.indexAt(252)).toBe(2);
    expect(tops.indexAt(10_000)).toBe(4);
  });

  it('a tracker with conflicts elsewhere (none on these rows) keeps the even spacing', () => {
    const tops = cardTops(rows, 80, () => 0);
    expect(tops.top(3)).toBe(240);
    expect(tops.indexAt(170)).toBe(2);
  });
});
