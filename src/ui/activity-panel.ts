import { LitElement, css, html, nothing } from 'lit';
import { dialogStyles, showDialog } from './dialog-styles.js';
import type { ActivityEntry } from '../model/activity.js';
import type { Workbook } from '../model/workbook.js';
import { LocaleController, currentLocale, formatDateTime, t, tn } from './i18n/locale.js';
import { displayValue } from './i18n/value-text.js';

const RANGES = [
  ['activity.hour', 3_600_000],
  ['activity.day', 86_400_000],
  ['activity.week', 7 * 86_400_000],
  ['activity.ever', Number.POSITIVE_INFINITY],
] as const;

/**
 * `<activity-panel>`: what changed in this sheet, newest first — who, which
 * cell, old → new, when — filtered by person; and the coordinator's answer to
 * a leaked edit link: revert everything one person did in a time range.
 */
export class ActivityPanel extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    person: { state: true },
    range: { state: true },
    message: { state: true },
    tick: { state: true },
    isOpen: { state: true },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare person: string;
  declare range: number;
  declare message: string;
  declare tick: number;
  /** Contents are built only while open: listing them scans the sheet. */
  declare isOpen: boolean;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.person = '';
    this.range = 1;
    this.message = '';
    this.tick = 0;
    this.isOpen = false;
  }

  static styles = [
    dialogStyles,
    css`
    dialog {
      max-width: min(44rem, 96vw);
    }
    .controls {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: center;
    }
    ol {
      list-style: none;
      padding: 0;
      max-height: 55vh;
      overflow: auto;
    }
    li {
      border-bottom: 1px solid #eaeef2;
      padding: 0.35rem 0;
    }
    .when {
      color: #57606a;
      font-size: 0.85rem;
    }
    .danger {
      color: #cf222e;
    }
    .message {
      font-weight: 600;
    }
  `,
  ];

  open(): void {
    this.message = '';
    this.tick++;
    this.isOpen = true;
    showDialog(this);
  }

  private describe(e: ActivityEntry & { by: string }): string {
    const wb = this.workbook!;
    const col = [...wb.columns(e.sheetId), ...wb.deletedColumns(e.sheetId)].find((c) => c.id === e.colId);
    const index = wb.rowIds(e.sheetId).indexOf(e.rowId);
    const column = col?.name ?? t('activity.deletedColumn');
    const where = index >= 0 ? t('activity.where', { column, row: index + 1 }) : t('activity.whereGone', { column, row: t('activity.deletedRow') });
    const show = (raw: string | number | null) => {
      const v = wb.loggedValue(raw);
      return v === null ? t('value.empty') : col ? displayValue(currentLocale(), col, v) : String(v);
    };
    switch (e.kind) {
      case 'cell':
        return t('activity.cell', { where, before: show(e.before), after: show(e.after) });
      case 'delta':
        return t('activity.delta', { where, delta: `${Number(e.after) > 0 ? '+' : ''}${e.after}` });
      case 'recount':
        return t('activity.recount', { where, n: String(e.after) });
      case 'claim':
        return t('activity.claimed', { where, name: String(e.after) });
      case 'release':
        return t('activity.released', { where, name: String(e.after) });
    }
  }

  render() {
    const wb = this.workbook;
    if (!wb || !this.sheetId || !this.isOpen) return html`<dialog></dialog>`;
    const all = wb.activity({ sheetId: this.sheetId, limit: 500 });
    const people = Array.from(new Set(all.map((e) => e.by))).sort();
    const shown = (this.person ? all.filter((e) => e.by === this.person) : all).slice(0, 200);
    return html`<dialog aria-labelledby="activity-title" @close=${() => {
        this.isOpen = false;
        this.dispatchEvent(new CustomEvent('activity-closed', { bubbles: true, composed: true }));
      }}>
      <h2 id="activity-title">${t('activity.title')}</h2>
      <div class="controls">
        <label
          >${t('activity.person')}
          <select @change=${(e: Event) => (this.person = (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${this.person === ''}>${t('activity.everyone')}</option>
            ${people.map((p) => html`<option value=${p} ?selected=${p === this.person}>${p}</option>`)}
          </select>
        </label>
        ${this.person
          ? html`<select aria-label=${t('activity.range')} @change=${(e: Event) => (this.range = Number((e.target as HTMLSelectElement).value))}>
                ${RANGES.map(([label], i) => html`<option value=${i} ?selected=${i === this.range}>${t(label)}</option>`)}
              </select>
              <button class="danger" @click=${this.revert}>${t('activity.revert', { name: this.person })}</button>`
          : nothing}
      </div>
      ${this.message ? html`<p class="message" role="status">${this.message}</p>` : nothing}
      <ol>
        ${shown.map(
          (e) => html`<li>
            <strong>${e.by}</strong> · ${this.describe(e)}<br /><span class="when">${formatDateTime(e.at)}</span>
          </li>`,
        )}
      </ol>
      ${shown.length === 0 ? html`<p>${t('activity.none')}</p>` : nothing}
      <button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('activity.close')}</button>
    </dialog>`;
  }

  private revert = (): void => {
    const wb = this.workbook;
    if (!wb || !this.person) return;
    const [label, ms] = RANGES[this.range];
    if (!confirm(t('activity.revertConfirm', { name: this.person, range: t(label) }))) return;
    const now = Date.now();
    const result = wb.revertBy(this.person, ms === Number.POSITIVE_INFINITY ? 0 : now - ms, now);
    this.message = [tn('activity.reverted', result.reverted), result.skipped ? tn('activity.skipped', result.skipped) : ''].filter(Boolean).join(' ');
  };
}

customElements.define('activity-panel', ActivityPanel);

declare global {
  interface HTMLElementTagNameMap {
    'activity-panel': ActivityPanel;
  }
}
