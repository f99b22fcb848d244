import type { en } from '../access.js';

export const es: Record<keyof typeof en, string> = {
  'access.openNotice': 'Este libro no tiene clave: cualquiera que llegue al hub podría leerlo. Aquí es de solo lectura; una copia protegida tiene sus propios enlaces de edición y de lectura.',
  'access.legacyNotice':
    'El enlace de este libro es de un tipo antiguo: envía su clave al hub cada vez, así que alguien que escuche en esta red podría copiarla. Una copia protegida tiene enlaces nuevos que nunca lo hacen; comparte esos.',
  'access.securedCopy': 'Hacer una copia protegida',
};
