import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { isModelError } from '../model/errors.js';
import type { Workbook } from '../model/workbook.js';
import type { SyncStatus } from '../sync/status.js';
import type { HeaderMenuItem } from './header-menu.js';
import './header-menu.js';
import { WorkbookController } from './workbook-controller.js';
import { LocaleController, currentLocale, t } from './i18n/locale.js';
import { titleText } from './i18n/value-text.js';
import type { Person } from './presence.js';
import { safeColor } from './safe-style.js';
import { SyncStatusElement } from './sync-status.js';
import { visuallyHidden } from './visually-hidden.js';

/** What a header button asks the page to open. */
export type HeaderAction = 'import' | 'export' | 'snapshots' | 'restore' | 'share';

/**
 * What gives way, in order, when the header does not fit on one line: first what can be said
 * shorter (the name field's label, the local save state and the sealed badge as symbols with their
 * words in a tooltip, people cut to a few chips), then actions move into the More menu; the sync
 * state keeps its label to the end. The name field and Share (how a phone hands the workbook on)
 * never leave, Share at most an icon.
 */
/** Under this width (the phone layout's) the sync state and who is here have a line of their own, under the buttons. */
const NARROW = '(max-width: 600px)';
const STEPS = ['nameLabel', 'local', 'sealed', 'people', 'restore', 'snapshots', 'import', 'export', 'status', 'shareLabel', 'moreLabel'] as const;
type Step = (typeof STEPS)[number];

/**
 * `<workbook-header>`: the workbook page's one-line header, the page's `<sync-status>` in its `status`
 * slot. It measures itself: whatever does not fit
 * gives way (STEPS) rather than wrapping to a second line. Fires `header-action` { action } for its
 * buttons and menu items, `title-changed` after the title is set, `name-change` { name }, and
 * `header-done` once a title or name is entered, so the page can give the keyboard back to the grid.
 */
export class WorkbookHeader extends LitElement {
  static properties = {
    workbook: { attribute: false },
    ready: { attribute: false },
    status: { attribute: false },
    people: { attribute: false },
    displayName: { attribute: false },
    sealed: { attribute: false },
    given: { state: true },
  };

  declare workbook: Workbook | null;
  /** the workbook is on screen (not loading, waiting or too new) */
  declare ready: boolean;
  /** only to notice that the slotted sync state changed (and may now be shorter or longer) */
  declare status: SyncStatus | null;
  declare people: Person[];
  declare displayName: string;
  declare sealed: boolean;
  /** how many of STEPS have given way */
  declare given: number;

