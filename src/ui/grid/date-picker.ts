import { LitElement, css, html, nothing } from 'lit';
import { isIsoDate } from '../../model/values.js';
import { LocaleController, t } from '../i18n/locale.js';

/** A calendar day, in UTC so that no time zone ever moves it (dates have none, see docs/schema.md). */
interface Day {
  y: number;
  m: number; // 1–12
  d: number;
}

function parseIso(value: string | null): Day | null {
  if (!value || !isIsoDate(value)) return null;
  return { y: Number(value.slice(0, 4)), m: Number(value.slice(5, 7)), d: Number(value.slice(8, 10)) };
}

function toIso({ y, m, d }: Day): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function utc({ y, m, d }: Day): Date {
  // setUTCFullYear takes the year as given (Date.UTC would read 0–99 as 1900s) and rolls day overflow into the month.
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date;
}

function fromDate(date: Date): Day {
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() };
}

function addDays(day: Day, n: number): Day {
  const date = utc(day);
  date.setUTCDate(date.getUTCDate() + n);
  return fromDate(date);
}

function daysIn(y: number, m: number): number {
  // Day 0 of the next month is this month's last.
  return utc({ y, m: m + 1, d: 0 }).getUTCDate();
}

/** The same day `n` months on, or the month's last day when it has fewer (31 January + 1 month = 28/29 February). */
function addMonths(day: Day, n: number): Day {
  const index = day.y * 12 + (day.m - 1) + n;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return { y, m, d: Math.min(day.d, daysIn(y, m)) };
}

/** Today where the person is: their calendar, not UTC's. */
function today(): Day {
  const now = new Date();
  return { y: now.getFullYear(), m: now.getMonth() + 1, d: now.getDate() };
}

function sameDay(a: Day | null, b: Day | null): boolean {
  return !!a && !!b && a.y === b.y && a.m === b.m && a.d === b.d;
}

/** 0 = Sunday … 6 = Saturday, as Date.getUTCDay. */
function weekStart(locale: string): number {
  try {
    const info = (Intl.Locale.prototype as { getWeekInfo?: unknown }).getWeekInfo
      ? (new Intl.Locale(locale) as unknown as { getWeekInfo(): { firstDay: number } }).getWeekInfo()
      : (new Intl.Locale(locale) as unknown as { weekInfo?: { firstDay: number } }).weekInfo;
    // Intl counts 1 = Monday … 7 = Sunday.
    if (info && Number.isInteger(info.firstDay)) return info.firstDay % 7;
  } catch {
    // an engine without week data falls through to the usual convention
  }
  return /^en(-US)?$/i.test(locale) ? 0 : 1;
}

/**
 * `<date-picker>`: a month calendar for a date cell, following the WAI-ARIA
 * date picker dialog: a grid of days with one tab stop, arrows move by day and
 * week, Page Up / Page Down by month (with Shift, by year), Home / End to the
 * week's ends, Enter or Space picks (`date-pick`), Escape cancels
 * (`date-cancel`). Weeks start and months are named as the reader's locale
 * does. Keys pressed in it stay in it, so the grid never also acts on them.
 * Call `focus()` to put the keyboard on the calendar.
 *
 * In the grid, Alt+ArrowDown on a date cell (or in its editor) opens it, as a
 * select's list opens, with `value` the cell's date; `date-pick` writes that
 * date and closes it, `date-cancel` closes it; either way the keyboard goes back
 * to the cell.
 */
export class DatePicker extends LitElement {
  static properties = {
    value: { attribute: false },
    locale: { attribute: false },
    focused: { state: true },
  };

  declare value: string | null;
  declare locale: string;
  /** The day the keyboard is on. */
  declare focused: Day;
  private focusPending = false;

  constructor() {
    super();
    new LocaleController(this);
    this.value = null;
    this.locale = 'en';
    this.focused = today();
    this.addEventListener('keydown', this.onKeydown);
  }

