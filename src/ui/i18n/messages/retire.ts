/** Replacing a sealed workbook's links after a leak, and a retired workbook's notice. */
export const en = {} as const;

export const es: Record<keyof typeof en, string> = {};
