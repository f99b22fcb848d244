import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { MIN_PASSPHRASE } from './device-lock.js';
import type { DeviceProfile } from './device-profile.js';
import { dialogStyles } from './dialog-styles.js';
import { LocaleController, t } from './i18n/locale.js';
import type { MessageKey } from './i18n/messages.js';
import { removeFromDevice } from './remove-workbook.js';

type View = 'unlock' | 'manage' | 'set' | 'change' | 'remove' | 'forget' | 'forgotten';

/** The element focused deepest in the page (through shadow roots): where focus goes back to. */
function deepActiveElement(): HTMLElement | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : null;
}

/**
 * `<device-lock-dialog>`: the device lock (device-lock.ts, kept by DeviceProfile) in a modal
 * dialog that opens as soon as the element is connected: the unlock form while this device is
 * locked, else what can be done — set a passphrase (typed twice), lock now, change or remove it,
 * and "Forget this device's keys", which asks first (an alert dialog) and says that the
 * workbooks stay on the hub and need their links to open here again. Every step works from the
 * keyboard (Enter submits, Escape closes); focus goes back where it was. Sends
 * `device-lock-close` (bubbling, composed) once closed: keys may have become readable or gone.
 */
export class DeviceLockDialog extends LitElement {
  static properties = {
    profile: { attribute: false },
    view: { state: true },
    busy: { state: true },
    problem: { state: true },
    done: { state: true },
    removeAll: { state: true },
  };

  declare profile: DeviceProfile | null;
  declare view: View | null;
  /** a passphrase is being checked or derived (scrypt takes a moment on a phone) */
  declare busy: boolean;
  declare problem: string;
  /** what the last step did, said in the manage view */
  declare done: string;
  /** "Forget" removes every workbook from this device as well */
  declare removeAll: boolean;

  /** where "Cancel" / "Back" go: the view the person came from */
  private from: View = 'manage';
  private returnTo: HTMLElement | null = null;
  private forgotAll = false;

  constructor() {
    super();
    new LocaleController(this);
    this.profile = null;
    this.view = null;
    this.busy = false;
    this.problem = '';
    this.done = '';
    this.removeAll = false;
  }

  static styles = [
    dialogStyles,
    css`
      dialog {
        max-width: min(34rem, 96vw);
      }
      p {
        margin: 0 0 0.75rem;
      }
      form,
      .stack {
        display: grid;
        gap: 0.75rem;
      }
      label.field {
        display: grid;
        gap: 0.25rem;
        font-weight: 600;
      }
      label.field input {
        width: 100%;
        box-sizing: border-box;
        font-weight: normal;
      }
      label.check {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        min-height: 44px;
        cursor: pointer;
      }
      label.check input {
        min-width: 24px;
        min-height: 24px;
        width: 24px;
        height: 24px;
        flex: none;
        margin: 0;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        justify-content: flex-end;
      }
      .stack button {
        text-align: start;
      }
      button {
        cursor: pointer;
      }
      button[disabled] {
        cursor: progress;
      }
      button.primary {
        background: #1f883d;
        border-color: #1f883d;
        color: white;
        font-weight: 600;
      }
      button.danger {
        background: #cf222e;
        border-color: #cf222e;
        color: white;
        font-weight: 600;
      }
      button.plain {
        border: none;
        background: none;
        color: #0969da;
        text-decoration: underline;
        padding: 0;
      }
      .warn {
        border-left: 4px solid #d4a72c;
        background: #fff8c5;
        padding: 0.5rem 0.75rem;
      }
      .error:empty,
      .status:empty {
        display: none;
      }
      .status {
        color: #1a7f37;
        font-weight: 600;
      }
    `,
  ];

  connectedCallback(): void {
    super.connectedCallback();
    this.returnTo = deepActiveElement();
  }

  protected willUpdate(): void {
    if (this.view === null && this.profile) this.view = this.profile.locked ? 'unlock' : 'manage';
  }

  protected firstUpdated(): void {
    this.dialog()?.showModal();
  }

  protected updated(changed: PropertyValues<this>): void {
    // Each step starts with its first field (or its first, safest button) focused.
    if (changed.has('view') && this.view) this.renderRoot.querySelector<HTMLElement>('[data-focus]')?.focus();
  }

  private dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  private go(view: View): void {
    if (view === 'forget') this.from = this.view === 'unlock' ? 'unlock' : 'manage';
    this.problem = '';
    if (view !== 'manage') this.done = '';
    this.removeAll = false;
    this.view = view;
  }

  private close = (): void => {
    if (this.busy) return;
    this.dialog()?.close();
  };

  private onCancel = (e: Event): void => {
    // Escape closes, except while a passphrase is being worked on.
    if (this.busy) e.preventDefault();
  };

  private onClose = (): void => {
    const to = this.returnTo;
    if (to?.isConnected) to.focus();
    this.dispatchEvent(new CustomEvent('device-lock-close', { bubbles: true, composed: true }));
  };

