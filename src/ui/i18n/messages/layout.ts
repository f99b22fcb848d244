/** The workbook page's chrome: overflow menu, role-limited controls and their reasons. */
export const en = {
  'layout.newColumnTitle': 'New column',
  'layout.viewOnly': 'Opened with a view link: you can look at this, not change it.',
  'layout.lastSheet': 'A workbook keeps at least one sheet.',
  'layout.snapshotsViewOnly': 'A view link can open snapshots, not take them or put anything back.',
  'layout.viewerCan': 'With this link you can look at every sheet, find, sort and filter your own view, export, and look back through history. Changing anything needs the edit link.',
  'layout.more': 'More',
  'layout.moreLabel': 'More actions',
};
