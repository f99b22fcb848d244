/**
 * Values from the doc or from other people's presence end up in `style` attributes, where
 * text is CSS: a "colour" of `red;background-image:url(http://…)` would make every viewer's
 * browser fetch that address, telling its owner who has the sheet open. Only what these
 * checks pass is ever written into a style; anything else is shown as the neutral default.
 */
const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;
/** The grey used for a colour that is missing or not one. */
export const NEUTRAL_COLOR = '#6e7781';

/** A `#rrggbb` colour, or the fallback for anything else (an object, a longer string, a CSS expression). */
export function safeColor(value: unknown, fallback = NEUTRAL_COLOR): string {
  return typeof value === 'string' && HEX_COLOR.test(value) ? value : fallback;
}

/** A length in px that is a finite number within [min, max]; anything else is the fallback. */
export function safePx(value: unknown, fallback: number, min = 0, max = 100_000): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? value : fallback;
}
