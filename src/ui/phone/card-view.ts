import { css, html, nothing } from 'lit';
import { holders } from '../../model/claim.js';
import type { CellConflict } from '../../model/conflicts.js';
import type { Column } from '../../model/types.js';
import type { Workbook } from '../../model/workbook.js';
import { claimHolders, claimText } from '../claim-text.js';
import { currentLocale, t } from '../i18n/locale.js';
import { displayValue, numberText } from '../i18n/value-text.js';
import { safeColor } from '../safe-style.js';
import { counterMinimum, isLowCell, type CardLayout } from './card-list.js';
import { otherValues } from './conflict-text.js';
import { resultText } from '../result-text.js';
import { isComputed, type FormulaReader } from './formula-text.js';

/** One line of text on a card. */
const LINE_PX = 22;
/** A line with − / + : the buttons are 44 px targets. */
const COUNTER_PX = 48;
/** The title line holds the status chip, itself a 44 px target. */
const HEAD_PX = 46;
const PADDING_PX = 14;
/** A field's conflict: a 44 px control with up to two lines of who wrote what. */
export const CONFLICT_PX = 52;
/** Between cards. */
export const CARD_GAP_PX = 8;
export const ADD_CARD_PX = 64;

/** Every card of a sheet has the same fields, so one height: the windowed list needs it. */
export function cardHeight(layout: CardLayout): number {
  return PADDING_PX + HEAD_PX + layout.lines.length * LINE_PX + (layout.claims.length + layout.counters.length) * COUNTER_PX + CARD_GAP_PX;
}

export interface CardContext {
  wb: Workbook;
  sheetId: string;
  layout: CardLayout;
  height: number;
  /** can change what it shows: chips and − / + are controls, not just words */
  editable: boolean;
  open: (rowId: string, e: MouseEvent) => void;
  down: (e: PointerEvent) => void;
  pickStatus: (rowId: string, col: Column, n: number) => void;
  step: (rowId: string, col: Column, delta: number) => void;
  /** `person`: release that holder (this person's own claim); null: claim it */
  claim: (rowId: string, col: Column, person: string | null) => void;
  /** the card's fields that hold an open same-cell conflict, in the card's order */
  conflicts: (rowId: string) => { col: Column; conflict: CellConflict }[];
  /** opens the conflict's choices (read-only ones on a view link) */
  openConflict: (rowId: string, col: Column, n: number) => void;
  /** formula results, computed on this device */
  formulas: FormulaReader;
}

/** A field's value in words, as the grid's cell shows it (claims by who holds them, a formula by its result). */
export function fieldText(wb: Workbook, sheetId: string, rowId: string, col: Column, formulas?: FormulaReader | null): string {
  if (col.type === 'claim') return claimText(currentLocale(), claimHolders(wb, sheetId, rowId, col.id));
  // a computed field's own stored value (typed before its column had a formula) is not what it shows
  if (isComputed(formulas, sheetId, rowId, col)) return resultText(currentLocale(), col, formulas!.result(sheetId, rowId, col.id));
  return displayValue(currentLocale(), col, wb.getValue(sheetId, rowId, col.id));
}

/**
 * What a screen reader hears first for the card, after its number: its title and status, the
 * two things a volunteer scans a list by (the other fields are read inside it); with neither,
 * the first field that has something in it.
 */
export function cardSummary(wb: Workbook, sheetId: string, rowId: string, layout: CardLayout, formulas?: FormulaReader | null): string {
  const text = (c: Column | null) => (c ? fieldText(wb, sheetId, rowId, c, formulas) : '');
  const head = [text(layout.title), text(layout.status)].filter(Boolean);
  if (head.length) return head.join(', ');
  for (const c of [...layout.lines, ...layout.claims, ...layout.counters]) if (text(c)) return text(c);
  return '';
}

/**
 * A row as a card: its number and title, the status as a coloured chip that
 * changes it (the first of two taps), a line per field, and counters with their
 * own − / + and low-stock flag. The card's open control lies under all of it,
 * so a tap anywhere else opens the row's form.
 */
