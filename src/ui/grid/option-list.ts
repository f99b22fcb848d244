import { LitElement, html, nothing } from 'lit';
import type { Column, SelectOption } from '../../model/types.js';
import { matchOptions } from '../../model/values.js';
import { LocaleController, t } from '../i18n/locale.js';
import { safeColor } from '../safe-style.js';

/**
 * The options a typed query offers, best first, by the same rule the cell's
 * parser accepts a prefix with (model/entry.ts), so what the list shows is what
 * typing it and pressing Enter would choose. An empty query offers them all.
 */
export function offeredOptions(options: readonly SelectOption[], query: string): SelectOption[] {
  // matchOptions reads only a column's options; the rest of this column is never looked at.
  const column: Column = { id: '', name: '', type: 'select', width: 0, options: [...options], min: null, minColumn: null, expiresDays: null, unit: null };
  const ids = matchOptions(column, query).map((o) => o.id);
  // The caller's own objects, so `current()` is one of `options`.
  return ids.map((id) => options.find((o) => o.id === id)!);
}

/** Light DOM has no adopted styles: this travels with the element, every selector scoped under its tag. */
const STYLE = html`<style>
  option-list {
    display: block;
    min-width: 12rem;
    max-width: min(24rem, 92vw);
    background: white;
    border: 1px solid #d0d7de;
    border-radius: 6px;
    box-shadow: 0 4px 12px rgba(31, 35, 40, 0.15);
    font-size: 0.95rem;
  }
  option-list .option-list-box {
    /* the options' offsetTop is then measured from the list itself */
    position: relative;
    max-height: 16rem;
    overflow-y: auto;
    overscroll-behavior: contain;
    padding: 0.25rem 0;
  }
  option-list [role='option'] {
    display: flex;
    align-items: center;
    min-height: 32px;
    padding: 0 0.5rem;
    cursor: pointer;
    user-select: none;
  }
  option-list [role='option'][aria-selected='true'] {
    background: #ddf4ff;
    outline: 2px solid #0969da;
    outline-offset: -2px;
  }
  option-list .option-list-chip {
    display: inline-block;
    padding: 0 0.5rem;
    border-radius: 999px;
    line-height: 1.5;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  option-list .option-list-none {
    padding: 0.5rem;
    color: #57606a;
  }
  @media (pointer: coarse) {
    option-list [role='option'] {
      min-height: 44px;
    }
  }
</style>`;

/**
 * `<option-list>`: the options of a status or choice cell, shown under its
 * editor while the person types, narrowed to what the text could mean. It never
 * takes focus — the editor's input keeps it and points at the active option with
 * `aria-activedescendant` (`activeId()`). For that reference to resolve, the
 * options must live in the same tree as the input, so this element renders into
 * its own light DOM, with its own style element, rather than a shadow root.
 * For a multiselect, `query` is the part being typed (after the last comma).
 *
 * A cell editor drives it: render it under the editor while a select or
 * multiselect cell is edited, set `query` on every input (and `active` back to
 * 0); on ArrowDown / ArrowUp call `move(±1)` and preventDefault; on Enter take
 * `current()` (null: let the parser read the text); give the input
 * role=combobox, aria-expanded, aria-controls=`listId()` and
 * aria-activedescendant=`activeId()` after each update; `option-pick` is a
 * click or tap on an option.
 */
export class OptionList extends LitElement {
  static properties = {
    options: { attribute: false },
    query: { attribute: false },
    active: { attribute: false },
    label: { attribute: false },
  };

  declare options: readonly SelectOption[];
  declare query: string;
  /** Index of the active option among those offered (clamped to them). */
  declare active: number;
  /** What the list is of, for screen readers (e.g. the column's name). */
  declare label: string;
  /** Ids must be unique in the tree the editor is in, which may hold two lists (a grid and a form). */
  private readonly idPrefix = `option-list-${Math.random().toString(36).slice(2, 10)}`;

  constructor() {
    super();
    new LocaleController(this);
    this.options = [];
    this.query = '';
    this.active = 0;
    this.label = '';
  }

  protected createRenderRoot(): HTMLElement {
    return this;
  }

  /** The options on offer for the current query. */
  offered(): SelectOption[] {
    return offeredOptions(this.options, this.query);
  }

  private activeIndex(offered: readonly SelectOption[]): number {
    if (!offered.length) return -1;
    return Math.min(Math.max(0, Math.trunc(this.active) || 0), offered.length - 1);
  }

  /** Moves the active option by `delta`, wrapping at the ends (ArrowDown past the last comes back to the first). */
  move(delta: number): void {
    const n = this.offered().length;
    if (!n) return;
    const from = this.activeIndex(this.offered());
    this.active = (((from + delta) % n) + n) % n;
  }

  /** The active option, or null when nothing is on offer. */
  current(): SelectOption | null {
    const offered = this.offered();
    const i = this.activeIndex(offered);
    return i >= 0 ? offered[i] : null;
  }

  /** The id of the active option's element, for the editor's `aria-activedescendant` ('' when none). */
  activeId(): string {
    const o = this.current();
    return o ? this.optionId(o) : '';
  }

  /** The listbox's id, for the editor's `aria-controls`. */
  listId(): string {
    return `${this.idPrefix}-box`;
  }

  private optionId(o: SelectOption): string {
    // Option ids come from the doc: only their index is safe to put in an id.
    return `${this.idPrefix}-${this.options.indexOf(o)}`;
  }

  private pick(o: SelectOption): void {
    this.dispatchEvent(new CustomEvent('option-pick', { detail: { id: o.id }, bubbles: true, composed: true }));
  }

  protected updated(): void {
    // Keep the active option in sight when arrows move past the visible ones, scrolling only the list:
    // scrollIntoView would also scroll the grid under the editor.
    const id = this.activeId();
    const box = this.querySelector<HTMLElement>('.option-list-box');
    const option = id ? this.querySelector<HTMLElement>(`#${id}`) : null;
    if (!box || !option) return;
    const top = option.offsetTop;
    if (top < box.scrollTop) box.scrollTop = top;
    else if (top + option.offsetHeight > box.scrollTop + box.clientHeight) box.scrollTop = top + option.offsetHeight - box.clientHeight;
  }

  render() {
    const offered = this.offered();
    const active = this.activeIndex(offered);
    const label = this.label ? t('options.label', { column: this.label }) : nothing;
    // mousedown's default would move focus out of the editor (and so commit or close it).
    return html`${STYLE}
      <div class="option-list-box" role="listbox" id=${this.listId()} aria-label=${label} @mousedown=${(e: Event) => e.preventDefault()}>
        ${offered.map((o, i) => {
          const color = safeColor(o.color);
          return html`<div role="option" id=${this.optionId(o)} aria-selected=${i === active ? 'true' : 'false'} @click=${() => this.pick(o)}>
            <span class="option-list-chip" style="background:${color}33;border:1px solid ${color}">${o.label}</span>
          </div>`;
        })}
      </div>
      ${offered.length ? nothing : html`<div class="option-list-none">${t('options.none', { query: this.query.trim() })}</div>`}`;
  }
}

customElements.define('option-list', OptionList);

declare global {
  interface HTMLElementTagNameMap {
    'option-list': OptionList;
  }
  interface HTMLElementEventMap {
    'option-pick': CustomEvent<{ id: string }>;
  }
}
