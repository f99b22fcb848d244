import { LitElement, css, html } from 'lit';
import { type Credential } from '../protocol/access.js';
import { newSealedWorkbookKeys } from '../protocol/sealed-keys.js';
import { TEMPLATES } from '../model/templates.js';
import { DeviceProfile } from './device-profile.js';
import './app-update.js';
import './device-lock-dialog.js';
import './device-workbooks.js';
import { errorText } from './i18n/error-text.js';
import { localizeTemplate } from './i18n/template-text.js';
import { titleText } from './i18n/value-text.js';
import { LOCALES, LOCALE_NAMES, LocaleController, currentLocale, formatNumber, setLocale, t, type Locale } from './i18n/locale.js';
import './keep-links.js';
import { acceptLink, needsLink } from './link-keys.js';
import { parseRoute } from './route.js';

/**
 * `<mutual-sheets-app>`: the shell. The workbook id lives in the URL fragment
 * (`#/w/<id>`), which browsers never send to a server. A link's key arrives there
 * too (`#/w/<id>/edit/<key>`), is kept on this device and at once dropped from the
 * address, so the browser's history never holds it; `#/w/<id>` then opens with the
 * kept key. It holds this device's profile, so it hears every
 * `link-kept` (a copy, download or print of an edit link, from any dialog) and
 * remembers it for the home screen.
 */
export class MutualSheetsApp extends LitElement {
  static properties = {
    workbookId: { state: true },
    credential: { state: true },
    problem: { state: true },
    pageProblem: { state: true },
    storage: { state: true },
    persisted: { state: true },
    keepFor: { state: true },
    lockOpen: { state: true },
  };

  /** the device lock dialog is open: on open while this device is locked, or from the home screen */
  declare lockOpen: boolean;

  /** the workbook just created here, whose links the person is asked to keep until they dismiss it */
  declare keepFor: string;

  declare storage: { usage: number; quota: number } | null;
  /** whether the browser promised not to clear this site's data when space runs low; null: unknown */
  declare persisted: boolean | null;

  declare workbookId: string;
  /** the key the link carries (edit or view); null for an open workbook's plain link */
  declare credential: Credential | null;
  declare problem: string;
  /** the workbook page's code did not load: said in place of the page */
  declare pageProblem: string;

