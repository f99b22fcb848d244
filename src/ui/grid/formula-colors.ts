/**
 * The colours of the references in a formula being edited: one per distinct reference, the same
 * on its outline in the grid and its chip under the editor. Each is dark enough to read as text on
 * white (4.5:1) and to see as a border on a selected cell's tint (3:1); the reference's A1 text in
 * the chip says which outline is which, so no one has to tell colours apart.
 */
export const REFERENCE_COLORS = ['#0b57d0', '#c5221f', '#8430ce', '#137333', '#b05a00', '#c2185b', '#00796b'] as const;

/** The colour of the `index`-th distinct reference (the palette repeats past its end). */
export function referenceColor(index: number): string {
  return REFERENCE_COLORS[index % REFERENCE_COLORS.length];
}

/** WCAG contrast ratio of two `#rrggbb` colours. */
export function contrastRatio(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const v = parseInt(hex.slice(i, i + 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}
