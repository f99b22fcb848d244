import { LitElement, css, html } from 'lit';
import * as Y from 'yjs';
import { importSnapshot } from '../io/snapshot-json.js';
import { newWorkbookKeys, parseCredential, type Credential } from '../protocol/access.js';
import { TEMPLATES } from '../model/templates.js';
import { deleteLocalCopy } from '../sync/session.js';
import { DeviceProfile } from './device-profile.js';
import './app-update.js';
import { errorText } from './i18n/error-text.js';
import { localizeTemplate } from './i18n/template-text.js';
import { LOCALES, LOCALE_NAMES, LocaleController, currentLocale, formatDateTime, formatNumber, setLocale, t, type Locale } from './i18n/locale.js';
import './workbook-view.js';

const ROUTE = /^#\/w\/([A-Za-z0-9_-]{8,128})(?:\/(.+))?$/;

/**
 * `<mutual-sheets-app>`: the shell. The workbook id lives in the URL fragment
 * (`#/w/<id>`), which browsers never send to a server, so later the same link
 * can carry keys.
 */
export class MutualSheetsApp extends LitElement {
  static properties = {
    workbookId: { state: true },
    credential: { state: true },
    problem: { state: true },
    storage: { state: true },
    persisted: { state: true },
  };

  declare storage: { usage: number; quota: number } | null;
  /** whether the browser promised not to clear this site's data when space runs low; null: unknown */
  declare persisted: boolean | null;

  declare workbookId: string;
  /** the key the link carries (edit or view); null for an open workbook's plain link */
  declare credential: Credential | null;
  declare problem: string;

  /**
   * How the workbook this device is creating starts (a template, or a snapshot's
   * state), bound to its new id so that opening any other link never applies it.
   */
  private creating: { id: string; template: string | null; seed: Uint8Array | null } | null = null;
  private readonly profile = new DeviceProfile(localStorage);
  private readonly onHash = () => this.route();

  constructor() {
    super();
    this.workbookId = '';
    this.credential = null;
    this.problem = '';
    this.storage = null;
    this.persisted = null;
    // Re-render in the new language when someone switches it.
    new LocaleController(this);
  }

  static styles = css`
    :host {
      display: flex;
      flex-direction: column;
      height: 100%;
    }
    workbook-view {
      flex: 1;
      min-height: 0;
    }
    main.home {
      overflow: auto;
    }
    main.home {
      max-width: 40rem;
      margin: 0 auto;
      padding: 2rem 1rem;
    }
    h1 {
      margin-top: 0;
    }
    button.new {
      min-height: 48px;
      padding: 0 1.5rem;
      font: inherit;
      font-weight: 600;
      color: white;
      background: #1f883d;
      border: none;
      border-radius: 6px;
      cursor: pointer;
    }
    ul {
      padding: 0;
      list-style: none;
    }
    .templates li {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 1rem;
      margin-bottom: 0.5rem;
    }
    button.template {
      min-height: 44px;
      padding: 0 1rem;
      font: inherit;
      border: 1px solid #d0d7de;
      border-radius: 6px;
      background: white;
      cursor: pointer;
    }
    .desc {
      color: #57606a;
    }
    label.language {
      display: flex;
      gap: 0.5rem;
      align-items: center;
      margin-bottom: 1rem;
    }
    label.language select {
      min-height: 44px;
      font: inherit;
    }
    label.snapshot {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: center;
      min-height: 44px;
    }
    label.snapshot input {
      min-height: 44px;
    }
    .error {
      color: #cf222e;
    }
    ul.recent li {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0 1rem;
      border-bottom: 1px solid #eaeef2;
    }
    ul.recent li a {
      border-bottom: none;
      flex: 1;
    }
    li a {
      display: flex;
      align-items: center;
      min-height: 44px;
      padding: 0 0.5rem;
      border-bottom: 1px solid #eaeef2;
      color: #0969da;
    }
  `;

  connectedCallback(): void {
    super.connectedCallback();
    void this.readStorage();
    window.addEventListener('hashchange', this.onHash);
    this.route();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
  }

  private route(): void {
    const m = ROUTE.exec(location.hash);
    const id = m ? m[1] : '';
    const credential = m?.[2] ? parseCredential(m[2]) : null;
    if (id !== this.workbookId) {
      if (this.creating && this.creating.id !== id) this.creating = null;
      this.workbookId = id;
    }
    this.credential = credential;
  }

  /** How much this device keeps, and whether the browser may clear it under pressure. */
  private async readStorage(): Promise<void> {
    const storage = navigator.storage;
    if (!storage?.estimate) return;
    try {
      const [{ usage = 0, quota = 0 }, persisted] = await Promise.all([storage.estimate(), storage.persisted?.() ?? Promise.resolve(false)]);
      this.persisted = persisted;
      this.storage = { usage, quota };
    } catch {
      this.storage = null;
    }
  }

