import type { en } from '../formula-editing.js';

export const es: Record<keyof typeof en, string> = {
  'formula.pointed': 'Referencia {ref} insertada',
  'formula.references': 'Referencias de la fórmula',
};
