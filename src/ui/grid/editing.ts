import { html, nothing, type ReactiveController } from 'lit';
import { isModelError } from '../../model/errors.js';
import { isFormulaError } from '../../model/formula/errors.js';
import type { Column } from '../../model/types.js';
import type { Workbook } from '../../model/workbook.js';
import { MULTI_SEPARATOR, parseInput } from '../../model/values.js';
import { errorText } from '../i18n/error-text.js';
import { currentLocale, t } from '../i18n/locale.js';
import { editText, inputOptions } from '../i18n/value-text.js';
import { formulaReferences, renderChips, renderOutlines, type ShownReference } from './formula-outlines.js';
import { FormulaPointing } from './formula-pointing.js';
import type { Frame } from './grid-rows.js';
import type { GridHost } from './host.js';
import { keyCommand } from './keymap.js';
import { LONG_TEXT_CHARS } from './metrics.js';
import './date-picker.js';
import './option-list.js';

/** Width of the multi-line editor at least, whatever the column's width: room to read a paragraph. */
const LONG_EDITOR_MIN_WIDTH = 420;
/** The list of the formula's references, which the editor names as its description. */
const REFS_ID = 'formula-refs';

/**
 * Typing into the active cell: opening the editor (on a view link, saying
 * why not), the draft, committing it through the column's parser (a value
 * that does not fit keeps the editor open and says why), cancelling.
 *
 * Long text (a long-text column, or text over LONG_TEXT_CHARS or with line
 * breaks) opens a multi-line editor laid over the grid, big enough to read;
 * anything else edits in the cell. A status or choice cell shows its options
 * narrowed as the person types (<option-list>; the input keeps focus, arrows
 * move, Enter takes one); a date cell has a calendar (<date-picker>) behind a
 * small button and Alt+ArrowDown. Both are laid over the grid too, under the cell.
 * A formula has its references outlined on the grid and listed under the cell,
 * and arrows or clicks can point at cells to put their references in (FormulaPointing).
 */
export class EditingController implements ReactiveController {
  editing = false;
  draft = '';
  /** The open editor is the multi-line one. */
  multiline = false;
  /** Which of the offered options is current, in the option list. */
  optionActive = 0;
  /** The calendar is open (the keyboard is in it). */
  pickerOpen = false;
  /**
   * Alt+ArrowDown opened every option of a status / choice cell: the arrows go through
   * them before anything is typed. Typing narrows them again.
   */
  browsing = false;
  /** Pointing at cells to put their references into the formula being typed. */
  readonly formula: FormulaPointing;
  private refsMemo: { draft: string; sheetId: string; decimal: string; refs: ShownReference[] } | null = null;

  constructor(private readonly host: GridHost) {
    host.addController(this);
    this.formula = new FormulaPointing(host, this);
  }

  editorElement(): HTMLInputElement | HTMLTextAreaElement | null {
    return this.host.renderRoot.querySelector<HTMLInputElement | HTMLTextAreaElement>('.cell.active input, .cell.active textarea, textarea.long-editor');
  }

  hostUpdated(): void {
    if (!this.editing || this.pickerOpen) return;
    const editor = this.editorElement();
    const root = this.host.renderRoot as ShadowRoot;
    if (editor && root.activeElement !== editor) {
      editor.focus({ preventScroll: this.multiline });
      editor.setSelectionRange(editor.value.length, editor.value.length);
    }
    const caret = this.formula.pendingCaret;
    if (editor && caret !== null) {
      this.formula.pendingCaret = null;
      editor.setSelectionRange(caret, caret);
    }
    if (editor && this.references().length) editor.setAttribute('aria-describedby', REFS_ID);
    else editor?.removeAttribute('aria-describedby');
    // The options live in this same tree, so the input can point at the current one.
    const list = this.list();
    if (editor && list) {
      editor.setAttribute('aria-controls', list.listId());
      const id = list.activeId();
      if (id) editor.setAttribute('aria-activedescendant', id);
      else editor.removeAttribute('aria-activedescendant');
    }
  }

  private list() {
    return this.host.renderRoot.querySelector('option-list');
  }

  private column(): Column | null {
    return this.host.selection.activeCell()?.col ?? null;
  }

