import { LitElement, css, html, nothing } from 'lit';
import { randomId } from '../model/ids.js';
import type { Credential } from '../protocol/access.js';
import { LocalStorageHubStateStore } from '../sync/hub-state.js';
import { openSession } from '../sync/open-session.js';
import { RetireError, replaceLinks, type NewKeys } from '../sync/retire.js';
import { DeviceProfile } from './device-profile.js';
import { dialogStyles } from './dialog-styles.js';
import { LocaleController, messageKey, t } from './i18n/locale.js';
import { removeFromDevice } from './remove-workbook.js';

type Step = 'confirm' | 'copying' | 'retiring';

/** How long one request to the hub may take while retiring. */
const RETIRE_TIMEOUT_MS = 30_000;

/** Workbooks this page just moved a workbook into (new id → old id), until the share dialog opens on them. */
const moved = new Map<string, string>();

/**
 * Called by the share dialog when it is first shown for a workbook: true, once, when this page
 * just replaced another workbook's links with this one's, so the new links are shown with the
 * words about what cannot be unseen. The old workbook is forgotten on this device then (its list
 * entry, key and local copies): the page has closed it by now, and the hub holds nothing of it.
 */
export function takeReplacement(workbookId: string): boolean {
  const from = moved.get(workbookId);
  if (from === undefined) return false;
  moved.delete(workbookId);
  void removeFromDevice(new DeviceProfile(localStorage), localStorage, from);
  return true;
}

/**
 * `<replace-links>`: "Replace links" for a sealed workbook opened with its edit link, after a link
 * reached the wrong person. It asks first (an alert dialog; Cancel has the focus), then makes a
 * new sealed workbook holding everything in this one, waits until the hub holds all of it,
 * retires this one on the hub and opens the new one (src/sync/retire.ts). Until the hub holds
 * the new workbook it can be cancelled and nothing changes; once it is retiring, it cannot.
 * Fires `links-replaced` (detail: the new id) just before it goes to the new workbook.
 */
export class ReplaceLinks extends LitElement {
  static properties = {
    workbookId: { attribute: false },
    credential: { attribute: false },
    step: { state: true },
    error: { state: true },
  };

  declare workbookId: string;
  declare credential: Credential | null;
  declare step: Step;
  declare error: string;

  /** where focus was when the dialog opened, to give it back */
  private opener: HTMLElement | null = null;
  private abort: AbortController | null = null;
  /** a new workbook an attempt made that did not get as far as retiring: the next attempt finishes it */
  private prepared: { from: string; keys: NewKeys } | null = null;
  /** going to the new workbook: focus is not given back to a page that is going away */
  private leaving = false;

  constructor() {
    super();
    new LocaleController(this);
    this.workbookId = '';
    this.credential = null;
    this.step = 'confirm';
    this.error = '';
  }

  static styles = [
    dialogStyles,
    css`
      dialog {
        max-width: min(34rem, 96vw);
      }
      .warn {
        border-left: 4px solid #d4a72c;
        background: #fff8c5;
        padding: 0.5rem 0.75rem;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        justify-content: flex-end;
        margin-top: 1rem;
      }
      button {
        cursor: pointer;
      }
      button[aria-disabled='true'] {
        cursor: progress;
        opacity: 0.6;
      }
      button.danger {
        color: white;
        background: #cf222e;
        border-color: #cf222e;
        font-weight: 600;
      }
      .busy {
        color: #57606a;
      }
      :focus-visible {
        outline: 3px solid #0969da;
        outline-offset: 2px;
      }
    `,
  ];

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  /** Asks whether to replace the links; nothing happens until the person confirms. */
  async show(): Promise<void> {
    this.opener = deepActiveElement();
    this.step = 'confirm';
    this.error = '';
    this.leaving = false;
    await this.updateComplete;
    const d = this.dialog;
    if (d && !d.open) d.showModal();
    // The safe choice has the focus: Enter or Space on it changes nothing.
    this.renderRoot.querySelector<HTMLButtonElement>('button.cancel')?.focus();
  }

  private get busy(): boolean {
    return this.step !== 'confirm';
  }

  /** Escape: the same as Cancel, except while the hub is retiring the old links. */
  private onCancelEvent = (e: Event): void => {
    if (this.step === 'retiring') {
      e.preventDefault();
      return;
    }
    this.abort?.abort();
  };

  private cancel = (): void => {
    if (this.step === 'retiring') return;
    this.abort?.abort();
    this.dialog?.close();
  };

