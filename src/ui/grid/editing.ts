import { html, nothing, type ReactiveController } from 'lit';
import { isModelError } from '../../model/errors.js';
import type { Column } from '../../model/types.js';
import { parseInput } from '../../model/values.js';
import { errorText } from '../i18n/error-text.js';
import { currentLocale, t } from '../i18n/locale.js';
import { editText, inputOptions } from '../i18n/value-text.js';
import type { GridHost } from './host.js';
import { keyCommand } from './keymap.js';
import { LONG_TEXT_CHARS } from './metrics.js';

/** Width of the multi-line editor at least, whatever the column's width: room to read a paragraph. */
const LONG_EDITOR_MIN_WIDTH = 420;

/**
 * Typing into the active cell: opening the editor (on a view link, saying
 * why not), the draft, committing it through the column's parser (a value
 * that does not fit keeps the editor open and says why), cancelling.
 *
 * Long text (a long-text column, or text over LONG_TEXT_CHARS or with line
 * breaks) opens a multi-line editor laid over the grid, big enough to read;
 * anything else edits in the cell.
 */
export class EditingController implements ReactiveController {
  editing = false;
  draft = '';
  /** The open editor is the multi-line one. */
  multiline = false;

  constructor(private readonly host: GridHost) {
    host.addController(this);
  }

  private editorEl(): HTMLInputElement | HTMLTextAreaElement | null {
    return this.host.renderRoot.querySelector<HTMLInputElement | HTMLTextAreaElement>('.cell.active input, .cell.active textarea, textarea.long-editor');
  }

  hostUpdated(): void {
    if (!this.editing) return;
    const editor = this.editorEl();
    const root = this.host.renderRoot as ShadowRoot;
    if (editor && root.activeElement !== editor) {
      editor.focus({ preventScroll: this.multiline });
      editor.setSelectionRange(editor.value.length, editor.value.length);
    }
  }

  /** Opens the editor on the active cell, with `initial` replacing its value when given. */
  start(initial?: string): void {
    const a = this.host.selection.activeCell();
    const wb = this.host.workbook;
    if (!a || !wb) return;
    if (this.host.refuseReadOnly()) return;
    this.draft = initial ?? editText(currentLocale(), a.col, wb.getValue(this.host.sheetId, a.rowId, a.col.id));
    this.multiline = isLongText(a.col, this.draft);
    this.host.error = '';
    this.editing = true;
    this.host.requestUpdate();
  }

  cancel(): void {
    this.editing = false;
    this.host.error = '';
    this.host.focusGrid();
  }

  /** Writes the draft; on a value that does not fit, keeps the editor open and says why. */
  commit(refocus = true): boolean {
    const a = this.host.selection.activeCell();
    const wb = this.host.workbook;
    if (!a || !wb) return false;
    const sheetId = this.host.sheetId;
    try {
      const value = parseInput(a.col, this.draft, inputOptions(currentLocale()));
      const current = wb.getCell(sheetId, a.rowId, a.col.id);
      if (!(current?.v === value || (current === undefined && value === null))) wb.setCell(sheetId, a.rowId, a.col.id, value);
    } catch (err) {
      if (isModelError(err)) {
        this.host.error = errorText(err);
        return false;
      }
      throw err;
    }
    this.editing = false;
    this.host.error = '';
    if (refocus) this.host.focusGrid();
    else this.host.requestUpdate();
    return true;
  }

  private onInput = (e: Event): void => {
    this.draft = (e.target as HTMLInputElement | HTMLTextAreaElement).value;
  };

  private onBlur = (): void => {
    // Focus moved elsewhere (a click outside the grid): keep what was typed.
    if (this.editing) this.commit(false);
  };

  private onKeydown = (e: KeyboardEvent): void => {
    e.stopPropagation();
    // An IME commits its composition with Enter: that Enter (and Tab, Escape) is not ours.
    const composing = e.isComposing || e.keyCode === 229;
    const command = keyCommand({ key: e.key, shift: e.shiftKey, ctrl: e.ctrlKey || e.metaKey, alt: e.altKey, composing }, this.host.keyContext(true));
    if (!command) return;
    e.preventDefault();
    if (command.kind === 'edit-newline') {
      const el = e.target as HTMLTextAreaElement;
      if (el instanceof HTMLTextAreaElement) el.setRangeText('\n', el.selectionStart, el.selectionEnd, 'end');
      this.draft = el.value;
    } else this.host.run(command);
  };

  private stop = (e: Event): void => e.stopPropagation();

  /** The one-line editor, inside the active cell (the multi-line one is laid over the grid instead). */
  renderInCell(col: Column) {
    if (this.multiline) return nothing;
    if (col.type === 'text' || col.type === 'longtext') {
      // A textarea keeps line breaks that an <input> would silently drop; Alt+Enter adds one.
      return html`<textarea
        aria-label=${t('grid.edit', { name: col.name })}
        rows="1"
        .value=${this.draft}
        @input=${this.onInput}
        @keydown=${this.onKeydown}
        @blur=${this.onBlur}
        @pointerdown=${this.stop}
      ></textarea>`;
    }
    return html`<input
        aria-label=${t('grid.edit', { name: col.name })}
        .value=${this.draft}
        inputmode=${col.type === 'number' ? 'decimal' : 'text'}
        placeholder=${col.type === 'date' ? t('grid.datePlaceholder') : col.type === 'datetime' ? t('grid.dateTimePlaceholder') : ''}
        list=${col.type === 'select' || col.type === 'multiselect' ? 'select-options' : nothing}
        @input=${this.onInput}
        @keydown=${this.onKeydown}
        @blur=${this.onBlur}
        @pointerdown=${this.stop}
      />${col.type === 'select' || col.type === 'multiselect'
        ? html`<datalist id="select-options">${col.options.map((o) => html`<option value=${o.label}></option>`)}</datalist>`
        : nothing}`;
  }

  /** The multi-line editor, over the active cell at (left, top) in the grid's pixels, at least as wide as the cell. */
  renderOverlay(col: Column, left: number, top: number, cellWidth: number) {
    if (!this.editing || !this.multiline) return nothing;
    return html`<textarea
      class="long-editor"
      aria-label=${t('grid.edit', { name: col.name })}
      aria-multiline="true"
      title=${t('grid.longEditorKeys')}
      style="left:${left}px;top:${top}px;width:${Math.max(cellWidth, LONG_EDITOR_MIN_WIDTH)}px"
      .value=${this.draft}
      @input=${this.onInput}
      @keydown=${this.onKeydown}
      @blur=${this.onBlur}
      @pointerdown=${this.stop}
    ></textarea>`;
  }
}

/** Whether editing `text` in `col` wants the multi-line editor. */
export function isLongText(col: Column, text: string): boolean {
  if (col.type === 'longtext') return true;
  return col.type === 'text' && (text.length > LONG_TEXT_CHARS || text.includes('\n'));
}
