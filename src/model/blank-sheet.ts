/**
 * The shape of an empty sheet: what a blank workbook starts with and what "+" adds, so a new
 * sheet is never smaller than the first one.
 */
export const BLANK_SHEET: { readonly columns: readonly string[]; readonly rows: number } = Object.freeze({
  columns: Object.freeze(['A', 'B', 'C', 'D', 'E']),
  rows: 20,
});
