/// <reference lib="webworker" />
import { isModelError } from '../model/errors.js';
import { isIoError, MAX_CSV_BYTES, MAX_XLSX_BYTES } from './errors.js';
import { importKind, readImportFile, type TextImportOptions } from './import-file.js';

/**
 * Parses an import file off the main thread, so a 50,000-row file keeps the
 * page responsive and can be cancelled (the page terminates this worker).
 */
export type ImportWorkerMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'done'; tables: import('../model/import.js').ImportTable[] }
  | { type: 'error'; code: string; message: string; detail: Record<string, string | number> };

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (event: MessageEvent<{ file: File; options?: TextImportOptions }>) => {
  const { file, options } = event.data;
  const post = (m: ImportWorkerMessage) => scope.postMessage(m);
  try {
    // Refuse an oversized file before reading a byte of it.
    const max = importKind(file.name) === 'xlsx' ? MAX_XLSX_BYTES : MAX_CSV_BYTES;
    if (file.size > max) {
      post({ type: 'error', code: 'FILE_TOO_LARGE', message: `The file is larger than ${max / 1024 / 1024} MB.`, detail: { mb: max / 1024 / 1024 } });
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    post({ type: 'progress', fraction: 0.05 });
    const tables = await readImportFile(bytes, file.name, (fraction) => post({ type: 'progress', fraction }), options);
    post({ type: 'done', tables });
  } catch (err) {
    const code = isIoError(err) || isModelError(err) ? err.code : 'UNREADABLE_FILE';
    const detail = isIoError(err) ? err.detail : isModelError(err) ? plainDetail(err.detail) : {};
    post({ type: 'error', code, message: err instanceof Error ? err.message : String(err), detail });
  }
};

/** Only what survives a structured clone and fills in a message. */
function plainDetail(detail: Record<string, unknown>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(detail)) if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  return out;
}