  /** The draft is a formula (being typed: `=` alone counts) in a column that can hold one. */
  get formulaDraft(): boolean {
    const col = this.column();
    return this.editing && !!col && this.draft.trimStart().startsWith('=') && col.type !== 'counter' && col.type !== 'claim';
  }

  /** The references of the formula being edited, each with its colour (none when the draft is no formula). */
  references(): ShownReference[] {
    if (!this.formulaDraft) return [];
    const sheetId = this.host.sheetId;
    const decimal = inputOptions(currentLocale()).decimal ?? '.';
    const m = this.refsMemo;
    if (m && m.draft === this.draft && m.sheetId === sheetId && m.decimal === decimal) return m.refs;
    const name = this.host.workbook?.sheets().find((s) => s.id === sheetId)?.name ?? '';
    const refs = formulaReferences(this.draft, name, decimal);
    this.refsMemo = { draft: this.draft, sheetId, decimal, refs };
    return refs;
  }

  /** The part of the draft the option list narrows by: all of it, or for several choices what follows the last comma. */
  private query(col: Column): string {
    if (this.browsing && col.type === 'select') return '';
    if (col.type !== 'multiselect') return this.draft;
    const parts = this.draft.split(MULTI_SEPARATOR);
    return parts[parts.length - 1];
  }

  /** Whether Enter and the arrows belong to the option list: something typed, and an option matching it. */
  get offering(): boolean {
    const col = this.column();
    if (!this.editing || !col || (col.type !== 'select' && col.type !== 'multiselect') || this.formulaDraft) return false;
    return (this.browsing || this.query(col).trim() !== '') && !!this.list()?.current();
  }

  moveOption(delta: number): void {
    this.list()?.move(delta);
    this.optionActive = this.list()?.active ?? 0;
    this.host.requestUpdate();
  }

  /** Takes the current option (or the clicked one): a choice is saved at once; several choices keep the editor open for the next. */
  pickOption(id?: string): void {
    const col = this.column();
    const list = this.list();
    const option = id ? col?.options.find((o) => o.id === id) : list?.current();
    if (!col || !option) return;
    if (col.type === 'multiselect') {
      const parts = this.draft.split(MULTI_SEPARATOR).map((p) => p.trim());
      parts[parts.length - 1] = option.label;
      this.draft = `${parts.join(', ')}, `;
      this.optionActive = 0;
      // As after a typed pick, Enter now saves; Alt+ArrowDown again lists every option for the next.
      this.browsing = false;
      this.host.requestUpdate();
      return;
    }
    this.draft = option.label;
    const next = keyCommand({ key: 'Enter' }, { ...this.host.keyContext(true), optionList: false });
    if (next) this.host.run(next);
  }

  /**
   * Alt+ArrowDown: on a date cell the calendar, the keyboard in it; on a status or choice cell
   * every option, the current value's marked (a multiselect adds to what it holds). Not yet
   * editing, it starts the editor first (a view link says why not).
   */
  openPicker(): void {
    const col = this.column();
    if (!col || !['date', 'datetime', 'select', 'multiselect'].includes(col.type)) return;
    if (!this.editing) {
      this.start();
      if (!this.editing) return;
    }
    if (col.type === 'select' || col.type === 'multiselect') {
      if (col.type === 'multiselect' && this.draft.trim() && !/,\s*$/.test(this.draft)) this.draft = `${this.draft.trim()}, `;
      this.browsing = true;
      const current = col.type === 'select' ? col.options.findIndex((o) => o.label === this.draft.trim()) : -1;
      this.optionActive = Math.max(0, current);
      this.host.requestUpdate();
      return;
    }
    this.pickerOpen = true;
    this.host.requestUpdate();
    void this.host.updateComplete.then(() => this.host.renderRoot.querySelector('date-picker')?.focus());
  }

  /** The draft as an ISO date for the calendar, or null when it is not (yet) a date. */
  private draftDate(col: Column): string | null {
    try {
      const v = parseInput(col, this.draft, inputOptions(currentLocale()));
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null;
    } catch {
      return null;
    }
  }

  private onDatePick = (e: CustomEvent<{ value: string }>): void => {
    const col = this.column();
    if (!col) return;
    // A date-time keeps the time already typed.
    const time = col.type === 'datetime' ? (/\s(\d{1,2}:\d{2}.*)$/.exec(this.draft.trim())?.[1] ?? '00:00') : '';
    this.draft = time ? `${e.detail.value} ${time}` : e.detail.value;
    this.pickerOpen = false;
    this.commit();
  };

