import { LitElement, css, html } from 'lit';
import { statusKind, type SyncStatus } from '../sync/status.js';
import { LocaleController, currentLocale } from './i18n/locale.js';
import { closeReason, localLabel, statusLabel } from './i18n/status-text.js';

/** The one place the person learns whether their work is safe on the hub. */
export class SyncStatusElement extends LitElement {
  static properties = { status: { attribute: false } };
  // `declare` keeps the class field from shadowing Lit's reactive accessor.
  declare status: SyncStatus | null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
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
    .local {
      color: #57606a;
      margin-right: 0.75rem;
    }
    .local.failed {
      color: #cf222e;
      font-weight: 600;
    }
  `;

  render() {
    if (!this.status) return html``;
    const kind = statusKind(this.status);
    const locale = currentLocale();
    const why = this.status.lastClose && this.status.connection !== 'online' ? closeReason(locale, this.status.lastClose) : '';
    const local = this.status.local === 'none' ? '' : localLabel(locale, this.status);
    return html`${local
        ? html`<span role=${this.status.local === 'failed' ? 'alert' : 'status'} class="local ${this.status.local}" data-testid="local-status">${local}</span>`
        : ''}
      <span role="status" aria-live="polite" data-kind=${kind} data-testid="sync-status">
        <span class="dot" aria-hidden="true"></span><span class="label">${statusLabel(locale, this.status)}</span>
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
