/**
 * Which items of a list (the grid's rows or columns, the phone's cards) a first screen keeps when
 * [first, first + visible) are on screen: those on screen before anything else (up to `max`),
 * then a margin as wide on either side, of at most a screen and at most what `max` leaves. A
 * window that started a screen above the visible rows would, with more than max / 2 of them on
 * screen, cut the bottom of the screen itself.
 */
export function keptWindow(first: number, visible: number, total: number, max: number): { from: number; to: number } {
  const size = Math.max(0, Math.floor(total));
  const start = Math.min(Math.max(0, Math.floor(first)), size);
  const shown = Math.max(0, Math.ceil(visible));
  const cap = Math.max(0, Math.floor(max));
  const margin = Math.min(shown, Math.max(0, Math.floor((cap - shown) / 2)));
  const from = Math.max(0, start - margin);
  const to = Math.min(size, from + cap, start + shown + margin);
  return { from, to: Math.max(from, to) };
}
