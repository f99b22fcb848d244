import type { PendingEdit } from './first-screen-edits.js';

/**
 * Which opens of this browser are still in their first screen, so that a handover takes only its
 * own queue of typed edits and those of pages that are gone (first-screen-edits.ts `takeEdits`):
 * a page still in its first screen may be writing its queue at that moment, and a take then would
 * lose that edit or, written back with what was just taken, apply those twice (over a colleague's
 * later change). Its own handover takes it.
 *
 * Each open holds a Web Lock named after its queue from its start to its own handover; the
 * browser releases a closed page's locks. Web Locks need a secure context, and a hub on the local
 * network is often plain http://: there a queue counts as a closed page's once its newest edit is
 * STALE_MS old (a page stays in its first screen for seconds, until its doc is read).
 */
export const STALE_MS = 2 * 60_000;
const LOCK_PREFIX = 'mutual-sheets:first-screen-page:';

interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<unknown>;
  query(): Promise<{ held?: { name?: string }[]; pending?: { name?: string }[] }>;
}

const lockManager = (): LockManagerLike | null =>
  (typeof navigator !== 'undefined' && (navigator as { locks?: LockManagerLike }).locks) || null;

/** This open's hold on its queue, from the start of the open to `end()` (its handover, or the page leaving the workbook). */
export class PageHold {
  private release: (() => void) | null = null;
  private ended = false;

  constructor(
    readonly workbookId: string,
    readonly page: string,
  ) {
    const locks = lockManager();
    if (!locks) return;
    locks
      .request(LOCK_PREFIX + workbookId + ':' + page, () =>
        // ended before the lock came: let it go at once
        this.ended ? Promise.resolve() : new Promise<void>((resolve) => (this.release = resolve)),
      )
      .catch(() => {
        // no lock (a sandboxed frame): the queue then counts as open only by its age, as without Web Locks
      });
  }

  end(): void {
    this.ended = true;
    this.release?.();
    this.release = null;
  }
}

/**
 * Which other pages' queues of `workbookId` a handover may take now: those no open holds (or,
 * without Web Locks, those untouched for STALE_MS), and any that does not read back (no open of
 * this version writes one). Never rejects.
 */
export async function othersToTake(workbookId: string, now: number): Promise<(page: string, edits: PendingEdit[] | null) => boolean> {
  const stale = (edits: PendingEdit[] | null) => edits === null || edits.every((e) => now - e.at >= STALE_MS);
  const locks = lockManager();
  if (!locks) return (_page, edits) => stale(edits);
  try {
    const { held = [], pending = [] } = await locks.query();
    const open = new Set([...held, ...pending].map((l) => l.name));
    return (page, edits) => edits === null || !open.has(LOCK_PREFIX + workbookId + ':' + page);
  } catch {
    return (_page, edits) => stale(edits);
  }
}
