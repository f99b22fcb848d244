import { LitElement, css, html, nothing } from 'lit';
import type { Column } from '../../model/types.js';
import { dialogStyles } from '../dialog-styles.js';
import { LocaleController, t } from '../i18n/locale.js';
import { safeColor } from '../safe-style.js';

/** Which row's choice the sheet is choosing: `n` is the row's number as its card shows it. */
export interface StatusTarget {
  rowId: string;
  col: Column;
  n: number;
  current: string | null;
}

/**
 * `<status-sheet>`: the second of a status change's two taps. A sheet of the
 * column's options rises from the bottom of the phone, each a full-width
 * button; tapping one fires `status-picked` (the option id, or null for none)
 * and closes. Escape or Cancel closes with nothing changed, and the native
 * modal dialog hands focus back to the chip that opened it.
 */
export class StatusSheet extends LitElement {
  static properties = {
    target: { state: true },
  };

  declare target: StatusTarget | null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.target = null;
  }

  static styles = [
    dialogStyles,
    css`
      dialog {
        margin: auto 0 0;
        max-width: none;
        max-height: 80vh;
        border-radius: 12px 12px 0 0;
        padding: 0.75rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.35rem;
      }
      button {
        width: 100%;
        text-align: left;
        display: flex;
        align-items: center;
        gap: 0.6rem;
        min-height: 48px;
      }
      button[aria-pressed='true'] {
        font-weight: 600;
        border-width: 2px;
      }
      .dot {
        width: 1rem;
        height: 1rem;
        border-radius: 50%;
        flex: none;
      }
      .now {
        margin-left: auto;
        color: #57606a;
        font-weight: 400;
        font-size: 0.85rem;
      }
      .cancel {
        margin-top: 0.5rem;
        justify-content: center;
      }
    `,
  ];

  open(target: StatusTarget): void {
    this.target = target;
    void this.updateComplete.then(() => {
      const d = this.renderRoot.querySelector('dialog');
      if (d && !d.open) d.showModal();
      // The current choice has focus, so a keyboard user starts from where the row is.
      this.renderRoot.querySelector<HTMLButtonElement>('button[aria-pressed="true"]')?.focus();
    });
  }

  close(): void {
    this.renderRoot.querySelector('dialog')?.close();
  }

  render() {
    const target = this.target;
    if (!target) return nothing;
    const { col } = target;
    const title = t('phone.pickTitle', { column: col.name, n: target.n });
    const option = (id: string | null, label: string, color: string | null) =>
      html`<li>
        <button type="button" aria-pressed=${target.current === id ? 'true' : 'false'} @click=${() => this.pick(id)}>
          ${color ? html`<span class="dot" style="background:${safeColor(color)}"></span>` : html`<span class="dot"></span>`}
          <span>${label}</span>
          ${target.current === id ? html`<span class="now" aria-hidden="true">${t('phone.current')}</span>` : nothing}
        </button>
      </li>`;
    return html`<dialog aria-label=${title} @close=${this.onClose}>
      <h2>${title}</h2>
      <ul>
        ${col.options.map((o) => option(o.id, o.label, o.color))} ${option(null, t('phone.clearChoice', { column: col.name }), null)}
      </ul>
      <button type="button" class="cancel" @click=${() => this.close()}>${t('phone.cancel')}</button>
    </dialog>`;
  }

  private pick(id: string | null): void {
    const target = this.target;
    this.close();
    if (target && id !== target.current) {
      this.dispatchEvent(new CustomEvent<{ target: StatusTarget; optionId: string | null }>('status-picked', { detail: { target, optionId: id } }));
    }
  }

  private onClose = (): void => {
    this.target = null;
  };
}

customElements.define('status-sheet', StatusSheet);

declare global {
  interface HTMLElementTagNameMap {
    'status-sheet': StatusSheet;
  }
}
