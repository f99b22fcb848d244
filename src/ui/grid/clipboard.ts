import { decodeHtmlCells, decodeTsv, encodeHtml, encodeTsv, pasteTexts, type PastedCells } from '../../io/clipboard.js';
import { isModelError } from '../../model/errors.js';
import { CONFIRM_PASTE_CELLS, pasteBlock, type Misfit, type PasteResult } from '../../model/paste.js';
import { errorText } from '../i18n/error-text.js';
import { currentLocale, formatNumber, t, tn } from '../i18n/locale.js';
import { displayValue, inputOptions } from '../i18n/value-text.js';
import type { GridHost } from './host.js';
import { blockSelection } from './selection.js';

/**
 * Copy, cut and paste on the grid: the selection goes out as TSV and an HTML
 * table (what other spreadsheets read); a paste reads either, may grow the
 * sheet, and says what it added and which values did not fit their column.
 */
export class ClipboardController {
  constructor(private readonly host: GridHost) {}

  private selectionText(): string[][] {
    const wb = this.host.workbook!;
    const { rows, columns } = this.host.data.shown();
    const r = this.host.selection.rect;
    const locale = currentLocale();
    const out: string[][] = [];
    for (let i = r.top; i <= r.bottom; i++) {
      const line: string[] = [];
      for (let c = r.left; c <= r.right; c++) line.push(displayValue(locale, columns[c], wb.getValue(this.host.sheetId, rows[i], columns[c].id)));
      out.push(line);
    }
    return out;
  }

  readonly onCopy = (e: ClipboardEvent): void => {
    if (this.host.editor.editing || !this.host.workbook || !e.clipboardData) return;
    const grid = this.selectionText();
    e.clipboardData.setData('text/plain', encodeTsv(grid));
    e.clipboardData.setData('text/html', encodeHtml(grid));
    e.preventDefault();
  };

  readonly onCut = (e: ClipboardEvent): void => {
    if (this.host.editor.editing) return;
    this.onCopy(e);
    // Copy is fine on a view link; the clearing half of a cut is not.
    if (this.host.refuseReadOnly()) return;
    this.host.run({ kind: 'clear' });
  };

  readonly onPaste = (e: ClipboardEvent): void => {
    if (this.host.editor.editing || !this.host.workbook || !e.clipboardData) return;
    e.preventDefault();
    const html = e.clipboardData.getData('text/html');
    const cells = html ? decodeHtmlCells(html) : null;
    if (cells) this.pasteCells(cells);
    else this.paste(decodeTsv(e.clipboardData.getData('text/plain')));
  };

  /**
   * Pastes the cells of an HTML table (Sheets, Excel): each column that holds
   * numbers, dates or checkboxes gets the value under the text where the
   * source gave one, so `$1,234.50` or `12/1/2026` is not misread or refused.
   */
  pasteCells(cells: PastedCells): void {
    if (!this.host.workbook) return;
    const { columns } = this.host.data.shown();
    const left = this.host.selection.rect.left;
    this.paste(pasteTexts(cells, (c) => columns[left + c]?.type ?? null, inputOptions(currentLocale())));
  }

  /** Pastes a block of text at the selection's top-left (the phone view and tests paste without a clipboard event). */
  paste(block: string[][]): void {
    const wb = this.host.workbook;
    if (!wb || !block.length || this.host.refuseReadOnly()) return;
    const { rows, columns } = this.host.data.shown();
    const r = this.host.selection.rect;
    const cells = block.reduce((n, line) => n + line.length, 0);
    if (cells > CONFIRM_PASTE_CELLS && !confirm(t('grid.pasteConfirm', { n: formatNumber(cells) }))) return;
    try {
      const result = pasteBlock(wb, this.host.sheetId, rows, columns, r.top, r.left, block, {
        ...inputOptions(currentLocale()),
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
