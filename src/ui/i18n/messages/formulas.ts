/** Cell and column formulas: errors, entry, what a result means. */
export const en = {};

export const es: Record<keyof typeof en, string> = {};
