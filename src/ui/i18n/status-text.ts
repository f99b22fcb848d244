import { statusKind, type SyncStatus } from '../../sync/status.js';
import { messageKey, translate, translatePlural, type Locale } from './locale.js';

/** The "on this device" half of the status, in words. */
export function localLabel(locale: Locale, s: SyncStatus): string {
  switch (s.local) {
    case 'saved':
      return translate(locale, 'local.saved');
    case 'saving':
      return translate(locale, 'local.saving');
    case 'failed': {
      const why = s.localError === 'QuotaExceededError' ? translate(locale, 'local.quota') : translate(locale, 'local.refused', { name: s.localError ?? 'Error' });
      return translate(locale, 'local.failed', { why });
    }
    default:
      return translate(locale, 'local.none');
  }
}

/** The "on the hub" half. */
export function statusLabel(locale: Locale, s: SyncStatus): string {
  const kind = statusKind(s);
  if (kind === 'pending') {
    const pending = translatePlural(locale, 'status.pending', s.pending);
    if (s.connection === 'offline') return translate(locale, 'status.offlinePending', { pending });
    return s.connection === 'connecting' ? translate(locale, 'status.connectingPending', { pending }) : pending;
  }
  if (kind === 'synced') return translate(locale, 'status.synced');
  if (kind === 'offline') return translate(locale, 'status.offline');
  return translate(locale, 'status.connecting');
}

/** Why the hub closed the connection: our words for its code, else what the hub said. */
export function closeReason(locale: Locale, close: { code: number; reason: string }): string {
  const key = messageKey(`close.${close.code}`);
  return key ? translate(locale, key) : close.reason;
}
