import { describe, expect, it } from 'vitest';
import type { Column } from '../../src/model/types.js';
import { isLongText } from '../../src/ui/grid/editing.js';
import { LONG_TEXT_CHARS } from '../../src/ui/grid/metrics.js';

const column = (type: Column['type']): Column => ({ id: 'c', name: 'Notes', type, width: 120, options: [] }) as unknown as Column;

describe('grid editing: which editor opens', () => {
  it('a long-text column always opens the multi-line editor', () => {
    expect(isLongText(column('longtext'), '')).toBe(true);
  });

  it('a text column opens it for text over the limit or with line breaks, else edits in the cell', () => {
    expect(isLongText(column('text'), 'x'.repeat(LONG_TEXT_CHARS))).toBe(false);
    expect(isLongText(column('text'), 'x'.repeat(LONG_TEXT_CHARS + 1))).toBe(true);
    expect(isLongText(column('text'), 'two\nlines')).toBe(true);
  });

  it('other columns never do, however long what is typed', () => {
    for (const type of ['number', 'date', 'select', 'phone', 'link'] as const) expect(isLongText(column(type), 'x'.repeat(200))).toBe(false);
  });
});
