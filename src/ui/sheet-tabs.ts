import { LitElement, css, html, nothing } from 'lit';
import { isModelError } from '../model/errors.js';
import type { Workbook } from '../model/workbook.js';
import { errorText } from './i18n/error-text.js';
import { LocaleController, t } from './i18n/locale.js';
import { WorkbookController } from './workbook-controller.js';

/**
 * `<sheet-tabs>`: the sheets of a workbook; add, rename, reorder, delete. Fires `sheet-selected`, and
 * `sheet-tabs-done` once an add, rename or delete is over, so the page can give the keyboard back to the grid.
 * A view link only switches sheets: the structure buttons are not shown to someone who cannot use them.
 */
export class SheetTabs extends LitElement {
  static properties = {
    workbook: { attribute: false },
    activeSheetId: { attribute: false },
    renaming: { state: true },
    error: { state: true },
  };

  declare workbook: Workbook | null;
  declare activeSheetId: string;
  declare renaming: boolean;
  declare error: string;

  private readonly controller = new WorkbookController(this, (c) => c.sheetList);

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.activeSheetId = '';
    this.renaming = false;
    this.error = '';
  }

  static styles = css`
    :host {
      display: flex;
      align-items: center;
      gap: 0.25rem;
      padding: 0.25rem 0.5rem;
      border-top: 1px solid #d0d7de;
      background: #f6f8fa;
      overflow-x: auto;
    }
    [role='tablist'] {
      display: flex;
      gap: 0.25rem;
    }
    button,
    input {
      min-height: 44px;
      min-width: 44px;
      padding: 0 0.75rem;
      font: inherit;
      border: 1px solid #d0d7de;
      border-radius: 6px;
      background: white;
      white-space: nowrap;
    }
    [role='tab'][aria-selected='true'] {
      background: #ddf4ff;
      border-color: #0969da;
      font-weight: 600;
    }
    .error {
      color: #cf222e;
    }
  `;

  protected willUpdate(): void {
    this.controller.bind(this.workbook);
  }

  render() {
    const wb = this.workbook;
    if (!wb) return nothing;
    const sheets = wb.sheets();
    const index = sheets.findIndex((s) => s.id === this.activeSheetId);
    return html`
      <div role="tablist" aria-label=${t('tabs.label')} @keydown=${this.onTabKeydown}>
        ${sheets.map((s) =>
          this.renaming && s.id === this.activeSheetId
            ? html`<input
                aria-label=${t('tabs.nameLabel')}
                .value=${s.name}
                @keydown=${this.onRenameKeydown}
                @blur=${(e: Event) => this.finishRename((e.target as HTMLInputElement).value)}
              />`
            : html`<button
                role="tab"
                aria-selected=${s.id === this.activeSheetId ? 'true' : 'false'}
                tabindex=${s.id === this.activeSheetId ? 0 : -1}
                @click=${() => this.select(s.id)}
                @dblclick=${() => (wb.readOnly ? undefined : this.startRename())}
              >
                ${s.name}
              </button>`,
        )}
      </div>
      ${wb.readOnly ? nothing : this.renderStructureButtons(index, sheets.length)}
      ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
    `;
  }

  private renderStructureButtons(index: number, count: number) {
    return html`<button aria-label=${t('tabs.add')} title=${t('tabs.add')} @click=${this.addSheet}>+</button>
      <button @click=${() => this.startRename()}>${t('tabs.rename')}</button>
      <button aria-label=${t('tabs.moveLeft')} title=${t('tabs.moveLeft')} ?disabled=${index <= 0} @click=${() => this.move(index - 1)}>◀</button>
      <button aria-label=${t('tabs.moveRight')} title=${t('tabs.moveRight')} ?disabled=${index < 0 || index >= count - 1} @click=${() => this.move(index + 1)}>
        ▶
      </button>
      <button ?disabled=${count <= 1} title=${count <= 1 ? t('layout.lastSheet') : nothing} @click=${this.deleteSheet}>${t('tabs.delete')}</button>`;
  }

  private done(): void {
    this.dispatchEvent(new CustomEvent('sheet-tabs-done', { bubbles: true, composed: true }));
  }

  private select(id: string): void {
    this.dispatchEvent(new CustomEvent('sheet-selected', { detail: id, bubbles: true, composed: true }));
  }

  private onTabKeydown = (e: KeyboardEvent): void => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const sheets = this.workbook?.sheets() ?? [];
    const i = sheets.findIndex((s) => s.id === this.activeSheetId);
    const next = sheets[i + (e.key === 'ArrowLeft' ? -1 : 1)];
    if (next) {
      this.select(next.id);
      this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]')?.focus());
    }
  };

  private addSheet = (): void => {
    const wb = this.workbook;
    if (!wb) return;
    const n = wb.sheets().length + 1;
    try {
      this.select(wb.addBlankSheet(t('tabs.newName', { n })));
      this.error = '';
    } catch (err) {
      if (isModelError(err)) this.error = errorText(err);
      else throw err;
    }
    this.done();
  };

  private startRename(): void {
    this.renaming = true;
    this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('input')?.select());
  }

  private onRenameKeydown = (e: KeyboardEvent): void => {
    if (e.isComposing) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      this.finishRename((e.target as HTMLInputElement).value);
      this.done();
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      this.renaming = false;
      this.done();
    }
  };

  private finishRename(name: string): void {
    if (!this.renaming) return;
    this.renaming = false;
    try {
      this.workbook?.renameSheet(this.activeSheetId, name);
      this.error = '';
    } catch (err) {
      if (isModelError(err)) this.error = errorText(err);
      else throw err;
    }
  }

  private move(to: number): void {
    this.workbook?.moveSheet(this.activeSheetId, to);
  }

  private deleteSheet = (): void => {
    const wb = this.workbook;
    if (!wb) return;
    const sheets = wb.sheets();
    const name = sheets.find((s) => s.id === this.activeSheetId)?.name ?? '';
    if (!confirm(t('tabs.deleteConfirm', { name }))) return;
    try {
      wb.deleteSheet(this.activeSheetId);
      const next = wb.sheets()[0];
      if (next) this.select(next.id);
    } catch (err) {
      if (isModelError(err)) this.error = errorText(err);
      else throw err;
    }
    this.done();
  };
}

customElements.define('sheet-tabs', SheetTabs);

declare global {
  interface HTMLElementTagNameMap {
    'sheet-tabs': SheetTabs;
  }
}