  private onDateCancel = (): void => {
    this.pickerOpen = false;
    this.host.requestUpdate();
  };

  private onOptionPick = (e: CustomEvent<{ id: string }>): void => {
    this.pickOption(e.detail.id);
  };

  private onPickerButton = (e: Event): void => {
    // Keep the input's focus (a blur would save and close the editor) until the calendar takes it.
    e.preventDefault();
    e.stopPropagation();
    this.openPicker();
  };

  /** Opens the editor on the active cell, with `initial` replacing its value when given. */
  start(initial?: string): void {
    const a = this.host.selection.activeCell();
    const wb = this.host.workbook;
    if (!a || !wb) return;
    if (this.host.refuseReadOnly()) return;
    // Every row of a computed column shows its formula's result: a value typed there would be hidden under it (Grist refuses it too).
    if (a.col.formula) {
      const formula = wb.formulaForDisplay(a.col.formula, { sheetId: this.host.sheetId, rowId: a.rowId }, inputOptions(currentLocale()));
      this.host.notice = t('formula.computedColumn', { column: a.col.name, formula });
      return;
    }
    const stored = wb.getFormula(this.host.sheetId, a.rowId, a.col.id);
    // A formula cell edits its formula, named in A1 for the order the reader sees now.
    this.draft =
      initial ??
      (stored !== null
        ? wb.formulaForDisplay(stored, { sheetId: this.host.sheetId, rowId: a.rowId }, inputOptions(currentLocale()))
        : editText(currentLocale(), a.col, wb.getValue(this.host.sheetId, a.rowId, a.col.id)));
    this.multiline = isLongText(a.col, this.draft);
    this.optionActive = 0;
    this.pickerOpen = false;
    this.browsing = false;
    this.formula.reset();
    this.host.error = '';
    this.editing = true;
    this.host.requestUpdate();
  }

