/**
 * The grid's toolbar as a Lit template. On a view link every control that
 * would change the sheet is disabled and says why (title and
 * aria-description), and undo / redo, which have nothing to undo there, are
 * not shown.
 */
import { html, nothing } from 'lit';
import { EMPTY_VIEW } from '../../model/view.js';
import { conflictToggle } from '../conflict-tracker.js';
import { t, tn } from '../i18n/locale.js';
import type { GridHost } from './host.js';
import type { Frame } from './grid-rows.js';

/** What the toolbar's buttons do, carried out by the element. */
export interface ToolbarActions {
  addRow(): void;
  deleteRows(): void;
  addColumn(): void;
  openTrash(): void;
  openActivity(): void;
  openCellHistory(): void;
  openColumnSettings(): void;
  openViewMenu(): void;
  undo(redo: boolean): void;
  applyOrder(rows: string[]): void;
}

export function renderToolbar(g: GridHost, f: Frame, act: ToolbarActions) {
  const wb = g.workbook!;
  const { rows, columns, rect, readOnly: ro } = f;
  const why = ro ? t('grid.viewOnlyReason') : undefined;
  const trashWhy = ro ? t('grid.viewOnlyTrash') : undefined;
  const active = g.selection.active;
  const agg = g.data.aggregates;
  const filtered = g.data.viewActive;
  return html`<div class="toolbar" role="toolbar" aria-label=${t('grid.actions')}>
    <button @click=${() => act.addRow()} ?disabled=${ro || !columns.length} title=${why ?? nothing} aria-description=${why ?? nothing}>${t('grid.addRow')}</button>
    <button @click=${() => act.deleteRows()} ?disabled=${ro || !rows.length} title=${why ?? nothing} aria-description=${why ?? nothing}>
      ${rect.bottom > rect.top ? t('grid.deleteRows', { n: rect.bottom - rect.top + 1 }) : t('grid.deleteRow')}
    </button>
    <button @click=${() => act.addColumn()} ?disabled=${ro} title=${why ?? nothing} aria-description=${why ?? nothing}>${t('grid.addColumn')}</button>
    <button @click=${() => act.openTrash()} ?disabled=${ro} title=${trashWhy ?? nothing} aria-description=${trashWhy ?? nothing}>
      ${t('grid.trash', { n: wb.deletedRows(g.sheetId).length })}
    </button>
    <button @click=${() => act.openActivity()}>${t('grid.activity')}</button>
    <button @click=${() => act.openCellHistory()} title=${t('grid.cellHistoryTitle')} ?disabled=${!rows.length || !columns.length}>${t('grid.cellHistory')}</button>
    <button @click=${() => act.openColumnSettings()} ?disabled=${ro || !columns[active.col]} title=${why ?? nothing} aria-description=${why ?? nothing}>
      ${t('grid.columnSettings')}
    </button>
    <button @click=${() => act.openViewMenu()} ?disabled=${!columns[active.col]}>${t('grid.sortFilter')}</button>
    ${conflictToggle(g.conflicts)}
    ${ro
      ? nothing
      : html`<button aria-label=${t('grid.undo')} title=${t('grid.undoTitle')} @click=${() => act.undo(false)} ?disabled=${!g.undo?.canUndo()}>↶</button>
          <button aria-label=${t('grid.redo')} title=${t('grid.redoTitle')} @click=${() => act.undo(true)} ?disabled=${!g.undo?.canRedo()}>↷</button>`}
    ${agg?.ready && agg.lowCount() ? html`<span class="lowinfo" role="status">${tn('grid.low', agg.lowCount())}</span>` : nothing}
    ${filtered
      ? html`<span class="viewinfo" role="status" title=${t('grid.myView', { view: g.data.describeView(rows.length) })}
            >${t('grid.myView', { view: g.data.describeView(rows.length) })}</span
          >
          <button @click=${() => g.data.setView({ ...EMPTY_VIEW })}>${t('grid.showAll')}</button>
          ${g.data.view.sort.length
            ? html`<button @click=${() => act.applyOrder(rows)} ?disabled=${ro} title=${why ?? t('grid.applyOrderTitle')} aria-description=${why ?? nothing}>
                ${t('grid.applyOrder')}
              </button>`
            : nothing}`
      : nothing}
  </div>`;
}
