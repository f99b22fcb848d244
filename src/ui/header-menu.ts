import { LitElement, css, html, nothing } from 'lit';
import { LocaleController, t } from './i18n/locale.js';

/** One action the header had no room for. */
export interface HeaderMenuItem {
  id: string;
  label: string;
}

/**
 * `<header-menu>`: the header's "More" menu button (WAI-ARIA menu button pattern) holding what did
 * not fit on the header's one line. Enter, Space or ↓ open it on the first item, ↑ on the last;
 * ↑/↓/Home/End move, Enter/Space choose, Escape closes back to the button, Tab closes. The list is
 * a popover, so the header's clipping never cuts it. Choosing fires `header-menu-select` { id }.
 */
export class HeaderMenu extends LitElement {
  static properties = {
    items: { attribute: false },
    iconOnly: { attribute: false },
    expanded: { state: true },
  };

  declare items: HeaderMenuItem[];
  /** the button shows only its symbol (its name stays, for screen readers and the tooltip) */
  declare iconOnly: boolean;
  declare expanded: boolean;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.items = [];
    this.iconOnly = false;
    this.expanded = false;
  }

  static styles = css`
    :host {
      display: inline-flex;
      flex-shrink: 0;
    }
    button {
      min-height: 44px;
      min-width: 44px;
      display: inline-flex;
      align-items: center;
      justify-content: center;
      padding: 0 0.75rem;
      font: inherit;
      border: 1px solid #d0d7de;
      border-radius: 6px;
      background: white;
      color: inherit;
      cursor: pointer;
      white-space: nowrap;
    }
    [role='menu'] {
      position: fixed;
      inset: auto;
      margin: 0;
      padding: 0.25rem;
      border: 1px solid #d0d7de;
      border-radius: 8px;
      background: white;
      box-shadow: 0 8px 24px rgba(140, 149, 159, 0.3);
      min-width: 12rem;
    }
    [role='menu']:popover-open {
      display: grid;
      gap: 0.125rem;
    }
    [role='menuitem'] {
      justify-content: flex-start;
      border-color: transparent;
      width: 100%;
    }
    [role='menuitem']:focus,
    [role='menuitem']:hover {
      background: #ddf4ff;
      outline: 2px solid #0969da;
      outline-offset: -2px;
    }
  `;

  render() {
    return html`<button
        id="more"
        aria-haspopup="menu"
        aria-expanded=${this.expanded ? 'true' : 'false'}
        aria-controls="more-menu"
        aria-label=${t('layout.moreLabel')}
        title=${t('layout.moreLabel')}
        @click=${() => (this.expanded ? this.hide(true) : this.show(0))}
        @keydown=${this.onButtonKeydown}
      >
        ${this.iconOnly ? html`<span aria-hidden="true">⋯</span>` : html`${t('layout.more')} <span aria-hidden="true">▾</span>`}
      </button>
      <div id="more-menu" role="menu" aria-labelledby="more" popover="manual" @keydown=${this.onMenuKeydown} @focusout=${this.onFocusOut}>
        ${this.items.length
          ? this.items.map((item) => html`<button role="menuitem" tabindex="-1" @click=${() => this.choose(item.id)}>${item.label}</button>`)
          : nothing}
      </div>`;
  }

  private get menu(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('[role="menu"]');
  }

  private get entries(): HTMLElement[] {
    return Array.from(this.renderRoot.querySelectorAll<HTMLElement>('[role="menuitem"]'));
  }

  /** Opens with item `index` focused (-1: the last). */
  private show(index: number): void {
    const menu = this.menu;
    const button = this.renderRoot.querySelector<HTMLElement>('#more');
    if (!menu || !button || this.items.length === 0) return;
    const box = button.getBoundingClientRect();
    // Under the button, its right edge on the button's, kept on screen on a narrow phone.
    menu.style.top = `${box.bottom + 4}px`;
    menu.style.right = `${Math.max(4, document.documentElement.clientWidth - box.right)}px`;
    menu.style.left = 'auto';
    menu.showPopover();
    this.expanded = true;
    const entries = this.entries;
    entries[index < 0 ? entries.length - 1 : index]?.focus();
  }

  private hide(refocus: boolean): void {
    if (this.menu?.matches(':popover-open')) this.menu.hidePopover();
    this.expanded = false;
    if (refocus) this.renderRoot.querySelector<HTMLElement>('#more')?.focus();
  }

  private choose(id: string): void {
    this.hide(false);
    this.dispatchEvent(new CustomEvent<{ id: string }>('header-menu-select', { detail: { id }, bubbles: true, composed: true }));
  }

  private onButtonKeydown = (e: KeyboardEvent): void => {
    if (e.key === 'ArrowDown' || e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.show(0);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      this.show(-1);
    }
  };

  private onMenuKeydown = (e: KeyboardEvent): void => {
    const entries = this.entries;
    const at = entries.indexOf(this.renderRoot instanceof ShadowRoot ? (this.renderRoot.activeElement as HTMLElement) : (e.target as HTMLElement));
    const focus = (i: number) => entries[(i + entries.length) % entries.length]?.focus();
    switch (e.key) {
      case 'ArrowDown':
        focus(at + 1);
        break;
      case 'ArrowUp':
        focus(at - 1);
        break;
      case 'Home':
        focus(0);
        break;
      case 'End':
        focus(entries.length - 1);
        break;
      case 'Escape':
        this.hide(true);
        break;
      case 'Tab':
        this.hide(false);
        return;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  };

  /** A click or focus elsewhere closes the menu, as any menu does. */
  private onFocusOut = (e: FocusEvent): void => {
    const to = e.relatedTarget as Node | null;
    if (to && (this.menu?.contains(to) || this.renderRoot.contains(to))) return;
    this.hide(false);
  };
}

customElements.define('header-menu', HeaderMenu);

declare global {
  interface HTMLElementTagNameMap {
    'header-menu': HeaderMenu;
  }
}
