import { describe, expect, it } from 'vitest';
import { BatchingCommitter } from '../../server/committer.js';
import { MemoryStore, type RoomStore } from '../../server/store.js';

describe('BatchingCommitter', () => {
  it('writes everything submitted in one turn as one batch, then reports each in order; a failed batch fails every request and nothing is stored', async () => {
    const inner = new MemoryStore();
    const batches: number[] = [];
    let full = false;
    const store = Object.assign(Object.create(inner) as RoomStore, {
      appendMany(entries: { room: string; update: Uint8Array }[]) {
        if (full) throw new Error('disk full');
        batches.push(entries.length);
        return inner.appendMany(entries);
      },
    });
    const committer = new BatchingCommitter(store);
    const results: (number | null)[] = [];
    const turn = () => new Promise<void>((res) => setImmediate(res));
    for (let i = 0; i < 5; i++) committer.submit({ room: `r${i % 2}`, update: new Uint8Array([i]), done: (seq) => results.push(seq), onError: () => {} });
    expect(results).toEqual([]);
    await turn();
    expect(batches).toEqual([5]);
    expect(results).toEqual([1, 2, 3, 4, 5]);
    full = true;
    const errors: unknown[] = [];
    committer.submit({ room: 'r0', update: new Uint8Array([9]), done: (seq, err) => errors.push(seq ?? err), onError: () => {} });
    await turn();
    expect(String(errors[0])).toContain('disk full');
    expect(inner.backlog('r0').count).toBe(3);
    // a done that throws reaches onError, and the rest of the batch still completes
    full = false;
    const seen: string[] = [];
    committer.submit({ room: 'r0', update: new Uint8Array([1]), done: () => { throw new Error('boom'); }, onError: (e) => seen.push(String(e)) });
    committer.submit({ room: 'r0', update: new Uint8Array([2]), done: () => seen.push('second done'), onError: () => {} });
    await turn();
    expect(seen).toEqual(['Error: boom', 'second done']);
  });
});
