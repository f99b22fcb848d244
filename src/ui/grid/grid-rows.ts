/**
 * The grid's body as Lit templates: the column headers, the windowed rows and
 * their cells, the sticky column figures and the footer line. Pure rendering over the grid's
 * state (through GridHost); every event goes back to a controller.
 */
import { html, nothing } from 'lit';
import { rectContains, rectSize, type Rect } from '../../model/range.js';
import type { Scalar } from '../../model/formula/values.js';
import type { CellValue, Column } from '../../model/types.js';
import { MULTI_SEPARATOR, fitsColumn, isSafeLink } from '../../model/values.js';
import { claimCellText, claimHolders, claimText } from '../claim-text.js';
import { conflictLabel, conflictMark, currentConflictText } from '../conflict-tracker.js';
import { currentLocale, formatNumber, t, type Locale } from '../i18n/locale.js';
import { displayValue, inputOptions, numberText, personText, relativeTime, summaryText } from '../i18n/value-text.js';
import type { PeerCursor } from '../presence.js';
import { isErrorResult, resultMeaning, resultText } from '../result-text.js';
import { safeColor } from '../safe-style.js';
import type { GridHost } from './host.js';
import { HEADER_HEIGHT, ROW_NUMBER_WIDTH } from './metrics.js';

/** What one render of the grid lays out: the shown sheet, column geometry and the window. */
export interface Frame {
  rows: string[];
  columns: Column[];
  widths: number[];
  /** Left edge of each column, and last the total width. */
  offsets: number[];
  colFrom: number;
  colTo: number;
  rect: Rect;
  peersAt: Map<string, PeerCursor[]>;
  readOnly: boolean;
}

export function renderHeader(g: GridHost, f: Frame) {
  const { columns, widths, offsets, colFrom, colTo } = f;
  const sortOf = new Map(g.data.view.sort.map((s) => [s.colId, s.dir]));
  const preview = g.pointer.widthPreview;
  return html`<div class="header" role="row" aria-rowindex="1">
    <div class="corner" role="columnheader" aria-colindex="1"><span class="sr">${t('grid.rowNumber')}</span></div>
    <div class="gap" style="width:${offsets[colFrom]}px"></div>
    ${columns.slice(colFrom, colTo).map((c, k) => {
      const i = colFrom + k;
      const dir = sortOf.get(c.id);
      return html`<div
        class="colhead"
        role="columnheader"
        aria-colindex=${i + 2}
        aria-sort=${dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : nothing}
        style="width:${widths[i]}px"
        title=${t('grid.columnTitle', { name: c.name, type: t(`type.${c.type}`) })}
        @click=${(e: MouseEvent) => g.selection.selectColumn(i, e.shiftKey)}
        @dblclick=${() => (f.readOnly ? undefined : g.openColumnSettings(i))}
      >
        <span class="name">${c.name}</span>
        ${dir ? html`<span class="sort" aria-hidden="true">${dir === 'asc' ? '▲' : '▼'}</span>` : nothing}
        <button
          class="menu"
          tabindex="-1"
          aria-label=${t('grid.columnMenu', { name: c.name })}
          @click=${(e: Event) => {
            e.stopPropagation();
            g.openViewMenu(i);
          }}
        >
          ⋮
        </button>
        ${f.readOnly
          ? nothing
          : html`<span
              class="resizer ${preview?.colId === c.id ? 'active' : ''}"
              aria-hidden="true"
              @pointerdown=${(e: PointerEvent) => g.pointer.startResize(e, c, widths[i])}
              @click=${(e: Event) => e.stopPropagation()}
            ></span>`}
      </div>`;
    })}
    <div class="gap" style="width:${offsets[columns.length] - offsets[colTo]}px"></div>
  </div>`;
}

