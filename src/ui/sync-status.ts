import { LitElement, css, html } from 'lit';
import { statusKind, type SyncStatus } from '../sync/status.js';
import { LocaleController, currentLocale } from './i18n/locale.js';
import { closeReason, localLabel, statusLabel } from './i18n/status-text.js';
import { visuallyHidden } from './visually-hidden.js';

/**
 * The one place the person learns whether their work is safe on the hub. Where the header is short
 * of room, `compact` says the local save state as a symbol and `terse` drops the reason in brackets:
 * the words stay for screen readers and in the tooltip, and a failed local save is always said in full.
 */
export class SyncStatusElement extends LitElement {
  static properties = { status: { attribute: false }, compact: { attribute: false }, terse: { attribute: false } };
  // `declare` keeps the class field from shadowing Lit's reactive accessor.
  declare status: SyncStatus | null;
  declare compact: boolean;
  declare terse: boolean;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.status = null;
    this.compact = false;
    this.terse = false;
  }

  static styles = [visuallyHidden, css`
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
      white-space: normal;
    }
    .local.compact {
      margin-right: 0.25rem;
    }
  `];

  render() {
    if (!this.status) return html``;
    const kind = statusKind(this.status);
    const locale = currentLocale();
    const why = this.status.lastClose && this.status.connection !== 'online' ? closeReason(locale, this.status.lastClose) : '';
    const local = this.status.local === 'none' ? '' : localLabel(locale, this.status);
    const label = statusLabel(locale, this.status);
    const failed = this.status.local === 'failed';
    const compact = this.compact && !failed;
    // The whole state in one tooltip, for when part of it is only a symbol.
    this.title = [local, label, why].filter(Boolean).join(' · ');
    return html`${local
        ? html`<span role=${failed ? 'alert' : 'status'} class="local ${this.status.local} ${compact ? 'compact' : ''}" data-testid="local-status"
            >${compact ? html`<span aria-hidden="true">${this.status.local === 'saved' ? '✓' : '…'}</span><span class="sr">${local}</span>` : local}</span
          >`
        : ''}
      <span role="status" aria-live="polite" data-kind=${kind} data-testid="sync-status">
        <span class="dot" aria-hidden="true"></span><span class="label">${label}</span>
        ${why ? html`<span class=${this.terse ? 'sr' : 'why'}>(${why})</span>` : ''}
      </span>`;
  }
}

customElements.define('sync-status', SyncStatusElement);

declare global {
  interface HTMLElementTagNameMap {
    'sync-status': SyncStatusElement;
  }
}
