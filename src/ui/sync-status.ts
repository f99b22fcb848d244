import { LitElement, css, html } from 'lit';
import { statusKind, statusLabel, type SyncStatus } from '../sync/status.js';

/** The one place the person learns whether their work is safe on the hub. */
export class SyncStatusElement extends LitElement {
  static properties = { status: { attribute: false } };
  // `declare` keeps the class field from shadowing Lit's reactive accessor.
  declare status: SyncStatus | null;

  constructor() {
    super();
    this.status = null;
  }

  static styles = css`
    :host {
      display: inline-flex;
      align-items: center;
      gap: 0.4em;
      font-size: 0.9rem;
      white-space: nowrap;
    }
    .dot {
      width: 0.7em;
      height: 0.7em;
      border-radius: 50%;
      background: #888;
    }
    [data-kind='synced'] .dot {
      background: #1a7f37;
    }
    [data-kind='pending'] .dot {
      background: #bf8700;
    }
    [data-kind='offline'] .dot {
      background: #cf222e;
    }
    .why {
      color: #57606a;
    }
  `;

  render() {
    if (!this.status) return html``;
    const kind = statusKind(this.status);
    const why = this.status.lastClose && this.status.connection !== 'online' ? this.status.lastClose.reason : '';
    return html`<span role="status" aria-live="polite" data-kind=${kind} data-testid="sync-status">
      <span class="dot" aria-hidden="true"></span><span class="label">${statusLabel(this.status)}</span>
      ${why ? html`<span class="why">(${why})</span>` : ''}
    </span>`;
  }
}

customElements.define('sync-status', SyncStatusElement);

declare global {
  interface HTMLElementTagNameMap {
    'sync-status': SyncStatusElement;
  }
}
