import { LitElement, css, html, nothing } from 'lit';
import { dialogStyles, showDialog } from './dialog-styles.js';
import { holders, type ClaimEntry } from '../model/claim.js';
import { isModelError } from '../model/errors.js';
import type { Column } from '../model/types.js';
import type { Workbook } from '../model/workbook.js';

/**
 * `<claim-menu>`: take or let go of a request or shift, and — when two people
 * claimed it at once — settle who keeps it. Nothing here ever drops a claim
 * without someone choosing to.
 */
export class ClaimMenu extends LitElement {
  static properties = {
    workbook: { attribute: false },
    entries: { state: true },
    error: { state: true },
  };

  declare workbook: Workbook | null;
  declare entries: ClaimEntry[];
  declare error: string;
  private target: { sheetId: string; rowId: string; col: Column } | null = null;

  constructor() {
    super();
    this.workbook = null;
    this.entries = [];
    this.error = '';
  }

  static styles = [
    dialogStyles,
    css`
    dialog {
      max-width: min(24rem, 92vw);
    }
    .row {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      margin: 0.5rem 0;
    }
    .warn {
      color: #bc4c00;
    }
  `,
  ];

  open(sheetId: string, rowId: string, col: Column): void {
    this.target = { sheetId, rowId, col };
    this.refresh();
    showDialog(this);
  }

  private refresh(): void {
    const t = this.target;
    this.entries = t && this.workbook ? this.workbook.claims(t.sheetId, t.rowId, t.col.id) : [];
  }

  private act(fn: (wb: Workbook, t: { sheetId: string; rowId: string; col: Column }) => void): void {
    const wb = this.workbook;
    const t = this.target;
    if (!wb || !t) return;
    try {
      fn(wb, t);
      this.error = '';
      this.renderRoot.querySelector('dialog')?.close();
    } catch (err) {
      if (isModelError(err)) this.error = err.message;
      else throw err;
    }
  }

  render() {
    const t = this.target;
    const wb = this.workbook;
    const held = holders(this.entries);
    const me = wb?.getActor().name;
    const mine = held.some((e) => e.name === me);
    const names = Array.from(new Set(held.map((e) => e.name)));
    return html`<dialog aria-labelledby="claim-title" @close=${() => this.dispatchEvent(new CustomEvent('claim-menu-closed', { bubbles: true, composed: true }))}>
      <h2 id="claim-title">${t?.col.name ?? 'Claim'}</h2>
      <p role="status">
        ${names.length === 0 ? 'Nobody has claimed this.' : names.length === 1 ? `Claimed by ${names[0]}.` : html`<span class="warn">Claimed by ${names.join(' and ')} — decide who keeps it.</span>`}
      </p>
      <div class="row">
        ${mine
          ? html`<button @click=${() => this.act((w, x) => w.release(x.sheetId, x.rowId, x.col.id))}>Release mine</button>`
          : html`<button @click=${() => this.act((w, x) => w.claim(x.sheetId, x.rowId, x.col.id))}>Claim it</button>`}
      </div>
      ${names.length > 1
        ? html`<div class="row">
            ${held.map(
              (e) => html`<button @click=${() => this.act((w, x) => w.resolveClaim(x.sheetId, x.rowId, x.col.id, e.person))}>Keep ${e.name} only</button>`,
            )}
          </div>`
        : nothing}
      ${held.length
        ? html`<div class="row"><button @click=${() => this.act((w, x) => w.resolveClaim(x.sheetId, x.rowId, x.col.id, null))}>Release everyone</button></div>`
        : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="row"><button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>Close</button></div>
    </dialog>`;
  }
}

customElements.define('claim-menu', ClaimMenu);

declare global {
  interface HTMLElementTagNameMap {
    'claim-menu': ClaimMenu;
  }
}
