import { LitElement, css, html, nothing } from 'lit';
import { exportReader } from '../io/export-values.js';
import { csvFile, type CsvSeparator } from '../io/csv.js';
import { exportFileName } from '../io/file-name.js';
import { exportSnapshot } from '../io/snapshot-json.js';
import { isEmptyView, applyView, type ViewSpec } from '../model/view.js';
import type { Workbook } from '../model/workbook.js';
import { dialogStyles, showDialog } from './dialog-styles.js';
import { download } from './download.js';
import { LocaleController, currentLocale, t } from './i18n/locale.js';
import { titleText } from './i18n/value-text.js';
import { PrintView } from './print-view.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * `<export-menu>`: records to take away. Everything by default; "this view"
 * when a person asks for the rows and columns their own sort, filter and
 * hidden columns show. File names carry the workbook title and the date-time.
 */
export class ExportMenu extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    view: { attribute: false },
    busy: { state: true },
    error: { state: true },
    separator: { state: true },
    forOtherTools: { state: true },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare view: ViewSpec | null;
  declare busy: boolean;
  declare error: string;
  declare separator: CsvSeparator;
  declare forOtherTools: boolean;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.view = null;
    this.busy = false;
    this.error = '';
    this.separator = ',';
    this.forOtherTools = false;
  }

  static styles = [
    dialogStyles,
    css`
      dialog {
        max-width: min(30rem, 94vw);
      }
      ul {
        list-style: none;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      ul button {
        width: 100%;
        text-align: left;
      }
      fieldset {
        margin: 0 0 0.75rem;
        display: grid;
        gap: 0.35rem;
      }
      .hint {
        font-size: 0.85em;
        margin: 0;
      }
    `,
  ];

  open(): void {
    this.error = '';
    showDialog(this);
  }

  private close(): void {
    this.renderRoot.querySelector('dialog')?.close();
  }

  private onClosed = (): void => {
    this.dispatchEvent(new CustomEvent('export-closed', { bubbles: true, composed: true }));
  };

  /** The title files and the printout carry: an untitled workbook's in the reader's words, not an empty name. */
  private workbookTitle(): string {
    return titleText(currentLocale(), this.workbook?.title());
  }

  private sheetName(): string {
    return this.workbook?.sheets().find((s) => s.id === this.sheetId)?.name ?? '';
  }

  /** The rows and columns the person sees: their view, or the whole sheet. */
  private shown(useView: boolean) {
    const wb = this.workbook!;
    const rows = wb.rowIds(this.sheetId);
    const columns = wb.columns(this.sheetId);
    if (!useView || !this.view) return { rows, columns };
    return applyView(rows, columns, this.view, (r, c) => wb.getValue(this.sheetId, r, c));
  }

  private async csv(useView: boolean): Promise<void> {
    const wb = this.workbook!;
    const { rows, columns } = this.shown(useView);
    // Formula cells go out as their results: the file's reader cannot see our references.
    const values = await exportReader(wb);
    const text = csvFile(columns, rows, (r, c) => values.get(this.sheetId, r, c), { separator: this.separator, forOtherTools: this.forOtherTools });
    values.done();
    download(text, exportFileName(this.workbookTitle(), useView ? t('export.myView', { sheet: this.sheetName() }) : this.sheetName(), 'csv'), 'text/csv;charset=utf-8');
    this.close();
  }

  private async xlsx(useView: boolean): Promise<void> {
    const wb = this.workbook!;
    this.busy = true;
    this.error = '';
    try {
      const { writeXlsx } = await import('../io/xlsx.js');
      const choice = useView ? [{ sheetId: this.sheetId, ...this.shown(true) }] : undefined;
      const bytes = await writeXlsx(wb, choice);
      download(bytes, exportFileName(this.workbookTitle(), useView ? t('export.myView', { sheet: this.sheetName() }) : null, 'xlsx'), XLSX_TYPE);
      this.close();
    } catch (err) {
      this.error = t('export.xlsxFailed', { reason: (err as Error).message });
    } finally {
      this.busy = false;
    }
  }

  private json(): void {
    const wb = this.workbook!;
    download(JSON.stringify(exportSnapshot(wb), null, 2), exportFileName(this.workbookTitle(), null, 'json'), 'application/json');
    this.close();
  }

  private async print(): Promise<void> {
    const wb = this.workbook!;
    const { rows, columns } = this.shown(true);
    const view = new PrintView();
    view.heading = `${this.workbookTitle()} – ${this.sheetName()}`;
    view.columns = columns;
    view.rows = rows;
    view.get = (r, c) => wb.getValue(this.sheetId, r, c);
    document.body.append(view);
    await view.updateComplete;
    this.close();
    window.addEventListener('afterprint', () => view.remove(), { once: true });
    window.print();
  }

  render() {
    const hasView = !!this.view && !isEmptyView(this.view);
    return html`<dialog aria-labelledby="export-title" @close=${this.onClosed}>
      <h2 id="export-title">${t('export.title')}</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <fieldset>
        <legend>${t('export.csvOptions')}</legend>
        <label
          >${t('export.separator')}
          <select name="separator" @change=${(e: Event) => (this.separator = (e.target as HTMLSelectElement).value as CsvSeparator)}>
            <option value="," ?selected=${this.separator === ','}>${t('export.comma')}</option>
            <option value=";" ?selected=${this.separator === ';'}>${t('export.semicolon')}</option>
          </select>
        </label>
        <label
          ><input type="checkbox" name="other-tools" .checked=${this.forOtherTools} @change=${(e: Event) => (this.forOtherTools = (e.target as HTMLInputElement).checked)} />
          ${t('export.otherTools')}</label
        >
        <p class="hint">${t('export.otherToolsHint')}</p>
      </fieldset>
      <ul>
        <li><button @click=${() => this.csv(false)}>${t('export.sheetCsv')}</button></li>
        ${hasView ? html`<li><button @click=${() => this.csv(true)}>${t('export.viewCsv')}</button></li>` : nothing}
        <li><button ?disabled=${this.busy} @click=${() => this.xlsx(false)}>${t('export.workbookXlsx')}</button></li>
        ${hasView ? html`<li><button ?disabled=${this.busy} @click=${() => this.xlsx(true)}>${t('export.viewXlsx')}</button></li>` : nothing}
        <li><button @click=${this.json}>${t('export.json')}</button></li>
        <li><button @click=${this.print}>${t('export.print')}</button></li>
      </ul>
      ${this.busy ? html`<p role="status">${t('export.making')}</p>` : nothing}
      <button @click=${this.close}>${t('export.close')}</button>
    </dialog>`;
  }
}

customElements.define('export-menu', ExportMenu);
