/** Cell and column formulas: errors, entry, what a result means. */
export const en = {};
