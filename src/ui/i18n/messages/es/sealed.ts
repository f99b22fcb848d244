import type { en } from '../sealed.js';

export const es: Record<keyof typeof en, string> = {
  'sealed.badge': 'Sellado',
  'sealed.badgeLong': 'Sellado: el hub no puede leer este libro',
  'sealed.notBadge': 'Sin sellar',
  'sealed.notBadgeLong': 'Sin sellar: el hub puede leer este libro',
  'sealed.unsealedNotice': 'Este libro no está sellado: el hub guarda su contenido en texto plano. Una copia sellada tiene enlaces nuevos y el hub no puede leerla.',
  'sealed.copy': 'Hacer una copia sellada',
  'sealed.badBlob': 'El hub envió datos que no pertenecen a este libro. No se usaron; todo lo demás está aquí.',
  'sealed.blobDeleted': 'Se quitaron cambios del hub sin reemplazarlos; este dispositivo volvió a poner los que tenía.',
  'sealed.missing.one': 'Falta un cambio de {name}: el hub no lo ha enviado.',
  'sealed.missing.other': 'Faltan cambios de {name}: el hub no ha enviado {count}.',
  'sealed.someone': 'otro dispositivo',
};
