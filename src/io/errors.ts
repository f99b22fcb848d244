/**
 * Why a file could not be read or written. The UI picks its words by code;
 * the message is for logs, the command line and tests.
 */
export type IoErrorCode =
  | 'EMPTY_FILE'
  | 'FILE_TOO_LARGE'
  | 'NOT_TEXT'
  | 'NOT_XLSX'
  | 'MALFORMED_CSV'
  | 'MALFORMED_XLSX'
  | 'UNSUPPORTED_FILE'
  /** an encrypted workbook: only its owner's password opens it */
  | 'PASSWORD_PROTECTED'
  /** neither a spreadsheet nor text: an image, a PDF, a zip of something else */
  | 'NOT_A_SPREADSHEET'
  /** more cells holding values than an import could take; refused before they are all built */
  | 'TOO_MANY_CELLS'
  /** the reader ran past its time ceiling (the worker was stopped) */
  | 'TOO_SLOW'
  /** the reader itself failed (a worker crash, out of memory): nothing more specific is known */
  | 'UNREADABLE_FILE'
  | 'CANCELLED'
  /** a JSON snapshot file (src/io/snapshot-json.ts) that is not one, or is damaged */
  | 'SNAPSHOT_NOT_JSON'
  | 'NOT_A_SNAPSHOT'
  | 'SNAPSHOT_TOO_NEW'
  | 'SNAPSHOT_NO_DATA'
  | 'SNAPSHOT_DAMAGED';

export class IoError extends Error {
  readonly code: IoErrorCode;
  /** what the UI needs to say it in the reader's language: `reason` picks a variant, the rest fill it in */
  readonly detail: Record<string, string | number>;

  constructor(code: IoErrorCode, message: string, detail: Record<string, string | number> = {}) {
    super(message);
    this.name = 'IoError';
    this.code = code;
    this.detail = detail;
  }
}

export function isIoError(e: unknown, code?: IoErrorCode): e is IoError {
  return e instanceof IoError && (code === undefined || e.code === code);
}

/** Files past these sizes are refused before reading: a phone would run out of memory first. */
export const MAX_CSV_BYTES = 100 * 1024 * 1024;
export const MAX_XLSX_BYTES = 40 * 1024 * 1024;

/** An OLE compound file's first bytes: old .xls workbooks, and every password-protected .xlsx. */
export function isCfb(bytes: Uint8Array): boolean {
  return bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0;
}

/** A zip archive's first bytes: every .xlsx starts so, and no CSV text does. */
export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}
