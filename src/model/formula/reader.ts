import type { CellValue, Column } from '../types.js';
import { MULTI_SEPARATOR } from '../values.js';
import { serialFromIso, type Scalar } from './values.js';

/**
 * A stored cell value as formulas read it: counters as their number, claims as the names holding
 * them, statuses as their labels, checkboxes as TRUE/FALSE, dates as Excel serial numbers (so
 * DAYS and DATEDIF work on them). Anything that does not fit its column reads as the text it is,
 * never guessed into a number. The value passed is what the Workbook computed for the cell
 * (getValue), already validated by the cell codec.
 */
export function formulaInput(column: Pick<Column, 'type' | 'options'>, value: CellValue): Scalar {
  if (value === null || value === '') return null;
  switch (column.type) {
    case 'number':
    case 'counter':
      return typeof value === 'number' && Number.isFinite(value) ? value : String(value);
    case 'checkbox':
      return typeof value === 'boolean' ? value : String(value);
    case 'date':
    case 'datetime': {
      if (typeof value !== 'string') return String(value);
      return serialFromIso(value) ?? value;
    }
    case 'select':
      return column.options.find((o) => o.id === value)?.label ?? String(value);
    case 'multiselect':
      return String(value)
        .split(MULTI_SEPARATOR)
        .map((id) => column.options.find((o) => o.id === id)?.label ?? id)
        .join(', ');
    default:
      return typeof value === 'string' ? value : String(value);
  }
}
