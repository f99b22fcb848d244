/** The workbook page's chrome: overflow menu, role-limited controls and their reasons. */
export const en = {
  'layout.newColumnTitle': 'New column',
};

export const es: Record<keyof typeof en, string> = {
  'layout.newColumnTitle': 'Nueva columna',
};
