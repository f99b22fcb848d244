import type { en } from '../first-cards.js';

export const es: Record<keyof typeof en, string> = {
  'fc.stillOpening': 'Todavía se está abriendo: la tarjeta se abre en un momento.',
  'fc.tapped': 'La fila {n} se abre en un momento.',
  'fc.gone': 'La fila {n}, tocada mientras se abría el libro, ya no está en la lista: no se abrió nada.',
};