  private onClosed = (): void => {
    this.abort?.abort();
    this.abort = null;
    if (this.step !== 'retiring') this.step = 'confirm';
    const opener = this.opener;
    this.opener = null;
    if (!this.leaving && opener?.isConnected && deepActiveElement() !== opener) opener.focus();
  };

  private confirm = async (): Promise<void> => {
    const oldId = this.workbookId;
    const credential = this.credential;
    if (this.busy || !oldId || credential?.role !== 'edit') return;
    const abort = new AbortController();
    this.abort = abort;
    this.step = 'copying';
    this.error = '';
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    // the copy writes under a device id of its own: its blobs are all on the hub before the new workbook opens
    const deviceId = randomId(12);
    let keys: NewKeys;
    try {
      keys = await replaceLinks({
        origin: location.origin,
        oldId,
        credential,
        keys: this.prepared?.from === oldId ? this.prepared.keys : undefined,
        signal: abort.signal,
        // Retiring cannot be cancelled, so it does not wait forever: an answer lost on the way is
        // "the hub cannot be reached", and trying again is harmless (retiring twice is retiring once).
        fetchFn: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(RETIRE_TIMEOUT_MS) }),
        open: (d) =>
          openSession({
            doc: d.doc,
            workbookId: d.workbookId,
            baseId: d.baseId,
            journal: d.journal,
            deviceId,
            syncUrl: `${scheme}://${location.host}/sync`,
            hubStateStore: new LocalStorageHubStateStore(localStorage),
            // the new workbook is on this device's disk too, so it opens at once
            persist: typeof indexedDB !== 'undefined',
            credential: d.credential,
          }),
        onStep: (step, made) => {
          this.prepared = { from: oldId, keys: made };
          if (!abort.signal.aborted) this.step = step;
        },
      });
    } catch (err) {
      if (abort.signal.aborted) return;
      // onStep moved it on while the copy ran
      const failedAt = this.step as Step;
      this.error = t(failedAt === 'retiring' ? 'retire.retireFailed' : 'retire.failed', { reason: reasonOf(err) });
      this.step = 'confirm';
      this.abort = null;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLButtonElement>('button.danger')?.focus();
      return;
    }
    this.prepared = null;
    this.abort = null;
    this.step = 'confirm';
    this.leaving = true;
    moved.set(keys.id, oldId);
    this.dialog?.close();
    this.dispatchEvent(new CustomEvent('links-replaced', { detail: keys.id, bubbles: true, composed: true }));
    // Opened as any edit link is: the app keeps the key on this device and drops it from the address.
    if (keys.edit.role === 'edit') location.hash = `#/w/${keys.id}/edit/${keys.edit.editKey}`;
  };

  render() {
    const busy = this.busy;
    return html`<dialog role="alertdialog" aria-labelledby="retire-title" aria-describedby="retire-text" @cancel=${this.onCancelEvent} @close=${this.onClosed}>
      <h2 id="retire-title">${t('retire.title')}</h2>
      <div id="retire-text">
        <p>${t('retire.explain')}</p>
        <p>${t('retire.old')}</p>
        <p>${t('retire.send')}</p>
        <p class="warn">${t('retire.unseen')}</p>
      </div>
      ${busy ? html`<p class="busy" role="status">${t(this.step === 'copying' ? 'retire.copying' : 'retire.retiring')}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="buttons">
        <button class="cancel" aria-disabled=${this.step === 'retiring' ? 'true' : 'false'} @click=${this.cancel}>${t('retire.cancel')}</button>
        <button class="danger" aria-disabled=${busy ? 'true' : 'false'} @click=${this.confirm}>${t(this.error ? 'retire.retry' : 'retire.confirm')}</button>
      </div>
    </dialog>`;
  }
}

/** A refusal in words: the hub's code when it said one, else what went wrong. */
function reasonOf(err: unknown): string {
  if (err instanceof RetireError) {
    const key = messageKey(`retire.err.${err.code}`);
    if (key) return t(key);
  }
  return t('retire.err.unknown', { detail: err instanceof Error ? err.message : String(err) });
}

/** The focused element, looking inside shadow roots (the opener lives in the share dialog's). */
function deepActiveElement(): HTMLElement | null {
  let el: Element | null = typeof document !== 'undefined' ? document.activeElement : null;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement ? el : null;
}

customElements.define('replace-links', ReplaceLinks);

declare global {
  interface HTMLElementTagNameMap {
    'replace-links': ReplaceLinks;
  }
  interface HTMLElementEventMap {
    'links-replaced': CustomEvent<string>;
  }
}
