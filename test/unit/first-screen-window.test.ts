import { describe, expect, it } from 'vitest';
import { keptWindow } from '../../src/ui/first-screen-window.js';
import { MAX_COLUMNS, MAX_ROWS } from '../../src/ui/first-screen-cache.js';
import { MAX_CARDS } from '../../src/ui/first-cards-cache.js';

describe('first screen: which rows, columns and cards are kept (keptWindow)', () => {
  it('keeps every row on screen when more than half the cap is visible (a tall screen: 60 of at most 80)', () => {
    // A window started a screen above would be [39, 119): the screen's bottom 41 rows cut.
    const w = keptWindow(100, 61, 1000, MAX_ROWS);
    expect(w.from).toBeLessThanOrEqual(100);
    expect(w.to).toBeGreaterThanOrEqual(161);
    expect(w.to - w.from).toBeLessThanOrEqual(MAX_ROWS);
    expect(w).toEqual({ from: 91, to: 170 });
  });

  it('keeps up to a screen of margin on either side, and none past either end', () => {
    expect(keptWindow(100, 20, 1000, MAX_ROWS)).toEqual({ from: 80, to: 140 });
    expect(keptWindow(5, 20, 1000, MAX_ROWS)).toEqual({ from: 0, to: 45 });
    expect(keptWindow(990, 20, 1000, MAX_ROWS)).toEqual({ from: 970, to: 1000 });
    expect(keptWindow(0, 20, 0, MAX_ROWS)).toEqual({ from: 0, to: 0 });
    // more on screen than the cap: the top of the screen, as much as fits
    expect(keptWindow(100, 120, 1000, MAX_ROWS)).toEqual({ from: 100, to: 180 });
  });

  it('for every position, size and cap, what is on screen is kept (as far as the cap allows), within the list and the cap', () => {
    for (const max of [MAX_ROWS, MAX_COLUMNS, MAX_CARDS])
      for (const total of [0, 1, 7, 50, 200])
        for (let visible = 1; visible <= 2 * max; visible += 3)
          for (let first = 0; first <= total; first += 3) {
            const { from, to } = keptWindow(first, visible, total, max);
            const where = `max ${max} total ${total} visible ${visible} first ${first}`;
            expect(from, where).toBeGreaterThanOrEqual(0);
            expect(from, where).toBeLessThanOrEqual(first);
            expect(to, where).toBeLessThanOrEqual(total);
            expect(to - from, where).toBeLessThanOrEqual(max);
            expect(to, where).toBeGreaterThanOrEqual(Math.min(total, first + Math.min(visible, max)));
          }
  });

  it('reads odd input as the nearest sense, never a window outside the list', () => {
    expect(keptWindow(-5, 10, 100, MAX_ROWS)).toEqual({ from: 0, to: 20 });
    expect(keptWindow(500, 10, 100, MAX_ROWS)).toEqual({ from: 90, to: 100 });
    expect(keptWindow(10, 0, 100, MAX_ROWS)).toEqual({ from: 10, to: 10 });
  });
});
