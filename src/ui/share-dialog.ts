import { LitElement, css, html, nothing } from 'lit';
import { unsafeSVG } from 'lit/directives/unsafe-svg.js';
import { keysFromEditKey, type Credential } from '../protocol/access.js';
import { dialogStyles, showDialog } from './dialog-styles.js';
import { LocaleController, t } from './i18n/locale.js';

interface Link {
  label: string;
  note: string;
  url: string;
  svg: string;
}

/**
 * `<share-dialog>`: the links to this workbook, each to copy or to scan as a QR
 * code from a phone on the same Wi-Fi. An edit link also offers the view link
 * (derived from it); a view link can only pass itself on. The keys live after
 * the #, which browsers never send to a server.
 */
export class ShareDialog extends LitElement {
  static properties = {
    workbookId: { attribute: false },
    credential: { attribute: false },
    links: { state: true },
    copied: { state: true },
    lanNote: { state: true },
  };

  declare workbookId: string;
  declare credential: Credential | null;
  declare links: Link[];
  declare copied: string;
  declare lanNote: string;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbookId = '';
    this.credential = null;
    this.links = [];
    this.copied = '';
    this.lanNote = '';
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
    `,
  ];

  /**
   * Opened as localhost on the hub's own laptop, a link would point phones at themselves:
   * use the hub's address on the local network instead (from /api/hub).
   */
  private async origin(): Promise<string> {
    if (!/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(location.hostname)) return location.origin;
    try {
      const info = (await (await fetch('/api/hub', { cache: 'no-store' })).json()) as { lanUrls?: string[] };
      const lan = info.lanUrls?.[0];
      if (lan) {
        this.lanNote = t('share.lan', { host: new URL(lan).host });
        return new URL(lan).origin;
      }
    } catch {
      // Offline or an older hub: links keep this page's address.
    }
    return location.origin;
  }

  async open(): Promise<void> {
    this.copied = '';
    this.lanNote = '';
    const base = `${await this.origin()}${location.pathname}#/w/${this.workbookId}`;
    const { renderSVG } = await import('uqr');
    const links: Omit<Link, 'svg'>[] = [];
    const c = this.credential;
    if (c?.role === 'edit') {
      const keys = await keysFromEditKey(c.editKey);
      const view = keys.view.role === 'view' ? keys.view : null;
      links.push({ label: t('share.editLink'), note: t('share.editNote'), url: `${base}/edit/${c.editKey}` });
      if (view) links.push({ label: t('share.viewLink'), note: t('share.viewNote'), url: `${base}/view/${view.viewKey}.${view.editVerifier}` });
    } else if (c?.role === 'view') {
      links.push({ label: t('share.viewLink'), note: t('share.viewOnlyNote'), url: `${base}/view/${c.viewKey}.${c.editVerifier}` });
    } else {
      links.push({ label: t('share.link'), note: t('share.openNote'), url: base });
    }
    this.links = links.map((l) => ({ ...l, svg: renderSVG(l.url, { border: 1 }) }));
    showDialog(this);
  }

  private async copy(link: Link): Promise<void> {
    try {
      await navigator.clipboard.writeText(link.url);
      this.copied = link.label;
    } catch {
      // No async clipboard outside secure contexts: select the text for a manual copy.
      const input = this.renderRoot.querySelector<HTMLInputElement>(`input[aria-label="${link.label}"]`);
      input?.select();
      this.copied = '';
    }
  }

  render() {
    return html`<dialog aria-labelledby="share-title">
      <h2 id="share-title">${t('share.title')}</h2>
      ${this.links.map(
        (l) => html`<section>
          <strong>${l.label}</strong>
          <div class="qr" role="img" aria-label=${t('share.qr', { link: l.label.toLowerCase() })}>${unsafeSVG(l.svg)}</div>
          <input readonly aria-label=${l.label} .value=${l.url} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
          <div>
            <button @click=${() => this.copy(l)}>${t('share.copy', { link: l.label.toLowerCase() })}</button>
            ${this.copied === l.label ? html`<span role="status">${t('share.copied')}</span>` : nothing}
          </div>
          <p class="note">${l.note}</p>
        </section>`,
      )}
      <p class="note">${t('share.scan')}</p>
      ${this.lanNote ? html`<p class="note" role="note">${this.lanNote}</p>` : nothing}
      <button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('share.close')}</button>
    </dialog>`;
  }
}

customElements.define('share-dialog', ShareDialog);