export function renderCard(ctx: CardContext, rowId: string, n: number, top: number) {
  const { wb, sheetId, layout } = ctx;
  const text = (c: Column) => fieldText(wb, sheetId, rowId, c, ctx.formulas);
  const title = layout.title ? text(layout.title) : '';
  const conflicts = ctx.conflicts(rowId);
  return html`<div
    class="card"
    role="listitem"
    aria-label=${t('cards.row', { n, text: cardSummary(wb, sheetId, rowId, layout, ctx.formulas) || t('value.empty') })}
    style="top:${top}px;height:${ctx.height + conflicts.length * CONFLICT_PX - CARD_GAP_PX}px"
  >
    <button class="open" aria-label=${t('phone.open', { n })} @pointerdown=${ctx.down} @click=${(e: MouseEvent) => ctx.open(rowId, e)}></button>
    <div class="head">
      <span class="title">${n}. ${title || '—'}</span>
      ${layout.status ? renderChip(ctx, rowId, layout.status, n) : nothing}
    </div>
    ${layout.lines.map(
      (c) =>
        html`<span class="field"
          >${c.name}: ${text(c) || '—'}${isComputed(ctx.formulas, sheetId, rowId, c) ? html` <span class="computed">${t('formula.computed')}</span>` : nothing}</span
        >`,
    )}
    ${conflicts.map(({ col, conflict }) => renderConflict(ctx, rowId, n, col, conflict))}
    ${layout.claims.map((c) => renderClaim(ctx, rowId, c))} ${layout.counters.map((c) => renderCounter(ctx, rowId, c))}
  </div>`;
}

/**
 * Two people wrote this field at once: a mark that says so in words, the other value(s) with
 * who and when, and a tap opens the choices (on a view link, to read them).
 */
function renderConflict(ctx: CardContext, rowId: string, n: number, col: Column, c: CellConflict) {
  const values = otherValues(currentLocale(), ctx.wb, col, c);
  return html`<button
    class="conflict"
    data-testid=${`card-conflict-${col.name}`}
    aria-haspopup="dialog"
    aria-label=${t('phone.conflictCardLabel', { column: col.name, values })}
    @click=${() => ctx.openConflict(rowId, col, n)}
  >
    <span class="mark" aria-hidden="true">⚠</span><span class="words">${t('phone.conflictCard', { column: col.name, values })}</span>
  </button>`;
}

/** Who holds it, and — as the form has — Claim, or Release for the one this person holds. */
function renderClaim(ctx: CardContext, rowId: string, col: Column) {
  const { wb, sheetId } = ctx;
  const mine = holders(wb.claims(sheetId, rowId, col.id)).find((e) => wb.isMine(e));
  return html`<div class="counter">
    <span class="name">${col.name}: ${fieldText(wb, sheetId, rowId, col) || '—'}</span>
    ${ctx.editable
      ? mine
        ? html`<button class="act" aria-label=${t('phone.releaseLabel', { column: col.name })} @click=${() => ctx.claim(rowId, col, mine.person)}>${t('form.release')}</button>`
        : html`<button class="act" aria-label=${t('phone.claimLabel', { column: col.name })} @click=${() => ctx.claim(rowId, col, null)}>${t('form.claim')}</button>`
      : nothing}
  </div>`;
}

/** The status chip's words and colour, as a card shows them (the phone's first cards keep them, first-cards-capture.ts). */
export function chipOf(wb: Workbook, sheetId: string, rowId: string, col: Column, formulas: FormulaReader | null): { label: string; color: string; computed: boolean } {
  const computed = isComputed(formulas, sheetId, rowId, col);
  const value = wb.getValue(sheetId, rowId, col.id);
  // A computed status is its result, matched to an option by label for its colour.
  const shown = computed ? fieldText(wb, sheetId, rowId, col, formulas) : null;
  const option = computed ? col.options.find((o) => o.label === shown) : col.options.find((o) => o.id === value);
  // A value that is no option (kept as text by an import) reads as itself, in grey.
  const label = option?.label ?? (shown || (typeof value === 'string' && value ? value : t('phone.none')));
  return { label, color: safeColor(option?.color), computed };
}

/** A counter's number as its card shows it. */
export function counterText(wb: Workbook, sheetId: string, rowId: string, col: Column): string {
  const value = wb.getValue(sheetId, rowId, col.id);
  return typeof value === 'number' ? displayValue(currentLocale(), col, value) : '0';
}

function renderChip(ctx: CardContext, rowId: string, col: Column, n: number) {
  const { label, color, computed } = chipOf(ctx.wb, ctx.sheetId, rowId, col, ctx.formulas);
  const style = `background:${color}22;border-color:${color}`;
  // a formula's result is read, not picked
  if (computed) return html`<span class="chip" style=${style}>${label} <span class="computed">${t('formula.computed')}</span></span>`;
  if (!ctx.editable) return html`<span class="chip" style=${style}>${label}</span>`;
  return html`<button
    class="chip"
    style=${style}
    aria-label=${t('phone.changeChoice', { column: col.name, value: label })}
    aria-haspopup="dialog"
    @click=${() => ctx.pickStatus(rowId, col, n)}
  >
    ${label} ▾
  </button>`;
}

