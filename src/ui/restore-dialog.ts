import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { ModelError } from '../model/errors.js';
import { restoreTo, type RestoreToResult } from '../model/restore-to.js';
import type { Workbook } from '../model/workbook.js';
import type { Credential } from '../protocol/access.js';
import { SnapshotApiError } from '../protocol/snapshots.js';
import { dialogStyles, recordListStyles, showDialog } from './dialog-styles.js';
import { errorText } from './i18n/error-text.js';
import { LocaleController, currentLocale, t, tn } from './i18n/locale.js';
import { listAnd, personText, titleText } from './i18n/value-text.js';
import { previewRestore, type RestorePreview, type SheetPreview } from './restore-plan.js';
import { RestoreSource, type Moment } from './restore-source.js';
import {
  changeText,
  fromLocalInput,
  groupByMinute,
  groupText,
  justBefore,
  justBeforeGroupLabel,
  justBeforeLabel,
  toLocalInput,
  type CombinedTimeline,
} from './restore-timeline.js';

/** Minute groups shown at first and added by each "Show earlier changes". */
const PAGE = 30;

/**
 * `<restore-dialog>`: "Restore to…". The hub keeps every change it acknowledged for its
 * retention window; this lists when changes happened (both the sheets and their history), lets
 * a person pick any moment — or "just before" a listed change — shows what going back to it
 * would put back and whose later changes it sets back, and then restores the whole workbook or
 * one sheet as new edits (restoreTo, one action). It works on a workbook that no longer renders
 * at all (wiped: not initialized, no sheets), which is when it is needed most.
 *
 * Properties: `workbook`, `workbookId`, `credential`, `origin` (the hub; this page's by default).
 * `show()` opens it; it dispatches `restored` (detail: the RestoreToResult) after a restore.
 */
export class RestoreDialog extends LitElement {
  static properties = {
    workbook: { attribute: false },
    workbookId: { attribute: false },
    credential: { attribute: false },
    origin: { attribute: false },
    isOpen: { state: true },
    timeline: { state: true },
    shown: { state: true },
    moment: { state: true },
    scope: { state: true },
    preview: { state: true },
    busy: { state: true },
    error: { state: true },
    done: { state: true },
    picker: { state: true },
  };

  declare workbook: Workbook | null;
  declare workbookId: string;
  declare credential: Credential | null;
  declare origin: string;
  declare isOpen: boolean;
  declare timeline: CombinedTimeline | null;
  /** how many minute groups are listed */
  declare shown: number;
  declare moment: Moment | null;
  /** '' for the whole workbook, else the one sheet's id */
  declare scope: string;
  declare preview: RestorePreview | null;
  /** what is being read from the hub, said while it is */
  declare busy: string;
  declare error: string;
  declare done: string;
  /** what the date/time input holds: kept here so a re-render never overwrites what is being typed */
  declare picker: string;

