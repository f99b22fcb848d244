import { dataEdge, type CellPos } from '../../model/range.js';
import { a1Text, referenceSlot } from '../../model/formula/typed-refs.js';
import { currentLocale, t } from '../i18n/locale.js';
import { inputOptions } from '../i18n/value-text.js';
import type { GridHost } from './host.js';

/** Where the reference being pointed at is in the draft, and its two corners as view positions. */
interface Pointed {
  from: number;
  to: number;
  anchor: CellPos;
  focus: CellPos;
}

/** What pointing needs of the editor: its draft, its element, and the column edited. */
export interface PointingEditor {
  draft: string;
  readonly editing: boolean;
  editorElement(): HTMLInputElement | HTMLTextAreaElement | null;
}

/**
 * Pointing at cells to put their reference into a formula, as Sheets and Excel do: while the caret
 * stands where a reference may go (after `=`, `(`, the separator, an operator), arrows move a
 * pointer from the cell being edited and write its A1 reference at the caret, Shift+arrows stretch
 * it into a range, a click writes the clicked cell's and a drag a range. Each further move
 * replaces the reference it wrote, until something is typed (or the caret moved): then the
 * reference stays and the arrows are the editor's again. Every reference written is announced.
 */
export class FormulaPointing {
  private pointed: Pointed | null = null;
  /** The last reference written, for the live region (screen readers hear each one). */
  announcement = '';
  /** Where the caret goes once the draft with a new reference is in the editor. */
  pendingCaret: number | null = null;

  constructor(
    private readonly host: GridHost,
    private readonly editor: PointingEditor,
  ) {}

  reset(): void {
    this.pointed = null;
    this.announcement = '';
    this.pendingCaret = null;
  }

  /** Where the reference being pointed at starts in the draft, or null when not pointing. */
  get pointedFrom(): number | null {
    return this.pointed?.from ?? null;
  }

  /** Something was typed: the reference written stays as it is. */
  typed(): void {
    this.pointed = null;
  }

  /** Whether arrows and clicks point now: still pointing, or the caret at a place for a reference. */
  canPoint(): boolean {
    const el = this.editor.editorElement();
    if (!this.editor.editing || !el) return false;
    const { selectionStart: start, selectionEnd: end } = el;
    if (start === null || end === null) return false;
    const col = this.host.selection.activeCell()?.col;
    if (!col || col.type === 'counter' || col.type === 'claim') return false;
    const p = this.pointed;
    if (p && start === p.to && end === p.to) return true;
    this.pointed = null;
    return referenceSlot(this.editor.draft, start, inputOptions(currentLocale()).decimal);
  }

  /**
   * An arrow while pointing (Shift: stretching the range; Ctrl: to the data's edge, as Ctrl+arrows
   * move in the grid), from the cell being edited the first time.
   */
  move(dRow: number, dCol: number, extend: boolean, jump = false): void {
    const p = this.pointed;
    const from = p?.focus ?? this.host.selection.active;
    const focus = this.clamp(jump ? this.edge(from, dRow, dCol) : { row: from.row + dRow, col: from.col + dCol });
    const anchor = extend ? (p?.anchor ?? this.host.selection.active) : focus;
    this.write(anchor, focus);
  }

  /** A press on a cell: its reference (Shift: the range from the pointed corner to it). */
  pointAt(pos: CellPos, extend: boolean): void {
    const anchor = extend && this.pointed ? this.pointed.anchor : pos;
    this.write(anchor, pos);
  }

  /** The pointer dragged on to another cell while pressed: the range from where the press began. */
  dragTo(pos: CellPos): void {
    const p = this.pointed;
    if (!p || (p.focus.row === pos.row && p.focus.col === pos.col)) return;
    this.write(p.anchor, pos);
  }

  /** Where Ctrl+arrow goes from `from`: the end of the run of filled cells, or the next filled one. */
  private edge(from: CellPos, dRow: number, dCol: number): CellPos {
    const { filled, nRows, nCols } = this.host.keyContext(true);
    const has = filled ?? (() => false);
    if (dRow) return { row: dataEdge(from.row, dRow > 0 ? 1 : -1, nRows, (r) => has(r, from.col)), col: from.col };
    return { row: from.row, col: dataEdge(from.col, dCol > 0 ? 1 : -1, nCols, (c) => has(from.row, c)) };
  }

  private clamp(p: CellPos): CellPos {
    const { rows, columns } = this.host.data.shown();
    return { row: Math.max(0, Math.min(rows.length - 1, p.row)), col: Math.max(0, Math.min(columns.length - 1, p.col)) };
  }

  /**
   * A1 for the rectangle between two view cells. References name the sheet's order, not the
   * reader's view: the row numbers are the ones the grid shows (row 12 stays 12 when sorted) and a
   * column hidden by the view still has its letter.
   */
  private a1(anchor: CellPos, focus: CellPos): string | null {
    const wb = this.host.workbook;
    if (!wb) return null;
    const { columns } = this.host.data.shown();
    const all = wb.columns(this.host.sheetId);
    const letterIndex = (c: number) => all.findIndex((x) => x.id === columns[c]?.id);
    const [ac, fc] = [letterIndex(anchor.col), letterIndex(focus.col)];
    if (ac < 0 || fc < 0) return null;
    const row = (r: number) => this.host.data.rowNumber(r) - 1;
    return a1Text({ row: row(anchor.row), col: ac }, { row: row(focus.row), col: fc });
  }

  private write(anchor: CellPos, focus: CellPos): void {
    const el = this.editor.editorElement();
    const text = this.a1(anchor, focus);
    if (!el || text === null) return;
    const draft = this.editor.draft;
    const from = this.pointed?.from ?? el.selectionStart ?? draft.length;
    const to = this.pointed?.to ?? el.selectionEnd ?? from;
    this.editor.draft = draft.slice(0, from) + text + draft.slice(to);
    this.pointed = { from, to: from + text.length, anchor, focus };
    this.pendingCaret = from + text.length;
    this.announcement = t('formula.pointed', { ref: text });
    this.host.viewport.reveal(focus);
    this.host.requestUpdate();
  }
}
