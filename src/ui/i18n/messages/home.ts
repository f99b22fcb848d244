/** The home screen: new workbooks, templates, this device's list and storage. */
export const en = {
  'app.tagline': "A shared spreadsheet that works without signal. Everything you type is kept on this device and shared through your group's hub.",
  'home.new': 'New workbook',
  'home.templates': 'Or start from a template',
  'home.saved': 'Or bring back a saved copy',
  'home.openSnapshot': 'Open a JSON snapshot (a copy under a new link)',
  'home.onDevice': 'On this device',
  'home.onDeviceList': 'Workbooks on this device',
  'home.opened': 'opened {when}',
  'home.remove': 'Remove',
  'home.removeLabel': 'Remove {title} from this device',
  'home.removeConfirm': 'Remove “{title}” from this device? Changes not yet on the hub would be lost; the workbook stays on the hub.',
  'home.storage': 'This device keeps {used} MB of workbooks (room for {quota} MB).',
  'home.storageKept': 'The browser will keep them until you remove them.',
  'home.storageMayClear': 'The browser may clear them if the device runs short of space.',
  'home.askKeep': 'Ask this browser to keep my data',
  'home.language': 'Language',
  'home.snapshotRefused': '{reason} Nothing was opened.',
} as const;



export const es: Record<keyof typeof en, string> = {
  'app.tagline': 'Una hoja de cálculo compartida que funciona sin señal. Todo lo que escribes se guarda en este dispositivo y se comparte a través del hub de tu grupo.',
  'home.new': 'Nuevo libro',
  'home.templates': 'O empieza con una plantilla',
  'home.saved': 'O recupera una copia guardada',
  'home.openSnapshot': 'Abrir una copia JSON (con un enlace nuevo)',
  'home.onDevice': 'En este dispositivo',
  'home.onDeviceList': 'Libros en este dispositivo',
  'home.opened': 'abierto {when}',
  'home.remove': 'Quitar',
  'home.removeLabel': 'Quitar {title} de este dispositivo',
  'home.removeConfirm': '¿Quitar «{title}» de este dispositivo? Se perderían los cambios que aún no están en el hub; el libro sigue en el hub.',
  'home.storage': 'Este dispositivo guarda {used} MB de libros (hay espacio para {quota} MB).',
  'home.storageKept': 'El navegador los conservará hasta que los quites.',
  'home.storageMayClear': 'El navegador podría borrarlos si al dispositivo le falta espacio.',
  'home.askKeep': 'Pedir al navegador que conserve mis datos',
  'home.language': 'Idioma',
  'home.snapshotRefused': '{reason} No se abrió nada.',
};