function renderCounter(ctx: CardContext, rowId: string, col: Column) {
  const { wb, sheetId } = ctx;
  const shown = counterText(wb, sheetId, rowId, col);
  const low = isLowCell(wb, sheetId, rowId, col);
  const min = counterMinimum(wb, sheetId, rowId, col);
  return html`<div class="counter">
    <span class="name">${col.name}: <output data-testid=${`card-count-${col.name}`}>${shown}</output></span>
    ${low
      ? html`<span class="low" role="img" aria-label=${t('phone.lowLabel', { column: col.name, value: shown, min: numberText(currentLocale(), min ?? 0) })}
          >⚠ ${t('phone.low')}</span
        >`
      : nothing}
    ${ctx.editable
      ? html`<button class="step" aria-label=${t('grid.minusOne', { name: col.name })} @click=${() => ctx.step(rowId, col, -1)}>−</button>
          <button class="step" aria-label=${t('grid.plusOne', { name: col.name })} @click=${() => ctx.step(rowId, col, 1)}>+</button>`
      : nothing}
  </div>`;
}

/** A list of cards filling the sheet's place: `<row-cards>` and, while it opens, `<first-cards>`. */
export const cardListStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    flex: 1;
    min-height: 0;
  }
  .list {
    flex: 1;
    overflow-y: auto;
    position: relative;
    overscroll-behavior: contain;
  }
`;

export const cardStyles = css`
  .card {
    position: absolute;
    left: 0.5rem;
    right: 0.5rem;
    box-sizing: border-box;
    border: 1px solid #d0d7de;
    border-radius: 8px;
    padding: 0.35rem 0.6rem;
    background: white;
    overflow: hidden;
    display: flex;
    flex-direction: column;
    /* Words let a tap through to the open control underneath; the controls on top take their own. */
    pointer-events: none;
  }
  .card > .open {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    border: none;
    border-radius: 8px;
    background: transparent;
    pointer-events: auto;
    cursor: pointer;
    padding: 0;
  }
  .card > .open:focus-visible {
    outline: 3px solid #0969da;
    outline-offset: -3px;
  }
  .head {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    min-height: ${HEAD_PX}px;
  }
  .title {
    flex: 1;
    font-weight: 600;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .chip {
    position: relative;
    pointer-events: auto;
    flex: none;
    max-width: 60%;
    min-height: 44px;
    border: 1px solid;
    border-radius: 999px;
    padding: 0 0.8rem;
    font: inherit;
    font-size: 0.9rem;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    display: inline-flex;
    align-items: center;
  }
  .field {
    font-size: 0.9rem;
    line-height: ${LINE_PX}px;
    color: #57606a;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .counter {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    min-height: ${COUNTER_PX}px;
  }
  .counter .name {
    flex: 1;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .counter output {
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
  .low {
    color: #9a3412;
    background: #fff1e5;
    border: 1px solid #bc4c00;
    border-radius: 999px;
    padding: 0 0.5rem;
    font-size: 0.85rem;
    font-weight: 600;
  }
  .act {
    position: relative;
    pointer-events: auto;
    min-width: 44px;
    min-height: 44px;
    padding: 0 0.75rem;
  }
  .conflict {
    position: relative;
    pointer-events: auto;
    flex: none;
    display: flex;
    align-items: center;
    gap: 0.4rem;
    height: ${CONFLICT_PX - 6}px;
    min-height: 44px;
    margin: 3px 0;
    padding: 0 0.5rem;
    font: inherit;
    font-size: 0.8rem;
    line-height: 1.2;
    text-align: left;
    color: #6e2f00;
    background: #fff1e5;
    border: 1px solid #bc4c00;
    border-radius: 6px;
  }
  .conflict .mark {
    color: #bc4c00;
    font-weight: 700;
    font-size: 1rem;
  }
  .conflict .words {
    overflow: hidden;
    display: -webkit-box;
    -webkit-line-clamp: 2;
    -webkit-box-orient: vertical;
  }
  .computed {
    font-size: 0.75rem;
    font-style: italic;
    color: #6e7781;
  }
  .step {
    position: relative;
    pointer-events: auto;
    min-width: 48px;
    min-height: 44px;
    font-size: 1.3rem;
    padding: 0;
  }
`;