  static styles = css`
    :host {
      display: inline-block;
      background: white;
      border: 1px solid #d0d7de;
      border-radius: 8px;
      box-shadow: 0 4px 12px rgba(31, 35, 40, 0.15);
      padding: 0.5rem;
      font-size: 0.95rem;
    }
    .head {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 0.25rem;
    }
    h2 {
      font-size: 1rem;
      margin: 0;
      text-align: center;
      flex: 1;
    }
    button {
      min-height: 32px;
      min-width: 32px;
      font: inherit;
      border: 1px solid #d0d7de;
      border-radius: 6px;
      background: white;
      cursor: pointer;
    }
    table {
      border-collapse: collapse;
      margin-top: 0.25rem;
    }
    th {
      font-weight: normal;
      color: #57606a;
      font-size: 0.8rem;
      padding: 0.25rem 0;
    }
    td {
      width: 2.25rem;
      height: 2.25rem;
      text-align: center;
      border-radius: 6px;
      cursor: pointer;
    }
    td:empty {
      cursor: default;
    }
    td[aria-current='date'] {
      font-weight: bold;
      color: #0969da;
    }
    td[aria-selected='true'] {
      background: #0969da;
      color: white;
    }
    td:hover:not(:empty) {
      background: #ddf4ff;
    }
    td[aria-selected='true']:hover {
      background: #0550ae;
    }
    :focus-visible,
    td:focus {
      outline: 3px solid #0969da;
      outline-offset: 1px;
    }
    .foot {
      display: flex;
      justify-content: space-between;
      align-items: center;
      gap: 0.5rem;
      margin-top: 0.25rem;
    }
    .hint {
      color: #57606a;
      font-size: 0.75rem;
      max-width: 16rem;
    }
    @media (pointer: coarse) {
      button,
      td {
        min-height: 44px;
        min-width: 44px;
      }
      td {
        width: 44px;
        height: 44px;
      }
      .hint {
        display: none;
      }
    }
  `;

  protected willUpdate(changed: Map<string, unknown>): void {
    // A new value moves the calendar to it; with none, it opens on today.
    if (changed.has('value')) this.focused = parseIso(this.value) ?? today();
  }

  /** Puts the keyboard on the focused day. */
  focus(): void {
    this.focusPending = true;
    void this.updateComplete.then(() => this.focusDay());
  }

  private focusDay(): void {
    this.focusPending = false;
    this.renderRoot.querySelector<HTMLElement>('td[tabindex="0"]')?.focus();
  }

  protected updated(): void {
    // After a key moved the day, the keyboard follows it (possibly into a newly drawn month).
    if (this.focusPending) this.focusDay();
  }

  private moveTo(day: Day): void {
    this.focused = day;
    this.focusPending = true;
  }

  private pick(day: Day): void {
    this.dispatchEvent(new CustomEvent('date-pick', { detail: { value: toIso(day) }, bubbles: true, composed: true }));
  }

  private onKeydown = (e: KeyboardEvent): void => {
    e.stopPropagation();
    if (e.isComposing) return;
    const inGrid = (e.composedPath()[0] as HTMLElement | undefined)?.localName === 'td';
    const day = this.focused;
    const start = weekStart(this.locale);
    let next: Day | null = null;
    switch (e.key) {
      case 'Escape':
        e.preventDefault();
        this.dispatchEvent(new CustomEvent('date-cancel', { bubbles: true, composed: true }));
        return;
      case 'ArrowLeft':
        next = addDays(day, -1);
        break;
      case 'ArrowRight':
        next = addDays(day, 1);
        break;
      case 'ArrowUp':
        next = addDays(day, -7);
        break;
      case 'ArrowDown':
        next = addDays(day, 7);
        break;
      case 'PageUp':
        next = addMonths(day, e.shiftKey ? -12 : -1);
        break;
      case 'PageDown':
        next = addMonths(day, e.shiftKey ? 12 : 1);
        break;
      case 'Home':
        next = addDays(day, -((utc(day).getUTCDay() - start + 7) % 7));
        break;
      case 'End':
        next = addDays(day, 6 - ((utc(day).getUTCDay() - start + 7) % 7));
        break;
      case 'Enter':
      case ' ':
        // On a header button, Enter and Space press it; on the calendar, they pick the day.
        if (!inGrid) return;
        e.preventDefault();
        this.pick(day);
        return;
      default:
        return;
    }
    // Arrows in the header buttons move the calendar too: the grid is one Tab away, never a trap.
    e.preventDefault();
    this.moveTo(next);
  };

