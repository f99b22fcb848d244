import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isIoError } from '../../src/io/errors.js';
import { readFileInWorker } from '../../src/io/import-in-worker.js';
import type { ImportWorkerMessage } from '../../src/io/import-worker.js';

/**
 * A reader that never finishes, as SheetJS on a hostile file would: it
 * reports some progress, then goes silent. The test plays what the worker
 * would say later (a result after it was stopped) to show it is ignored.
 */
class HungWorker {
  static made: HungWorker[] = [];
  onmessage: ((e: MessageEvent<ImportWorkerMessage>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  terminated = 0;
  posted: unknown[] = [];
  constructor() {
    HungWorker.made.push(this);
  }
  postMessage(m: unknown): void {
    this.posted.push(m);
    queueMicrotask(() => this.say({ type: 'progress', fraction: 0.3 }));
  }
  terminate(): void {
    this.terminated++;
  }
  say(m: ImportWorkerMessage): void {
    this.onmessage?.({ data: m } as MessageEvent<ImportWorkerMessage>);
  }
}

describe('the reading time ceiling', () => {
  beforeEach(() => {
    HungWorker.made = [];
    vi.stubGlobal('Worker', HungWorker);
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('stops a reading past its ceiling with TOO_SLOW, terminates the worker, and ignores what it says afterwards', async () => {
    const progress: number[] = [];
    const file = new File([new Uint8Array([0x50, 0x4b, 0x03, 0x04])], 'template.xlsx');
    const reading = readFileInWorker(file, (f) => progress.push(f), undefined, undefined, 5_000);
    const outcome = reading.then(
      (tables) => ({ tables }),
      (err: unknown) => ({ err }),
    );
    await vi.advanceTimersByTimeAsync(4_999);
    const worker = HungWorker.made[0];
    expect(worker.posted).toEqual([{ file, options: undefined }]);
    expect(progress).toEqual([0.3]);
    // Just under the ceiling: still reading.
    expect(worker.terminated).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    const result = await outcome;
    expect('err' in result && isIoError(result.err, 'TOO_SLOW')).toBe(true);
    expect(worker.terminated).toBe(1);
    // A result arriving after the refusal changes nothing: no tables, no second settlement, no more progress.
    worker.say({ type: 'progress', fraction: 0.9 });
    worker.say({ type: 'done', tables: [{ name: 'Sheet1', header: ['A'], rows: [['x']] }] as never });
    expect(progress).toEqual([0.3]);
    expect(await outcome).toBe(result);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a reading that ends in time clears its timer: no late TOO_SLOW', async () => {
    const file = new File(['a,b\n1,2\n'], 'small.csv');
    const reading = readFileInWorker(file, () => {}, undefined, undefined, 5_000);
    await vi.advanceTimersByTimeAsync(10);
    HungWorker.made[0].say({ type: 'done', tables: [] });
    await expect(reading).resolves.toEqual([]);
    expect(HungWorker.made[0].terminated).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancelling stops the worker at once with CANCELLED, not TOO_SLOW', async () => {
    const abort = new AbortController();
    const reading = readFileInWorker(new File(['x'], 'a.csv'), () => {}, abort.signal, undefined, 5_000);
    const outcome = reading.catch((err: unknown) => err);
    await vi.advanceTimersByTimeAsync(100);
    abort.abort();
    expect(isIoError(await outcome, 'CANCELLED')).toBe(true);
    expect(HungWorker.made[0].terminated).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