export function renderRow(g: GridHost, f: Frame, index: number) {
  const wb = g.workbook!;
  const rowId = f.rows[index];
  const { columns, widths, offsets, rect, peersAt } = f;
  const active = g.selection.active;
  const editing = g.editor.editing;
  const isActiveRow = index === active.row;
  // In the active row the active cell is always rendered, even when scrolled sideways.
  const from = isActiveRow ? Math.min(f.colFrom, active.col) : f.colFrom;
  const to = isActiveRow ? Math.max(f.colTo, active.col + 1) : f.colTo;
  const h = g.viewport.rowHeight;
  const agg = g.data.aggregates;
  const locale = currentLocale();
  return html`<div
    class="row ${g.pointer.dropRow === index ? 'drop-before' : ''}"
    role="row"
    aria-rowindex=${index + 2}
    style="height:${h}px;width:${ROW_NUMBER_WIDTH + offsets[offsets.length - 1]}px;transform:translateY(${HEADER_HEIGHT + index * h}px)"
  >
    <div class="rowhead" role="rowheader" aria-colindex="1" @pointerdown=${(e: PointerEvent) => g.pointer.rowHeadDown(e, index)}>${g.data.rowNumber(index)}</div>
    <div class="gap" style="width:${offsets[from]}px"></div>
    ${columns.slice(from, to).map((col, k) => {
      const c = from + k;
      const isActive = isActiveRow && c === active.col;
      const selected = rectContains(rect, index, c);
      const record = wb.getCell(g.sheetId, rowId, col.id);
      const value = record?.v ?? null;
      const computed = g.formulas.result(g.sheetId, rowId, col.id);
      const isFormula = computed !== undefined || record?.formula !== undefined;
      const misfit = !isFormula && value !== null && col.type !== 'claim' && !fitsColumn(col, value);
      const peers = peersAt.get(`${rowId}:${col.id}`);
      const low = col.type === 'counter' && agg?.isLow(rowId, col.id);
      const stale = col.type === 'claim' && agg?.isStale(rowId, col.id);
      const conflict = g.conflicts.at(rowId, col.id);
      const cellEditing = isActive && editing;
      const hit = g.findHits?.at(index, c);
      return html`<div
        class="cell ${col.type} ${isActive ? 'active' : ''} ${hit === 'current' ? 'found found-current' : hit ? 'found' : ''} ${misfit ? 'misfit' : ''} ${low ? 'low' : ''} ${stale ? 'stale' : ''} ${peers ? 'peer' : ''} ${peers?.every((p) => p.idle) ? 'idle' : ''} ${conflict ? 'conflicted' : ''}"
        role="gridcell"
        aria-description=${conflict ? conflictLabel(locale, conflict) : nothing}
        aria-colindex=${c + 2}
        aria-selected=${selected ? 'true' : 'false'}
        tabindex=${isActive ? 0 : -1}
        data-row=${index}
        data-col=${c}
        style="width:${widths[c]}px;${peers ? `--peer:${safeColor(peers[0].color)}` : ''}"
        @pointerdown=${(e: PointerEvent) => g.pointer.cellDown(e, index, c)}
        @dblclick=${() => (col.type === 'claim' ? g.run({ kind: 'claim-menu' }) : g.editor.start())}
      >
        ${cellEditing ? g.editor.renderInCell(col) : nothing}
        ${cellEditing && !g.editor.multiline ? nothing : isFormula ? renderResult(col, computed) : renderValue(g, col, value, misfit, rowId, isActive && !f.readOnly)}
        ${peers ? html`<span class="peer-tag">${peers.map((p) => p.name).join(', ')}</span>` : nothing}
        ${conflict && !cellEditing ? conflictMark(() => g.openConflictAt({ row: index, col: c })) : nothing}
      </div>`;
    })}
  </div>`;
}

/** What the editor lays over the grid, placed at the active cell: the multi-line editor, or the options / calendar under it. */
export function renderEditorLayer(g: GridHost, f: Frame) {
  const a = g.selection.active;
  const col = f.columns[a.col];
  if (!col || !g.editor.editing) return nothing;
  const left = ROW_NUMBER_WIDTH + f.offsets[a.col];
  const top = HEADER_HEIGHT + a.row * g.viewport.rowHeight;
  return html`${g.editor.renderOutlines(f)}${g.editor.renderOverlay(col, left, top, f.widths[a.col])}${g.editor.renderBelow(col, left, top + g.viewport.rowHeight)}`;
}

function renderValue(g: GridHost, col: Column, value: CellValue, misfit: boolean, rowId: string, steppers: boolean) {
  const locale = currentLocale();
  if (col.type === 'counter') {
    return html`${steppers
        ? html`<span class="steppers"
            ><button tabindex="-1" aria-label=${t('grid.minusOne', { name: col.name })} @pointerdown=${(e: Event) => stepper(e, () => g.step(rowId, col, -1))}>−</button
            ><button tabindex="-1" aria-label=${t('grid.plusOne', { name: col.name })} @pointerdown=${(e: Event) => stepper(e, () => g.step(rowId, col, 1))}>+</button></span
          >`
        : nothing}${typeof value === 'number' ? numberText(locale, value) : (value ?? '')}`;
  }
  if (col.type === 'claim') {
    const held = claimHolders(g.workbook!, g.sheetId, rowId, col.id);
    const conflict = new Set(held.map((e) => e.name)).size > 1;
    return html`${conflict ? html`<span class="conflict" title=${t('grid.claimConflict')}>⚠ </span>` : nothing}${claimText(locale, held)}`;
  }
  if (value === null) return nothing;
  if (!misfit && col.type === 'checkbox') {
    return html`<span role="img" aria-label=${value ? t('grid.checked') : t('grid.notChecked')} data-toggle="1">${value ? '☑' : '☐'}</span>`;
  }
  if (!misfit && (col.type === 'select' || col.type === 'multiselect') && typeof value === 'string') {
    const opts = value.split(MULTI_SEPARATOR).map((id) => col.options.find((o) => o.id === id));
    if (opts.every(Boolean)) {
      // A chip cut short by a narrow column still says its whole label on hover.
      return opts.map(
        (opt) => html`<span class="chip" title=${opt!.label} style="background:${safeColor(opt!.color)}33;border:1px solid ${safeColor(opt!.color)}">${opt!.label}</span> `,
      );
    }
  }
  // Only web, mail and phone links open; anything else in a link column stays inert text.
  if (col.type === 'link' && typeof value === 'string' && isSafeLink(value)) {
    return html`<a href=${value} target="_blank" rel="noopener noreferrer" tabindex="-1">${value}</a>`;
  }
  if (col.type === 'longtext' && typeof value === 'string') return value.split('\n')[0];
  return displayValue(locale, col, value);
}


