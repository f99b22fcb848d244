/** The phone's row form: saving as you go, what is saved where, undo. */
export const en = {
  'phone.autosave': 'Every change is saved as you make it.',
  'phone.undo': 'Undo',
  'phone.undoLabel': 'Undo my last change in this form',
  'phone.undone': 'Undone: {column}.',
  'phone.saving': 'Saving…',
  'phone.savedHub': '✓ Saved, and on the hub',
  'phone.savedDevice': '✓ Saved on this device — not yet on the hub',
  'phone.savingDevice': 'Saving on this device…',
  'phone.savedPage': 'Kept in this page only: this browser does not keep it on the device',
  'phone.failedDevice': 'Not yet saved on this device: kept in this page and retried — do not close it',
  'phone.keptTyped': 'Not saved yet: kept here as you typed it. Left like this, it is kept as text marked as not fitting.',
  'phone.misfit': 'Does not fit this column: {reason}',
} as const;

export const es: Record<keyof typeof en, string> = {
  'phone.autosave': 'Cada cambio se guarda en cuanto lo haces.',
  'phone.undo': 'Deshacer',
  'phone.undoLabel': 'Deshacer mi último cambio en este formulario',
  'phone.undone': 'Deshecho: {column}.',
  'phone.saving': 'Guardando…',
  'phone.savedHub': '✓ Guardado, y en el hub',
  'phone.savedDevice': '✓ Guardado en este dispositivo; aún no está en el hub',
  'phone.savingDevice': 'Guardando en este dispositivo…',
  'phone.savedPage': 'Solo se conserva en esta página: este navegador no lo guarda en el dispositivo',
  'phone.failedDevice': 'Aún no se guardó en este dispositivo: se conserva en esta página y se reintenta; no la cierres',
  'phone.keptTyped': 'Aún no se guardó: se conserva aquí tal como lo escribiste. Si lo dejas así, se guarda como texto marcado como que no encaja.',
  'phone.misfit': 'No encaja en esta columna: {reason}',
};
