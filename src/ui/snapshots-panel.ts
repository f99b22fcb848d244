import { LitElement, css, html, nothing } from 'lit';
import { diffWorkbooks, isUnchanged, planRestore, restoreFromSnapshot, type RestorePlan, type RestoreSummary, type SheetDiff } from '../model/snapshot-diff.js';
import type { CellValue, Column } from '../model/types.js';
import { Workbook } from '../model/workbook.js';
import { SnapshotApiError, type SnapshotInfo } from '../protocol/snapshots.js';
import type { SnapshotClient } from '../sync/snapshots.js';
import { dialogStyles, recordListStyles, showDialog } from './dialog-styles.js';
import { errorText } from './i18n/error-text.js';
import { LocaleController, currentLocale, formatDateTime, formatNumber, t, tn } from './i18n/locale.js';
import { displayValue, personText } from './i18n/value-text.js';

const MAX_SHOWN_ROWS = 200;

/** A sealed workbook's snapshot whose label does not open (not sealed by its writer) has no name to show. */
const UNNAMED = '—';
const nameOf = (s: SnapshotInfo): string => s.name || UNNAMED;

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
    deleting: { state: true },
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
  /** the named snapshot whose deletion is waiting for a confirmation in the page */
  declare deleting: SnapshotInfo | null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
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
    this.deleting = null;
  }

  static styles = [
    dialogStyles,
    recordListStyles,
    css`
      dialog {
        max-width: min(64rem, 96vw);
      }
      .scroll {
        max-height: 55vh;
        overflow: auto;
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
    this.deleting = null;
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
      this.error = errorText(err);
    }
  }

  private async take(e: Event): Promise<void> {
    e.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('#snap-name')!;
    const name = input.value.trim();
    if (!name || !this.client || this.readOnly) return;
    this.error = '';
    try {
      const info = await this.client.create(name, personText(currentLocale(), this.author));
      input.value = '';
      this.message = t('snap.kept', { name: info.name });
      await this.refresh();
    } catch (err) {
      this.error = err instanceof SnapshotApiError ? errorText(err) : String(err);
    }
  }

  /** Only an edit link deletes, and only named snapshots: automatic ones are the hub's to rotate. */
  private canDelete(info: SnapshotInfo): boolean {
    return info.kind === 'named' && !!this.workbook && !this.workbook.readOnly;
  }

  private async confirmDelete(): Promise<void> {
    const info = this.deleting;
    if (!info || !this.client) return;
    this.error = '';
    this.message = '';
    try {
      await this.client.delete(info.id);
      // The list drops it in the same render as the message, so the page never says "deleted" beside it.
      if (this.list) this.list = this.list.filter((s) => s.id !== info.id);
      this.message = t('snap.deleted', { name: nameOf(info) });
    } catch (err) {
      this.error = errorText(err);
    }
    this.deleting = null;
    await this.refresh();
  }

  private async openSnapshot(info: SnapshotInfo): Promise<void> {
    if (!this.client || !this.workbook) return;
    this.error = '';
    try {
      // A sealed workbook's snapshot is its envelope: opened here with the link's keys (SnapshotClient.open).
      const { doc, failures } = await this.client.open(info.id);
      if (failures.length && !doc.share.size) {
        doc.destroy();
        this.error = t('snap.unreadable', { reason: t('sealed.badBlob') });
        return;
      }
      // Parts that do not open are left out, never applied: the rest is shown, and the person is told.
      if (failures.length) this.error = t('sealed.badBlob');
      const then = new Workbook(doc, { actor: { name: 'snapshot', deviceId: 'snapshot' } });
      this.opened?.then.doc.destroy();
      const diffs = diffWorkbooks(then, this.workbook);
      const first = diffs.find((d) => d.state !== 'added-now') ?? diffs[0];
      this.opened = { info, then, diffs, sheetId: first?.sheetId ?? '' };
      this.pending = null;
    } catch (err) {
      this.error = err instanceof SnapshotApiError ? errorText(err) : t('snap.unreadable', { reason: String(err) });
    }
  }

  private askRestore(plan: RestorePlan, label: string): void {
    if (!this.opened || !this.workbook || this.readOnly) return;
    try {
      this.pending = { plan, summary: planRestore(this.opened.then, this.workbook, plan), label };
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private confirmRestore(): void {
    const o = this.opened;
    if (!o || !this.workbook || !this.pending || this.readOnly) return;
    const s = restoreFromSnapshot(o.then, this.workbook, this.pending.plan);
    const counts = { what: this.pending.label, cells: tn('snap.cells', s.cells.length), rows: tn('snap.rows', s.rowsBack.length), later: tn('snap.rows', s.rowsToTrash.length) };
    this.message = `${t(s.rowsToTrash.length ? 'snap.restoredTrash' : 'snap.restored', counts)} ${t('snap.restoredUndo')}`;
    this.pending = null;
    this.opened = { ...o, diffs: diffWorkbooks(o.then, this.workbook) };
  }

  render() {
    if (!this.isOpen) return html`<dialog aria-labelledby="snap-title" @close=${this.onClosed}></dialog>`;
    return html`<dialog aria-labelledby="snap-title" @close=${this.onClosed}>
      <h2 id="snap-title">${t('snap.title')}</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.message ? html`<p role="status">${this.message}</p>` : nothing}
      ${this.opened ? this.renderOpened(this.opened) : this.renderList()}
      <div class="row"><button @click=${this.close}>${t('snap.close')}</button></div>
    </dialog>`;
  }

  /** A view link looks at snapshots; taking one or restoring from one is an editor's (the hub refuses it too). */
  private get readOnly(): boolean {
    return this.workbook?.readOnly ?? true;
  }

  /** What a disabled control says about why: nothing when it can be used. */
  private get why(): string | typeof nothing {
    return this.readOnly ? t('layout.snapshotsViewOnly') : nothing;
  }

  private renderList() {
    const ro = this.readOnly;
    return html`<form class="row" @submit=${this.take}>
        <label
          >${t('snap.name')}
          <input id="snap-name" maxlength="100" placeholder=${t('snap.namePlaceholder')} required ?disabled=${ro} title=${this.why} aria-describedby=${ro ? 'snap-why' : nothing}
        /></label>
        <button type="submit" ?disabled=${ro} title=${this.why} aria-describedby=${ro ? 'snap-why' : nothing}>${t('snap.take')}</button>
        ${ro ? html`<span id="snap-why" class="who">${t('layout.snapshotsViewOnly')}</span>` : nothing}
      </form>
      ${this.pendingChanges > 0
        ? html`<p class="who">${tn('snap.pending', this.pendingChanges)}</p>`
        : nothing}
      ${this.list === null
        ? nothing
        : this.list.length === 0
          ? html`<p>${t('snap.none')}</p>`
          : html`<ul class="scroll" aria-label=${t('snap.list')}>
              ${this.list.map(
                (s) => html`<li>
                  <span
                    ><strong>${s.kind === 'auto' ? t('snap.automatic') : nameOf(s)}</strong><br /><span class="who"
                      >${formatDateTime(s.at)} · ${s.kind === 'auto' ? t('snap.keptByHub') : t('snap.by', { name: personText(currentLocale(), s.by) })}</span
                    ></span
                  >
                  <button @click=${() => this.openSnapshot(s)} aria-label=${t('snap.openLabel', { name: s.kind === 'auto' ? t('snap.automaticSnapshot') : nameOf(s), when: formatDateTime(s.at) })}>
                    ${t('snap.open')}
                  </button>
                  ${this.canDelete(s)
                    ? html`<button @click=${() => (this.deleting = s)} aria-label=${t('snap.deleteLabel', { name: nameOf(s), when: formatDateTime(s.at) })}>${t('snap.delete')}</button>`
                    : nothing}
                </li>`,
              )}
            </ul>`}
      ${this.deleting
        ? html`<div class="confirm" role="alertdialog" aria-label=${t('snap.confirmDeleteLabel')}>
            <p>${t('snap.confirmDelete', { name: nameOf(this.deleting) })}</p>
            <div class="row">
              <button @click=${this.confirmDelete}>${t('snap.delete')}</button>
              <button @click=${() => (this.deleting = null)}>${t('snap.cancel')}</button>
            </div>
          </div>`
        : nothing}`;
  }

  private renderOpened(o: Opened) {
    const diff = o.diffs.find((d) => d.sheetId === o.sheetId);
    return html`<p>
        ${o.info.kind === 'auto' ? t('snap.openedAuto', { when: formatDateTime(o.info.at) }) : t('snap.openedNamed', { name: nameOf(o.info), when: formatDateTime(o.info.at), by: personText(currentLocale(), o.info.by) })}
        <button @click=${() => (this.opened = null)}>${t('snap.back')}</button>
      </p>
      <ul aria-label=${t('snap.perSheet')}>
        ${o.diffs.map(
          (d) => html`<li>
            <span>
              <strong>${d.name}</strong>:
              ${d.state === 'added-now'
                ? t('snap.addedNow')
                : d.state === 'deleted-now'
                  ? t('snap.deletedNow')
                  : isUnchanged(d)
                    ? t('snap.unchanged')
                    : t('snap.changes', { added: tn('snap.rows', d.added.length), removed: formatNumber(d.removed.length), cells: tn('snap.cells', d.changed.length) })}
            </span>
            ${d.state !== 'added-now' ? html`<button @click=${() => (this.opened = { ...o, sheetId: d.sheetId })} aria-pressed=${d.sheetId === o.sheetId ? 'true' : 'false'}>${t('snap.show')}</button>` : nothing}
          </li>`,
        )}
      </ul>
      ${this.pending ? this.renderConfirm(this.pending) : nothing}
      ${diff && diff.state !== 'added-now' ? this.renderSheet(o, diff) : nothing}`;
  }

  private renderConfirm(p: Pending) {
    const s = p.summary;
    return html`<div class="confirm" role="alertdialog" aria-label=${t('snap.confirmLabel')}>
      <p>${t('snap.confirm', { what: p.label })}</p>
      <ul>
        ${s.sheetBack ? html`<li>${t('snap.sheetBack')}</li>` : nothing}
        <li>${tn('snap.cellsBack', s.cells.length)}</li>
        ${s.overwrites.length ? html`<li>${t('snap.overwrites', { people: s.overwrites.map((o) => `${personText(currentLocale(), o.by)} (${o.cells})`).join(', ') })}</li>` : nothing}
        ${s.rowsBack.length ? html`<li>${tn('snap.rowsBack', s.rowsBack.length)}</li>` : nothing}
        ${s.rowsToTrash.length ? html`<li>${tn('snap.rowsToTrash', s.rowsToTrash.length)}</li>` : nothing}
        ${s.unfit.length ? html`<li>${tn('snap.unfit', s.unfit.length)}</li>` : nothing}
      </ul>
      <p class="who">${t('snap.recorded')}</p>
      <div class="row">
        <button @click=${this.confirmRestore}>${t('snap.restore')}</button>
        <button @click=${() => (this.pending = null)}>${t('snap.cancel')}</button>
      </div>
    </div>`;
  }

  /** A changed cell's hover: today's value and who set it. */
  private nowTitle(c: Column, after: CellValue, by: string | null | undefined): string {
    const now = displayValue(currentLocale(), c, after) || t('snap.emptyValue');
    return by ? t('snap.nowBy', { value: now, by }) : t('snap.now', { value: now });
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
        <button
          @click=${() => this.askRestore({ sheetId }, t('snap.wholeSheet', { name: diff.name }))}
          ?disabled=${isUnchanged(diff) || this.readOnly}
          title=${this.why}
          aria-describedby=${this.readOnly ? 'snap-restore-why' : nothing}
        >
          ${t('snap.restoreSheet')}
        </button>
        ${this.readOnly ? html`<span id="snap-restore-why" class="who">${t('layout.snapshotsViewOnly')}</span>` : nothing}
      </div>
      <div class="scroll">
        <table>
          <caption>
            ${t('snap.caption', { name: diff.name, rows: tn('snap.rows', rows.length), shown: rows.length > MAX_SHOWN_ROWS ? t('snap.firstShown', { max: MAX_SHOWN_ROWS }) : '' })}
          </caption>
          <thead>
            <tr>
              <th scope="col">${t('snap.row')}</th>
              ${columns.map((c) => html`<th scope="col">${c.name}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${rows.slice(0, MAX_SHOWN_ROWS).map(
              (r, i) => html`<tr class=${removed.has(r) ? 'removed' : ''}>
                <th scope="row">
                  ${i + 1}
                  ${touched.has(r)
                    ? html`<button
                        @click=${() => this.askRestore({ sheetId, rows: [r] }, t('snap.rowN', { n: i + 1 }))}
                        aria-label=${t('snap.restoreRow', { n: i + 1 })}
                        ?disabled=${this.readOnly}
                        title=${this.why}
                      >
                        ${t('snap.restore')}
                      </button>`
                    : nothing}
                  ${removed.has(r) ? html`<span class="who">${t('snap.deletedSince')}</span>` : nothing}
                </th>
                ${columns.map((c) => {
                  const ch = changed.get(`${r}/${c.id}`);
                  const value = displayValue(currentLocale(), c, then.getValue(sheetId, r, c.id));
                  return ch
                    ? html`<td class="changed" title=${this.nowTitle(c, ch.after, ch.by)}>${value}</td>`
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
