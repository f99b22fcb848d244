/** The optional device lock and forgetting this device's keys (src/ui/device-lock.ts). */
export const en = {} as const;

export const es: Record<keyof typeof en, string> = {};
