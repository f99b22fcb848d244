import { describe, expect, it } from 'vitest';
import { combinedStatus, statusKind, type SyncStatus } from '../../src/sync/status.js';

const synced: SyncStatus = { connection: 'online', caughtUp: true, pending: 0, lastClose: null, local: 'saved', localError: null };

describe('one status for a workbook and its history journal', () => {
  it('is the workbook’s alone until the journal opens', () => {
    expect(combinedStatus({ ...synced, pending: 2 }, null)).toEqual({ ...synced, pending: 2 });
  });

  it('counts an edit once (a cell and its history entry) and says Synced only when both are on the hub', () => {
    expect(statusKind(combinedStatus(synced, synced))).toBe('synced');
    expect(combinedStatus({ ...synced, pending: 1 }, { ...synced, pending: 1 }).pending).toBe(1);
    expect(statusKind(combinedStatus(synced, { ...synced, pending: 1 }))).toBe('pending');
    expect(statusKind(combinedStatus(synced, { ...synced, caughtUp: false, connection: 'connecting' }))).toBe('connecting');
    expect(combinedStatus(synced, { ...synced, connection: 'offline' }).connection).toBe('offline');
  });

  it('shows a refused local write from either', () => {
    const failed = combinedStatus(synced, { ...synced, local: 'failed', localError: 'QuotaExceededError' });
    expect([failed.local, failed.localError]).toEqual(['failed', 'QuotaExceededError']);
  });
});
