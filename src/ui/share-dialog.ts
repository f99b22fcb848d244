import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { unsafeSVG } from 'lit/directives/unsafe-svg.js';
import type { Credential } from '../protocol/access.js';
import { dialogStyles, showDialog } from './dialog-styles.js';
import { LocaleController, t } from './i18n/locale.js';
import { linkKeptEvent } from './link-card.js';
import './link-card.js';
import { qrSvg } from './qr.js';
import { isSealed } from '../sync/open-session.js';
import { takeReplacement, type ReplaceLinks } from './replace-links.js';
import './replace-links.js';
import { workbookLinks, type WorkbookLinks } from './workbook-links.js';

interface Link {
  label: string;
  note: string;
  url: string;
  svg: string;
  /** the edit link: copying it keeps the workbook's key somewhere besides this device */
  edit: boolean;
}

/**
 * `<share-dialog>`: the links to this workbook, each to copy or to scan as a QR
 * code from a phone on the same Wi-Fi. An edit link also offers the view link
 * (derived from it); a view link can only pass itself on. The keys live after
 * the #, which browsers never send to a server. With an edit link it also
 * offers the link card (both links and QR codes, to download or print).
 */
export class ShareDialog extends LitElement {
  static properties = {
    workbookId: { attribute: false },
    credential: { attribute: false },
    workbookTitle: { attribute: false },
    links: { state: true },
    found: { state: true },
    copied: { state: true },
    lanNote: { state: true },
    cardShown: { state: true },
    replaced: { state: true },
  };

