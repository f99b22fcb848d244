import { LitElement, css, html, nothing } from 'lit';
import { isModelError } from '../model/errors.js';
import { deviceTimeZone, timeZoneNames } from '../model/time-zone.js';
import type { Workbook } from '../model/workbook.js';
import { errorText } from './i18n/error-text.js';
import { LocaleController, t } from './i18n/locale.js';

/**
 * `<time-zone-setting>`: the workbook's time zone (Workbook.timeZone), the one TODAY() and NOW()
 * read on every device. Shown with the other workbook settings in Activity; editors pick a name
 * from the browser's list (typing narrows it), viewers read it. Follows a colleague's change.
 */
export class TimeZoneSetting extends LitElement {
  static properties = {
    workbook: { attribute: false },
    draft: { state: true },
    error: { state: true },
    message: { state: true },
  };

  declare workbook: Workbook | null;
  /** the field as typed; null: showing the workbook's */
  declare draft: string | null;
  declare error: string;
  declare message: string;
  private observed: Workbook | null = null;
  private off: (() => void) | null = null;
  /** read once: the list is ~420 names and does not change while the page is open */
  private static names: string[] | null = null;

  constructor() {
    super();
    new LocaleController(this);
    this.workbook = null;
    this.draft = null;
    this.error = '';
    this.message = '';
  }

  static styles = css`
    :host {
      display: block;
      margin: 0.5rem 0;
    }
    summary {
      cursor: pointer;
      min-height: 44px;
      display: flex;
      align-items: center;
      color: #0969da;
    }
    form {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: end;
    }
    label {
      display: flex;
      flex-direction: column;
      font-size: 0.85rem;
      gap: 0.15rem;
    }
    input {
      width: 16rem;
      max-width: 80vw;
      min-height: 36px;
    }
    button {
      min-height: 44px;
    }
    .hint {
      color: #57606a;
      font-size: 0.85rem;
      margin: 0.25rem 0;
    }
    .error {
      color: #cf222e;
    }
  `;

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unfollow();
  }

  protected willUpdate(): void {
    if (this.workbook === this.observed) return;
    this.unfollow();
    this.observed = this.workbook;
    this.off = this.workbook?.observe((change) => {
      if (change.meta) this.requestUpdate();
    }) ?? null;
  }

  private unfollow(): void {
    this.off?.();
    this.off = null;
    this.observed = null;
  }

  render() {
    const wb = this.workbook;
    if (!wb) return nothing;
    const zone = wb.timeZone();
    const here = deviceTimeZone();
    const summary = html`<p data-testid="time-zone">${t('tz.now', { zone })}</p>
      ${here !== zone ? html`<p class="hint">${t('tz.device', { zone: here })}</p>` : nothing}`;
    if (wb.readOnly)
      return html`<section aria-labelledby="tz-title">
        <h3 id="tz-title" class="hint">${t('tz.title')}</h3>
        ${summary}
        <p class="hint">${t('tz.viewer')}</p>
      </section>`;
    const names = (TimeZoneSetting.names ??= timeZoneNames());
    return html`<details>
      <summary>${t('tz.title')}</summary>
      ${summary}
      <form novalidate @submit=${this.save}>
        <label
          >${t('tz.label')}
          <input
            list="tz-names"
            autocomplete="off"
            spellcheck="false"
            .value=${this.draft ?? zone}
            @input=${(e: Event) => {
              this.draft = (e.target as HTMLInputElement).value;
              this.error = '';
              this.message = '';
            }}
          />
        </label>
        <datalist id="tz-names">${names.map((n) => html`<option value=${n}></option>`)}</datalist>
        <button type="submit">${t('tz.save')}</button>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.message ? html`<p role="status">${this.message}</p>` : nothing}
    </details>`;
  }

  private save = (e: Event): void => {
    e.preventDefault();
    const wb = this.workbook;
    if (!wb || wb.readOnly || this.draft === null) return;
    try {
      wb.setTimeZone(this.draft);
    } catch (err) {
      if (!isModelError(err)) throw err;
      this.error = errorText(err);
      return;
    }
    this.draft = null;
    this.error = '';
    this.message = t('tz.saved', { zone: wb.timeZone() });
  };
}

customElements.define('time-zone-setting', TimeZoneSetting);

declare global {
  interface HTMLElementTagNameMap {
    'time-zone-setting': TimeZoneSetting;
  }
}
