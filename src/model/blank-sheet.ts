/**
 * The shape of an empty sheet: what a blank workbook starts with and what "+" adds, so a new
 * sheet is never smaller than the first one. `name` is a template word like every name in
 * templates.ts: the UI translates it (template-text.ts) before a workbook is made from it.
 */
export const BLANK_SHEET: { readonly name: string; readonly columns: readonly string[]; readonly rows: number } = Object.freeze({
  name: 'Sheet 1',
  columns: Object.freeze(['A', 'B', 'C', 'D', 'E']),
  rows: 20,
});

/** A column's letter by position, as a blank sheet names its columns: A…Z, AA, AB, … */
export function columnLetter(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}