  declare workbookId: string;
  declare credential: Credential | null;
  /** the title the link card shows */
  declare workbookTitle: string;
  declare links: Link[];
  declare found: WorkbookLinks | null;
  declare copied: string;
  declare lanNote: string;
  declare cardShown: boolean;
  /** opened on a workbook this page just moved into (Replace links): these are its new links */
  declare replaced: boolean;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbookId = '';
    this.credential = null;
    this.workbookTitle = '';
    this.links = [];
    this.found = null;
    this.copied = '';
    this.lanNote = '';
    this.cardShown = false;
    this.replaced = false;
  }

  static styles = [
    dialogStyles,
    css`
      dialog {
        max-width: min(44rem, 96vw);
      }
      section {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0.5rem 1rem;
        align-items: center;
        border-bottom: 1px solid #eaeef2;
        padding: 0.75rem 0;
      }
      input {
        width: 100%;
      }
      .qr {
        grid-row: span 3;
        width: 148px;
        height: 148px;
      }
      .qr svg {
        width: 100%;
        height: 100%;
      }
      .note {
        color: #57606a;
        font-size: 0.9rem;
        margin: 0;
      }
      .card {
        display: grid;
        gap: 0.5rem;
        justify-items: start;
        border-bottom: 1px solid #eaeef2;
        padding: 0.75rem 0;
      }
      #share-card {
        justify-self: stretch;
      }
      .replaced {
        border-left: 4px solid #1f883d;
        background: #dafbe1;
        padding: 0.5rem 0.75rem;
        margin: 0 0 0.5rem;
      }
      .retire {
        display: grid;
        gap: 0.5rem;
        justify-items: start;
        border-bottom: 1px solid #eaeef2;
        padding: 0.75rem 0;
      }
      .retire h3 {
        margin: 0;
        font-size: 1rem;
      }
    `,
  ];

  protected updated(changed: PropertyValues<this>): void {
    // Replace links went to this workbook: show its new links at once, with what cannot be unseen.
    if (changed.has('workbookId') && this.workbookId && takeReplacement(this.workbookId)) void this.open(true);
  }

  /** `replaced`: the links of the workbook this page just moved into. */
  async open(replaced = false): Promise<void> {
    this.replaced = replaced;
    this.copied = '';
    this.cardShown = false;
    const found = await workbookLinks(this.workbookId, this.credential);
    this.lanNote = found.lanHost ? t('share.lan', { host: found.lanHost }) : '';
    const links: Omit<Link, 'svg'>[] = [];
    if (found.edit) links.push({ label: t('share.editLink'), note: t('share.editNote'), url: found.edit, edit: true });
    if (found.view) links.push({ label: t('share.viewLink'), note: t(found.edit ? 'share.viewNote' : 'share.viewOnlyNote'), url: found.view, edit: false });
    if (found.open) links.push({ label: t('share.link'), note: t('share.openNote'), url: found.open, edit: false });
    this.links = await Promise.all(links.map(async (l) => ({ ...l, svg: await qrSvg(l.url) })));
    this.found = found;
    showDialog(this);
  }

  private async copy(link: Link): Promise<void> {
    try {
      await navigator.clipboard.writeText(link.url);
      this.copied = link.label;
      if (link.edit) this.dispatchEvent(linkKeptEvent(this.workbookId));
    } catch {
      // No async clipboard outside secure contexts: select the text for a manual copy.
      const input = this.renderRoot.querySelector<HTMLInputElement>(`input[aria-label="${link.label}"]`);
      input?.select();
      this.copied = '';
    }
  }

  private onClosed = (): void => {
    this.dispatchEvent(new CustomEvent('share-closed', { bubbles: true, composed: true }));
  };

  render() {
    const canReplace = isSealed(this.workbookId) && this.credential?.role === 'edit';
    const viewer = this.credential?.role === 'view';
    return html`<dialog aria-labelledby="share-title" @close=${this.onClosed}>
      <h2 id="share-title">${t('share.title')}</h2>
      ${viewer ? html`<p class="note" role="note">${t('layout.viewerCan')}</p>` : nothing}
      <p class="sealed" role="note">${t(isSealed(this.workbookId) ? 'sealed.badgeLong' : 'sealed.notBadgeLong')}</p>
      ${this.replaced ? html`<p class="replaced" role="status">${t('retire.done')}</p>` : nothing}
      ${this.links.map(
        (l) => html`<section>
          <strong>${l.label}</strong>
          <div class="qr" role="img" aria-label=${t('share.qr', { link: l.label.toLowerCase() })}>${unsafeSVG(l.svg)}</div>
          <input
            readonly
            aria-label=${l.label}
            .value=${l.url}
            @focus=${(e: Event) => (e.target as HTMLInputElement).select()}
            @copy=${() => l.edit && this.dispatchEvent(linkKeptEvent(this.workbookId))}
          />
          <div>
            <button @click=${() => this.copy(l)}>${t('share.copy', { link: l.label.toLowerCase() })}</button>
            ${this.copied === l.label ? html`<span role="status">${t('share.copied')}</span>` : nothing}
          </div>
          <p class="note">${l.note}</p>
        </section>`,
      )}
      <p class="note">${t('share.scan')}</p>
      ${this.lanNote ? html`<p class="note" role="note">${this.lanNote}</p>` : nothing}
      ${this.found?.edit
        ? html`<div class="card">
            <p class="note">${t('card.offer')}</p>
            <button aria-expanded=${this.cardShown ? 'true' : 'false'} aria-controls="share-card" @click=${() => (this.cardShown = !this.cardShown)}>
              ${t('card.show')}
            </button>
            <div id="share-card">
              ${this.cardShown
                ? html`<link-card .workbookId=${this.workbookId} .workbookTitle=${this.workbookTitle} .editUrl=${this.found.edit} .viewUrl=${this.found.view}></link-card>`
                : nothing}
            </div>
          </div>`
        : nothing}
      ${canReplace
        ? html`<div class="retire">
            <h3>${t('retire.heading')}</h3>
            <p class="note">${t('retire.offer')}</p>
            <button @click=${() => void this.renderRoot.querySelector<ReplaceLinks>('replace-links')?.show()}>${t('retire.open')}</button>
            <replace-links
              .workbookId=${this.workbookId}
              .credential=${this.credential}
              @links-replaced=${() => this.renderRoot.querySelector('dialog')?.close()}
            ></replace-links>
          </div>`
        : nothing}
      <button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('share.close')}</button>
    </dialog>`;
  }
}

customElements.define('share-dialog', ShareDialog);
