import { html, nothing, type ReactiveControllerHost } from 'lit';
import type { Workbook } from '../model/workbook.js';
import type { Credential } from '../protocol/access.js';
import type { DeviceProfile } from './device-profile.js';
import { loadFirstScreen, type FirstScreen } from './first-screen-cache.js';
import { FirstScreenKeeper, keepFor, resumeGrid, type LiveWorkbook } from './first-screen-capture.js';
import type { FirstScreenView, Handoff, KeepEdit } from './first-screen.js';
import { editsAccess, keepEdit, newPageQueue, readEdits, takeEdits, type EditsAccess, type PendingEdit } from './first-screen-edits.js';
import { PageHold, othersToTake } from './first-screen-pages.js';
import { applyEdits, refusedText } from './first-screen-apply.js';
import { loadFirstCards, type FirstCards } from './first-cards-cache.js';
import { FirstCardsKeeper } from './first-cards-capture.js';
import type { CardsHandoff, FirstCardsView } from './first-cards.js';
import type { RowCards } from './row-cards.js';
import type { SheetGrid } from './sheet-grid.js';
import { t, tn } from './i18n/locale.js';
import './first-screen.js';
import './first-cards.js';

/** What the first screen's wiring needs of the workbook page (workbook-view.ts). */
export interface FirstScreenPage extends ReactiveControllerHost {
  readonly shadowRoot: ShadowRoot | null;
  /** the phone's layout (cards), not the grid */
  narrow: boolean;
  sheetId: string;
  profile: DeviceProfile | null;
  /** the page's live workbook, or null while it has none */
  readonly liveWorkbook: Workbook | null;
  /** the live workbook's sheet is in (the page's 'ready' phase) */
  readonly sheetReady: boolean;
  /** the live `<row-cards>`, once its code is in */
  rowCards(): Promise<RowCards | null>;
}

/** Where the first screen or cards were at the handover, and the sheet they showed. */
export interface Handover {
  grid: Handoff | null;
  cards: CardsHandoff | null;
  sheetId: string | undefined;
}

/**
 * The first screen's wiring in the workbook page (issue 18): the first screen or cards of last time
 * loaded as an open begins (first-screen-cache.ts, first-cards-cache.ts), the keepers that save
 * what the live view shows for next time (only the workbook it shows: `keepFor`), the handover to
 * the live grid or cards, and the edits typed meanwhile applied (first-screen-edits.ts).
 */
export class FirstScreenController {
  /** what the grid showed last time, painted while the doc loads; the keeper saves it */
  screen: FirstScreen | null = null;
  /** on a phone, the cards shown last time, painted while the doc loads; the cards keeper saves them */
  cards: FirstCards | null = null;
  /** a card tapped in the first cards whose row is no longer a card once they are live, said */
  cardNotOpened = '';
  /** edits typed in the first screen that the live workbook refused, each said with its text */
  typedNotApplied: string[] = [];
  /** how many edits typed in the first screen were applied, for the live region */
  typedApplied = '';
  /** where the first screen keeps what is typed in it (null: no key to keep it under), and what already waits */
  private keepTyped: KeepEdit | null = null;
  private typedWaiting: PendingEdit[] = [];
  /** this open's own queue of typed edits, held as open until its handover (first-screen-pages.ts) */
  private hold: PageHold | null = null;
  /** the workbook whose live view the page set up, with its id and key: the keepers save it, and only it */
  private live: LiveWorkbook | null = null;
  private readonly keeper: FirstScreenKeeper;
  private readonly cardsKeeper: FirstCardsKeeper;

  constructor(private readonly page: FirstScreenPage) {
    this.keeper = new FirstScreenKeeper(page, () => {
      const to = keepFor(this.live, page.liveWorkbook, page.sheetReady, page.profile);
      return to && { ...to, grid: page.shadowRoot?.querySelector('sheet-grid'), sheetId: page.sheetId };
    });
    this.cardsKeeper = new FirstCardsKeeper(page, () => {
      const to = page.narrow ? keepFor(this.live, page.liveWorkbook, page.sheetReady, page.profile) : null;
      return to && { ...to, cards: page.shadowRoot?.querySelector('row-cards'), sheetId: page.sheetId };
    });
  }

  /** For `@grid-rendered` / `@cards-rendered`: the live view drew, a save is due. */
  get gridRendered(): () => void {
    return this.keeper.rendered;
  }
  get cardsRendered(): () => void {
    return this.cardsKeeper.rendered;
  }

  /** The workbook shown is going: what it shows is saved now, while its live view is still here. */
  closing(): void {
    this.keeper.flush();
    this.cardsKeeper.flush();
    this.live = null;
    // Left before its handover: what it typed waits for the next open of that workbook, which may take it now.
    this.hold?.end();
    this.hold = null;
  }

  /**
   * A workbook's first screen (or, on a phone, cards) of last time and the edits waiting, read
   * synchronously as its open begins; returns how its typed edits are kept. True `shown` when there
   * is one to paint.
   */
  load(id: string, credential: Credential | null, profile: DeviceProfile): { typed: EditsAccess; shown: boolean } {
    const typed = editsAccess(id, credential, profile.lockState);
    this.screen = this.page.narrow ? null : loadFirstScreen(localStorage, id, typed.policy);
    // A phone's own: the cards of last time, kept apart from the grid's (a device can be both widths).
    this.cards = this.page.narrow ? loadFirstCards(localStorage, id, typed.policy) : null;
    this.cardNotOpened = '';
    // What is typed in the first screen is kept under the same policy as the first screen itself; none, and it says "Still opening".
    // In a queue of this open's own: another tab typing in its first screen at the same moment writes its own.
    this.hold?.end();
    const hold = (this.hold = new PageHold(id, newPageQueue()));
    this.keepTyped =
      typed.policy.kind === 'none'
        ? null
        : (edit) => {
            // Worked out again at each edit: a lock set in another tab since must not find this text kept in the clear.
            const kept = keepEdit(localStorage, id, editsAccess(id, credential, profile.lockState), edit, hold.page);
            // Kept here too: a render of the page sets the first screen's `pending` to this list again.
            if (kept.ok) this.typedWaiting = [...this.typedWaiting, edit];
            return kept;
          };
    this.typedWaiting = this.screen ? readEdits(localStorage, id, typed) : [];
    this.typedNotApplied = [];
    this.typedApplied = '';
    this.page.requestUpdate();
    return { typed, shown: !!(this.screen || this.cards) };
  }

