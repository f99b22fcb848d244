/**
 * Why a formula could not be read or entered. Codes, not words: the UI chooses the words
 * (src/ui/i18n/messages/formulas.ts) and tests assert on the exact cause.
 */
export type FormulaErrorCode =
  /** the text is not a formula: unexpected character, unbalanced brackets, missing operand */
  | 'FORMULA_SYNTAX'
  /** `'No such sheet'!A1`: no sheet has that name */
  | 'FORMULA_UNKNOWN_SHEET'
  /** `[No such column]`: no column of the sheet has that name */
  | 'FORMULA_UNKNOWN_COLUMN'
  /** `B900` on a sheet with 40 rows, or a column past the last: there is no such cell to point at */
  | 'FORMULA_NO_SUCH_CELL'
  /** `[Name]` outside a column formula: it means "this row", and only a column formula has one row per result */
  | 'FORMULA_NAME_OUTSIDE_COLUMN'
  /** stored text that does not follow the storage grammar (docs/formulas.md): never written by this app */
  | 'FORMULA_BAD_STORAGE'
  /** a formula in a counter or claim column, which compute their own value */
  | 'FORMULA_NOT_HERE'
  /** longer than MAX_FORMULA_LENGTH, or nested deeper than MAX_DEPTH */
  | 'FORMULA_TOO_LARGE';

export class FormulaError extends Error {
  readonly code: FormulaErrorCode;
  /** where in the text the problem starts (0-based), when it is about one place */
  readonly at: number | null;
  readonly detail: Record<string, unknown>;

  constructor(code: FormulaErrorCode, message: string, at: number | null = null, detail: Record<string, unknown> = {}) {
    super(message);
    this.name = 'FormulaError';
    this.code = code;
    this.at = at;
    this.detail = detail;
  }
}

export function isFormulaError(e: unknown, code?: FormulaErrorCode): e is FormulaError {
  return e instanceof FormulaError && (code === undefined || e.code === code);
}
