/** Reading other tools' files and pastes: header-row choice, encodings, what was kept. */
export const en = {};

export const es: Record<keyof typeof en, string> = {};
