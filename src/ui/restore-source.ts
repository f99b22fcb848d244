import * as Y from 'yjs';
import { Workbook } from '../model/workbook.js';
import type { Credential } from '../protocol/access.js';
import { historyRoom } from '../protocol/messages.js';
import type { BlobFailure } from '../protocol/sealed.js';
import { SnapshotApiError } from '../protocol/snapshots.js';
import { RetainedClient } from '../sync/retained.js';
import { combineTimelines, extendLog, olderQuery, roomLog, type CombinedTimeline, type RoomLog } from './restore-timeline.js';

/** A moment later than any the hub has stored: `state?at=` then answers with the room as it is now. */
const LATEST = Number.MAX_SAFE_INTEGER;

/** The moment rebuilt from the hub, opened for reading. */
export interface Moment {
  at: number;
  /** the sheets and their journal as they were; a Workbook only to be read (its actor never writes) */
  then: Workbook;
  /** the hub no longer keeps the journal that far back: the sheets come back without their history */
  historyGone: boolean;
  /** a sealed workbook's blobs (sheets' and journal's) that failed their check and were left out: the hub sent data that does not belong to this workbook */
  failures: BlobFailure[];
}

/**
 * The hub side of "Restore to…" for one workbook: both rooms' timelines (the sheets `<id>` and
 * the journal `<id>.h`), a moment rebuilt from both, and bringing this device's copies level with
 * the hub before a restore is planned. Holds no UI; errors are the API's coded ones.
 */
export class RestoreSource {
  private readonly sheets: RetainedClient;
  private readonly history: RetainedClient;
  private sheetsLog: RoomLog | null = null;
  /** null: the hub has never seen this workbook's journal (an old workbook, or one never opened since) */
  private historyLog: RoomLog | null = null;

  constructor(origin: string, workbookId: string, credential: Credential | null, fetchFn?: typeof fetch) {
    this.sheets = new RetainedClient(origin, workbookId, credential, fetchFn);
    this.history = new RetainedClient(origin, historyRoom(workbookId), credential, fetchFn);
  }

  /** The newest changes of both rooms, merged. */
  async timeline(): Promise<CombinedTimeline> {
    const [sheets, history] = await Promise.all([this.sheets.timeline(), orNull(this.history.timeline(), ['UNKNOWN_WORKBOOK'])]);
    this.sheetsLog = roomLog(sheets);
    this.historyLog = history ? roomLog(history) : null;
    return combineTimelines(this.sheetsLog, this.historyLog);
  }

  /** The next, older page of whichever room was listed only partly. */
  async older(): Promise<CombinedTimeline> {
    if (!this.sheetsLog) return this.timeline();
    const sheetsLog = this.sheetsLog;
    const historyLog = this.historyLog;
    const sheetsQuery = olderQuery(sheetsLog);
    const historyQuery = historyLog ? olderQuery(historyLog) : null;
    const [sheets, history] = await Promise.all([
      sheetsQuery ? this.sheets.timeline(sheetsQuery) : null,
      historyQuery ? this.history.timeline(historyQuery) : null,
    ]);
    this.sheetsLog = sheets ? extendLog(sheetsLog, sheets) : sheetsLog;
    this.historyLog = historyLog && history ? extendLog(historyLog, history) : historyLog;
    return combineTimelines(this.sheetsLog, this.historyLog);
  }

  /**
   * Both rooms as they were at `at`, opened as one Workbook. A journal the hub no longer keeps
   * that far back (it is pruned on its own) or never had leaves the history empty rather than
   * refusing the sheets: they matter more.
   */
  async moment(at: number): Promise<Moment> {
    let historyGone = false;
    // A sealed workbook's rooms come as envelopes and are opened here, before anything else reads them.
    const [sheets, history] = await Promise.all([
      this.sheets.openedStateAt(at),
      this.history.openedStateAt(at).catch((err: unknown) => {
        if (err instanceof SnapshotApiError && err.code === 'BEFORE_RETENTION') historyGone = true;
        else if (!(err instanceof SnapshotApiError && err.code === 'UNKNOWN_WORKBOOK')) throw err;
        return null;
      }),
    ]);
    const doc = new Y.Doc();
    const journal = new Y.Doc();
    try {
      Y.applyUpdate(doc, sheets.update);
      if (history) Y.applyUpdate(journal, history.update);
    } catch (err) {
      doc.destroy();
      journal.destroy();
      throw err;
    }
    const then = new Workbook(doc, { actor: { name: 'restore preview', deviceId: 'restore-preview' }, history: journal });
    return { at, then, historyGone, failures: [...sheets.failures, ...(history?.failures ?? [])] };
  }

  /**
   * Brings this device's copies up to what the hub holds now, so the preview — and restoreTo's
   * count of which history entries are missing — compares with the real present. It matters for
   * a wiped workbook: the app waits for the sheets before it opens the journal, so the journal
   * here may be empty while the hub's is whole, and every entry would be appended twice. Only
   * what this device lacks is applied (nothing, once it is in sync), as a remote change — never
   * journalled or undoable. Best effort: a hub that cannot answer leaves things as they are.
   */
  async catchUp(wb: Workbook): Promise<void> {
    if (wb.readOnly) return;
    const [sheets, history] = await Promise.all([this.sheets.openedStateAt(LATEST).catch(() => null), this.history.openedStateAt(LATEST).catch(() => null)]);
    if (sheets) applyMissing(wb.doc, sheets.update, this);
    if (history) applyMissing(wb.journal.doc, history.update, this);
  }
}

function applyMissing(doc: Y.Doc, update: Uint8Array, origin: object): void {
  try {
    Y.applyUpdate(doc, Y.diffUpdate(update, Y.encodeStateVector(doc)), origin);
  } catch {
    // an answer that does not apply is the hub's problem to report; the restore plans on what is here
  }
}

async function orNull<T>(p: Promise<T>, codes: string[]): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof SnapshotApiError && codes.includes(err.code)) return null;
    throw err;
  }
}
