/** Sealed workbooks: the badge, sealed copies and what the hub sent that does not open (docs/sealed.md). */
export const en = {} as const;

export const es: Record<keyof typeof en, string> = {};
