/** Editing a formula in the grid: the references it names (listed under the editor) and pointing at cells to insert one. */
export const en = {
  'formula.pointed': 'Reference {ref} inserted',
  'formula.references': 'References in the formula',
};
