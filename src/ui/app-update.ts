import { LitElement, css, html, nothing } from 'lit';
import { LocaleController, t } from './i18n/locale.js';

/**
 * `<app-update>`: what the service worker says, in words. "Ready to work
 * offline" once the app is cached; "A new version is ready — Reload" when one
 * is waiting. It never reloads by itself: that could happen under someone's fingers.
 */
export class AppUpdate extends LitElement {
  static properties = {
    offlineReady: { state: true },
    needRefresh: { state: true },
  };

  declare offlineReady: boolean;
  declare needRefresh: boolean;
  private reloadWithUpdate: ((reload?: boolean) => Promise<void>) | null = null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.offlineReady = false;
    this.needRefresh = false;
  }

  // Floats over the top edge without taking pointer events (only its buttons do) and without
  // moving the layout: it must neither cover a phone form's Save button nor shift the grid.
  static styles = css`
    :host {
      position: fixed;
      top: 0.25rem;
      left: 50%;
      transform: translateX(-50%);
      z-index: 20;
      pointer-events: none;
      max-width: 96vw;
    }
    div {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem 0.75rem;
      align-items: center;
      padding: 0.25rem 0.75rem;
      border: 1px solid #54aeff;
      border-radius: 8px;
      background: #ddf4ff;
      box-shadow: 0 2px 8px rgb(0 0 0 / 15%);
    }
    button {
      pointer-events: auto;
      min-height: 44px;
      min-width: 44px;
      font: inherit;
    }
  `;

  async connectedCallback(): Promise<void> {
    super.connectedCallback();
    if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
    try {
      const { registerSW } = await import('virtual:pwa-register');
      this.reloadWithUpdate = registerSW({
        onOfflineReady: () => {
          this.offlineReady = true;
          // A passing note, not a question: it goes away by itself.
          setTimeout(() => (this.offlineReady = false), 8000);
        },
        onNeedRefresh: () => (this.needRefresh = true),
      });
    } catch {
      // No service worker (a dev server, a blocked browser): the app still works online.
    }
  }

  render() {
    if (this.needRefresh) {
      return html`<div role="alert">
        ${t('update.ready')}
        <button @click=${() => void this.reloadWithUpdate?.(true)}>${t('update.reload')}</button>
        <button @click=${() => (this.needRefresh = false)}>${t('update.later')}</button>
      </div>`;
    }
    if (this.offlineReady) {
      return html`<div role="status">
        ${t('update.offlineReady')}
        <button @click=${() => (this.offlineReady = false)}>${t('update.ok')}</button>
      </div>`;
    }
    return nothing;
  }
}

customElements.define('app-update', AppUpdate);
