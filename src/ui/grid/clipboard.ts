import { decodeHtmlCells, decodeTsv, encodeHtml, encodeTsv, pasteTexts, type PastedCells } from '../../io/clipboard.js';
import { decodeMarker, encodeMarker, MARKER_TYPE, markerFromHtml, type ClipboardMarker } from '../../io/clipboard-marker.js';
import { copiedFormulas, pastedFormulas, tileBlock } from '../../io/paste-formulas.js';
import type { Scalar } from '../../model/formula/values.js';
import type { Column } from '../../model/types.js';
import { isModelError } from '../../model/errors.js';
import { CONFIRM_PASTE_CELLS, pasteBlock, type Misfit, type PasteResult } from '../../model/paste.js';
import { errorText } from '../i18n/error-text.js';
import { currentLocale, formatNumber, t, tn, type Locale } from '../i18n/locale.js';
import { displayValue, inputOptions, numberText } from '../i18n/value-text.js';
import type { GridHost } from './host.js';
import { blockSelection } from './selection.js';

/**
 * Copy, cut and paste on the grid: the selection goes out as TSV and an HTML
 * table (what other spreadsheets read) with the app's marker for formulas; a
 * paste reads either, may grow the sheet, and says what it added and which
 * values did not fit their column.
 */
export class ClipboardController {
  constructor(private readonly host: GridHost) {}

  /**
   * The selection as the clipboard carries it: each cell's text as shown (a formula's result, as
   * Sheets gives other apps) and the marker naming the formulas, for a paste in the app.
   */
  private selectionData(cut: boolean): { grid: string[][]; marker: string | null } {
    const wb = this.host.workbook!;
    const sheetId = this.host.sheetId;
    const { rows, columns } = this.host.data.shown();
    const r = this.host.selection.rect;
    const formulas = this.host.formulas;
    const locale = currentLocale();
    const grid: string[][] = [];
    for (let i = r.top; i <= r.bottom; i++) {
      const line: string[] = [];
      for (let c = r.left; c <= r.right; c++) {
        const col = columns[c];
        // a formula's result, or a value spilled into this cell by one: what the cell shows
        const result = formulas.result(sheetId, rows[i], col.id);
        line.push(result !== undefined ? resultText(locale, col, result) : displayValue(locale, col, wb.getValue(sheetId, rows[i], col.id)));
      }
      grid.push(line);
    }
    const copied = copiedFormulas(wb, sheetId, { rows, columns, ...r }, (rowId, colId) => formulas.formula(sheetId, rowId, colId));
    const sheetName = wb.sheets().find((s) => s.id === sheetId)?.name ?? '';
    // written even with no formula: a paste in the app then knows `=` text in these cells is text
    const marker = encodeMarker({ sheetId, sheetName, cut, rows: grid.length, cols: grid[0]?.length ?? 0, formulas: copied });
    return { grid, marker };
  }

  private write(e: ClipboardEvent, cut: boolean): void {
    if (this.host.editor.editing || !this.host.workbook || !e.clipboardData) return;
    const { grid, marker } = this.selectionData(cut);
    e.clipboardData.setData('text/plain', encodeTsv(grid));
    e.clipboardData.setData('text/html', encodeHtml(grid, marker));
    if (marker !== null) e.clipboardData.setData(MARKER_TYPE, marker);
    e.preventDefault();
  }

  readonly onCopy = (e: ClipboardEvent): void => this.write(e, false);

  readonly onCut = (e: ClipboardEvent): void => {
    if (this.host.editor.editing) return;
    // Copy is fine on a view link; the clearing half of a cut is not, and without it nothing moves.
    this.write(e, !this.host.workbook?.readOnly);
    if (this.host.refuseReadOnly()) return;
    this.host.run({ kind: 'clear' });
  };

  readonly onPaste = (e: ClipboardEvent): void => {
    if (this.host.editor.editing || !this.host.workbook || !e.clipboardData) return;
    e.preventDefault();
    const html = e.clipboardData.getData('text/html');
    // the app's own type first; our table's attribute where the browser dropped the type
    const marker = decodeMarker(e.clipboardData.getData(MARKER_TYPE) || (html ? markerFromHtml(html) : null));
    const cells = html ? decodeHtmlCells(html) : null;
    if (cells) this.pasteCells(cells, marker);
    else this.paste(decodeTsv(e.clipboardData.getData('text/plain')), marker);
  };