  private readonly narrow = matchMedia(NARROW);
  // the title is the workbook's: a colleague's rename shows here at once
  private readonly controller = new WorkbookController(this, (c) => c.meta);
  private readonly resize = new ResizeObserver((entries) => {
    const width = Math.round(entries[0]?.contentRect.width ?? 0);
    // Wider: try everything back on the line. Taller (a part that renders late, like the More button,
    // went to a second line) or narrower: updated() looks again and gives way step by step.
    if (width > this.width) this.given = 0;
    this.width = width;
    this.requestUpdate();
  });
  private width = 0;
  private recheck = 0;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.ready = false;
    this.status = null;
    this.people = [];
    this.displayName = '';
    this.sealed = false;
    this.given = 0;
  }

  static styles = [visuallyHidden, css`
    :host {
      display: block;
      border-bottom: 1px solid #d0d7de;
    }
    header {
      display: flex;
      /* Wrapping is what updated() watches for: anything on a second line makes a step give way. */
      flex-wrap: wrap;
      align-items: center;
      gap: 0.25rem 0.5rem;
      padding: 0.25rem 0.5rem;
    }
    header > * {
      flex-shrink: 0;
    }
    .status-row {
      display: inline-flex;
      align-items: center;
      gap: 0.5rem;
      min-width: 0;
    }
    .break {
      display: none;
    }
    .title {
      font-size: 1.15rem;
      font-weight: 600;
      border: 1px solid transparent;
      border-radius: 6px;
      padding: 0 0.4rem;
      min-height: 44px;
      box-sizing: border-box;
      font-family: inherit;
      background: transparent;
      /* The title takes the room there is (up to 24rem), and gives it up down to what still reads as a title. */
      flex: 100 1 9rem;
      min-width: 9rem;
      max-width: 24rem;
      width: 9rem;
      text-overflow: ellipsis;
    }
    span.title {
      display: inline-flex;
      align-items: center;
      white-space: nowrap;
      overflow: hidden;
    }
    .title:hover,
    .title:focus {
      border-color: #d0d7de;
    }
    .spacer {
      flex: 1 0 0;
      min-width: 0;
    }
    label.name {
      display: inline-flex;
      align-items: center;
      gap: 0.4rem;
      font-size: 0.9rem;
      white-space: nowrap;
    }
    input.name {
      min-height: 44px;
      width: 8rem;
      box-sizing: border-box;
      font: inherit;
      padding: 0 0.5rem;
      border: 1px solid #d0d7de;
      border-radius: 6px;
    }
    .sealed {
      padding: 0.25rem 0.6rem;
      border-radius: 999px;
      background: #dafbe1;
      color: #116329;
      font-weight: 600;
      white-space: nowrap;
    }
    .sealed.not {
      background: #fff8c5;
      color: #7d4e00;
    }
    .view-only {
      padding: 0.25rem 0.6rem;
      border-radius: 999px;
      background: #ddf4ff;
      color: #0969da;
      font-weight: 600;
      white-space: nowrap;
    }
    a.home,
    button {
      min-height: 44px;
      min-width: 44px;
      box-sizing: border-box;
      display: inline-flex;
      align-items: center;
      justify-content: center;
      padding: 0 0.6rem;
      font: inherit;
      border: 1px solid #d0d7de;
      border-radius: 6px;
      background: white;
      color: inherit;
      text-decoration: none;
      cursor: pointer;
      white-space: nowrap;
    }
    .people {
      display: flex;
      gap: 0.25rem;
      font-size: 0.85rem;
      white-space: nowrap;
      overflow: hidden;
      max-width: 20rem;
    }
    .people.cut {
      max-width: 5.5rem;
    }
    .person {
      border: 2px solid var(--c);
      border-radius: 999px;
      padding: 0.1rem 0.5rem;
    }
    .person.idle {
      opacity: 0.45;
    }
    /* Last, so the phone's sizes win over the rules above. */
    @media (max-width: 600px) {
      header {
        gap: 0.25rem;
      }
      .title {
        min-width: 5rem;
        width: 5rem;
        flex-basis: 5rem;
      }
      input.name {
        width: 6.5rem;
      }
      /* A line break: what follows it in order (the sync state, who is here) goes under the buttons. */
      .break {
        display: block;
        order: 1;
        flex-basis: 100%;
        height: 0;
      }
      .status-row,
      .people {
        order: 2;
        font-size: 0.85rem;
      }
    }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    this.resize.observe(this);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
    cancelAnimationFrame(this.recheck);
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    this.controller.bind(this.workbook);
    // What is shown may have got shorter: try it all on the line again (updated() gives way as needed),
    // unless someone is using the header right now — a control must not vanish from under them.
    const content = changed.has('ready') || changed.has('workbook') || changed.has('people') || changed.has('displayName') || changed.has('status');
    if (content && !changed.has('given') && !this.matches(':focus-within')) this.given = 0;
  }

  protected updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // The page's <sync-status> is slotted in (it stays the page's, where tests and tools find it); told here how short to be.
    const slot = this.renderRoot.querySelector<HTMLSlotElement>('slot[name="status"]');
    const late: LitElement[] = [];
    for (const el of slot?.assignedElements() ?? []) {
      if (el instanceof SyncStatusElement) {
        el.compact = this.gave('local');
        el.terse = this.gave('status');
        late.push(el);
      }
    }
    const menu = this.renderRoot.querySelector('header-menu');
    if (menu instanceof LitElement) late.push(menu);
    // Give way one step per render until the line fits; each step re-renders before the next paint.
    if (this.given < STEPS.length && this.wraps()) this.given++;
    else if (this.given < STEPS.length) {
      // Parts that render after this one (the slotted sync state, the More button) can still push the
      // line over, without the header's size changing again (it may be two lines tall already). Look
      // again as soon as they have rendered, in the same task: a two-line header between tasks moves
      // the grid down under a click or a tap already on its way (it landed on the column header).
      const check = () => {
        if (this.given < STEPS.length && this.wraps()) this.given++;
      };
      void Promise.all(late.map((el) => el.updateComplete)).then(check);
      // And once more next frame, for what renders later still (a font arriving).
      cancelAnimationFrame(this.recheck);
      this.recheck = requestAnimationFrame(check);
    }
  }

  /** Whether anything sits below the first line (the phone's own status line aside). */
  private wraps(): boolean {
    const header = this.renderRoot.querySelector('header');
    const home = header?.querySelector('.home');
    if (!header || !home) return false;
    const firstLineBottom = home.getBoundingClientRect().bottom;
    const narrow = this.narrow.matches;
    const ownLine = (el: Element) => narrow && (el.classList.contains('status-row') || el.classList.contains('people') || el.classList.contains('break'));
    return Array.from(header.children).some((el) => !ownLine(el) && el.getBoundingClientRect().top >= firstLineBottom - 1);
  }

  private gave(step: Step): boolean {
    return STEPS.indexOf(step) < this.given;
  }

  render() {
    const wb = this.workbook;
    const ready = !!wb && this.ready;
    const menu = this.menuItems(ready);
    const inHeader = (step: Step) => !this.gave(step);
    return html`<header>
        <a class="home" href="#" aria-label=${t('wb.allWorkbooks')} title=${t('wb.allWorkbooks')}>☰</a>
        ${ready
          ? html`<input
              class="title"
              aria-label=${t('wb.titleLabel')}
              title=${titleText(currentLocale(), wb.title())}
              .value=${titleText(currentLocale(), wb.title())}
              ?readonly=${wb.readOnly}
              aria-description=${wb.readOnly ? t('layout.viewOnly') : nothing}
              @change=${this.onTitle}
              @keydown=${this.onEnterDown}
              @keyup=${this.onEnterUp}
            />`
          : html`<span class="title">Mutual Sheets</span>`}
        <span class="status-row">
          <slot name="status"></slot>
          ${this.renderSealed()}
        </span>
        <span class="spacer"></span>
        <span class="break" aria-hidden="true"></span>
        ${this.renderPeople()} ${this.renderName()}
        ${ready && wb.readOnly ? html`<span class="view-only" role="note" title=${t('layout.viewOnly')}>${t('wb.viewOnly')}</span>` : nothing}
        ${ready && !wb.readOnly && inHeader('import') ? this.actionButton('import', t('wb.import')) : nothing}
        ${ready && inHeader('export') ? this.actionButton('export', t('wb.export')) : nothing}
        ${ready && inHeader('snapshots') ? this.actionButton('snapshots', t('wb.snapshots')) : nothing}
        ${ready && inHeader('restore') ? this.actionButton('restore', t('restore.open')) : nothing}
        <button
          @click=${() => this.act('share')}
          title=${t('wb.shareTitle')}
          aria-label=${this.gave('shareLabel') ? t('wb.share') : nothing}
        >
          ${this.gave('shareLabel') ? html`<span aria-hidden="true">⤴</span>` : t('wb.share')}
        </button>
        ${menu.length ? html`<header-menu .items=${menu} .iconOnly=${this.gave('moreLabel')} @header-menu-select=${this.onMenu}></header-menu>` : nothing}
      </header>`;
  }

  private renderSealed() {
    const long = t(this.sealed ? 'sealed.badgeLong' : 'sealed.notBadgeLong');
    const short = this.gave('sealed') ? lockIcon(this.sealed) : t(this.sealed ? 'sealed.badge' : 'sealed.notBadge');
    return html`<span class="sealed ${this.sealed ? '' : 'not'}" role="note" aria-label=${long} title=${long}>${short}</span>`;
  }

  /** Everyone here, always as a list; short of room it is cut to a few chips, all the names in its tooltip. */
  private renderPeople() {
    if (!this.people.length) return nothing;
    const names = this.people.map((p) => (p.idle ? t('wb.idle', { name: p.name }) : p.name)).join(', ');
    return html`<span class="people ${this.gave('people') ? 'cut' : ''}" role="list" aria-label=${t('wb.alsoHere')} title=${names}>
      ${this.people.map(
        (p) => html`<span role="listitem" class="person ${p.idle ? 'idle' : ''}" style="--c:${safeColor(p.color)}" title=${p.idle ? t('wb.idle', { name: p.name }) : p.name}
          >${p.name}</span
        >`,
      )}
    </span>`;
  }

  private renderName() {
    return html`<label class="name" title=${this.gave('nameLabel') ? t('wb.yourName') : nothing}
      ><span class=${this.gave('nameLabel') ? 'sr' : ''}>${t('wb.yourName')}</span>
      <input
        class="name"
        .value=${this.displayName}
        placeholder=${this.gave('nameLabel') ? t('wb.yourName') : t('wb.namePlaceholder')}
        autocomplete="nickname"
        @change=${this.onName}
        @keydown=${this.onEnterDown}
        @keyup=${this.onEnterUp}
      />
    </label>`;
  }

  private actionButton(action: HeaderAction, label: string) {
    return html`<button @click=${() => this.act(action)}>${label}</button>`;
  }

  private menuItems(ready: boolean): HeaderMenuItem[] {
    const wb = this.workbook;
    const items: HeaderMenuItem[] = [];
    if (ready && wb && !wb.readOnly && this.gave('import')) items.push({ id: 'import', label: t('wb.import') });
    if (ready && this.gave('export')) items.push({ id: 'export', label: t('wb.export') });
    if (ready && this.gave('snapshots')) items.push({ id: 'snapshots', label: t('wb.snapshots') });
    if (ready && this.gave('restore')) items.push({ id: 'restore', label: t('restore.open') });
    return items;
  }

  private onMenu = (e: CustomEvent<{ id: string }>): void => this.act(e.detail.id as HeaderAction);

  private act(action: HeaderAction): void {
    this.dispatchEvent(new CustomEvent<{ action: HeaderAction }>('header-action', { detail: { action }, bubbles: true, composed: true }));
  }

  private done(): void {
    this.dispatchEvent(new CustomEvent('header-done', { bubbles: true, composed: true }));
  }

  /**
   * Enter in the title or name field sets it (the browser's change event) and then hands the keyboard
   * back to the grid — on keyup, so the change has happened and no part of the key reaches the grid.
   */
  private enterDown: EventTarget | null = null;
  private onEnterDown = (e: KeyboardEvent): void => {
    this.enterDown = e.key === 'Enter' && !e.isComposing ? e.target : null;
  };
  private onEnterUp = (e: KeyboardEvent): void => {
    if (e.key !== 'Enter' || this.enterDown !== e.target) return;
    this.enterDown = null;
    this.done();
  };

  private onTitle = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    const wb = this.workbook;
    // An untitled workbook shows the words for "untitled": left as they are, they set no title.
    if (!wb || wb.readOnly || input.value === titleText(currentLocale(), wb.title())) return;
    try {
      wb.setTitle(input.value);
      this.dispatchEvent(new CustomEvent('title-changed', { bubbles: true, composed: true }));
    } catch (err) {
      if (!isModelError(err)) throw err;
      input.value = titleText(currentLocale(), wb.title());
    }
  };

  private onName = (e: Event): void => {
    const name = (e.target as HTMLInputElement).value;
    if (name === this.displayName) return;
    this.dispatchEvent(new CustomEvent<{ name: string }>('name-change', { detail: { name }, bubbles: true, composed: true }));
  }
}

/** A padlock, shut when sealed: drawn, since phones and kiosks may have no emoji font. */
function lockIcon(shut: boolean) {
  return html`<svg aria-hidden="true" width="12" height="14" viewBox="0 0 12 14" style="vertical-align:-2px">
    <path d=${shut ? 'M3 6V4a3 3 0 0 1 6 0v2' : 'M3 6V4a3 3 0 0 1 6 0'} fill="none" stroke="currentColor" stroke-width="1.6" />
    <rect x="1" y="6" width="10" height="8" rx="1.5" fill="currentColor" />
  </svg>`;
}

customElements.define('workbook-header', WorkbookHeader);

declare global {
  interface HTMLElementTagNameMap {
    'workbook-header': WorkbookHeader;
  }
}
