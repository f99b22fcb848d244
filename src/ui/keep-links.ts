import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { credentialText, type Credential } from '../protocol/access.js';
import { dialogStyles } from './dialog-styles.js';
import { LocaleController, t } from './i18n/locale.js';
import { linkKeptEvent } from './link-card.js';
import './link-card.js';
import { workbookLinks, type WorkbookLinks } from './workbook-links.js';

type Which = 'edit' | 'view';

/**
 * `<keep-links>`: asks the person to keep a workbook's links, since its key
 * lives only in the edit link and on this device. Copy buttons for the edit and
 * view link, and the link card to download or print. Shown right after a
 * workbook is created (in the page's flow, so work can start beside it) and
 * from the home screen for a workbook whose edit link was never kept.
 */
export class KeepLinks extends LitElement {
  static properties = {
    workbookId: { attribute: false },
    credential: { attribute: false },
    workbookTitle: { attribute: false },
    kept: { attribute: false },
    dismissible: { attribute: false },
    links: { state: true },
    copied: { state: true },
    manual: { state: true },
  };

  declare workbookId: string;
  declare credential: Credential | null;
  declare workbookTitle: string;
  /** this device has seen the edit link kept (copied, downloaded or printed) */
  declare kept: boolean;
  /** offers "Later" / "Done", which sends `keep-links-close` */
  declare dismissible: boolean;
  declare links: WorkbookLinks | null;
  declare copied: Which | null;
  /** the link to copy by hand when the clipboard refused */
  declare manual: Which | null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbookId = '';
    this.credential = null;
    this.workbookTitle = '';
    this.kept = false;
    this.dismissible = false;
    this.links = null;
    this.copied = null;
    this.manual = null;
  }

  static styles = [
    dialogStyles,
    css`
      :host {
        display: block;
      }
      /* One row on a wide screen (the workbook keeps its height beside it), stacked on a phone. */
      section {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.25rem 1rem;
        padding: 0.5rem 0.75rem;
        background: #fff8c5;
        border-bottom: 1px solid #d4a72c;
      }
      :host([in-dialog]) section {
        background: none;
        border: none;
        padding: 0;
      }
      .text {
        flex: 1 1 24rem;
        margin: 0;
        font-size: 0.9rem;
      }
      h2 {
        display: inline;
        font-size: 0.95rem;
        margin: 0 0.35rem 0 0;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      .actions button {
        cursor: pointer;
      }
      button.primary {
        background: #1f883d;
        border-color: #1f883d;
        color: white;
        font-weight: 600;
      }
      label.manual {
        display: grid;
        gap: 0.25rem;
        margin-top: 0.5rem;
        font-size: 0.9rem;
      }
      label.manual input {
        width: 100%;
        box-sizing: border-box;
      }
      dialog {
        max-width: min(48rem, 96vw);
        max-height: 92vh;
      }
    `,
  ];

  /** which workbook and key the links shown are for: a parent may pass an equal credential as a new object */
  private linksFor = '';

  protected willUpdate(changed: PropertyValues<this>): void {
    const c = this.credential;
    const key = `${this.workbookId} ${c ? credentialText(c) : ''}`;
    if ((changed.has('workbookId') || changed.has('credential')) && key !== this.linksFor) {
      this.linksFor = key;
      this.links = null;
      this.copied = null;
      this.manual = null;
      void this.loadLinks();
    }
  }

  private async loadLinks(): Promise<void> {
    const id = this.workbookId;
    const credential = this.credential;
    if (!id) return;
    const links = await workbookLinks(id, credential);
    if (this.workbookId === id && this.credential === credential) this.links = links;
  }

  private url(which: Which): string | null {
    return which === 'edit' ? (this.links?.edit ?? null) : (this.links?.view ?? null);
  }

  private label(which: Which): string {
    return t(which === 'edit' ? 'share.editLink' : 'share.viewLink');
  }

  private async copy(which: Which): Promise<void> {
    const url = this.url(which);
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      this.copied = which;
      this.manual = null;
      if (which === 'edit') this.dispatchEvent(linkKeptEvent(this.workbookId));
    } catch {
      // No clipboard (not a secure context, or refused): show the link selected, to copy by hand.
      this.copied = null;
      this.manual = which;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('label.manual input')?.select();
    }
  }

  /** A copy by hand of the edit link (long-press → Copy, Ctrl+C) counts as keeping it too. */
  private onManualCopy = (): void => {
    if (this.manual === 'edit') this.dispatchEvent(linkKeptEvent(this.workbookId));
  };

  private openCard = async (): Promise<void> => {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLDialogElement>('dialog.card')?.showModal();
  };

  render() {
    const links = this.links;
    const copyLabel = (which: Which) => t('share.copy', { link: this.label(which).toLowerCase() });
    return html`<section aria-labelledby="keep-title">
      <div class="text"><h2 id="keep-title">${t('keep.title')}</h2> ${t('keep.why')}</div>
      <div class="actions">
        <button class="primary" ?disabled=${!links?.edit} @click=${() => void this.copy('edit')}>${copyLabel('edit')}</button>
        <button ?disabled=${!links?.view} @click=${() => void this.copy('view')}>${copyLabel('view')}</button>
        <button aria-haspopup="dialog" ?disabled=${!links?.edit} @click=${this.openCard}>${t('keep.card')}</button>
        ${this.dismissible
          ? html`<button @click=${() => this.dispatchEvent(new CustomEvent('keep-links-close'))}>${this.kept ? t('keep.done') : t('keep.later')}</button>`
          : nothing}
        <span class="status" role="status">${[this.copied ? t('share.copied') : '', this.kept ? t('keep.kept') : ''].join(' ').trim()}</span>
      </div>
      ${this.manual
        ? html`<label class="manual"
            >${t('keep.manual', { link: this.label(this.manual).toLowerCase() })}
            <input readonly .value=${this.url(this.manual) ?? ''} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} @copy=${this.onManualCopy}
          /></label>`
        : nothing}
      <dialog class="card" aria-labelledby="card-title">
        <h2 id="card-title">${t('card.title')}</h2>
        ${links?.edit
          ? html`<link-card .workbookId=${this.workbookId} .workbookTitle=${this.workbookTitle} .editUrl=${links.edit} .viewUrl=${links.view}></link-card>`
          : nothing}
        <p><button @click=${() => this.renderRoot.querySelector<HTMLDialogElement>('dialog.card')?.close()}>${t('card.close')}</button></p>
      </dialog>
    </section>`;
  }
}

customElements.define('keep-links', KeepLinks);

declare global {
  interface HTMLElementTagNameMap {
    'keep-links': KeepLinks;
  }
}
