import type { ReactiveControllerHost } from 'lit';
import type { Column } from '../model/types.js';
import type { Workbook } from '../model/workbook.js';
import { currentLocale } from './i18n/locale.js';
import { titleText } from './i18n/value-text.js';
import { isLowCell, type CardLayout } from './phone/card-list.js';
import { chipOf, counterText, fieldText } from './phone/card-view.js';
import { isComputed } from './phone/formula-text.js';
import type { RowCards, ShownCards } from './row-cards.js';
import { KeepSoon } from './first-screen-capture.js';
import { keptWindow } from './first-screen-window.js';
import type { CachePolicy } from './first-screen-cache.js';
import { MAX_CARDS, MAX_FIELDS, saveFirstCards, type CachedCard, type CardField, type FieldRole, type FirstCards } from './first-cards-cache.js';

/** What a save needs from the workbook page, or null while it shows no live cards. */
export interface CardsTarget {
  cards: RowCards | null | undefined;
  workbook: Workbook;
  sheetId: string;
  workbookId: string;
  policy: CachePolicy;
}

/** Keeps what the phone's live cards show for next time's first cards, on the grid's triggers (KeepSoon). */
export class FirstCardsKeeper extends KeepSoon {
  constructor(host: ReactiveControllerHost, target: () => CardsTarget | null) {
    super(host, () => {
      const to = target();
      const captured = to?.cards && to.cards.workbook === to.workbook && to.cards.sheetId === to.sheetId ? captureFirstCards(to.cards) : null;
      if (to && captured) saveFirstCards(localStorage, to.workbookId, captured.screen, to.policy, captured.onScreen);
    });
  }
}

/** The card's fields in the order it shows them, each with where it goes. */
function fieldsOf(layout: CardLayout): { col: Column; role: FieldRole }[] {
  return [
    ...(layout.title ? [{ col: layout.title, role: 'title' as const }] : []),
    ...(layout.status ? [{ col: layout.status, role: 'status' as const }] : []),
    ...layout.lines.map((col) => ({ col, role: 'line' as const })),
    ...layout.claims.map((col) => ({ col, role: 'claim' as const })),
    ...layout.counters.map((col) => ({ col, role: 'counter' as const })),
  ].slice(0, MAX_FIELDS);
}

/**
 * What the live cards show now, for the first cards of next time: the cards on screen and up to
 * a screen of margin above and below (at most MAX_CARDS, those on screen first: first-screen-window.ts), each field as the text its card shows,
 * and where the list is scrolled. Null while the cards show nothing (no sheet, or the row form is open
 * and there is no list to measure).
 */
export function captureFirstCards(cards: RowCards): { screen: FirstCards; onScreen: number } | null {
  const shown = cards.shownCards();
  const bar = measureBar(cards);
  if (!shown || bar === null) return null;
  const { wb, sheetId, rows, tops } = shown;
  const sheets = wb.sheets();
  const sheet = sheets.find((s) => s.id === sheetId);
  if (!sheet) return null;
  const fields = fieldsOf(shown.layout);
  const firstVisible = Math.min(rows.length, tops.indexAt(shown.scrollTop));
  const visible = Math.max(1, tops.indexAt(shown.scrollTop + shown.viewportHeight) + 1 - firstVisible);
  const { from, to } = keptWindow(firstVisible, visible, rows.length, MAX_CARDS);
  const screen: FirstCards = {
    sheetId,
    sheetName: sheet.name,
    title: titleText(currentLocale(), wb.title()),
    tabs: sheets.map((s) => ({ id: s.id, name: s.name })),
    fields: fields.map(({ col, role }): CardField => ({ id: col.id, name: col.name, type: col.type, role })),
    total: rows.length,
    height: tops.top(rows.length),
    cards: rows.slice(from, to).map((rowId, k) => cardOf(shown, fields, rowId, from + k)),
    scrollTop: shown.scrollTop,
    bar,
  };
  return { screen, onScreen: firstVisible - from };
}

function cardOf(shown: ShownCards, fields: { col: Column; role: FieldRole }[], rowId: string, i: number): CachedCard {
  const { wb, sheetId, formulas } = shown;
  const chip = fields.find((f) => f.role === 'status');
  return {
    id: rowId,
    n: shown.numbers.get(rowId) ?? i + 1,
    top: shown.tops.top(i),
    height: shown.height + shown.extra(rowId),
    values: fields.map(({ col, role }) => {
      if (role === 'status') return chipOf(wb, sheetId, rowId, col, formulas).label;
      if (role === 'counter') return counterText(wb, sheetId, rowId, col);
      return fieldText(wb, sheetId, rowId, col, formulas);
    }),
    computed: fields.flatMap(({ col }, j) => (isComputed(formulas, sheetId, rowId, col) ? [j] : [])),
    low: fields.flatMap(({ col, role }, j) => (role === 'counter' && isLowCell(wb, sheetId, rowId, col) ? [j] : [])),
    chip: chip ? chipOf(wb, sheetId, rowId, chip.col, formulas).color : '',
  };
}

/**
 * The cards' bar as it will be when they open again: its tools and search, without the filter
 * panel (closed on every open) — the list starts below it. Null while the row form is open.
 */
function measureBar(cards: RowCards): number | null {
  const bar = cards.renderRoot.querySelector<HTMLElement>('.bar');
  if (!bar) return null;
  const panel = bar.querySelector<HTMLElement>('#filters');
  const gap = parseFloat(getComputedStyle(bar).rowGap) || 0;
  return Math.max(0, bar.offsetHeight - (panel ? panel.offsetHeight + gap : 0));
}
