/** The grid's own words beyond sheet.ts: find and replace, entry helpers (date picker, option list), flagged paste. */
export const en = {};

export const es: Record<keyof typeof en, string> = {};
