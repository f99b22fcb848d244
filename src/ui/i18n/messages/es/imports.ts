import type { en } from '../imports.js';

export const es: Record<keyof typeof en, string> = {
  'imports.headerRow': 'Fila de encabezados de {name}',
  'imports.headerRowOption': 'Fila {n}: {values}',
  'imports.headerSkipped.one': 'Se omite la {n} fila sobre los encabezados (un título).',
  'imports.headerSkipped.other': 'Se omiten las {n} filas sobre los encabezados (títulos).',
  'imports.merged.one': '{n} rango combinado: su valor se guarda una vez, en la celda superior izquierda.',
  'imports.merged.other': '{n} rangos combinados: cada valor se guarda una vez, en su celda superior izquierda.',
  'imports.strayQuote': 'Unas comillas en las líneas {lines} no abrían ni cerraban un campo y se guardaron como carácter: revisa esas filas.',
  'imports.encoding': 'Codificación del texto',
  'imports.encodingUnsure': 'La codificación es una suposición: si las letras se ven mal, prueba {alternatives}.',
  'imports.separator': 'Separador',
  'imports.decimal': 'Separador decimal',
  'imports.sep.comma': 'Coma (,)',
  'imports.sep.semicolon': 'Punto y coma (;)',
  'imports.sep.tab': 'Tabulador',
  'imports.sep.pipe': 'Barra (|)',
  'imports.decimal.dot': 'Punto (2.5)',
  'imports.decimal.comma': 'Coma (2,5)',
  'imports.reread': 'Leyendo el archivo otra vez…',
  'imports.readingFor': 'Sigue leyendo: {s} s. Cancelar lo detiene.',
};
