import { LitElement, css, html } from 'lit';
import { randomId } from '../model/ids.js';
import { TEMPLATES } from '../model/templates.js';
import { DeviceProfile } from './device-profile.js';
import './workbook-view.js';

const ROUTE = /^#\/w\/([A-Za-z0-9_-]{8,128})$/;

/**
 * `<mutual-sheets-app>`: the shell. The workbook id lives in the URL fragment
 * (`#/w/<id>`), which browsers never send to a server, so later the same link
 * can carry keys.
 */
export class MutualSheetsApp extends LitElement {
  static properties = { workbookId: { state: true } };

  declare workbookId: string;
  /** template to build the next opened workbook from; null when opening an existing one */
  private create: string | null = null;
  private readonly profile = new DeviceProfile(localStorage);
  private readonly onHash = () => this.route();

  constructor() {
    super();
    this.workbookId = '';
  }

  static styles = css`
    :host {
      display: block;
      height: 100%;
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
    if (id !== this.workbookId) {
      if (!id) this.create = null;
      this.workbookId = id;
    }
  }

  private newWorkbook(template: string): void {
    this.create = template;
    location.hash = `#/w/${randomId(16)}`;
  }

  render() {
    if (this.workbookId) {
      return html`<workbook-view .workbookId=${this.workbookId} .create=${this.create} .profile=${this.profile}></workbook-view>`;
    }
    const recent = this.profile.recent();
    return html`<main class="home">
      <h1>Mutual Sheets</h1>
      <p>A shared spreadsheet that works without signal. Everything you type is kept on this device and shared through your group's hub.</p>
      <button class="new" @click=${() => this.newWorkbook('blank')}>New workbook</button>
      <h2>Or start from a template</h2>
      <ul class="templates">
        ${TEMPLATES.filter((t) => t.id !== 'blank').map(
          (t) => html`<li>
            <button class="template" @click=${() => this.newWorkbook(t.id)}>${t.title}</button>
            <span class="desc">${t.description}</span>
          </li>`,
        )}
      </ul>
      ${recent.length
        ? html`<h2>Opened on this device</h2>
            <ul>
              ${recent.map((r) => html`<li><a href="#/w/${r.id}">${r.title}</a></li>`)}
            </ul>`
        : ''}
    </main>`;
  }
}

customElements.define('mutual-sheets-app', MutualSheetsApp);
