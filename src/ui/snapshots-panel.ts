import { LitElement, css, html, nothing } from 'lit';
import * as Y from 'yjs';
import { diffWorkbooks, isUnchanged, planRestore, restoreFromSnapshot, type RestorePlan, type RestoreSummary, type SheetDiff } from '../model/snapshot-diff.js';
import { formatValue } from '../model/values.js';
import { Workbook } from '../model/workbook.js';
import { SnapshotApiError, type SnapshotInfo } from '../protocol/snapshots.js';
import type { SnapshotClient } from '../sync/snapshots.js';
import { dialogStyles, showDialog } from './dialog-styles.js';

const MAX_SHOWN_ROWS = 200;

interface Opened {
  info: SnapshotInfo;
  then: Workbook;
  diffs: SheetDiff[];
  sheetId: string;
}

interface Pending {
  plan: RestorePlan;
  summary: RestoreSummary;
  label: string;
}

function when(at: number): string {
  return new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * `<snapshots-panel>`: copies of the workbook kept by the hub — named ones
 * people take ("end of day 3") and hourly automatic ones. Open one read-only,
 * see what changed since, and restore a sheet or single rows from it as new
 * edits, after being told whose later changes that sets back.
 */
export class SnapshotsPanel extends LitElement {
  static properties = {
    workbook: { attribute: false },
    client: { attribute: false },
    author: { attribute: false },
    pendingChanges: { attribute: false },
    list: { state: true },
    opened: { state: true },
    pending: { state: true },
    message: { state: true },
    error: { state: true },
    isOpen: { state: true },
  };

  declare workbook: Workbook | null;
  declare client: SnapshotClient | null;
  declare author: string;
  /** this device's changes not yet on the hub: they will not be in a snapshot taken now */
  declare pendingChanges: number;
  declare list: SnapshotInfo[] | null;
  declare opened: Opened | null;
  declare pending: Pending | null;
  declare message: string;
  declare error: string;
  declare isOpen: boolean;

  constructor() {
    super();
    this.workbook = null;
    this.client = null;
    this.author = '';
    this.pendingChanges = 0;
    this.list = null;
    this.opened = null;
    this.pending = null;
    this.message = '';
    this.error = '';
    this.isOpen = false;
  }

  static styles = [
    dialogStyles,
    css`
      dialog {
        max-width: min(64rem, 96vw);
      }
      .scroll {
        max-height: 55vh;
        overflow: auto;
      }
      ul {
        list-style: none;
        padding: 0;
      }
      li {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        justify-content: space-between;
        border-bottom: 1px solid #eaeef2;
        padding: 0.25rem 0;
      }
      .who {
        color: #57606a;
        font-size: 0.85rem;
      }
      .row {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
        align-items: center;
        margin: 0.5rem 0;
      }
      table {
        border-collapse: collapse;
        font-size: 0.9rem;
      }
      th,
      td {
        border: 1px solid #eaeef2;
        padding: 0.2rem 0.4rem;
        text-align: left;
        white-space: pre-wrap;
        max-width: 18rem;
      }
      td.changed {
        background: #fff8c5;
      }
      tr.removed td {
        background: #ffebe9;
      }
      .confirm {
        border: 2px solid #bf8700;
        border-radius: 6px;
        padding: 0.5rem 0.75rem;
      }
    `,
  ];

  async open(): Promise<void> {
    this.isOpen = true;
    this.opened?.then.doc.destroy();
    this.opened = null;
    this.pending = null;
    this.message = '';
    this.error = '';
    showDialog(this);
    await this.refresh();
  }

  private close(): void {
    this.renderRoot.querySelector('dialog')?.close();
  }

  private onClosed(): void {
    this.isOpen = false;
    this.opened?.then.doc.destroy();
    this.opened = null;
    this.dispatchEvent(new CustomEvent('snapshots-closed', { bubbles: true, composed: true }));
  }

  private async refresh(): Promise<void> {
    if (!this.client) return;
    try {
      this.list = await this.client.list();
    } catch (err) {
      this.list = null;
      this.error = (err as Error).message;
    }
  }

  private async take(e: Event): Promise<void> {
    e.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('#snap-name')!;
    const name = input.value.trim();
    if (!name || !this.client) return;
    this.error = '';
    try {
      const info = await this.client.create(name, this.author || 'someone');
      input.value = '';
      this.message = `Snapshot “${info.name}” kept on the hub.`;
      await this.refresh();
    } catch (err) {
      this.error = err instanceof SnapshotApiError ? err.message : String(err);
    }
  }

  private async openSnapshot(info: SnapshotInfo): Promise<void> {
    if (!this.client || !this.workbook) return;
    this.error = '';
    try {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, await this.client.fetch(info.id));
      const then = new Workbook(doc, { actor: { name: 'snapshot', deviceId: 'snapshot' } });
      this.opened?.then.doc.destroy();
      const diffs = diffWorkbooks(then, this.workbook);
      const first = diffs.find((d) => d.state !== 'added-now') ?? diffs[0];
      this.opened = { info, then, diffs, sheetId: first?.sheetId ?? '' };
      this.pending = null;
    } catch (err) {
      this.error = err instanceof SnapshotApiError ? err.message : `This snapshot cannot be read: ${String(err)}`;
    }
  }

  private askRestore(plan: RestorePlan, label: string): void {
    if (!this.opened || !this.workbook) return;
    try {
      this.pending = { plan, summary: planRestore(this.opened.then, this.workbook, plan), label };
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private confirmRestore(): void {
    const o = this.opened;
    if (!o || !this.workbook || !this.pending) return;
    const s = restoreFromSnapshot(o.then, this.workbook, this.pending.plan);
    this.message = `Restored ${this.pending.label}: ${s.cells.length} cell${s.cells.length === 1 ? '' : 's'} set back, ${s.rowsBack.length} row${s.rowsBack.length === 1 ? '' : 's'} back from the trash${s.rowsToTrash.length ? `, ${s.rowsToTrash.length} later row${s.rowsToTrash.length === 1 ? '' : 's'} moved to the trash` : ''}. Undo or the activity panel can take it back.`;
    this.pending = null;
    this.opened = { ...o, diffs: diffWorkbooks(o.then, this.workbook) };
  }

  render() {
    if (!this.isOpen) return html`<dialog aria-labelledby="snap-title" @close=${this.onClosed}></dialog>`;
    return html`<dialog aria-labelledby="snap-title" @close=${this.onClosed}>
      <h2 id="snap-title">Snapshots</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.message ? html`<p role="status">${this.message}</p>` : nothing}
      ${this.opened ? this.renderOpened(this.opened) : this.renderList()}
      <div class="row"><button @click=${this.close}>Close</button></div>
    </dialog>`;
  }

  private renderList() {
    return html`<form class="row" @submit=${this.take}>
        <label>Name <input id="snap-name" maxlength="100" placeholder="end of day 3" required /></label>
        <button type="submit">Take a snapshot now</button>
      </form>
      ${this.pendingChanges > 0
        ? html`<p class="who">${this.pendingChanges} change${this.pendingChanges === 1 ? '' : 's'} from this device ${this.pendingChanges === 1 ? 'is' : 'are'} not on the hub yet and will not be in it.</p>`
        : nothing}
      ${this.list === null
        ? nothing
        : this.list.length === 0
          ? html`<p>No snapshots yet. The hub also keeps one automatically each hour while people edit.</p>`
          : html`<ul class="scroll" aria-label="Snapshots, newest first">
              ${this.list.map(
                (s) => html`<li>
                  <span
                    ><strong>${s.kind === 'auto' ? 'Automatic' : s.name}</strong><br /><span class="who"
                      >${when(s.at)} · ${s.kind === 'auto' ? 'kept by the hub' : `by ${s.by}`}</span
                    ></span
                  >
                  <button @click=${() => this.openSnapshot(s)} aria-label="Open ${s.kind === 'auto' ? 'automatic snapshot' : s.name} of ${when(s.at)}">Open</button>
                </li>`,
              )}
            </ul>`}`;
  }

  private renderOpened(o: Opened) {
    const diff = o.diffs.find((d) => d.sheetId === o.sheetId);
    return html`<p>
        <strong>${o.info.kind === 'auto' ? 'Automatic snapshot' : `“${o.info.name}”`}</strong>, ${when(o.info.at)}${o.info.kind === 'auto' ? '' : ` by ${o.info.by}`} — read-only.
        <button @click=${() => (this.opened = null)}>Back to the list</button>
      </p>
      <ul aria-label="What changed since, per sheet">
        ${o.diffs.map(
          (d) => html`<li>
            <span>
              <strong>${d.name}</strong>:
              ${d.state === 'added-now'
                ? 'created after this snapshot'
                : d.state === 'deleted-now'
                  ? 'in the trash now'
                  : isUnchanged(d)
                    ? 'no changes since'
                    : `${d.added.length} row${d.added.length === 1 ? '' : 's'} added, ${d.removed.length} removed, ${d.changed.length} cell${d.changed.length === 1 ? '' : 's'} changed since`}
            </span>
            ${d.state !== 'added-now' ? html`<button @click=${() => (this.opened = { ...o, sheetId: d.sheetId })} aria-pressed=${d.sheetId === o.sheetId ? 'true' : 'false'}>Show</button>` : nothing}
          </li>`,
        )}
      </ul>
      ${this.pending ? this.renderConfirm(this.pending) : nothing}
      ${diff && diff.state !== 'added-now' ? this.renderSheet(o, diff) : nothing}`;
  }

  private renderConfirm(p: Pending) {
    const s = p.summary;
    return html`<div class="confirm" role="alertdialog" aria-label="Confirm restore">
      <p>Restore ${p.label}?</p>
      <ul>
        ${s.sheetBack ? html`<li>The sheet comes back from the trash.</li>` : nothing}
        <li>${s.cells.length} cell${s.cells.length === 1 ? '' : 's'} set back to the snapshot's values.</li>
        ${s.overwrites.length ? html`<li>This sets back later changes by ${s.overwrites.map((o) => `${o.by} (${o.cells})`).join(', ')}.</li>` : nothing}
        ${s.rowsBack.length ? html`<li>${s.rowsBack.length} row${s.rowsBack.length === 1 ? '' : 's'} back from the trash.</li>` : nothing}
        ${s.rowsToTrash.length ? html`<li>${s.rowsToTrash.length} row${s.rowsToTrash.length === 1 ? '' : 's'} added since go to the trash (restorable).</li>` : nothing}
        ${s.unfit.length ? html`<li>${s.unfit.length} value${s.unfit.length === 1 ? '' : 's'} no longer fit a retyped column and stay as they are.</li>` : nothing}
      </ul>
      <p class="who">It is recorded as your edits; nothing is erased from history, and undo takes it back.</p>
      <div class="row">
        <button @click=${this.confirmRestore}>Restore</button>
        <button @click=${() => (this.pending = null)}>Cancel</button>
      </div>
    </div>`;
  }

  private renderSheet(o: Opened, diff: SheetDiff) {
    const then = o.then;
    const sheetId = diff.sheetId;
    const columns = then.columns(sheetId);
    const rows = then.rowIds(sheetId);
    const changed = new Map(diff.changed.map((c) => [`${c.rowId}/${c.colId}`, c]));
    const removed = new Set(diff.removed);
    const touched = new Set([...diff.changed.map((c) => c.rowId), ...diff.removed]);
    return html`<div class="row">
        <button @click=${() => this.askRestore({ sheetId }, `the whole sheet “${diff.name}”`)} ?disabled=${isUnchanged(diff)}>Restore this whole sheet</button>
      </div>
      <div class="scroll">
        <table>
          <caption>
            “${diff.name}” as it was (${rows.length} rows${rows.length > MAX_SHOWN_ROWS ? `, first ${MAX_SHOWN_ROWS} shown` : ''}). Changed cells are marked; hover for today's value.
          </caption>
          <thead>
            <tr>
              <th scope="col">Row</th>
              ${columns.map((c) => html`<th scope="col">${c.name}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${rows.slice(0, MAX_SHOWN_ROWS).map(
              (r, i) => html`<tr class=${removed.has(r) ? 'removed' : ''}>
                <th scope="row">
                  ${i + 1}
                  ${touched.has(r)
                    ? html`<button @click=${() => this.askRestore({ sheetId, rows: [r] }, `row ${i + 1}`)} aria-label="Restore row ${i + 1}">Restore</button>`
                    : nothing}
                  ${removed.has(r) ? html`<span class="who">deleted since</span>` : nothing}
                </th>
                ${columns.map((c) => {
                  const ch = changed.get(`${r}/${c.id}`);
                  const value = formatValue(c, then.getValue(sheetId, r, c.id));
                  return ch
                    ? html`<td class="changed" title=${`Now: ${formatValue(c, ch.after) || '(empty)'}${ch.by ? `, changed by ${ch.by}` : ''}`}>${value}</td>`
                    : html`<td>${value}</td>`;
                })}
              </tr>`,
            )}
          </tbody>
        </table>
      </div>`;
  }
}

customElements.define('snapshots-panel', SnapshotsPanel);