  private source: RestoreSource | null = null;
  /** bumped by each request (timeline pages; moments), so an answer arriving after a newer request, or after closing, is dropped */
  private timelineRequest = 0;
  private momentRequest = 0;
  /** where focus was when the dialog opened, to give it back */
  private opener: HTMLElement | null = null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.workbookId = '';
    this.credential = null;
    this.origin = typeof location !== 'undefined' ? location.origin : '';
    this.isOpen = false;
    this.timeline = null;
    this.shown = PAGE;
    this.moment = null;
    this.scope = '';
    this.preview = null;
    this.busy = '';
    this.error = '';
    this.done = '';
    this.picker = '';
  }

  static styles = [
    dialogStyles,
    recordListStyles,
    css`
      dialog {
        max-width: min(48rem, 96vw);
      }
      h3 {
        font-size: 1rem;
        margin: 0.75rem 0 0.25rem;
      }
      .row {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
        align-items: center;
        margin: 0.5rem 0;
      }
      .scroll {
        max-height: 40vh;
        overflow: auto;
        margin: 0;
      }
      li.group {
        flex-wrap: wrap;
      }
      li.group > details {
        flex-basis: 100%;
      }
      summary {
        /* stays a list item, so it keeps its disclosure triangle */
        min-height: 44px;
        line-height: 44px;
        cursor: pointer;
        padding-left: 0.25rem;
      }
      details ul {
        margin: 0 0 0.25rem 1rem;
      }
      .preview {
        border: 2px solid #bf8700;
        border-radius: 6px;
        padding: 0.25rem 0.75rem;
        margin-top: 0.75rem;
      }
      .preview h3:focus {
        outline: 2px solid #0969da;
        outline-offset: 2px;
      }
      .sheets li {
        justify-content: flex-start;
      }
      button.primary {
        background: #1f883d;
        border-color: #1f883d;
        color: white;
        font-weight: 600;
      }
      button:disabled {
        opacity: 0.55;
      }
      :focus-visible {
        outline: 2px solid #0969da;
        outline-offset: 2px;
      }
    `,
  ];

  /** Opens the dialog and reads the hub's timeline; safe to call on a wiped or still-arriving workbook. */
  show(): void {
    this.opener = deepActiveElement();
    this.reset();
    this.isOpen = true;
    showDialog(this);
    void this.loadTimeline();
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    // Another workbook (or link) opened underneath: what was read belongs to the old one.
    if ((changed.has('workbook') || changed.has('workbookId') || changed.has('credential') || changed.has('origin')) && this.source) {
      this.source = null;
      if (this.isOpen) this.close();
    }
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.dropMoment();
  }

  private reset(): void {
    this.timelineRequest++;
    this.momentRequest++;
    this.dropMoment();
    this.source = this.workbookId ? new RestoreSource(this.origin, this.workbookId, this.credential) : null;
    this.timeline = null;
    this.shown = PAGE;
    this.scope = '';
    this.preview = null;
    this.busy = '';
    this.error = '';
    this.done = '';
    this.picker = toLocalInput(Date.now());
  }

  private dropMoment(): void {
    if (!this.moment) return;
    dropThen(this.moment);
    this.moment = null;
  }

  private close(): void {
    this.renderRoot.querySelector('dialog')?.close();
  }

  private onClosed(): void {
    this.isOpen = false;
    this.timelineRequest++;
    this.momentRequest++;
    this.dropMoment();
    this.preview = null;
    // The native dialog gives focus back too; an opener re-rendered meanwhile may need it done by hand.
    const opener = this.opener;
    this.opener = null;
    if (opener?.isConnected && deepActiveElement() !== opener) opener.focus();
    this.dispatchEvent(new CustomEvent('restore-closed', { bubbles: true, composed: true }));
  }

  private async loadTimeline(older = false): Promise<void> {
    const source = this.source;
    if (!source) {
      this.error = t('err.UNKNOWN_WORKBOOK');
      return;
    }
    const request = ++this.timelineRequest;
    this.busy = t('restore.loading');
    this.error = '';
    try {
      const timeline = older ? await source.older() : await source.timeline();
      if (request !== this.timelineRequest) return;
      this.timeline = timeline;
    } catch (err) {
      if (request === this.timelineRequest) this.error = problemText(err);
    } finally {
      if (request === this.timelineRequest) this.busy = '';
    }
  }

  private async showEarlier(): Promise<void> {
    const groups = this.timeline ? groupByMinute(this.timeline.changes).length : 0;
    if (this.shown < groups) {
      this.shown += PAGE;
      return;
    }
    await this.loadTimeline(true);
    this.shown += PAGE;
  }

  /** Rebuilds the workbook at `at` from the hub and plans what restoring it would do. */
  private async choose(at: number): Promise<void> {
    const source = this.source;
    const wb = this.workbook;
    if (!source || !wb) return;
    const request = ++this.momentRequest;
    this.busy = t('restore.reading', { when: formatMoment(at) });
    this.error = '';
    this.done = '';
    this.picker = toLocalInput(at);
    try {
      const [moment] = await Promise.all([source.moment(at), source.catchUp(wb)]);
      if (request !== this.momentRequest || this.workbook !== wb) {
        dropThen(moment);
        return;
      }
      this.dropMoment();
      this.moment = moment;
      // A sheet chosen for an earlier moment may not have existed at this one.
      if (this.scope && !moment.then.sheets().some((s) => s.id === this.scope)) this.scope = '';
      this.preview = previewRestore(moment.then, wb, this.scope || null);
      await this.updateComplete;
      // Keyboard and screen-reader users land on what the choice shows.
      this.renderRoot.querySelector<HTMLElement>('#restore-at')?.focus();
    } catch (err) {
      if (request === this.momentRequest) this.error = problemText(err);
    } finally {
      if (request === this.momentRequest) this.busy = '';
    }
  }

  private look(e: Event): void {
    e.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('#restore-moment');
    const at = input ? fromLocalInput(input.value) : null;
    if (at === null) {
      this.error = t('restore.badMoment');
      input?.focus();
      return;
    }
    void this.choose(at);
  }

  private setScope(scope: string): void {
    this.scope = scope;
    if (this.moment && this.workbook) this.preview = previewRestore(this.moment.then, this.workbook, scope || null);
  }

  private canWrite(): boolean {
    return !!this.workbook && !this.workbook.readOnly && this.credential?.role !== 'view';
  }

  private confirm(): void {
    const wb = this.workbook;
    const m = this.moment;
    if (!wb || !m || !this.canWrite()) return;
    const sheetId = this.scope || undefined;
    // Planned again on the state of this instant: colleagues may have edited since the preview.
    const plan = previewRestore(m.then, wb, sheetId ?? null);
    let result: RestoreToResult;
    try {
      result = restoreTo(m.then, wb, { at: m.at, sheetId });
    } catch (err) {
      this.error = problemText(err);
      return;
    }
    const parts = {
      sheets: tn('restore.nSheets', plan.totals.sheets),
      rows: tn('restore.nRows', plan.totals.rows),
      cells: tn('restore.nCells', plan.totals.cells),
      entries: tn('restore.nEntries', result.journalBack),
    };
    this.done = [t('restore.done', parts), result.sheetsToTrash.length ? tn('restore.doneTrash', result.sheetsToTrash.length) : ''].filter(Boolean).join(' ');
    this.preview = previewRestore(m.then, wb, sheetId ?? null);
    this.dispatchEvent(new CustomEvent<RestoreToResult>('restored', { detail: result, bubbles: true, composed: true }));
  }

  render() {
    if (!this.isOpen) return html`<dialog aria-labelledby="restore-title"></dialog>`;
    return html`<dialog aria-labelledby="restore-title" aria-describedby="restore-intro" @close=${this.onClosed}>
      <h2 id="restore-title">${t('restore.title')}</h2>
      <p id="restore-intro">${t('restore.intro')}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <p role="status" class="who">${this.busy}</p>
      ${this.renderChoice()} ${this.moment && this.preview ? this.renderPreview(this.moment, this.preview) : nothing}
      ${this.done ? html`<p role="status"><strong>${this.done}</strong></p>` : nothing}
      <div class="row"><button @click=${this.close}>${t('restore.close')}</button></div>
    </dialog>`;
  }

  private renderChoice() {
    const tl = this.timeline;
    const now = Date.now();
    const locale = currentLocale();
    const options = { now };
    const groups = tl ? groupByMinute(tl.changes) : [];
    const shown = groups.slice(0, this.shown);
    // novalidate: a moment out of range is the hub's to refuse, in our words (410 says from when it keeps changes).
    return html`<form class="row" novalidate @submit=${this.look}>
        <label
          >${t('restore.moment')}
          <input
            id="restore-moment"
            type="datetime-local"
            step="1"
            min=${tl ? toLocalInput(tl.earliest) : nothing}
            max=${toLocalInput(now)}
            .value=${this.picker}
            @input=${(e: Event) => (this.picker = (e.target as HTMLInputElement).value)}
        /></label>
        <button type="submit">${t('restore.look')}</button>
      </form>
      ${tl ? html`<p class="who">${t('restore.keptSince', { earliest: formatMoment(tl.earliest) })}</p>` : nothing}
      ${tl
        ? html`<h3 id="restore-changes">${t('restore.changes')}</h3>
            ${groups.length === 0
              ? html`<p>${t('restore.noChanges')}</p>`
              : html`<ul class="scroll" aria-labelledby="restore-changes">
                  ${shown.map((g, i) => {
                    const single = g.changes.length === 1 ? g.changes[0] : null;
                    return html`<li class="group">
                      <span>${groupText(locale, g, options)}</span>
                      <button
                        aria-label=${single ? justBeforeLabel(locale, single, options) : justBeforeGroupLabel(locale, g, options)}
                        @click=${() => void this.choose(justBefore(g.oldest))}
                      >
                        ${t('restore.justBefore')}
                      </button>
                      ${single
                        ? nothing
                        : html`<details ?open=${i === 0}>
                            <summary>${t('restore.eachChange')}</summary>
                            <ul>
                              ${g.changes.map(
                                (c) => html`<li>
                                  <span>${changeText(locale, c, options)}</span>
                                  <button aria-label=${justBeforeLabel(locale, c, options)} @click=${() => void this.choose(justBefore(c.at))}>${t('restore.justBefore')}</button>
                                </li>`,
                              )}
                            </ul>
                          </details>`}
                    </li>`;
                  })}
                </ul>`}
            ${groups.length > shown.length || tl.more ? html`<button @click=${() => void this.showEarlier()}>${t('restore.showEarlier')}</button>` : nothing}`
        : nothing}`;
  }

  private renderPreview(m: Moment, p: RestorePreview) {
    const thenSheets = m.then.sheets();
    const writable = this.canWrite();
    const why = !writable ? t('restore.viewOnly') : p.emptyThen ? t('restore.thenEmpty') : !p.changes ? t('restore.nothing') : '';
    return html`<section class="preview" aria-labelledby="restore-at">
      <h3 id="restore-at" tabindex="-1">${t('restore.at', { when: formatMoment(m.at) })}</h3>
      ${p.emptyThen
        ? html`<p>${t('restore.thenEmpty')}</p>`
        : html`${p.emptyNow ? html`<p><strong>${t('restore.emptyNow')}</strong></p>` : nothing}
            ${m.historyGone ? html`<p>${t('restore.historyGone')}</p>` : nothing}
            ${m.failures.length ? html`<p role="alert">${t('sealed.badBlob')}</p>` : nothing}
            <label
              >${t('restore.scope')}
              <select id="restore-scope" @change=${(e: Event) => this.setScope((e.target as HTMLSelectElement).value)}>
                <option value="" ?selected=${this.scope === ''}>${t('restore.whole')}</option>
                ${thenSheets.map((s) => html`<option value=${s.id} ?selected=${this.scope === s.id}>${t('restore.onlySheet', { name: s.name })}</option>`)}
              </select>
            </label>
            <ul class="sheets" aria-label=${t('restore.perSheet')}>
              ${p.sheets.map((s) => html`<li><span><strong>${s.name}</strong>: ${sheetText(s)}</span></li>`)}
            </ul>
            ${p.titleBack !== null ? html`<p>${t('restore.titleBack', { title: titleText(currentLocale(), p.titleBack) })}</p>` : nothing}
            ${p.overwrites.length
              ? html`<p>
                  ${t('restore.overwrites', {
                    people: listAnd(
                      currentLocale(),
                      p.overwrites.map((o) => t('restore.person', { name: personText(currentLocale(), o.by), cells: tn('restore.nCells', o.cells) })),
                    ),
                  })}
                </p>`
              : nothing}
            ${p.historyBack ? html`<p>${tn('restore.historyBack', p.historyBack)}</p>` : nothing}
            <p class="who">${t('restore.recorded')}</p>`}
      <div class="row">
        <button class="primary" ?disabled=${!!why} aria-describedby=${why ? 'restore-why' : nothing} @click=${this.confirm}>${t('restore.confirm')}</button>
        ${why ? html`<span id="restore-why" class="who">${why}</span>` : nothing}
      </div>
    </section>`;
  }
}

