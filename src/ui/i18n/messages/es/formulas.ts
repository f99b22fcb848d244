import type { en } from '../formulas.js';

export const es: Record<keyof typeof en, string> = {
  'err.FORMULA_SYNTAX': 'La aplicación no puede leer esta fórmula: revisa los paréntesis, las comas y los operadores.',
  'err.FORMULA_UNKNOWN_SHEET': 'Ninguna hoja se llama «{sheet}».',
  'err.FORMULA_UNKNOWN_COLUMN': 'Ninguna columna se llama «{name}».',
  'err.FORMULA_NO_SUCH_CELL': 'Esa celda está más allá de la última fila o columna de la hoja. Para una columna entera, escribe B:B.',
  'err.FORMULA_NAME_OUTSIDE_COLUMN': 'Un nombre de columna entre corchetes significa «esta fila»: solo sirve en una fórmula de columna.',
  'err.FORMULA_BAD_STORAGE': 'Esta fórmula no la escribió Mutual Sheets; se muestra como texto.',
  'err.FORMULA_NOT_HERE': 'Los conteos y las reservas calculan su propio valor: en esta columna no puede ir una fórmula.',
  'err.FORMULA_TOO_LARGE': 'Esta fórmula es demasiado larga o está anidada demasiado hondo.',
  'formula.line': '{formula} → {result}',
  'formula.means.#NULL!': 'Dos rangos que no se cruzan.',
  'formula.means.#DIV/0!': 'División por cero (o por una celda vacía).',
  'formula.means.#VALUE!': 'Un valor de otro tipo: texto donde hace falta un número, o al revés.',
  'formula.means.#REF!': 'Apunta a una fila, columna u hoja borrada. Al restaurarla desde la papelera, la referencia vuelve.',
  'formula.means.#NAME?': 'Una función o un nombre que esta aplicación no conoce; la fórmula se guarda tal como se escribió.',
  'formula.means.#NUM!': 'Un número fuera del rango de esta función.',
  'formula.means.#N/A': 'No se encontró nada: una búsqueda sin coincidencia.',
  'formula.means.#SPILL!': 'El resultado necesita más celdas y algunas no están vacías.',
  'formula.means.#CALC!': 'El resultado está vacío (un FILTER que no dejó nada).',
  'formula.means.#CYCLE!': 'La fórmula depende de sí misma, quizá a través de otras celdas (puede que varias personas cerraran el ciclo a la vez).',
};
