import { LitElement, css, html, nothing } from 'lit';
import type { CachedCard, CardField, FirstCards } from './first-cards-cache.js';
import { LocaleController, t } from './i18n/locale.js';
import { ADD_CARD_PX, CARD_GAP_PX, cardListStyles, cardStyles } from './phone/card-view.js';
import { tabStrip, tabStripStyles } from './first-screen.js';
import { safeColor } from './safe-style.js';

/** Where the first cards were when the live cards take their place: the live cards go on from there. */
export interface CardsHandoff {
  scrollTop: number;
  /** the row whose card was tapped while opening: its form opens once the cards are live */
  tapped: string | null;
  tappedN: number;
}

/** A finger that moved this far was scrolling, not tapping (as in row-cards.ts). */
const TAP_SLOP_PX = 10;

/**
 * `<first-cards>`: while a workbook's doc is still being read on a phone, the cards `<row-cards>`
 * showed last time (first-cards-cache.ts), laid out as it lays them out (its card styles, each
 * card's height and place, the bar's measured height), scrolled where it was, and said to be busy.
 * Nothing on a card can be changed yet; a tap on one is kept, said in words, and `<workbook-view>`
 * opens that row's form in the live cards that take over (handoff()).
 */
export class FirstCardsView extends LitElement {
  static properties = {
    screen: { attribute: false },
    tapped: { state: true },
  };

  declare screen: FirstCards | null;
  declare tapped: CachedCard | null;
  private down: { x: number; y: number } | null = null;

  constructor() {
    super();
    new LocaleController(this);
    this.screen = null;
    this.tapped = null;
  }

  static styles = [
    cardStyles,
    cardListStyles,
    tabStripStyles,
    css`
      .bar {
        box-sizing: border-box;
        display: flex;
        flex-direction: column;
        justify-content: center;
        gap: 0.25rem;
        padding: 0.4rem 0.5rem;
        border-bottom: 1px solid #d0d7de;
        background: #f6f8fa;
        color: #57606a;
        overflow: hidden;
      }
      .bar .said {
        color: #0550ae;
        font-weight: 600;
      }
      .list {
        cursor: progress;
      }
      .card.tapped {
        border-color: #0969da;
        box-shadow: 0 0 0 2px #0969da;
      }
      .counter output {
        font-weight: 600;
      }
    `,
  ];

  protected firstUpdated(): void {
    const list = this.renderRoot.querySelector<HTMLElement>('.list');
    if (!list || !this.screen) return;
    list.scrollTop = this.screen.scrollTop;
    // where the first screen of data came in, for test/bench/open.ts (as <first-screen> marks it)
    performance.mark('ms:first-screen');
  }

  /** The scroll position and the card tapped, for the live cards that take over. */
  handoff(): CardsHandoff | null {
    const list = this.renderRoot.querySelector<HTMLElement>('.list');
    if (!this.screen || !list) return null;
    return { scrollTop: list.scrollTop, tapped: this.tapped?.id ?? null, tappedN: this.tapped?.n ?? 0 };
  }

  render() {
    const s = this.screen;
    if (!s) return nothing;
    const tapped = this.tapped;
    return html`<div class="bar" style=${s.bar > 0 ? `height:${s.bar}px` : ''}>
        <span role="status">${t('fs.opening')}</span>
        <span class="said" role="alert">${tapped ? `${t('fc.stillOpening')} ${t('fc.tapped', { n: tapped.n })}` : ''}</span>
      </div>
      <div class="list" role="list" aria-label=${t('fs.label', { sheet: s.sheetName })} aria-busy="true">
        <div aria-hidden="true" style="height:${s.height + CARD_GAP_PX + ADD_CARD_PX + CARD_GAP_PX}px"></div>
        ${s.cards.map((c) => this.renderCard(s.fields, c))}
      </div>
      ${tabStrip(s.tabs, s.sheetId)}`;
  }

  private renderCard(fields: CardField[], c: CachedCard) {
    const value = (j: number) => c.values[j] || '—';
    const computed = (j: number) => (c.computed.includes(j) ? html` <span class="computed">${t('formula.computed')}</span>` : nothing);
    const title = fields.findIndex((f) => f.role === 'title');
    const status = fields.findIndex((f) => f.role === 'status');
    const summary = [title, status].filter((j) => j >= 0 && c.values[j]).map((j) => c.values[j]);
    const color = safeColor(c.chip || undefined);
    return html`<div
      class="card ${this.tapped?.id === c.id ? 'tapped' : ''}"
      role="listitem"
      aria-label=${t('cards.row', { n: c.n, text: summary.join(', ') || c.values.find(Boolean) || t('value.empty') })}
      style="top:${c.top + CARD_GAP_PX}px;height:${Math.max(0, c.height - CARD_GAP_PX)}px"
    >
      <button
        class="open"
        aria-label=${t('phone.open', { n: c.n })}
        aria-pressed=${this.tapped?.id === c.id ? 'true' : 'false'}
        @pointerdown=${(e: PointerEvent) => (this.down = { x: e.clientX, y: e.clientY })}
        @click=${(e: MouseEvent) => this.onTap(c, e)}
      ></button>
      <div class="head">
        <span class="title">${c.n}. ${title >= 0 ? value(title) : '—'}</span>
        ${status >= 0 ? html`<span class="chip" style="background:${color}22;border-color:${color}">${c.values[status] || t('phone.none')}${computed(status)}</span>` : nothing}
      </div>
      ${fields.map((f, j) => (f.role === 'line' ? html`<span class="field">${f.name}: ${value(j)}${computed(j)}</span>` : nothing))}
      ${fields.map((f, j) => (f.role === 'claim' ? html`<div class="counter"><span class="name">${f.name}: ${value(j)}</span></div>` : nothing))}
      ${fields.map((f, j) =>
        f.role === 'counter'
          ? html`<div class="counter">
              <span class="name">${f.name}: <output>${c.values[j] || '0'}</output>${computed(j)}</span>
              ${c.low.includes(j) ? html`<span class="low">⚠ ${t('phone.low')}</span>` : nothing}
            </div>`
          : nothing,
      )}
    </div>`;
  }

  /** A tap that did not move: kept for the live cards, and said. */
  private onTap(c: CachedCard, e: MouseEvent): void {
    const d = this.down;
    this.down = null;
    if (d && Math.hypot(e.clientX - d.x, e.clientY - d.y) > TAP_SLOP_PX) return;
    this.tapped = c;
  }
}

customElements.define('first-cards', FirstCardsView);

declare global {
  interface HTMLElementTagNameMap {
    'first-cards': FirstCardsView;
  }
}
