import { LitElement, css, html, nothing } from 'lit';
import type * as Y from 'yjs';
import { IoError, isIoError } from '../io/errors.js';
import type { TextImportOptions } from '../io/import-file.js';
import { READ_TIME_LIMIT_MS, readFileInWorker } from '../io/import-in-worker.js';
import { TEXT_ENCODINGS, type TextEncodingName } from '../io/text-encoding.js';
import { fileRows, headerRowOf, withHeaderRow } from '../model/import-header.js';
import {
  checkImport,
  inferColumns,
  optionsFromValues,
  planColumn,
  type DateOrder,
  type ImportCheck,
  type ImportColumnPlan,
  type ImportIssue,
  type ImportNote,
  type ImportTable,
} from '../model/import.js';
import { isModelError } from '../model/errors.js';
import { commitImports } from '../model/formula/import-commit.js';
import { planImportFormulas, type SheetFormulaPlan } from '../model/formula/import-formulas.js';
import { COLUMN_TYPES, type ColumnType } from '../model/types.js';
import { ModelError } from '../model/errors.js';
import { formatValue } from '../model/values.js';
import type { Workbook } from '../model/workbook.js';
import { dialogStyles, showDialog } from './dialog-styles.js';
import { errorText } from './i18n/error-text.js';
import { LocaleController, formatNumber, t, tn } from './i18n/locale.js';

const DATE_ORDERS: DateOrder[] = ['mdy', 'dmy', 'ymd'];
const SEPARATORS: { value: string; key: 'imports.sep.comma' | 'imports.sep.semicolon' | 'imports.sep.tab' | 'imports.sep.pipe' }[] = [
  { value: ',', key: 'imports.sep.comma' },
  { value: ';', key: 'imports.sep.semicolon' },
  { value: '\t', key: 'imports.sep.tab' },
  { value: '|', key: 'imports.sep.pipe' },
];
/** How many of the file's first rows the header-row choice offers. */
const HEADER_CHOICES = 10;

interface TablePlan {
  /** the table as the file was read, its guessed header row included */
  read: ImportTable;
  /** the same with the header row the person chose */
  table: ImportTable;
  include: boolean;
  target: 'new' | 'append';
  name: string;
  columns: ImportColumnPlan[];
  check: ImportCheck;
}

type Phase = 'choose' | 'reading' | 'preview' | 'done';

/**
 * `<import-dialog>`: CSV or Excel into new sheets or onto the current one. The
 * file is read in a worker (progress, cancel); every column's type is guessed
 * and shown with sample values for a person to change; values that do not fit
 * are listed before anything is written; the import is one undo step.
 */