  /** The passphrases a form holds; the fields are cleared at once, whatever comes of them. */
  private fields(e: Event): Record<string, string> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const out: Record<string, string> = {};
    for (const input of Array.from(form.querySelectorAll('input[type=password]')) as HTMLInputElement[]) out[input.name] = input.value;
    form.reset();
    return out;
  }

  private refuse(key: MessageKey, params?: Record<string, string | number>): void {
    this.problem = t(key, params);
    this.renderRoot.querySelector<HTMLElement>('[data-focus]')?.focus();
  }

  /** Runs one step with the buttons held, saying it failed when storage refused. */
  private async work(step: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.problem = '';
    try {
      await step();
    } catch {
      this.problem = t('lock.failed');
    } finally {
      this.busy = false;
    }
    if (this.problem) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[data-focus]')?.focus();
    }
  }

  private onUnlock = (e: Event): void => {
    const { passphrase } = this.fields(e);
    const profile = this.profile;
    if (!profile) return;
    void this.work(async () => {
      if (await profile.unlock(passphrase)) this.dialog()?.close();
      else this.problem = t('lock.wrong');
    });
  };

  /** A new passphrase typed twice: the words, or null (and why not said). */
  private newPassphrase(next: string, repeat: string): string | null {
    if ([...next].length < MIN_PASSPHRASE) this.refuse('lock.tooShort', { min: MIN_PASSPHRASE });
    else if (next !== repeat) this.refuse('lock.mismatch');
    else return next;
    return null;
  }

  private onSet = (e: Event): void => {
    const { next, repeat } = this.fields(e);
    const profile = this.profile;
    const passphrase = this.newPassphrase(next, repeat);
    if (!profile || passphrase === null) return;
    void this.work(async () => {
      await profile.setLock(passphrase);
      this.go('manage');
      this.done = t('lock.setDone');
    });
  };

  private onChange = (e: Event): void => {
    const { current, next, repeat } = this.fields(e);
    const profile = this.profile;
    const passphrase = this.newPassphrase(next, repeat);
    if (!profile || passphrase === null) return;
    void this.work(async () => {
      if (!(await profile.changePassphrase(current, passphrase))) {
        this.problem = t('lock.wrong');
        return;
      }
      this.go('manage');
      this.done = t('lock.changeDone');
    });
  };

  private onRemove = (e: Event): void => {
    const { current } = this.fields(e);
    const profile = this.profile;
    if (!profile) return;
    void this.work(async () => {
      if (!(await profile.removeLock(current))) {
        this.problem = t('lock.wrong');
        return;
      }
      this.go('manage');
      this.done = t('lock.removeDone');
    });
  };

  private lockNow = (): void => {
    this.profile?.lock();
    this.dialog()?.close();
  };

  private onForget = (): void => {
    const profile = this.profile;
    if (!profile) return;
    const all = this.removeAll;
    void this.work(async () => {
      // The keys go first and at once; removing copies can take a moment.
      profile.forgetKeys();
      if (all) for (const r of profile.recent()) await removeFromDevice(profile, localStorage, r.id);
      this.forgotAll = all;
      this.go('forgotten');
    });
  };

  private passphraseField(name: string, label: string, autocomplete: string, focus: boolean) {
    return html`<label class="field"
      >${label}
      <input
        type="password"
        name=${name}
        autocomplete=${autocomplete}
        required
        ?data-focus=${focus}
        aria-invalid=${this.problem && focus ? 'true' : 'false'}
        aria-describedby="lock-problem"
    /></label>`;
  }

  private problemLine() {
    return html`<p id="lock-problem" class="error" role="alert">${this.problem}</p>
      <p class="status" role="status">${this.busy ? t(this.view === 'forget' ? 'lock.forgettingAll' : 'lock.checking') : ''}</p>`;
  }

  private body() {
    const state = this.profile?.lockState ?? 'none';
    const busy = this.busy;
    switch (this.view) {
      case 'unlock':
        return html`<h2 id="lock-title">${t('lock.unlockTitle')}</h2>
          <p id="lock-text">${t('lock.unlockWhy')}</p>
          <form @submit=${this.onUnlock}>
            ${this.passphraseField('passphrase', t('lock.passphrase'), 'current-password', true)} ${this.problemLine()}
            <div class="buttons">
              <button type="button" @click=${this.close} ?disabled=${busy}>${t('lock.notNow')}</button>
              <button type="submit" class="primary" ?disabled=${busy}>${t('lock.unlock')}</button>
            </div>
            <p><button type="button" class="plain" @click=${() => this.go('forget')} ?disabled=${busy}>${t('lock.forgot')}</button></p>
          </form>`;
      case 'set':
        return html`<h2 id="lock-title">${t('lock.setTitle')}</h2>
          <p id="lock-text">${t('lock.setWhy', { min: MIN_PASSPHRASE })}</p>
          <form @submit=${this.onSet}>
            ${this.passphraseField('next', t('lock.newPassphrase'), 'new-password', true)} ${this.passphraseField('repeat', t('lock.repeat'), 'new-password', false)}
            ${this.problemLine()}
            <div class="buttons">
              <button type="button" @click=${() => this.go('manage')} ?disabled=${busy}>${t('lock.back')}</button>
              <button type="submit" class="primary" ?disabled=${busy}>${t('lock.doSet')}</button>
            </div>
          </form>`;
      case 'change':
        return html`<h2 id="lock-title">${t('lock.changeTitle')}</h2>
          <p id="lock-text">${t('lock.setWhy', { min: MIN_PASSPHRASE })}</p>
          <form @submit=${this.onChange}>
            ${this.passphraseField('current', t('lock.current'), 'current-password', true)}
            ${this.passphraseField('next', t('lock.newPassphrase'), 'new-password', false)} ${this.passphraseField('repeat', t('lock.repeat'), 'new-password', false)}
            ${this.problemLine()}
            <div class="buttons">
              <button type="button" @click=${() => this.go('manage')} ?disabled=${busy}>${t('lock.back')}</button>
              <button type="submit" class="primary" ?disabled=${busy}>${t('lock.doChange')}</button>
            </div>
          </form>`;
      case 'remove':
        return html`<h2 id="lock-title">${t('lock.removeTitle')}</h2>
          <p id="lock-text">${t('lock.removeWhy')}</p>
          <form @submit=${this.onRemove}>
            ${this.passphraseField('current', t('lock.current'), 'current-password', true)} ${this.problemLine()}
            <div class="buttons">
              <button type="button" @click=${() => this.go('manage')} ?disabled=${busy}>${t('lock.back')}</button>
              <button type="submit" class="primary" ?disabled=${busy}>${t('lock.doRemove')}</button>
            </div>
          </form>`;
      case 'forget':
        return html`<h2 id="lock-title">${t('lock.forgetTitle')}</h2>
          <div id="lock-text">
            <p>${t('lock.forgetWhat')}</p>
            <p class="warn">${t('lock.forgetHub')}</p>
            <p>${t('lock.forgetCopies')}</p>
          </div>
          <label class="check"
            ><input type="checkbox" .checked=${this.removeAll} @change=${(e: Event) => (this.removeAll = (e.target as HTMLInputElement).checked)} ?disabled=${busy} />
            ${t('lock.forgetAlso')}</label
          >
          ${this.problemLine()}
          <div class="buttons">
            <button type="button" data-focus @click=${() => this.go(this.from)} ?disabled=${busy}>${t('lock.cancel')}</button>
            <button type="button" class="danger" @click=${this.onForget} ?disabled=${busy}>${t('lock.doForget')}</button>
          </div>`;
      case 'forgotten':
        return html`<h2 id="lock-title">${t('lock.forgottenTitle')}</h2>
          <div id="lock-text">
            <p>${t('lock.forgotten')}</p>
            ${this.forgotAll ? html`<p>${t('lock.forgottenAll')}</p>` : nothing}
          </div>
          <div class="buttons"><button type="button" data-focus @click=${this.close}>${t('lock.close')}</button></div>`;
      case 'manage':
      default:
        return html`<h2 id="lock-title">${t('lock.title')}</h2>
          <p id="lock-text">${t(state === 'none' ? 'lock.whyNone' : 'lock.whyUnlocked')}</p>
          <p class="status" role="status">${this.done}</p>
          ${this.problem ? html`<p class="error" role="alert">${this.problem}</p>` : nothing}
          <div class="stack">
            ${state === 'none'
              ? html`<button type="button" data-focus @click=${() => this.go('set')}>${t('lock.set')}</button>`
              : html`<button type="button" data-focus @click=${this.lockNow}>${t('lock.lockNow')}</button>
                  <button type="button" @click=${() => this.go('change')}>${t('lock.change')}</button>
                  <button type="button" @click=${() => this.go('remove')}>${t('lock.remove')}</button>`}
            <button type="button" @click=${() => this.go('forget')}>${t('lock.forget')}</button>
          </div>
          <div class="buttons"><button type="button" @click=${this.close}>${t('lock.close')}</button></div>`;
    }
  }

  render() {
    const alert = this.view === 'forget';
    return html`<dialog
      role=${alert ? 'alertdialog' : 'dialog'}
      aria-modal="true"
      aria-labelledby="lock-title"
      aria-describedby="lock-text"
      @cancel=${this.onCancel}
      @close=${this.onClose}
    >
      ${this.view ? this.body() : nothing}
    </dialog>`;
  }
}

customElements.define('device-lock-dialog', DeviceLockDialog);

declare global {
  interface HTMLElementTagNameMap {
    'device-lock-dialog': DeviceLockDialog;
  }
  interface HTMLElementEventMap {
    'device-lock-close': CustomEvent<undefined>;
  }
}
