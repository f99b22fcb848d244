import { LitElement, css, html, nothing } from 'lit';
import { DEFAULT_RETENTION, type HistoryFilter, type HistoryGroup } from '../model/history.js';
import type { Workbook } from '../model/workbook.js';
import { dialogStyles, showDialog } from './dialog-styles.js';
import { LocaleController, currentLocale, formatDateTime, formatNumber, t, tn } from './i18n/locale.js';
import { entryText, groupText, whoText, workbookPlace, type HistoryPlace } from './history-text.js';
import './time-zone-setting.js';

const RANGES = [
  ['activity.ever', Number.POSITIVE_INFINITY],
  ['activity.hour', 3_600_000],
  ['activity.day', 86_400_000],
  ['activity.week', 7 * 86_400_000],
] as const;

/**
 * A workbook's history can hold 200k entries: the list renders this many
 * groups at a time ("show more" adds as many again), and an expanded group
 * (an import of thousands of rows is one group) this many of its entries.
 */
const PAGE = 100;
/**
 * Journal changes arriving while open re-read the history at most this often,
 * and never more than a fifth of the time: reading 200k entries takes a
 * noticeable moment, and colleagues typing must not keep the page busy.
 */
const REFRESH_MS = 300;

/**
 * `<activity-panel>`: the workbook's history (`Workbook.history`), newest
 * first, one line per change — or per paste, import, restore, revert or
 * template, expandable to its changes — with who (name and device), when and
 * old → new; filtered by person, sheet, column, row and time. And the
 * coordinator's answer to a leaked edit link: revert everything one person
 * did in a time range.
 */
