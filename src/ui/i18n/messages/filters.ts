/** Sort and filter by value: checklists with counts and several conditions. */
export const en = {};

export const es: Record<keyof typeof en, string> = {};
