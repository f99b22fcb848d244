/** Cell and column formulas: why one typed could not be entered (FormulaErrorCode, src/model/formula/errors.ts). */
export const en = {
  'err.FORMULA_SYNTAX': 'This is not a formula the app can read: check the brackets, commas and operators.',
  'err.FORMULA_UNKNOWN_SHEET': 'No sheet is called “{sheet}”.',
  'err.FORMULA_UNKNOWN_COLUMN': 'No column is called “{name}”.',
  'err.FORMULA_NO_SUCH_CELL': 'That cell is past the last row or column of the sheet. For a whole column, write B:B.',
  'err.FORMULA_NAME_OUTSIDE_COLUMN': 'A column name in brackets means “this row”: it works only in a column formula.',
  'err.FORMULA_BAD_STORAGE': 'This formula was not written by Mutual Sheets; it is shown as text.',
  'err.FORMULA_NOT_HERE': 'Counts and claims work out their own value: a formula cannot go in this column.',
  'err.FORMULA_TOO_LARGE': 'This formula is too long or nested too deep.',
};