export class ActivityPanel extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    person: { state: true },
    sheet: { state: true },
    colId: { state: true },
    row: { state: true },
    range: { state: true },
    limit: { state: true },
    expanded: { state: true },
    message: { state: true },
    isOpen: { state: true },
    confirming: { state: true },
    retentionDraft: { state: true },
    retentionError: { state: true },
  };

  declare workbook: Workbook | null;
  /** the sheet the grid shows: the sheet filter starts on it */
  declare sheetId: string;
  declare person: string;
  /** '' for every sheet */
  declare sheet: string;
  declare colId: string;
  /** a row number as typed, '' for any */
  declare row: string;
  declare range: number;
  declare limit: number;
  /** groups opened, and how many of their entries are shown */
  declare expanded: Map<string, number>;
  declare message: string;
  /** Contents are built only while open: the history is read for them. */
  declare isOpen: boolean;
  /** whose changes, over which range, wait for a yes in the page before they are reverted */
  declare confirming: { person: string; range: number } | null;
  /** the retention fields as typed, while an editor changes them; null: showing the workbook's */
  declare retentionDraft: { days: string; entries: string } | null;
  declare retentionError: string;
  private cache: { key: string; groups: HistoryGroup[] } | null = null;
  /** everyone seen in the workbook, read once per journal change (it scans the journal) */
  private peopleCache: string[] | null = null;
  /** how long the last read of the history took */
  private cost = 0;
  private offHistory: (() => void) | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.person = '';
    this.sheet = '';
    this.colId = '';
    this.row = '';
    this.range = 0;
    this.limit = PAGE;
    this.expanded = new Map();
    this.message = '';
    this.isOpen = false;
    this.confirming = null;
    this.retentionDraft = null;
    this.retentionError = '';
  }

  static styles = [
    dialogStyles,
    css`
      dialog {
        max-width: min(48rem, 96vw);
      }
      .controls {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
      }
      .controls label {
        display: flex;
        flex-direction: column;
        font-size: 0.85rem;
        gap: 0.15rem;
      }
      .controls input {
        width: 6rem;
      }
      .list {
        max-height: 55vh;
        overflow: auto;
        margin: 0.5rem 0;
      }
      ol {
        list-style: none;
        padding: 0;
        margin: 0;
      }
      li {
        border-bottom: 1px solid #eaeef2;
        padding: 0.35rem 0;
      }
      li li {
        border: none;
        padding: 0.15rem 0 0.15rem 1rem;
      }
      .when {
        color: #57606a;
        font-size: 0.85rem;
      }
      summary {
        cursor: pointer;
        min-height: 44px;
        display: flex;
        align-items: center;
        color: #0969da;
      }
      .danger {
        color: #cf222e;
      }
      .message {
        font-weight: 600;
      }
      .confirm {
        border: 2px solid #cf222e;
        border-radius: 6px;
        padding: 0.5rem 0.75rem;
        margin: 0.5rem 0;
        background: #fff8f8;
      }
      .confirm p {
        margin: 0 0 0.5rem;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
      }
      .retention {
        margin: 0.5rem 0;
      }
      .retention label {
        display: flex;
        flex-direction: column;
        font-size: 0.85rem;
        gap: 0.15rem;
      }
      .retention input {
        width: 9rem;
      }
      .hint {
        color: #57606a;
        font-size: 0.85rem;
        margin: 0.25rem 0;
      }
      .footer {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        justify-content: space-between;
        flex-wrap: wrap;
      }
    `,
  ];

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopFollowing();
  }

  open(): void {
    const wb = this.workbook;
    if (!wb) return;
    this.message = '';
    this.sheet = this.sheetId;
    this.colId = '';
    this.row = '';
    this.limit = PAGE;
    this.expanded = new Map();
    this.cache = null;
    this.peopleCache = null;
    this.confirming = null;
    this.retentionDraft = null;
    this.retentionError = '';
    this.isOpen = true;
    this.stopFollowing();
    // New entries from anyone appear while the panel is open, a burst of them read once.
    this.offHistory = wb.observeHistory(() => {
      if (this.refreshTimer) return;
      this.refreshTimer = setTimeout(
        () => {
          this.refreshTimer = null;
          this.cache = null;
          this.peopleCache = null;
          this.requestUpdate();
        },
        Math.max(REFRESH_MS, 4 * this.cost),
      );
    });
    showDialog(this);
  }

  private stopFollowing(): void {
    this.offHistory?.();
    this.offHistory = null;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  /** The filter as the model takes it; null when a row number names no row (nothing matches). */
  private filter(wb: Workbook): HistoryFilter | null {
    const f: HistoryFilter = {};
    if (this.person) f.by = this.person;
    const ms = RANGES[this.range][1];
    if (Number.isFinite(ms)) f.from = Date.now() - ms;
    const sheet = this.sheetOf(wb);
    if (sheet) {
      f.sheetId = sheet;
      if (this.colId) f.colId = this.colId;
      if (this.row.trim()) {
        const n = Number(this.row);
        const rowId = Number.isInteger(n) && n >= 1 ? wb.rowIds(sheet)[n - 1] : undefined;
        if (!rowId) return null;
        f.rowId = rowId;
      }
    }
    return f;
  }

  /** The sheet filter, or '' once that sheet has gone to the trash. */
  private sheetOf(wb: Workbook): string {
    return this.sheet && wb.sheets().some((s) => s.id === this.sheet) ? this.sheet : '';
  }

  private groups(wb: Workbook): HistoryGroup[] {
    const f = this.filter(wb);
    if (!f) return [];
    // The time range moves with the clock; rounding it to a minute keeps the cache useful.
    const key = JSON.stringify({ ...f, from: f.from === undefined ? undefined : Math.floor(f.from / 60_000) });
    if (this.cache?.key !== key) {
      const start = performance.now();
      this.cache = { key, groups: wb.history(f) };
      this.cost = performance.now() - start;
    }
    return this.cache.groups;
  }

  render() {
    const wb = this.workbook;
    if (!wb || !this.isOpen) return html`<dialog></dialog>`;
    const sheets = wb.sheets();
    const sheet = this.sheetOf(wb);
    const columns = sheet ? [...wb.columns(sheet), ...wb.deletedColumns(sheet)] : [];
    const people = (this.peopleCache ??= Array.from(new Set(wb.people().map((p) => p.name))).sort((a, b) => a.localeCompare(b)));
    const groups = this.groups(wb);
    const shown = groups.slice(0, this.limit);
    const place = workbookPlace(wb);
    const options = { withSheet: !sheet };
    const myDevice = wb.getActor().deviceId;
    const pick = (e: Event) => (e.target as HTMLSelectElement).value;
    return html`<dialog
      aria-labelledby="activity-title"
      @cancel=${(e: Event) => {
        // Escape while asking takes back the question, not the whole panel.
        if (!this.confirming) return;
        e.preventDefault();
        this.cancelRevert();
      }}
      @close=${() => {
        this.isOpen = false;
        this.stopFollowing();
        this.dispatchEvent(new CustomEvent('activity-closed', { bubbles: true, composed: true }));
      }}
    >
      <h2 id="activity-title">${t('activity.title')}</h2>
      <div class="controls">
        <label
          >${t('activity.person')}
          <select @change=${(e: Event) => this.refilter(() => (this.person = pick(e)))}>
            <option value="" ?selected=${this.person === ''}>${t('activity.everyone')}</option>
            ${people.map((p) => html`<option value=${p} ?selected=${p === this.person}>${p}</option>`)}
          </select>
        </label>
        <label
          >${t('activity.sheet')}
          <select @change=${(e: Event) => this.refilter(() => ((this.sheet = pick(e)), (this.colId = ''), (this.row = '')))}>
            <option value="" ?selected=${sheet === ''}>${t('activity.allSheets')}</option>
            ${sheets.map((s) => html`<option value=${s.id} ?selected=${s.id === sheet}>${s.name}</option>`)}
          </select>
        </label>
        <label
          >${t('activity.column')}
          <select ?disabled=${!sheet} @change=${(e: Event) => this.refilter(() => (this.colId = pick(e)))}>
            <option value="" ?selected=${this.colId === ''}>${t('activity.allColumns')}</option>
            ${columns.map((c) => html`<option value=${c.id} ?selected=${c.id === this.colId}>${c.name}</option>`)}
          </select>
        </label>
        <label
          >${t('activity.row')}
          <input
            type="number"
            min="1"
            inputmode="numeric"
            placeholder=${t('activity.anyRow')}
            ?disabled=${!sheet}
            .value=${this.row}
            @change=${(e: Event) => this.refilter(() => (this.row = (e.target as HTMLInputElement).value))}
          />
        </label>
        <label
          >${t('activity.range')}
          <select @change=${(e: Event) => this.refilter(() => (this.range = Number(pick(e))))}>
            ${RANGES.map(([label], i) => html`<option value=${i} ?selected=${i === this.range}>${t(label)}</option>`)}
          </select>
        </label>
        ${this.person && !wb.readOnly
          ? html`<button class="danger revert" aria-expanded=${this.confirming ? 'true' : 'false'} @click=${this.askRevert}>${t('activity.revert', { name: this.person })}</button>`
          : nothing}
      </div>
      ${this.confirming ? this.renderConfirm(this.confirming) : nothing}
      ${this.message ? html`<p class="message" role="status">${this.message}</p>` : nothing}
      <div class="list">
        <ol aria-labelledby="activity-title">
          ${shown.map((g) => this.renderGroup(g, place, options, myDevice))}
        </ol>
        ${groups.length === 0 ? html`<p>${this.isFiltered() ? t('activity.noMatch') : t('activity.none')}</p>` : nothing}
      </div>
      ${this.renderRetention(wb)}
      <time-zone-setting .workbook=${wb}></time-zone-setting>
      <div class="footer">
        ${groups.length > shown.length
          ? html`<span
                >${t('activity.showing', { shown: formatNumber(shown.length, 0), total: formatNumber(groups.length, 0) })}</span
              >
              <button @click=${() => (this.limit += PAGE)}>${t('activity.showMore')}</button>`
          : html`<span></span>`}
        <button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('activity.close')}</button>
      </div>
    </dialog>`;
  }

  private renderGroup(g: HistoryGroup, place: HistoryPlace, options: { withSheet: boolean }, myDevice: string) {
    const locale = currentLocale();
    const open = this.expanded.get(g.g);
    return html`<li>
      <strong>${whoText(locale, g.by, g.dev, myDevice)}</strong> · <span>${groupText(locale, place, g, options)}</span><br /><span class="when"
        >${formatDateTime(g.entries[0].at)}</span
      >
      ${g.entries.length > 1 || g.label
        ? html`<details ?open=${open !== undefined} @toggle=${(e: Event) => this.toggle(g.g, (e.target as HTMLDetailsElement).open)}>
            <summary>${tn('history.changes', g.entries.length)}</summary>
            ${open !== undefined
              ? html`<ol>
                    ${g.entries.slice(0, open).map((e) => html`<li>${entryText(locale, place, e, options)}</li>`)}
                  </ol>
                  ${g.entries.length > open
                    ? html`<button @click=${() => (this.expanded = new Map(this.expanded).set(g.g, open + PAGE))}>${t('activity.moreEntries')}</button>`
                    : nothing}`
              : nothing}
          </details>`
        : nothing}
    </li>`;
  }

  private toggle(g: string, open: boolean): void {
    if (open === this.expanded.has(g)) return;
    const next = new Map(this.expanded);
    if (open) next.set(g, PAGE);
    else next.delete(g);
    this.expanded = next;
  }

  private isFiltered(): boolean {
    return Boolean(this.person || this.colId || this.row || this.range !== 0);
  }

  /** A filter changed: back to the first page. */
  private refilter(change: () => void): void {
    change();
    // The question named a person and a range; a new filter is a new question.
    this.confirming = null;
    this.limit = PAGE;
    this.message = '';
  }

  /** Asks in the page, beside the button (a native confirm() is easy to dismiss unread and cannot be styled or translated by us). */
  private askRevert = (): void => {
    if (!this.person) return;
    this.confirming = { person: this.person, range: this.range };
    this.message = '';
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.confirm button.cancel')?.focus());
  };

  private cancelRevert(): void {
    this.confirming = null;
    this.focusRevert();
  }

  /** Back to the button that asked, so a keyboard user is where they were. */
  private focusRevert(): void {
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('button.revert')?.focus());
  }

  private renderConfirm(c: { person: string; range: number }) {
    return html`<div
      class="confirm"
      role="alertdialog"
      aria-labelledby="revert-question"
      @keydown=${(e: KeyboardEvent) => {
        if (e.key !== 'Escape') return;
        e.preventDefault();
        e.stopPropagation();
        this.cancelRevert();
      }}
    >
      <p id="revert-question">${t('activity.revertConfirm', { name: c.person, range: t(RANGES[c.range][0]) })}</p>
      <div class="row">
        <button class="danger" @click=${this.revert}>${t('activity.revertYes', { name: c.person })}</button>
        <button class="cancel" @click=${() => this.cancelRevert()}>${t('activity.revertNo')}</button>
      </div>
    </div>`;
  }

  private revert = (): void => {
    const wb = this.workbook;
    const c = this.confirming;
    this.confirming = null;
    if (!wb || !c) return;
    const ms = RANGES[c.range][1];
    const now = Date.now();
    const result = wb.revertBy(c.person, ms === Number.POSITIVE_INFINITY ? 0 : now - ms, now);
    this.message = [tn('activity.reverted', result.reverted), result.skipped ? tn('activity.skipped', result.skipped) : ''].filter(Boolean).join(' ');
    this.focusRevert();
  };

  /**
   * How long history is kept: at least the floor (90 days or 1,000,000 entries, the journal's
   * own rule), longer if an editor says so. Viewers read it; only editors change it.
   */
  private renderRetention(wb: Workbook) {
    const kept = wb.journal.retention();
    const summary = t('activity.retentionNow', { days: formatNumber(kept.days, 0), entries: formatNumber(kept.entries, 0) });
    if (wb.readOnly)
      return html`<section class="retention" aria-labelledby="retention-title">
        <h3 id="retention-title" class="hint">${t('activity.retention')}</h3>
        <p data-testid="retention">${summary}</p>
        <p class="hint">${t('activity.retentionViewer')}</p>
      </section>`;
    const d = this.retentionDraft ?? { days: String(kept.days), entries: String(kept.entries) };
    const edit = (patch: Partial<{ days: string; entries: string }>) => {
      this.retentionDraft = { ...d, ...patch };
      this.retentionError = '';
    };
    return html`<details class="retention">
      <summary>${t('activity.retention')}</summary>
      <p data-testid="retention">${summary}</p>
      <form class="row" novalidate @submit=${(e: Event) => this.saveRetention(e, d)}>
        <label
          >${t('activity.retentionDays')}
          <input type="number" inputmode="numeric" min=${DEFAULT_RETENTION.days} step="1" aria-describedby="retention-floor" .value=${d.days} @input=${(e: Event) => edit({ days: (e.target as HTMLInputElement).value })} />
        </label>
        <label
          >${t('activity.retentionEntries')}
          <input
            type="number"
            inputmode="numeric"
            min=${DEFAULT_RETENTION.entries}
            step="1"
            aria-describedby="retention-floor"
            .value=${d.entries}
            @input=${(e: Event) => edit({ entries: (e.target as HTMLInputElement).value })}
          />
        </label>
        <button type="submit">${t('activity.retentionSave')}</button>
      </form>
      <p class="hint" id="retention-floor">
        ${t('activity.retentionFloor', { days: formatNumber(DEFAULT_RETENTION.days, 0), entries: formatNumber(DEFAULT_RETENTION.entries, 0) })}
      </p>
      ${this.retentionError ? html`<p class="error" role="alert">${this.retentionError}</p>` : nothing}
    </details>`;
  }

  private saveRetention(e: Event, d: { days: string; entries: string }): void {
    e.preventDefault();
    const wb = this.workbook;
    if (!wb || wb.readOnly) return;
    const days = Number(d.days);
    const entries = Number(d.entries);
    // Refused rather than raised to the floor: a coordinator who typed 30 days should learn it is not 30.
    if (!Number.isInteger(days) || !Number.isInteger(entries) || days < DEFAULT_RETENTION.days || entries < DEFAULT_RETENTION.entries) {
      this.retentionError = t('activity.retentionFloor', { days: formatNumber(DEFAULT_RETENTION.days, 0), entries: formatNumber(DEFAULT_RETENTION.entries, 0) });
      return;
    }
    wb.journal.setRetention({ days, entries });
    this.retentionDraft = null;
    this.retentionError = '';
    this.message = t('activity.retentionSaved', { days: formatNumber(days, 0), entries: formatNumber(entries, 0) });
  }
}

customElements.define('activity-panel', ActivityPanel);

declare global {
  interface HTMLElementTagNameMap {
    'activity-panel': ActivityPanel;
  }
}
