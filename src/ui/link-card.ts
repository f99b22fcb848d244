import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { exportFileName } from '../io/file-name.js';
import { download, printDocument } from './download.js';
import { LocaleController, currentLocale, t } from './i18n/locale.js';
import { LINK_CARD_CSS, linkCardBody, linkCardDocument, type LinkCardContent } from './link-card-html.js';
import { qrSvg } from './qr.js';

/** What `link-kept` says: this device saw the workbook's edit link kept somewhere (copied, downloaded, printed). */
export interface LinkKeptDetail {
  workbookId: string;
}

/**
 * The event every place that hands the edit link on sends; it crosses shadow roots so that
 * the app, which holds this device's list, hears it from the Share dialog and the home screen alike.
 */
export function linkKeptEvent(workbookId: string): CustomEvent<LinkKeptDetail> {
  return new CustomEvent<LinkKeptDetail>('link-kept', { detail: { workbookId }, bubbles: true, composed: true });
}

/**
 * `<link-card>`: a workbook's edit and view links on one card — title, date,
 * each link with its QR code, and the warning that nobody, not the hub, can
 * recover a lost edit link — to download as a self-contained HTML file or to
 * print. What it shows is exactly what is saved and printed (link-card-html.ts).
 */
export class LinkCard extends LitElement {
  static properties = {
    workbookId: { attribute: false },
    workbookTitle: { attribute: false },
    editUrl: { attribute: false },
    viewUrl: { attribute: false },
    qr: { state: true },
  };

  declare workbookId: string;
  declare workbookTitle: string;
  declare editUrl: string | null;
  declare viewUrl: string | null;
  /** each link's QR code, by link; drawn when the links change */
  declare qr: Map<string, string>;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbookId = '';
    this.workbookTitle = '';
    this.editUrl = null;
    this.viewUrl = null;
    this.qr = new Map();
  }

  static styles = [
    unsafeCSS(LINK_CARD_CSS),
    css`
      :host {
        display: block;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-top: 0.75rem;
      }
      button {
        min-height: 44px;
        min-width: 44px;
        padding: 0 1rem;
        font: inherit;
        border: 1px solid #d0d7de;
        border-radius: 6px;
        background: white;
        cursor: pointer;
      }
      button.primary {
        background: #1f883d;
        border-color: #1f883d;
        color: white;
        font-weight: 600;
      }
      .link-card .qr {
        width: 148px;
        height: 148px;
      }
    `,
  ];

  protected willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('editUrl') || changed.has('viewUrl')) void this.drawQr();
  }

  private urls(): string[] {
    return [this.editUrl, this.viewUrl].filter((u): u is string => !!u);
  }

  private async drawQr(): Promise<void> {
    const urls = this.urls();
    const drawn = new Map(await Promise.all(urls.map(async (u) => [u, await qrSvg(u)] as const)));
    // The links may have changed while drawing: keep only a drawing of the current ones.
    if (this.urls().every((u) => drawn.has(u))) this.qr = drawn;
  }

  /** The card's words and links in the reader's language, or null until its QR codes are drawn. */
  private content(now = Date.now()): LinkCardContent | null {
    const links: LinkCardContent['links'] = [];
    const add = (url: string | null, label: string, note: string) => {
      if (url) links.push({ label, note, url, svg: this.qr.get(url) ?? '', qrLabel: t('share.qr', { link: label.toLowerCase() }) });
    };
    add(this.editUrl, t('share.editLink'), t('share.editNote'));
    add(this.viewUrl, t('share.viewLink'), t('share.viewNote'));
    if (!links.length || links.some((l) => !l.svg)) return null;
    const title = this.workbookTitle.trim() || 'Mutual Sheets';
    const date = new Date(now).toLocaleDateString(currentLocale(), { dateStyle: 'long' });
    return {
      lang: currentLocale(),
      title,
      made: t('card.made', { date }),
      warning: t('card.warning'),
      links,
      documentTitle: t('card.documentTitle', { title }),
    };
  }

  render() {
    const card = this.content();
    if (!card) return html`<p role="status">${t('card.drawing')}</p>`;
    // linkCardBody escapes every word and link; the QR codes are our own SVG.
    return html`${unsafeHTML(linkCardBody(card))}
      <div class="actions">
        <button class="primary" @click=${this.onDownload}>${t('card.download')}</button>
        <button @click=${this.onPrint}>${t('card.print')}</button>
      </div>`;
  }

  private onDownload = (): void => {
    const card = this.content();
    if (!card) return;
    download(linkCardDocument(card), exportFileName(card.title, t('card.file'), 'html'), 'text/html;charset=utf-8');
    this.kept();
  };

  private onPrint = (): void => {
    const card = this.content();
    if (!card) return;
    printDocument(linkCardDocument(card));
    this.kept();
  };

  private kept(): void {
    // Only a card with the edit link on it keeps the edit link.
    if (this.editUrl && this.workbookId) this.dispatchEvent(linkKeptEvent(this.workbookId));
  }
}

customElements.define('link-card', LinkCard);

declare global {
  interface HTMLElementTagNameMap {
    'link-card': LinkCard;
  }
  interface HTMLElementEventMap {
    'link-kept': CustomEvent<LinkKeptDetail>;
  }
}
