/** The workbook page's chrome: overflow menu, role-limited controls and their reasons. */
export const en = {};

export const es: Record<keyof typeof en, string> = {};