  /** The live view of `live.workbook` is set up: the keepers save it, under its id and key. */
  setLive(live: LiveWorkbook): void {
    this.live = live;
  }

  /** The workbook is still to arrive from the hub: what is in an open first-screen editor goes into the queue. */
  keepOpenEditor(): void {
    this.page.shadowRoot?.querySelector<FirstScreenView>('first-screen')?.keepOpenEditor();
  }

  /** Where the first screen or cards are, taken as the live view is about to replace them. */
  takeHandover(): Handover {
    const root = this.page.shadowRoot;
    return {
      grid: root?.querySelector<FirstScreenView>('first-screen')?.handoff() ?? null,
      cards: root?.querySelector<FirstCardsView>('first-cards')?.handoff() ?? null,
      sheetId: this.screen?.sheetId ?? this.cards?.sheetId,
    };
  }

  /**
   * Once the live view shows `workbook`: what was typed in the first screen (here, or in an earlier
   * page closed before this moment) goes in as typed edits, and the live grid or cards go on where
   * the first ones were. On a view link the queue stays for an open with the edit link.
   */
  handOver(workbook: Workbook, id: string, typed: EditsAccess, from: Handover): void {
    const page = this.page;
    const hold = this.hold?.workbookId === id ? this.hold : null;
    if (!workbook.readOnly) {
      // Its own queue (and the older single one) now; other pages' once it is known which are gone.
      this.applyTyped(workbook, takeEdits(localStorage, id, typed, (p) => p === '' || p === hold?.page));
      void othersToTake(id, Date.now()).then((mayTake) => {
        if (page.liveWorkbook !== workbook) return;
        this.applyTyped(workbook, takeEdits(localStorage, id, typed, (p, edits) => p !== '' && p !== hold?.page && mayTake(p, edits)));
      });
    }
    hold?.end();
    const { grid: handoff, cards: cardsHandoff } = from;
    const same = page.sheetId === from.sheetId;
    if (handoff && same) {
      // An editor left open in the first screen opens again in the live grid, with what was typed in it.
      void page.updateComplete
        .then(() => resumeGrid(page.liveWorkbook === workbook ? page.shadowRoot?.querySelector<SheetGrid>('sheet-grid') : null, handoff))
        .then((left) => left && page.liveWorkbook === workbook && this.applyTyped(workbook, [left]));
    } else if (handoff?.draft) this.applyTyped(workbook, [handoff.draft]);
    if (cardsHandoff && same) {
      // The live cards go on where the first cards were, and open the card tapped meanwhile.
      void page.rowCards().then((cards) => {
        if (!cards || page.liveWorkbook !== workbook || cards.resume(cardsHandoff.scrollTop, cardsHandoff.tapped)) return;
        this.cardNotOpened = t('fc.gone', { n: cardsHandoff.tappedN });
        page.requestUpdate();
      });
    } else if (cardsHandoff?.tapped) this.cardNotOpened = t('fc.gone', { n: cardsHandoff.tappedN });
    page.requestUpdate();
  }

  /** Writes edits typed in the first screen; each one refused is said with its text, and the count applied is announced. */
  private applyTyped(workbook: Workbook, edits: PendingEdit[]): void {
    if (edits.length === 0) return;
    const { applied, refused } = applyEdits(workbook, edits);
    if (refused.length) this.typedNotApplied = [...this.typedNotApplied, ...refusedText(refused)];
    if (applied) this.typedApplied = tn('fs.applied', applied, { count: applied });
    this.page.requestUpdate();
  }

  private dismiss(then: () => void): void {
    this.typedNotApplied = [];
    this.page.requestUpdate();
    then();
  }

  /** The first screen or cards, in the page's 'loading' phase; null when there is none to show. */
  renderLoading(readOnly: boolean) {
    if (this.screen && !this.page.narrow)
      return html`<first-screen .screen=${this.screen} .readOnly=${readOnly} .keep=${this.keepTyped} .pending=${this.typedWaiting}></first-screen>`;
    if (this.cards && this.page.narrow) return html`<first-cards .screen=${this.cards}></first-cards>`;
    return null;
  }

  /** The edits refused (until dismissed, `dismissed` then called), the count applied, a card that did not open. */
  renderNotices(dismissed: () => void) {
    return html`${this.typedNotApplied.length
        ? html`<div class="notice" role="alert" data-testid="typed-not-applied">
            ${t('fs.notAppliedTitle')}
            <ul>
              ${this.typedNotApplied.map((line) => html`<li>${line}</li>`)}
            </ul>
            <button @click=${() => this.dismiss(dismissed)}>${t('fs.dismiss')}</button>
          </div>`
        : nothing}
      <div class="sr" role="status">${this.typedApplied}</div>
      ${this.cardNotOpened ? html`<div class="notice" role="status">${this.cardNotOpened}</div>` : nothing}`;
  }
}
