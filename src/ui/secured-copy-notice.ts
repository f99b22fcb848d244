import { LitElement, css, html } from 'lit';
import * as Y from 'yjs';
import type { Workbook } from '../model/workbook.js';
import { LEGACY_KEY_ID, SECURED_ID, type Credential } from '../protocol/access.js';
import { SEALED_ID } from '../protocol/sealed.js';
import { LocaleController, t } from './i18n/locale.js';

export interface SecuredCopyDetail {
  /** the workbook's content as one Yjs update: what the new, secured workbook starts from */
  seed: Uint8Array;
}

/**
 * Whether a workbook opened with this credential should offer a secured copy, and why: an open
 * workbook always (it is read-only), a legacy one to whoever holds its edit link.
 */
export function securedCopyKind(workbookId: string, credential: Credential | null): 'open' | 'legacy' | 'unsealed' | null {
  if (!SECURED_ID.test(workbookId)) return 'open';
  if (credential?.role !== 'edit') return null;
  if (LEGACY_KEY_ID.test(workbookId)) return 'legacy';
  // a signed workbook keeps its plain text on the hub: whoever can edit it can move it into a sealed one
  return SEALED_ID.test(workbookId) ? null : 'unsealed';
}

/** An open workbook is read-only in the app, whatever the hub allows (OPEN_WORKBOOKS_WRITABLE is for tools). */
export function readOnlyFor(workbookId: string, credential: Credential | null): boolean {
  return credential?.role === 'view' || !SECURED_ID.test(workbookId);
}

/**
 * `<secured-copy-notice>`: shown on a workbook whose links do not protect it, with a button that
 * makes a secured copy. `kind` says why: an open workbook (`open`: no key at all, read-only on the
 * hub, readable by anyone who can reach it) or a legacy `k…` one (`legacy`: its link sends the key
 * to the hub on every connection). The button sends `secured-copy` with the content as it is on
 * this device; `<mutual-sheets-app>` creates a new signed workbook from it and opens it, as it
 * does for a JSON snapshot.
 */
export class SecuredCopyNotice extends LitElement {
  static properties = {
    workbook: { attribute: false },
    kind: { attribute: false },
  };

  declare workbook: Workbook | null;
  declare kind: 'open' | 'legacy' | 'unsealed';

  constructor() {
    super();
    new LocaleController(this);
    this.workbook = null;
    this.kind = 'open';
  }

  static styles = css`
    :host {
      display: block;
    }
    div {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.25rem 1rem;
      padding: 0.5rem 0.75rem;
      background: #fff8c5;
      border-bottom: 1px solid #d4a72c;
      font-size: 0.9rem;
    }
    p {
      flex: 1 1 24rem;
      margin: 0;
    }
    button {
      min-height: 44px;
      padding: 0 1rem;
      font: inherit;
      font-weight: 600;
      border: 1px solid #1f883d;
      border-radius: 6px;
      color: white;
      background: #1f883d;
      cursor: pointer;
    }
  `;

  private copy = (): void => {
    if (!this.workbook) return;
    const seed = Y.encodeStateAsUpdate(this.workbook.doc);
    this.dispatchEvent(new CustomEvent<SecuredCopyDetail>('secured-copy', { detail: { seed }, bubbles: true, composed: true }));
  };

  render() {
    return html`<div role="note">
      <p>${t(this.kind === 'open' ? 'access.openNotice' : this.kind === 'legacy' ? 'access.legacyNotice' : 'sealed.unsealedNotice')}</p>
      <button @click=${this.copy}>${t(this.kind === 'unsealed' ? 'sealed.copy' : 'access.securedCopy')}</button>
    </div>`;
  }
}

customElements.define('secured-copy-notice', SecuredCopyNotice);

declare global {
  interface HTMLElementTagNameMap {
    'secured-copy-notice': SecuredCopyNotice;
  }
  interface HTMLElementEventMap {
    'secured-copy': CustomEvent<SecuredCopyDetail>;
  }
}
