import type { en } from '../formulas.js';

export const es: Record<keyof typeof en, string> = {};
