/** What a workbook's links protect, and the way to a secured copy (src/ui/secured-copy-notice.ts). */
export const en = {
  'access.openNotice': 'This workbook has no key: anyone who can reach the hub could read it. It is read-only here; a secured copy gets its own edit and view links.',
  'access.legacyNotice':
    'This workbook’s link is of an older kind: it sends its key to the hub each time, so someone listening on this network could copy it. A secured copy gets new links that never do; share those instead.',
  'access.securedCopy': 'Make a secured copy',
} as const;
