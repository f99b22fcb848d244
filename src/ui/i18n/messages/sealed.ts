/** Sealed workbooks: the badge, sealed copies and what the hub sent that does not open (docs/sealed.md). */
export const en = {
  'sealed.badge': 'Sealed',
  'sealed.badgeLong': 'Sealed: the hub cannot read this workbook',
  'sealed.notBadge': 'Not sealed',
  'sealed.notBadgeLong': 'Not sealed: the hub can read this workbook',
  'sealed.unsealedNotice': 'This workbook is not sealed: the hub stores what is in it in plain text. A sealed copy gets new links, and the hub cannot read it.',
  'sealed.copy': 'Make a sealed copy',
  'sealed.badBlob': 'The hub sent data that does not belong to this workbook. It was not used; everything else is here.',
  'sealed.blobDeleted': 'Changes were removed from the hub without being replaced; this device put back the ones it had.',
  'sealed.missing.one': 'A change from {name} is missing: the hub has not sent it.',
  'sealed.missing.other': 'Changes from {name} are missing: the hub has not sent {count} of them.',
  'sealed.someone': 'another device',
} as const;
