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
