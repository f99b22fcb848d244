import type { ImportTable } from '../model/import.js';
import { IoError, type IoErrorCode } from './errors.js';
import type { TextImportOptions } from './import-file.js';
import type { ImportWorkerMessage } from './import-worker.js';

/** How long a reading may take before it is stopped: no real file a phone can hold takes this long; a hostile one would take for ever. */
export const READ_TIME_LIMIT_MS = 120_000;

/**
 * Reads a chosen file into tables in a Web Worker. `signal` cancels: the worker
 * is terminated at once, whatever it was doing, and the promise rejects with
 * CANCELLED; past `timeLimitMs` it is terminated and rejects with TOO_SLOW.
 */
export function readFileInWorker(
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
  options?: TextImportOptions,
  timeLimitMs = READ_TIME_LIMIT_MS,
): Promise<ImportTable[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./import-worker.ts', import.meta.url), { type: 'module' });
    const timer = setTimeout(() => {
      finish();
      reject(new IoError('TOO_SLOW', `Reading the file took more than ${Math.round(timeLimitMs / 1000)} s.`));
    }, timeLimitMs);
    const finish = () => {
      clearTimeout(timer);
      // A message already on its way when the worker was stopped must not move the progress of the next reading.
      worker.onmessage = null;
      worker.onerror = null;
      worker.terminate();
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      finish();
      reject(new IoError('CANCELLED', 'Import cancelled.'));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);
    worker.onmessage = (e: MessageEvent<ImportWorkerMessage>) => {
      const m = e.data;
      if (m.type === 'progress') onProgress(m.fraction);
      else if (m.type === 'done') {
        finish();
        resolve(m.tables);
      } else {
        finish();
        reject(new IoError(m.code as IoErrorCode, m.message, m.detail));
      }
    };
    worker.onerror = (e) => {
      finish();
      reject(new IoError('UNREADABLE_FILE', e.message || 'The file could not be read.'));
    };
    worker.postMessage({ file, options });
  });
}