  /**
   * Pastes the cells of an HTML table (Sheets, Excel): each column that holds
   * numbers, dates or checkboxes gets the value under the text where the
   * source gave one, so `$1,234.50` or `12/1/2026` is not misread or refused.
   */
  pasteCells(cells: PastedCells, marker: ClipboardMarker | null = null): void {
    if (!this.host.workbook) return;
    const { columns } = this.host.data.shown();
    const left = this.host.selection.rect.left;
    this.paste(pasteTexts(cells, (c) => columns[left + c]?.type ?? null, inputOptions(currentLocale())), marker);
  }

  /**
   * Pastes a block of text at the selection's top-left, repeated to fill a selection a whole number
   * of times its size (the phone view and tests paste without a clipboard event). Copied formulas come back as formulas, shifted, when `marker` is the app's
   * note on this block; without one, text starting with `=` is entered as a formula typed there.
   */
  paste(pasted: string[][], copied: ClipboardMarker | null = null): void {
    const wb = this.host.workbook;
    if (!wb || !pasted.length || this.host.refuseReadOnly()) return;
    const { rows, columns } = this.host.data.shown();
    const r = this.host.selection.rect;
    const { block, marker } = tileBlock(pasted, copied, r.bottom - r.top + 1, r.right - r.left + 1);
    const cells = block.reduce((n, line) => n + line.length, 0);
    if (cells > CONFIRM_PASTE_CELLS && !confirm(t('grid.pasteConfirm', { n: formatNumber(cells) }))) return;
    try {
      const options = inputOptions(currentLocale());
      const result = pasteBlock(wb, this.host.sheetId, rows, columns, r.top, r.left, block, {
        ...options,
        formulaAt: pastedFormulas(wb, this.host.sheetId, block, marker, options),
        columnName: (n) => t('grid.newColumn', { n }),
      });
      this.host.data.invalidate();
      this.host.selection.set(blockSelection(r.top, r.left, block.length, Math.max(...block.map((l) => l.length))));
      this.host.notice = pasteNotice(result);
    } catch (err) {
      if (isModelError(err)) this.host.error = errorText(err);
      else throw err;
    }
  }
}

/**
 * What a paste says: the rows and columns it added; the values that did not
 * fit their column, kept as flagged text; and those a column cannot hold as
 * text at all (counts, claims), not written. A few of each are named.
 */
function pasteNotice(result: PasteResult): string {
  const grew = result.addedRows || result.addedColumns ? t('grid.pasteGrew', { rows: result.addedRows, columns: result.addedColumns }) : '';
  const kept = result.misfits.filter((m) => m.kept);
  const dropped = result.misfits.filter((m) => !m.kept);
  return [
    kept.length ? tn('grid.misfitsKept', kept.length, { list: misfitList(kept) }) : '',
    dropped.length ? tn('grid.misfits', dropped.length, { list: misfitList(dropped) }) : '',
    grew,
  ]
    .filter(Boolean)
    .join(' ');
}

function misfitList(misfits: readonly Misfit[]): string {
  const sample = misfits
    .slice(0, 5)
    .map((m) => t('grid.misfit', { column: m.column, row: m.row, text: m.text }))
    .join('; ');
  return misfits.length > 5 ? t('grid.misfitMore', { list: sample, n: misfits.length - 5 }) : sample;
}

/** A formula's result as the cell shows it (grid-rows.ts), as text for other apps; '' while the engine loads. */
function resultText(locale: Locale, col: Column, result: Scalar | undefined): string {
  if (result === undefined || result === null) return '';
  if (typeof result === 'object') return result.error;
  if (typeof result === 'boolean') return result ? 'TRUE' : 'FALSE';
  if (typeof result === 'number') return col.type === 'number' ? displayValue(locale, col, result) : numberText(locale, result);
  return result;
}