/**
 * A formula's result as the cell shows it: numbers in the reader's way (dates as dates in a date
 * column), TRUE/FALSE, text; an error value with what it means on hover. Nothing while the engine loads.
 */
function renderResult(col: Column, result: Scalar | undefined) {
  const locale = currentLocale();
  if (result === undefined || result === null) return nothing;
  if (isErrorResult(result)) return html`<span class="formula-error" title=${resultMeaning(result)}>${result.error}</span>`;
  return resultText(locale, col, result);
}

function formulaLine(locale: Locale, formula: string, result: Scalar | undefined): string {
  if (result === undefined) return formula;
  return t('formula.line', { formula, result: resultText(locale, null, result) });
}

/** A counter's − / + acts on press, and keeps the press from selecting or focusing anything else. */
function stepper(e: Event, act: () => void): void {
  e.preventDefault();
  e.stopPropagation();
  act();
}

/** Column figures under the grid, sticky at the bottom, scrolled sideways with it. */
export function renderSummaries(g: GridHost, f: Frame) {
  const agg = g.data.aggregates;
  const { columns, widths, offsets, colFrom, colTo } = f;
  if (!agg || !agg.ready || !columns.length) return nothing;
  agg.setCellConflicts(g.conflicts.byColumn);
  const locale = currentLocale();
  return html`<div class="summaries" aria-label=${t('grid.totals')} style="width:${ROW_NUMBER_WIDTH + offsets[offsets.length - 1]}px">
    <div class="corner" aria-hidden="true">Σ</div>
    <div class="gap" style="width:${offsets[colFrom]}px"></div>
    ${columns.slice(colFrom, colTo).map((c, k) => {
      const sum = agg.summary(c.id);
      const text = summaryText(locale, sum);
      return html`<div class="figure ${sum.low || sum.conflicts || sum.stale ? 'alert' : ''}" style="width:${widths[colFrom + k]}px" title=${`${c.name}: ${text}`}>
        ${text}
      </div>`;
    })}
  </div>`;
}

/** The line under the grid: an error, or the active cell (who changed it, when); then the selection's and the sheet's size. */
export function renderFooter(g: GridHost, f: Frame) {
  const { rect, rows, columns } = f;
  return html`<div class="footer">
    ${g.error ? html`<span class="error" role="alert">${g.error}</span>` : html`<span aria-live="polite">${describeActive(g, f)}</span>`}
    <span
      >${rect.bottom > rect.top || rect.right > rect.left ? t('grid.cellsSelected', { n: formatNumber(rectSize(rect).cells) }) : ''}${t('grid.size', {
        rows: formatNumber(rows.length),
        columns: formatNumber(columns.length),
      })}</span
    >
  </div>`;
}

function describeActive(g: GridHost, f: Frame): string {
  const wb = g.workbook;
  const { row, col: c } = g.selection.active;
  const col = f.columns[c];
  const rowId = f.rows[row];
  if (!col || !rowId || !wb) return '';
  const record = wb.getCell(g.sheetId, rowId, col.id);
  const locale = currentLocale();
  // a column formula, where the column has one, is what every row of it shows
  const stored = col.formula ?? record?.formula;
  // A formula cell's line is the formula bar: the formula as the reader's order names its cells, and its result.
  const value = stored
    ? formulaLine(locale, wb.formulaForDisplay(stored, { sheetId: g.sheetId, rowId }, inputOptions(locale)), g.formulas.result(g.sheetId, rowId, col.id))
    : record && record.v !== null
      ? col.type === 'claim'
        ? claimCellText(locale, wb, g.sheetId, rowId, col.id)
        : displayValue(locale, col, record.v)
      : t('value.empty');
  const where = { column: col.name, row: g.data.rowNumber(row), value };
  const conflict = g.conflicts.at(rowId, col.id);
  const text = record ? t('grid.activeBy', { ...where, by: personText(locale, record.by), when: relativeTime(locale, record.at) }) : t('grid.active', where);
  return conflict ? `${text} · ${currentConflictText(wb, col, conflict)}` : text;
}
