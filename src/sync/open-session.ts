import type * as Y from 'yjs';
import { DOC_JOURNAL, DOC_WORKBOOK, SEALED_ID } from '../protocol/sealed.js';
import { sealedKeysFor } from '../protocol/sealed-keys.js';
import { SealedSession } from './sealed/session.js';
import { SyncSession, type SyncOptions } from './session.js';
import type { WorkbookSession } from './workbook-session.js';

/**
 * The session for one of a workbook's docs: sealed workbooks (`e…`) go through an envelope the hub
 * cannot read, the others sync the doc itself. `journal` says which of the workbook's two docs
 * this is (its room is `<id>.h`, its blobs are tagged as the journal's).
 */
export function openSession(options: SyncOptions & { baseId: string; journal: boolean; deviceId: string }): WorkbookSession {
  const { baseId, journal, deviceId, ...sync } = options;
  if (!SEALED_ID.test(baseId)) return new SyncSession(sync);
  return new SealedSession({
    ...sync,
    doc: sync.doc as Y.Doc,
    keys: sealedKeysFor(baseId, sync.credential ?? null),
    docTag: journal ? DOC_JOURNAL : DOC_WORKBOOK,
    deviceId,
  });
}

/** Whether the hub cannot read this workbook. */
export function isSealed(workbookId: string): boolean {
  return SEALED_ID.test(workbookId);
}