/** One sheet's line in the preview, after its name. */
function sheetText(s: SheetPreview): string {
  switch (s.fate) {
    case 'back':
      return t('restore.sheetBack', { rows: tn('restore.rows', s.rowsBack), cells: tn('restore.cells', s.cellsBack) });
    case 'fromTrash':
      return t('restore.sheetFromTrash');
    case 'toTrash':
      return t('restore.sheetLater');
    case 'unchanged':
      return t('restore.sheetUnchanged');
    case 'changes': {
      const parts = [
        s.cellsBack ? tn('restore.cellsBack', s.cellsBack) : '',
        s.rowsBack ? tn('restore.rowsBack', s.rowsBack) : '',
        s.columnsBack ? tn('restore.columnsBack', s.columnsBack) : '',
        s.rowsToTrash ? tn('restore.rowsLater', s.rowsToTrash) : '',
        s.unfit ? tn('restore.unfit', s.unfit) : '',
      ].filter(Boolean);
      return parts.length ? parts.join('; ') : t('restore.nameBack');
    }
  }
}

/** A moment to the second: two changes a few seconds apart must read differently. */
function formatMoment(ms: number): string {
  return new Date(ms).toLocaleString(currentLocale(), { dateStyle: 'medium', timeStyle: 'medium' });
}

/** A refusal in words; the hub being out of reach and a moment too heavy to rebuild are said for this dialog. */
function problemText(err: unknown): string {
  if (err instanceof SnapshotApiError) {
    if (err.code === 'OFFLINE') return t('restore.offline');
    if (err.code === 'TOO_LARGE') return t('restore.tooLarge');
    return errorText(err);
  }
  if (err instanceof ModelError) return errorText(err);
  return t('restore.unreadable', { reason: err instanceof Error ? err.message : String(err) });
}

function dropThen(m: Moment): void {
  m.then.destroy();
  m.then.doc.destroy();
  m.then.journal.doc.destroy();
}

/** The focused element, looking inside shadow roots (the opener lives in another element's). */
function deepActiveElement(): HTMLElement | null {
  let el: Element | null = typeof document !== 'undefined' ? document.activeElement : null;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement ? el : null;
}

customElements.define('restore-dialog', RestoreDialog);

declare global {
  interface HTMLElementTagNameMap {
    'restore-dialog': RestoreDialog;
  }
}