  private weeks(): (Day | null)[][] {
    const { y, m } = this.focused;
    const first = { y, m, d: 1 };
    const lead = (utc(first).getUTCDay() - weekStart(this.locale) + 7) % 7;
    const cells: (Day | null)[] = Array.from({ length: lead }, () => null);
    for (let d = 1; d <= daysIn(y, m); d++) cells.push({ y, m, d });
    while (cells.length % 7) cells.push(null);
    const weeks: (Day | null)[][] = [];
    for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
    return weeks;
  }

  render() {
    const locale = this.locale || 'en';
    const utcFormat = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...options });
    const monthName = utcFormat({ month: 'long', year: 'numeric' }).format(utc({ ...this.focused, d: 1 }));
    const full = utcFormat({ dateStyle: 'full' });
    const short = utcFormat({ weekday: 'short' });
    const long = utcFormat({ weekday: 'long' });
    const start = weekStart(locale);
    // 2023-01-01 was a Sunday: the week's days from the locale's first.
    const weekdays = Array.from({ length: 7 }, (_, i) => utc({ y: 2023, m: 1, d: 1 + ((start + i) % 7) }));
    const chosen = parseIso(this.value);
    const now = today();
    return html`<div role="dialog" aria-label=${t('picker.label')} aria-describedby="picker-hint">
      <div class="head">
        <button id="picker-previous" aria-label=${t('picker.previousMonth')} title=${t('picker.previousMonth')} @click=${() => this.moveTo(addMonths(this.focused, -1))}>‹</button>
        <h2 id="picker-month" aria-live="polite">${monthName}</h2>
        <button id="picker-next" aria-label=${t('picker.nextMonth')} title=${t('picker.nextMonth')} @click=${() => this.moveTo(addMonths(this.focused, 1))}>›</button>
      </div>
      <table role="grid" aria-labelledby="picker-month">
        <thead>
          <tr>
            ${weekdays.map((d) => html`<th scope="col" abbr=${long.format(d)}>${short.format(d)}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${this.weeks().map(
            (week) => html`<tr>
              ${week.map((day) =>
                day
                  ? html`<td
                      role="gridcell"
                      tabindex=${sameDay(day, this.focused) ? '0' : '-1'}
                      aria-selected=${sameDay(day, chosen) ? 'true' : 'false'}
                      aria-current=${sameDay(day, now) ? 'date' : nothing}
                      aria-label=${full.format(utc(day))}
                      data-date=${toIso(day)}
                      @click=${() => this.pick(day)}
                    >
                      ${day.d}
                    </td>`
                  : html`<td></td>`,
              )}
            </tr>`,
          )}
        </tbody>
      </table>
      <div class="foot">
        <span class="hint" id="picker-hint">${t('picker.hint')}</span>
        <button id="picker-today" @click=${() => this.pick(today())}>${t('picker.today')}</button>
      </div>
    </div>`;
  }
}

customElements.define('date-picker', DatePicker);

declare global {
  interface HTMLElementTagNameMap {
    'date-picker': DatePicker;
  }
  interface HTMLElementEventMap {
    'date-pick': CustomEvent<{ value: string }>;
    'date-cancel': CustomEvent<void>;
  }
}
