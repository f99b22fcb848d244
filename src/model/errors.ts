/**
 * Every failure the model reports carries a code from this list, so the UI can
 * choose words (and later translations) and tests can assert on the exact cause.
 */
export type ModelErrorCode =
  | 'UNKNOWN_SHEET'
  | 'UNKNOWN_ROW'
  | 'UNKNOWN_COLUMN'
  | 'INVALID_ID'
  | 'INVALID_NAME'
  | 'INVALID_COLUMN_TYPE'
  | 'INVALID_WIDTH'
  | 'INVALID_OPTIONS'
  | 'INVALID_INDEX'
  | 'NOT_A_NUMBER'
  | 'NOT_A_DATE'
  | 'NOT_A_CHECKBOX'
  | 'NOT_AN_OPTION'
  | 'NOT_TEXT'
  | 'NOT_A_COUNTER'
  | 'NOT_A_DATETIME'
  | 'NOT_A_PHONE'
  | 'NOT_A_CLAIM'
  | 'TEXT_TOO_LONG'
  | 'LAST_SHEET'
  | 'SCHEMA_TOO_NEW'
  | 'NOT_INITIALIZED'
  | 'IMPORT_TOO_LARGE'
  | 'INVALID_TIME_ZONE'
  | 'READ_ONLY';

export class ModelError extends Error {
  readonly code: ModelErrorCode;
  readonly detail: Record<string, unknown>;

  constructor(code: ModelErrorCode, message: string, detail: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ModelError';
    this.code = code;
    this.detail = detail;
  }
}

export function isModelError(e: unknown, code?: ModelErrorCode): e is ModelError {
  return e instanceof ModelError && (code === undefined || e.code === code);
}