  private storageText(): string {
    if (!this.storage) return '';
    const mb = (n: number) => formatNumber(n / 1024 / 1024, n < 10 * 1024 * 1024 ? 1 : 0);
    return `${t('home.storage', { used: mb(this.storage.usage), quota: mb(this.storage.quota) })} ${t(this.persisted ? 'home.storageKept' : 'home.storageMayClear')}`;
  }

  private askToKeep = async (): Promise<void> => {
    try {
      await navigator.storage.persist();
    } finally {
      await this.readStorage();
    }
  };

  private async removeFromDevice(id: string, title: string): Promise<void> {
    if (!confirm(t('home.removeConfirm', { title }))) return;
    this.profile.forget(id);
    await deleteLocalCopy(id);
    this.requestUpdate();
    await this.readStorage();
  }

  /** A new workbook is secured: its id commits to a fresh edit key that only the edit link carries. */
  private async newWorkbook(template: string | null, seed: Uint8Array | null = null): Promise<void> {
    // The first workbook is when keeping data starts to matter; browsers that grant silently do so here.
    void navigator.storage?.persist?.().catch(() => false);
    const keys = await newWorkbookKeys();
    this.creating = { id: keys.id, template, seed };
    location.hash = `#/w/${keys.id}/edit/${keys.edit.role === 'edit' ? keys.edit.editKey : ''}`;
  }

  /** A JSON snapshot (Export → JSON) becomes a new workbook: exactly the old one, history included, under a new link. */
  private async openSnapshot(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    this.problem = '';
    let seed: Uint8Array;
    try {
      const doc = importSnapshot(await file.text());
      seed = Y.encodeStateAsUpdate(doc);
      doc.destroy();
    } catch (err) {
      this.problem = t('home.snapshotRefused', { reason: errorText(err) });
      return;
    }
    await this.newWorkbook(null, seed);
  }

  render() {
    if (this.workbookId) {
      const creating = this.creating?.id === this.workbookId ? this.creating : null;
      return html`<app-update></app-update><workbook-view
        .workbookId=${this.workbookId}
        .create=${creating?.template ?? null}
        .seed=${creating?.seed ?? null}
        .credential=${this.credential}
        .profile=${this.profile}
      ></workbook-view>`;
    }
    const recent = this.profile.recent();
    return html`<app-update></app-update><main class="home">
      <h1>Mutual Sheets</h1>
      <p>${t('app.tagline')}</p>
      <label class="language"
        >${t('home.language')}
        <select .value=${currentLocale()} @change=${(e: Event) => setLocale((e.target as HTMLSelectElement).value as Locale)}>
          ${LOCALES.map((l) => html`<option value=${l} ?selected=${l === currentLocale()}>${LOCALE_NAMES[l]}</option>`)}
        </select></label
      >
      <button class="new" @click=${() => void this.newWorkbook('blank')}>${t('home.new')}</button>
      <h2>${t('home.templates')}</h2>
      <ul class="templates">
        ${TEMPLATES.filter((x) => x.id !== 'blank').map((x) => localizeTemplate(currentLocale(), x)).map(
          (x) => html`<li>
            <button class="template" @click=${() => void this.newWorkbook(x.id)}>${x.title}</button>
            <span class="desc">${x.description}</span>
          </li>`,
        )}
      </ul>
      <h2>${t('home.saved')}</h2>
      <label class="snapshot"
        >${t('home.openSnapshot')} <input type="file" accept=".json,application/json" @change=${this.openSnapshot}
      /></label>
      ${this.problem ? html`<p class="error" role="alert">${this.problem}</p>` : ''}
      ${recent.length
        ? html`<h2>${t('home.onDevice')}</h2>
            <ul class="recent" aria-label=${t('home.onDeviceList')}>
              ${recent.map(
                (r) => html`<li>
                  <a href=${r.hash ?? `#/w/${r.id}`}>${r.title}</a>
                  <span class="desc">${t('home.opened', { when: formatDateTime(r.openedAt) })}</span>
                  <button class="template" @click=${() => this.removeFromDevice(r.id, r.title)} aria-label=${t('home.removeLabel', { title: r.title })}>
                    ${t('home.remove')}
                  </button>
                </li>`,
              )}
            </ul>`
        : ''}
      <p class="desc" role="status">${this.storageText()}</p>
      ${this.persisted === false ? html`<button class="template" @click=${this.askToKeep}>${t('home.askKeep')}</button>` : ''}
    </main>`;
  }
}

customElements.define('mutual-sheets-app', MutualSheetsApp);
