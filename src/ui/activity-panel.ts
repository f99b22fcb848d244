import { LitElement, css, html, nothing } from 'lit';
import { dialogStyles, showDialog } from './dialog-styles.js';
import type { ActivityEntry } from '../model/activity.js';
import { formatValue } from '../model/values.js';
import type { Workbook } from '../model/workbook.js';

const RANGES: [label: string, ms: number][] = [
  ['in the last hour', 3_600_000],
  ['in the last 24 hours', 86_400_000],
  ['in the last 7 days', 7 * 86_400_000],
  ['ever', Number.POSITIVE_INFINITY],
];

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
    const where = `${col?.name ?? 'a deleted column'}, ${index >= 0 ? `row ${index + 1}` : 'a deleted row'}`;
    const show = (raw: string | number | null) => {
      const v = wb.loggedValue(raw);
      return v === null ? 'empty' : col ? formatValue(col, v) : String(v);
    };
    switch (e.kind) {
      case 'cell':
        return `${where}: ${show(e.before)} → ${show(e.after)}`;
      case 'delta':
        return `${where}: ${Number(e.after) > 0 ? '+' : ''}${e.after}`;
      case 'recount':
        return `${where}: recounted to ${e.after}`;
      case 'claim':
        return `${where}: ${e.after} claimed it`;
      case 'release':
        return `${where}: ${e.after} released it`;
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
      <h2 id="activity-title">Activity</h2>
      <div class="controls">
        <label
          >Person
          <select @change=${(e: Event) => (this.person = (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${this.person === ''}>Everyone</option>
            ${people.map((p) => html`<option value=${p} ?selected=${p === this.person}>${p}</option>`)}
          </select>
        </label>
        ${this.person
          ? html`<select aria-label="Time range" @change=${(e: Event) => (this.range = Number((e.target as HTMLSelectElement).value))}>
                ${RANGES.map(([label], i) => html`<option value=${i} ?selected=${i === this.range}>${label}</option>`)}
              </select>
              <button class="danger" @click=${this.revert}>Revert ${this.person}’s changes</button>`
          : nothing}
      </div>
      ${this.message ? html`<p class="message" role="status">${this.message}</p>` : nothing}
      <ol>
        ${shown.map(
          (e) => html`<li>
            <strong>${e.by}</strong> · ${this.describe(e)}<br /><span class="when">${new Date(e.at).toLocaleString()}</span>
          </li>`,
        )}
      </ol>
      ${shown.length === 0 ? html`<p>No changes yet.</p>` : nothing}
      <button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>Close</button>
    </dialog>`;
  }

  private revert = (): void => {
    const wb = this.workbook;
    if (!wb || !this.person) return;
    const [label, ms] = RANGES[this.range];
    if (!confirm(`Revert every change ${this.person} made ${label}? Cells someone else changed since are left as they are.`)) return;
    const now = Date.now();
    const result = wb.revertBy(this.person, ms === Number.POSITIVE_INFINITY ? 0 : now - ms, now);
    this.message = `Reverted ${result.reverted} change${result.reverted === 1 ? '' : 's'}${result.skipped ? `; left ${result.skipped} that were changed since or cannot be undone` : ''}.`;
  };
}

customElements.define('activity-panel', ActivityPanel);

declare global {
  interface HTMLElementTagNameMap {
    'activity-panel': ActivityPanel;
  }
}
