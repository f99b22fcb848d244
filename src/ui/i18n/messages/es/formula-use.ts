import type { en } from '../formula-use.js';

export const es: Record<keyof typeof en, string> = {
  'tz.title': 'Zona horaria del libro',
  'tz.now': 'TODAY() y NOW() usan {zone} en todos los dispositivos.',
  'tz.label': 'Zona horaria',
  'tz.save': 'Guardar zona horaria',
  'tz.saved': 'Zona horaria: {zone}. TODAY() y NOW() la siguen para todos.',
  'tz.device': 'Este dispositivo está en {zone}.',
  'tz.viewer': 'Solo quien edita puede cambiarla.',
  'err.INVALID_TIME_ZONE': 'Eso no es una zona horaria.',
  'err.INVALID_TIME_ZONE.input': '«{input}» no es una zona horaria que este navegador conozca. Elige una de la lista, como America/Mexico_City.',
  'history.columnFormula': 'Cambió la fórmula de la columna «{name}»: {before} → {after}',
  'history.noFormula': '(sin fórmula)',
};
