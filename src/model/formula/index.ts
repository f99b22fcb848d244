// The formula engine (docs/formulas.md). Pure: no DOM, no Y.Doc of its own; the UI loads this
// module only when a workbook has formulas.
export * from './ast.js';
export * from './errors.js';
export { parseTyped, parseStored, looksLikeFormula, columnLetters, columnIndex, MAX_FORMULA_LENGTH, type SyntaxOptions } from './parse.js';
export { toStored, toDisplay, toStoredTree, printStored, printDisplay, type FormulaPlace } from './refs.js';
export { shiftStored, asColumnFormula } from './shift.js';
export { LayoutIndex, type Layout } from './layout.js';
export { FormulaEngine, type FormulaInput, type CellAddress } from './engine.js';
export { formulaInput } from './reader.js';
export { functionNames } from './functions.js';
export { PlainInput } from './plain-input.js';
export { WorkbookFormulas, docFormulaSource, type FormulaSource } from './workbook-input.js';
export { ERRORS, isError, isMatrix, numberToText, serialFromIso, serialFromParts, type ErrorResult, type FormulaClock, type Matrix, type Scalar, type Value } from './values.js';
export { exportValues } from './export-values.js';
