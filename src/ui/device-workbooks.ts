import { LitElement, css, html, nothing } from 'lit';
import type { DeviceProfile, RecentWorkbook } from './device-profile.js';
import { dialogStyles } from './dialog-styles.js';
import { LocaleController, currentLocale, formatDateTime, t } from './i18n/locale.js';
import { titleText } from './i18n/value-text.js';
import './keep-links.js';
import { removeFromDevice } from './remove-workbook.js';

/**
 * `<device-workbooks>`: the home screen's list of this device's workbooks. A
 * workbook whose edit link this device never saw copied, downloaded or printed
 * is marked, with a way to keep it now; removing one asks first, and says so
 * plainly when this device may hold the only copy of its edit link. Removing
 * clears everything this device kept for it (remove-workbook.ts). Sends
 * `workbook-removed` once a local copy is gone (the home screen re-reads storage).
 */
export class DeviceWorkbooks extends LitElement {
  static properties = {
    profile: { attribute: false },
    removing: { state: true },
    keeping: { state: true },
  };

  declare profile: DeviceProfile | null;
  /** the workbook the remove question is about */
  declare removing: RecentWorkbook | null;
  /** the workbook whose links the keep dialog offers */
  declare keeping: RecentWorkbook | null;

  private unsubscribe: (() => void) | null = null;
  private subscribed: DeviceProfile | null = null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.profile = null;
    this.removing = null;
    this.keeping = null;
  }

  static styles = [
    dialogStyles,
    css`
      :host {
        display: block;
      }
      h2 {
        font-size: 1.5em;
        margin: 0.83em 0;
      }
      dialog h2 {
        font-size: 1.1rem;
        margin: 0 0 0.5rem;
      }
      ul {
        padding: 0;
        list-style: none;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0 1rem;
        border-bottom: 1px solid #eaeef2;
      }
      li a {
        display: flex;
        align-items: center;
        flex: 1;
        min-height: 44px;
        padding: 0 0.5rem;
        color: #0969da;
      }
      .desc {
        color: #57606a;
      }
      li button,
      dialog button {
        cursor: pointer;
      }
      .unsaved {
        flex-basis: 100%;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
        padding: 0 0.5rem 0.5rem;
        color: #9a6700;
        font-weight: 600;
      }
      .warn {
        border-left: 4px solid #d4a72c;
        background: #fff8c5;
        padding: 0.5rem 0.75rem;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        justify-content: flex-end;
      }
      button.danger {
        background: #cf222e;
        border-color: #cf222e;
        color: white;
        font-weight: 600;
      }
      dialog {
        max-width: min(40rem, 96vw);
      }
    `,
  ];

  protected willUpdate(): void {
    // Copying a link (here or in a workbook) or opening one changes the list: show it at once.
    if (this.profile !== this.subscribed) {
      this.unsubscribe?.();
      this.subscribed = this.profile;
      this.unsubscribe = this.profile?.onChange(() => this.requestUpdate()) ?? null;
    }
  }

  connectedCallback(): void {
    super.connectedCallback();
    if (this.subscribed) this.unsubscribe = this.subscribed.onChange(() => this.requestUpdate());
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private dialog(name: string): HTMLDialogElement | null {
    return this.renderRoot.querySelector<HTMLDialogElement>(`dialog.${name}`);
  }

  private async ask(r: RecentWorkbook): Promise<void> {
    this.removing = r;
    await this.updateComplete;
    this.dialog('remove')?.showModal();
  }

  private async keep(r: RecentWorkbook): Promise<void> {
    this.dialog('remove')?.close();
    this.keeping = r;
    await this.updateComplete;
    this.dialog('keep')?.showModal();
  }

  private async confirmRemove(): Promise<void> {
    const r = this.removing;
    this.dialog('remove')?.close();
    if (!r || !this.profile) return;
    await removeFromDevice(this.profile, localStorage, r.id);
    this.dispatchEvent(new CustomEvent('workbook-removed', { detail: r.id }));
  }

  render() {
    const profile = this.profile;
    const recent = profile?.recent() ?? [];
    const removing = this.removing;
    const onlyLink = !!removing && !!profile?.editLinkUnsaved(removing);
    const keeping = this.keeping;
    const locale = currentLocale();
    return html`${recent.length
        ? html`<h2>${t('home.onDevice')}</h2>
            <ul aria-label=${t('home.onDeviceList')}>
              ${recent.map(
                (r) => html`<li>
                  <a href=${`#/w/${encodeURIComponent(r.id)}`}>${titleText(locale, r.title)}</a>
                  <span class="desc">${t('home.opened', { when: formatDateTime(r.openedAt) })}</span>
                  <button @click=${() => void this.ask(r)} aria-label=${t('home.removeLabel', { title: titleText(locale, r.title) })}>${t('home.remove')}</button>
                  ${profile?.editLinkUnsaved(r)
                    ? html`<span class="unsaved"
                        >⚠ ${t('home.linkUnsaved')}
                        <button @click=${() => void this.keep(r)} aria-label=${t('home.keepNowLabel', { title: titleText(locale, r.title) })}>${t('home.keepNow')}</button></span
                      >`
                    : nothing}
                </li>`,
              )}
            </ul>`
        : nothing}
      <dialog class="remove" role="alertdialog" aria-labelledby="remove-title" aria-describedby="remove-text" @close=${() => (this.removing = null)}>
        <h2 id="remove-title">${t('home.removeTitle')}</h2>
        <div id="remove-text">
          <p>${removing ? t('home.removeConfirm', { title: titleText(locale, removing.title) }) : ''}</p>
          ${onlyLink ? html`<p class="warn">${t('home.removeOnlyLink')}</p>` : nothing}
        </div>
        <div class="buttons">
          <button @click=${() => this.dialog('remove')?.close()}>${t('home.cancel')}</button>
          ${onlyLink && removing ? html`<button @click=${() => void this.keep(removing)}>${t('home.keepFirst')}</button>` : nothing}
          <button class="danger" @click=${() => void this.confirmRemove()}>${onlyLink ? t('home.removeAnyway') : t('home.remove')}</button>
        </div>
      </dialog>
      <dialog class="keep" aria-label=${t('keep.title')} @close=${() => (this.keeping = null)}>
        ${keeping
          ? html`<keep-links
              in-dialog
              .workbookId=${keeping.id}
              .credential=${profile?.credential(keeping.id) ?? null}
              .workbookTitle=${titleText(locale, keeping.title)}
              .kept=${profile?.linkSavedAt(keeping.id) !== null}
            ></keep-links>`
          : nothing}
        <div class="buttons">
          <button @click=${() => this.dialog('keep')?.close()}>${t('card.close')}</button>
        </div>
      </dialog>`;
  }
}

customElements.define('device-workbooks', DeviceWorkbooks);

declare global {
  interface HTMLElementTagNameMap {
    'device-workbooks': DeviceWorkbooks;
  }
}