  /**
   * How the workbook this device is creating starts (a template, or a snapshot's
   * state), bound to its new id so that opening any other link never applies it.
   */
  private creating: { id: string; template: string | null; seed: Uint8Array | null } | null = null;
  private readonly profile = new DeviceProfile(localStorage);
  private readonly onHash = () => this.route();
  /** counts routings, so that a link still being checked never overrides a later navigation */
  private routing = 0;
  private readonly onProfile = () => this.requestUpdate();
  /**
   * The workbook page (Yjs, the model, the grid, sync) is its own chunk, loaded when a workbook is
   * opened: the home screen starts without it. Until it is in, `<workbook-view>` is an empty element
   * whose properties Lit keeps for the upgrade.
   */
  private workbookPage: Promise<unknown> | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor() {
    super();
    this.workbookId = '';
    this.credential = null;
    this.problem = '';
    this.pageProblem = '';
    this.storage = null;
    this.persisted = null;
    this.keepFor = '';
    this.lockOpen = this.profile.locked;
    // Re-render in the new language when someone switches it.
    new LocaleController(this);
    this.addEventListener('link-kept', (e) => this.profile.markLinkSaved(e.detail.workbookId));
    // An open or legacy workbook's content, as this device has it, becomes a new secured workbook.
    this.addEventListener('secured-copy', (e) => void this.newWorkbook(null, e.detail.seed));
    // Replacing the links makes a new edit key that exists only here: ask to keep it, as for a new workbook.
    this.addEventListener('links-replaced', (e) => (this.keepFor = e.detail));
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
    keep-links {
      flex: none;
      max-height: 45vh;
      overflow-y: auto;
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
  `;

  connectedCallback(): void {
    super.connectedCallback();
    void this.readStorage();
    window.addEventListener('hashchange', this.onHash);
    this.unsubscribe = this.profile.onChange(this.onProfile);
    this.route();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private route(): void {
    const turn = ++this.routing;
    const route = parseRoute(location.hash);
    if (!route?.credential) {
      this.show(route?.id ?? '', route ? this.profile.credential(route.id) : null);
      return;
    }
    const { id, credential } = route;
    void acceptLink(this.profile, id, credential)
      // Checking the key failed (it cannot, short of a broken browser): open with it this once, keep nothing.
      .catch(() => ({ credential, kept: false }))
      .then((opened) => {
        if (turn !== this.routing) return;
        // The same history entry, without the key: back, forward and reload all open `#/w/<id>`.
        // A key that opened nothing is not kept; a reload then says this device has no link.
        history.replaceState(history.state, '', `${location.pathname}${location.search}#/w/${id}`);
        this.show(id, opened.credential);
      });
  }

  private show(id: string, credential: Credential | null): void {
    this.pageProblem = '';
    if (id) this.loadWorkbookPage();
    if (id !== this.workbookId) {
      if (this.creating && this.creating.id !== id) this.creating = null;
      if (this.keepFor !== id) this.keepFor = '';
      this.workbookId = id;
    }
    this.credential = credential;
  }

  private loadWorkbookPage(): void {
    this.workbookPage ??= import('./workbook-view.js').catch((err: unknown) => {
      // A chunk that did not arrive (a new version deployed, the cache cleared while offline): try again on the next open.
      this.workbookPage = null;
      this.pageProblem = t('home.pageNotLoaded', { reason: err instanceof Error ? err.message : String(err) });
    });
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

  /**
   * A new workbook is sealed: its id commits to a fresh edit key that only the edit link carries,
   * and the hub stores only what it cannot read (docs/sealed.md).
   */
  private async newWorkbook(template: string | null, seed: Uint8Array | null = null): Promise<void> {
    // The first workbook is when keeping data starts to matter; browsers that grant silently do so here.
    void navigator.storage?.persist?.().catch(() => false);
    const keys = newSealedWorkbookKeys();
    this.creating = { id: keys.id, template, seed };
    // Its key exists only on this device from now on (never in the address bar): ask to keep the links.
    this.keepFor = keys.id;
    this.profile.keepCredential(keys.id, keys.edit);
    location.hash = `#/w/${keys.id}`;
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
      const [{ importSnapshot }, Y] = await Promise.all([import('../io/snapshot-json.js'), import('yjs')]);
      const doc = importSnapshot(await file.text());
      seed = Y.encodeStateAsUpdate(doc);
      doc.destroy();
    } catch (err) {
      this.problem = t('home.snapshotRefused', { reason: errorText(err) });
      return;
    }
    await this.newWorkbook(null, seed);
  }

  /** Unlocking or forgetting keys changes what the workbook in the address opens with: route again once it closes. */
  private lockDialog() {
    const closed = () => {
      this.lockOpen = false;
      this.route();
    };
    return this.lockOpen ? html`<device-lock-dialog .profile=${this.profile} @device-lock-close=${closed}></device-lock-dialog>` : '';
  }

  /** The other language's words come as a chunk: one that cannot be fetched (offline, never cached) is said, the page stays as it is. */
  private async switchLocale(locale: Locale): Promise<void> {
    try {
      await setLocale(locale);
    } catch (err) {
      this.problem = t('home.languageNotLoaded', { reason: err instanceof Error ? err.message : String(err) });
    }
  }

  private lockButton() {
    return html`<p><button class="template" aria-haspopup="dialog" @click=${() => (this.lockOpen = true)}>${t(this.profile.locked ? 'lock.entryLocked' : 'lock.entry')}</button></p>`;
  }

  render() {
    if (this.workbookId && needsLink(this.workbookId, this.credential)) {
      return html`<app-update></app-update>${this.lockDialog()}<main class="home">
        <h1>Mutual Sheets</h1>
        <p class="error" role="alert">${t('home.noLink')}</p>
        ${this.profile.locked ? this.lockButton() : ''}
        <p><a href="#">${t('wb.allWorkbooks')}</a></p>
      </main>`;
    }
    if (this.workbookId && this.pageProblem) {
      return html`<app-update></app-update><main class="home">
        <h1>Mutual Sheets</h1>
        <p class="error" role="alert">${this.pageProblem}</p>
        <p><a href="#">${t('wb.allWorkbooks')}</a></p>
      </main>`;
    }
    if (this.workbookId) {
      const creating = this.creating?.id === this.workbookId ? this.creating : null;
      const keep = this.keepFor === this.workbookId && this.credential?.role === 'edit';
      return html`<app-update></app-update>${this.lockDialog()}${keep
          ? html`<keep-links
              .workbookId=${this.workbookId}
              .credential=${this.credential}
              .workbookTitle=${titleText(currentLocale(), this.profile.entry(this.workbookId)?.title)}
              .kept=${this.profile.linkSavedAt(this.workbookId) !== null}
              .dismissible=${true}
              @keep-links-close=${() => (this.keepFor = '')}
            ></keep-links>`
          : ''}<workbook-view
        .workbookId=${this.workbookId}
        .create=${creating?.template ?? null}
        .seed=${creating?.seed ?? null}
        .credential=${this.credential}
        .profile=${this.profile}
      ></workbook-view>`;
    }
    return html`<app-update></app-update>${this.lockDialog()}<main class="home">
      <h1>Mutual Sheets</h1>
      <p>${t('app.tagline')}</p>
      <label class="language"
        >${t('home.language')}
        <select .value=${currentLocale()} @change=${(e: Event) => void this.switchLocale((e.target as HTMLSelectElement).value as Locale)}>
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
      <device-workbooks .profile=${this.profile} @workbook-removed=${() => void this.readStorage()}></device-workbooks>
      <p class="desc" role="status">${this.storageText()}</p>
      ${this.persisted === false ? html`<button class="template" @click=${this.askToKeep}>${t('home.askKeep')}</button>` : ''}
      ${this.lockButton()}
    </main>`;
  }
}

// Defined by main.ts once the page's language is loaded, so the first render is in it.