export class ImportDialog extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    undo: { attribute: false },
    phase: { state: true },
    progress: { state: true },
    plans: { state: true },
    error: { state: true },
    result: { state: true },
    acceptSkipped: { state: true },
    textOptions: { state: true },
    readTimeLimitMs: { attribute: false },
    elapsed: { state: true },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare undo: Y.UndoManager | null;
  declare phase: Phase;
  declare progress: number;
  declare plans: TablePlan[];
  declare error: string;
  declare result: string;
  declare acceptSkipped: boolean;
  declare textOptions: TextImportOptions;
  /** the reading's time ceiling; a property so a test can reach it without waiting two minutes */
  declare readTimeLimitMs: number;
  /** whole seconds the current reading has taken: a workbook's parse is one long step the bar cannot show */
  declare elapsed: number;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private abort: AbortController | null = null;
  /** kept so a text file can be read again with another encoding, separator or decimal mark */
  private file: File | null = null;
  private undoDepth = -1;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.undo = null;
    this.readTimeLimitMs = READ_TIME_LIMIT_MS;
    this.reset();
  }

  static styles = [
    dialogStyles,
    css`
      dialog {
        max-width: min(60rem, 96vw);
      }
      .scroll {
        max-height: 60vh;
        overflow: auto;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        font-size: 0.9rem;
      }
      th,
      td {
        border-bottom: 1px solid #eaeef2;
        padding: 0.25rem;
        text-align: left;
        vertical-align: middle;
      }
      td.sample {
        color: #57606a;
        max-width: 16rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      input[type='checkbox'] {
        width: 24px;
        height: 24px;
        min-height: 24px;
        min-width: 24px;
        margin: 10px;
      }
      progress {
        width: 100%;
        height: 1.5rem;
      }
      .issues li.skipped {
        color: #cf222e;
      }
      .row {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
        align-items: center;
        margin: 0.5rem 0;
      }
      .note {
        margin: 0.25rem 0;
        color: #57606a;
      }
      fieldset {
        border: 1px solid #d0d7de;
        border-radius: 6px;
        margin: 0.75rem 0;
      }
    `,
  ];

  open(): void {
    this.reset();
    showDialog(this);
  }

  private reset(): void {
    this.abort?.abort();
    this.abort = null;
    this.phase = 'choose';
    this.progress = 0;
    this.elapsed = 0;
    this.plans = [];
    this.error = '';
    this.result = '';
    this.acceptSkipped = false;
    this.undoDepth = -1;
    this.textOptions = {};
    this.file = null;
  }

  private close(): void {
    this.abort?.abort();
    this.renderRoot.querySelector('dialog')?.close();
  }

  private async onFile(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    this.file = file;
    this.textOptions = {};
    await this.read();
  }

  /** Reads (or reads again, with the text options chosen) the file into plans for the preview. */
  private async read(): Promise<void> {
    const file = this.file;
    if (!file) return;
    this.error = '';
    this.phase = 'reading';
    this.progress = 0;
    this.elapsed = 0;
    const abort = new AbortController();
    this.abort = abort;
    const started = Date.now();
    if (this.ticker) clearInterval(this.ticker);
    const ticker = setInterval(() => (this.elapsed = Math.floor((Date.now() - started) / 1000)), 1000);
    this.ticker = ticker;
    try {
      const tables = await readFileInWorker(file, (f) => (this.progress = f), abort.signal, this.textOptions, this.readTimeLimitMs);
      // The engine is needed the moment formulas are written: its chunk loads while the preview is read.
      if (tables.some((x) => x.formulas?.length)) void import('../model/formula/index.js');
      this.plans = tables.map((table) => {
        const columns = inferColumns(table);
        return { read: table, table, include: true, target: 'new', name: table.name, columns, check: checkImport(table, columns) };
      });
      this.phase = 'preview';
    } catch (err) {
      this.phase = 'choose';
      this.error = isIoError(err, 'CANCELLED') ? t('import.cancelled') : t('import.refused', { reason: refusalText(err) });
    } finally {
      if (this.abort === abort) this.abort = null;
      clearInterval(ticker);
      if (this.ticker === ticker) this.ticker = null;
    }
  }

  private setTextOption(patch: TextImportOptions): void {
    this.textOptions = { ...this.textOptions, ...patch };
    void this.read();
  }

  private chooseHeaderRow(index: number, row: number): void {
    const plan = this.plans[index];
    const table = withHeaderRow(plan.read, row);
    const columns = inferColumns(table);
    this.plans = this.plans.map((p, i) => (i === index ? { ...p, table, columns, check: checkImport(table, columns) } : p));
  }

  private updatePlan(index: number, patch: Partial<TablePlan>): void {
    if (patch.target === 'append' && this.workbook) {
      // Rows added to an existing sheet take its columns' types: preview what they will hold there.
      const existing = this.workbook.columns(this.sheetId);
      const plan = this.plans[index];
      const columns = plan.columns.map((c) => {
        const match = existing.find((e) => e.name.trim().toLowerCase() === c.name.trim().toLowerCase());
        return match ? { ...c, type: match.type, options: match.options, unit: match.unit } : c;
      });
      patch = { ...patch, columns, check: checkImport(plan.table, columns) };
    }
    this.plans = this.plans.map((p, i) => (i === index ? { ...p, ...patch } : p));
  }

  private updateColumn(index: number, col: number, patch: Partial<ImportColumnPlan>): void {
    const plan = this.plans[index];
    const columns = plan.columns.map((c, i) => {
      if (i !== col) return c;
      const next = { ...c, ...patch };
      if (patch.type && (patch.type === 'select' || patch.type === 'multiselect') && !c.options.length) {
        next.options = optionsFromValues(plan.table, c.source, patch.type === 'multiselect');
      }
      return next;
    });
    this.updatePlan(index, { columns, check: checkImport(plan.table, columns) });
  }

  private commit(): void {
    const wb = this.workbook;
    if (!wb) return;
    const chosen = this.plans.filter((p) => p.include);
    const before = this.undo?.undoStack.length ?? 0;
    try {
      let firstSheet = '';
      let rows = 0;
      let kept = 0;
      let skipped = 0;
      let formulas = 0;
      let columnFormulas = 0;
      let asValues = 0;
      // Every sheet of the file in one transaction (one undo step), formulas written once every sheet they point at exists.
      const items = chosen.map((p) => ({
        table: p.table,
        plans: p.columns,
        target: p.target === 'append' ? { kind: 'append' as const, sheetId: this.sheetId } : { kind: 'new' as const, name: p.name },
      }));
      const planned = this.formulaPlans?.for === this.plans ? this.formulaPlans.plans : undefined;
      for (const r of commitImports(wb, items, planned)) {
        firstSheet ||= r.sheetId;
        rows += r.rows;
        kept += r.keptCount;
        skipped += r.skippedCount;
        formulas += r.formulas;
        columnFormulas += r.columnFormulas;
        asValues += r.dropped.length;
      }
      this.undo?.stopCapturing();
      this.undoDepth = (this.undo?.undoStack.length ?? 0) > before ? (this.undo?.undoStack.length ?? 0) : -1;
      this.result = [
        tn('import.imported', rows),
        kept ? tn('import.kept', kept) : '',
        skipped ? tn('import.skipped', skipped) : '',
        formulas ? tn('import.formulas', formulas) : '',
        columnFormulas ? tn('import.columnFormulas', columnFormulas) : '',
        asValues ? tn('import.formulaValues', asValues) : '',
      ]
        .filter(Boolean)
        .join(' ');
      this.phase = 'done';
      this.dispatchEvent(new CustomEvent('import-done', { detail: firstSheet, bubbles: true, composed: true }));
    } catch (err) {
      this.error = isModelError(err) ? t('import.refused', { reason: errorText(err) }) : String(err);
    }
  }

  private undoImport(): void {
    if (this.undo && this.undo.undoStack.length === this.undoDepth) this.undo.undo();
    this.result = t('import.undone');
    this.undoDepth = -1;
  }

  render() {
    return html`<dialog aria-labelledby="import-title" @close=${() => this.abort?.abort()}>
      <h2 id="import-title">${t('import.title')}</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing} ${this.renderPhase()}
    </dialog>`;
  }

  private renderPhase() {
    switch (this.phase) {
      case 'choose':
        return html`<p>${t('import.intro')}</p>
          <div class="row">
            <label>${t('import.choose')} <input type="file" accept=".csv,.tsv,.txt,.xlsx,.xlsm,.xls,.ods,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel,application/vnd.oasis.opendocument.spreadsheet" @change=${this.onFile} /></label>
            <button @click=${this.close}>${t('import.close')}</button>
          </div>`;
      case 'reading':
        return html`<p id="reading">${t('import.reading')}</p>
          <progress aria-labelledby="reading" max="1" .value=${this.progress}></progress>
          ${this.elapsed >= 2 ? html`<p class="elapsed">${t('imports.readingFor', { s: this.elapsed })}</p>` : nothing}
          <div class="row"><button @click=${() => this.abort?.abort()}>${t('import.cancel')}</button></div>`;
      case 'preview':
        return this.renderPreview();
      case 'done':
        return html`<p role="status">${this.result}</p>
          <div class="row">
            ${this.undoDepth >= 0 ? html`<button @click=${this.undoImport}>${t('import.undo')}</button>` : nothing}
            <button @click=${this.close}>${t('import.close')}</button>
          </div>`;
    }
  }

  private renderPreview() {
    const chosen = this.plans.filter((p) => p.include);
    const skipped = chosen.reduce((n, p) => n + p.check.skippedCount, 0);
    const current = this.workbook?.sheets().find((s) => s.id === this.sheetId);
    return html`<div class="scroll">
        ${this.plans.map((p, i) => this.renderTable(p, i, current?.name ?? t('import.thisSheet')))}
      </div>
      ${skipped
        ? html`<label class="row"
            ><input type="checkbox" .checked=${this.acceptSkipped} @change=${(e: Event) => (this.acceptSkipped = (e.target as HTMLInputElement).checked)} />
            ${tn('import.acceptSkipped', skipped)}</label
          >`
        : nothing}
      <div class="row">
        <button @click=${this.commit} ?disabled=${!chosen.length || (skipped > 0 && !this.acceptSkipped)}>${t('import.import')}</button>
        <button @click=${this.close}>${t('import.cancel')}</button>
      </div>`;
  }

  private issueText(x: ImportIssue, table: ImportTable): string {
    const reason = errorText(new ModelError(x.code, x.reason, x.detail));
    // Rows as the file numbers them, title rows above the header counted.
    const row = x.row + headerRowOf(table);
    return `${t('import.issue', { row, column: x.column, text: x.text, reason })} ${x.kept ? t('import.issueKept') : t('import.issueSkipped')}`;
  }

  /** Header row, merges, encoding and CSV choices, and stray quotes: what the reader decided, each changeable where it can be. */
  private formulaPlans: { for: TablePlan[]; plans: SheetFormulaPlan[] } | null = null;

  /** What becomes of a sheet's formulas, as planned now (header row, columns, targets): none is written until Import. */
  private renderFormulas(p: TablePlan) {
    if (!p.table.formulas?.length || !p.include) return nothing;
    const chosen = this.plans.filter((x) => x.include);
    if (this.formulaPlans?.for !== this.plans) {
      this.formulaPlans = { for: this.plans, plans: planImportFormulas(chosen.map((x) => ({ table: x.table, plans: x.columns, append: x.target === 'append' }))) };
    }
    const plan = this.formulaPlans.plans[chosen.indexOf(p)];
    if (!plan) return nothing;
    const kept = plan.cells.length + plan.columns.length;
    const why = [...new Set(plan.dropped.map((d) => d.reason))].map((r) => t(`import.formulaWhy.${r}`)).join('; ');
    return html`<p class="formulas">
      ${kept ? tn('import.formulasPlanned', plan.cells.length + plan.columns.length * p.table.rows.length) : ''}
      ${plan.columns.length ? tn('import.columnFormulasPlanned', plan.columns.length) : ''}
      ${plan.dropped.length ? `${tn('import.formulaValuesPlanned', plan.dropped.length)} (${why}).` : ''}
    </p>`;
  }

  private renderReading(p: TablePlan, i: number) {
    const all = fileRows(p.read);
    const at = headerRowOf(p.table);
    const notes = p.read.notes ?? [];
    const encoding = notes.find((n): n is Extract<ImportNote, { kind: 'encoding' }> => n.kind === 'encoding');
    const csv = notes.find((n): n is Extract<ImportNote, { kind: 'csv' }> => n.kind === 'csv');
    const stray = notes.find((n): n is Extract<ImportNote, { kind: 'stray-quote' }> => n.kind === 'stray-quote');
    const preview = (row: readonly unknown[]) =>
      row
        .filter((v) => v !== null && v !== '')
        .slice(0, 4)
        .map((v) => String(v).slice(0, 24))
        .join(' · ');
    return html`<div class="row">
        <label
          >${t('imports.headerRow', { name: p.table.name })}
          <select name="header-row" @change=${(e: Event) => this.chooseHeaderRow(i, Number((e.target as HTMLSelectElement).value))}>
            ${all.slice(0, HEADER_CHOICES).map((row, n) => html`<option value=${n} ?selected=${n === at}>${t('imports.headerRowOption', { n: n + 1, values: preview(row) })}</option>`)}
          </select>
        </label>
      </div>
      ${at > 0 ? html`<p class="note">${tn('imports.headerSkipped', at)}</p>` : nothing}
      ${p.read.merges?.length ? html`<p class="note">${tn('imports.merged', p.read.merges.length)}</p>` : nothing}
      ${stray ? html`<p class="note" role="note">${t('imports.strayQuote', { lines: stray.lines.join(', ') })}</p>` : nothing}
      ${encoding && csv
        ? html`<div class="row">
              <label
                >${t('imports.encoding')}
                <select name="encoding" @change=${(e: Event) => this.setTextOption({ encoding: (e.target as HTMLSelectElement).value as TextEncodingName })}>
                  ${TEXT_ENCODINGS.map((enc) => html`<option value=${enc} ?selected=${enc === encoding.encoding}>${enc.toUpperCase()}</option>`)}
                </select>
              </label>
              <label
                >${t('imports.separator')}
                <select name="separator" @change=${(e: Event) => this.setTextOption({ separator: (e.target as HTMLSelectElement).value })}>
                  ${SEPARATORS.map((sep) => html`<option value=${sep.value} ?selected=${sep.value === csv.separator}>${t(sep.key)}</option>`)}
                </select>
              </label>
              <label
                >${t('imports.decimal')}
                <select name="decimal" @change=${(e: Event) => this.setTextOption({ decimal: (e.target as HTMLSelectElement).value as '.' | ',' })}>
                  <option value="." ?selected=${csv.decimal === '.'}>${t('imports.decimal.dot')}</option>
                  <option value="," ?selected=${csv.decimal === ','}>${t('imports.decimal.comma')}</option>
                </select>
              </label>
            </div>
            ${encoding.alternatives.length ? html`<p class="note">${t('imports.encodingUnsure', { alternatives: encoding.alternatives.map((a) => a.toUpperCase()).join(', ') })}</p>` : nothing}`
        : nothing}`;
  }

  private renderTable(p: TablePlan, i: number, currentName: string) {
    const samples = p.table.rows.slice(0, 3);
    return html`<fieldset>
      <legend>
        <label><input type="checkbox" .checked=${p.include} @change=${(e: Event) => this.updatePlan(i, { include: (e.target as HTMLInputElement).checked })} />
          ${tn('import.tableRows', p.table.rows.length, { name: p.table.name })}</label>
      </legend>
      <div class="row">
        <select aria-label=${t('import.where', { name: p.table.name })} .value=${p.target} @change=${(e: Event) => this.updatePlan(i, { target: (e.target as HTMLSelectElement).value as 'new' | 'append' })}>
          <option value="new">${t('import.newSheet')}</option>
          <option value="append">${t('import.append', { name: currentName })}</option>
        </select>
        ${p.target === 'new'
          ? html`<input aria-label=${t('import.newSheetName')} .value=${p.name} @change=${(e: Event) => this.updatePlan(i, { name: (e.target as HTMLInputElement).value })} />`
          : nothing}
      </div>
      ${this.renderReading(p, i)}
      <table>
        <thead>
          <tr>
            <th scope="col">${t('import.use')}</th>
            <th scope="col">${t('import.column')}</th>
            <th scope="col">${t('import.type')}</th>
            <th scope="col">${t('import.firstValues')}</th>
          </tr>
        </thead>
        <tbody>
          ${p.columns.map((c, ci) => {
            const column = planColumn(c);
            return html`<tr>
              <td><input type="checkbox" aria-label=${t('import.include', { name: c.name })} .checked=${c.include} @change=${(e: Event) => this.updateColumn(i, ci, { include: (e.target as HTMLInputElement).checked })} /></td>
              <td><input aria-label=${t('import.columnName', { n: ci + 1 })} .value=${c.name} @change=${(e: Event) => this.updateColumn(i, ci, { name: (e.target as HTMLInputElement).value.trim() || c.name })} /></td>
              <td>
                <select aria-label=${t('import.typeOf', { name: c.name })} .value=${c.type} @change=${(e: Event) => this.updateColumn(i, ci, { type: (e.target as HTMLSelectElement).value as ColumnType })}>
                  ${COLUMN_TYPES.map((x) => html`<option value=${x} ?selected=${x === c.type}>${t(`import.type.${x}`)}</option>`)}
                </select>
                ${c.type === 'date' || c.type === 'datetime'
                  ? html`<select aria-label=${t('import.dateOrder', { name: c.name })} .value=${c.dateOrder} @change=${(e: Event) => this.updateColumn(i, ci, { dateOrder: (e.target as HTMLSelectElement).value as DateOrder })}>
                      ${DATE_ORDERS.map((v) => html`<option value=${v} ?selected=${v === c.dateOrder}>${t(`import.${v}`)}</option>`)}
                    </select>`
                  : nothing}
              </td>
              <td class="sample">${samples.map((r) => (r[c.source] === null || r[c.source] === undefined ? '' : formatValue({ ...column, type: 'text' }, String(r[c.source])))).filter(Boolean).join(' · ')}</td>
            </tr>`;
          })}
        </tbody>
      </table>
      ${this.renderFormulas(p)}
      ${p.check.issues.length
        ? html`<p>${tn('import.misfits', p.check.keptCount + p.check.skippedCount)}</p>
            <ul class="issues" aria-label=${t('import.misfitList', { name: p.table.name })}>
              ${p.check.issues.map(
                (x) => html`<li class=${x.kept ? 'kept' : 'skipped'}>${this.issueText(x, p.table)}</li>`,
              )}
              ${p.check.issues.length < p.check.keptCount + p.check.skippedCount ? html`<li>${t('import.more', { n: p.check.keptCount + p.check.skippedCount - p.check.issues.length })}</li>` : nothing}
            </ul>`
        : nothing}
    </fieldset>`;
  }
}

/** A refusal in the reader's language, its figures (a cell limit, megabytes) written as the reader writes numbers. */
function refusalText(err: unknown): string {
  if (!isIoError(err)) return errorText(err);
  const detail = Object.fromEntries(Object.entries(err.detail).map(([k, v]) => [k, typeof v === 'number' ? formatNumber(v) : v]));
  return errorText(new IoError(err.code, err.message, detail));
}

customElements.define('import-dialog', ImportDialog);