  cancel(): void {
    this.editing = false;
    this.formula.reset();
    this.pickerOpen = false;
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
      writeTyped(wb, sheetId, a.rowId, a.col, this.draft);
    } catch (err) {
      if (isModelError(err) || isFormulaError(err)) {
        this.host.error = errorText(err);
        return false;
      }
      throw err;
    }
    this.editing = false;
    this.pickerOpen = false;
    this.formula.reset();
    this.host.error = '';
    if (refocus) this.host.focusGrid();
    else this.host.requestUpdate();
    return true;
  }

  private onInput = (e: Event): void => {
    const wasFormula = this.formulaDraft;
    this.draft = (e.target as HTMLInputElement | HTMLTextAreaElement).value;
    // What is on offer follows the typing (the option list re-reads the query).
    this.optionActive = 0;
    this.browsing = false;
    this.formula.typed();
    const col = this.column();
    // The outlines and the list of references follow a formula's typing.
    if (col?.type === 'select' || col?.type === 'multiselect' || wasFormula || this.formulaDraft) this.host.requestUpdate();
  };

  private onBlur = (): void => {
    // Focus moved elsewhere (a click outside the grid): keep what was typed. The calendar is the editor's own.
    if (this.editing && !this.pickerOpen) this.commit(false);
  };

  private onKeydown = (e: KeyboardEvent): void => {
    e.stopPropagation();
    // An IME commits its composition with Enter: that Enter (and Tab, Escape) is not ours.
    const composing = e.isComposing || e.keyCode === 229;
    const pointing = !composing && this.formulaDraft && e.key.startsWith('Arrow') && this.formula.canPoint();
    const command = keyCommand({ key: e.key, shift: e.shiftKey, ctrl: e.ctrlKey || e.metaKey, alt: e.altKey, composing }, { ...this.host.keyContext(true), pointing });
    if (!command) return;
    e.preventDefault();
    // Pointing is the editor's own business: the grid's selection stays on the cell being edited.
    if (command.kind === 'point-move') this.formula.move(command.dRow, command.dCol, command.extend, command.jump);
    else if (command.kind === 'edit-newline') {
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
    const choice = col.type === 'select' || col.type === 'multiselect';
    const dated = col.type === 'date' || col.type === 'datetime';
    return html`<input
        aria-label=${t('grid.edit', { name: col.name })}
        role=${choice ? 'combobox' : nothing}
        aria-autocomplete=${choice ? 'list' : nothing}
        aria-expanded=${choice ? 'true' : nothing}
        .value=${this.draft}
        inputmode=${col.type === 'number' ? 'decimal' : 'text'}
        placeholder=${col.type === 'date' ? t('grid.datePlaceholder') : col.type === 'datetime' ? t('grid.dateTimePlaceholder') : ''}
        @input=${this.onInput}
        @keydown=${this.onKeydown}
        @blur=${this.onBlur}
        @pointerdown=${this.stop}
      />${dated
        ? html`<button class="pick" tabindex="-1" aria-label=${t('grid.pickDate')} title=${t('grid.pickDate')} @pointerdown=${this.onPickerButton}>▾</button>`
        : nothing}`;
  }

  /**
   * Under the active cell, at (left, top) in the grid's pixels: a formula's references, the options
   * on offer, or the calendar; and the live region that says which reference pointing put in.
   */
  renderBelow(col: Column, left: number, top: number) {
    if (!this.editing) return nothing;
    // Over the cell rather than under it when the multi-line editor covers what is under it.
    const above = this.multiline ? top - this.host.viewport.rowHeight : top;
    const below = this.formulaDraft ? renderChips(this.references(), REFS_ID, left, above, this.multiline) : this.renderPicker(col, left, top);
    return html`${below}<div class="sr" role="status">${this.formula.announcement}</div>`;
  }

  /** The formula's references outlined on the grid, each in its colour (nothing when the draft is no formula). */
  renderOutlines(f: Frame) {
    const refs = this.references();
    return refs.length ? renderOutlines(this.host, f, refs, this.formula.pointedFrom) : nothing;
  }

  private renderPicker(col: Column, left: number, top: number) {
    if ((col.type === 'select' || col.type === 'multiselect') && col.options.length) {
      return html`<option-list
        class="below"
        style="left:${left}px;top:${top}px"
        .options=${col.options}
        .query=${this.query(col)}
        .active=${this.optionActive}
        .label=${col.name}
        @option-pick=${this.onOptionPick}
      ></option-list>`;
    }
    if (this.pickerOpen && (col.type === 'date' || col.type === 'datetime')) {
      return html`<date-picker
        class="below"
        style="left:${left}px;top:${top}px"
        .value=${this.draftDate(col)}
        .locale=${currentLocale()}
        @date-pick=${this.onDatePick}
        @date-cancel=${this.onDateCancel}
      ></date-picker>`;
    }
    return nothing;
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

/**
 * What a person typed into a cell, written as the grid's editor writes it: a formula through
 * setFormula, anything else through the column's parser, and nothing when it changes nothing.
 * Throws (ModelError, FormulaError) and writes nothing when it does not fit. Edits typed in the
 * first screen go through here too when the doc is in (first-screen-edits.ts).
 */
export function writeTyped(wb: Workbook, sheetId: string, rowId: string, col: Column, text: string): void {
  const options = inputOptions(currentLocale());
  const current = wb.getCell(sheetId, rowId, col.id);
  if (isFormulaText(col, text)) {
    // Written only when it changed: F2 then Enter on a formula leaves it (and its history) alone.
    const was = current?.formula !== undefined ? wb.formulaForDisplay(current.formula, { sheetId, rowId }, options) : null;
    if (text !== was) wb.setFormula(sheetId, rowId, col.id, text, options);
  } else {
    const value = parseInput(col, text, options);
    if (current?.formula !== undefined || !(current?.v === value || (current === undefined && value === null))) wb.setCell(sheetId, rowId, col.id, value);
  }
}

/** Whether editing `text` in `col` wants the multi-line editor. */
export function isLongText(col: Column, text: string): boolean {
  if (col.type === 'longtext') return true;
  return col.type === 'text' && (text.length > LONG_TEXT_CHARS || text.includes('\n'));
}

/** Typed text that is a formula: `=` first, in a column that can hold one (counters and claims compute their own value). */
export function isFormulaText(col: Column, text: string): boolean {
  return text.trimStart().startsWith('=') && text.trim().length > 1 && col.type !== 'counter' && col.type !== 'claim';
}
