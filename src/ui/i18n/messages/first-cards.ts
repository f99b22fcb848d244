/** A phone's first cards while a workbook opens (first-cards.ts). */
export const en = {
  'fc.stillOpening': 'Still opening: the card opens in a moment.',
  'fc.tapped': 'Row {n} opens in a moment.',
  'fc.gone': 'Row {n}, tapped while the workbook opened, is no longer in the list: nothing was opened.',
};
