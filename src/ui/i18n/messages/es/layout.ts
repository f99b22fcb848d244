import type { en } from '../layout.js';

export const es: Record<keyof typeof en, string> = {
  'layout.newColumnTitle': 'Nueva columna',
  'layout.viewOnly': 'Abierto con un enlace de solo lectura: puedes verlo, no cambiarlo.',
  'layout.lastSheet': 'Un libro conserva al menos una hoja.',
  'layout.snapshotsViewOnly': 'Un enlace de solo lectura puede abrir instantáneas, no tomarlas ni devolver nada.',
  'layout.viewerCan': 'Con este enlace puedes ver todas las hojas, buscar, ordenar y filtrar tu propia vista, exportar y revisar el historial. Para cambiar algo hace falta el enlace de edición.',
  'layout.more': 'Más',
  'layout.moreLabel': 'Más acciones',
};
