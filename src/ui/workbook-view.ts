import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import * as Y from 'yjs';
import { isModelError } from '../model/errors.js';
import { TEMPLATES, applyTemplate } from '../model/templates.js';
import { Workbook } from '../model/workbook.js';
import { LocalStorageHubStateStore } from '../sync/hub-state.js';
import { isSealed, openSession } from '../sync/open-session.js';
import { SealedSession } from '../sync/sealed/session.js';
import type { SealedProblem } from '../sync/sealed/bridge.js';
import type { WorkbookSession } from '../sync/workbook-session.js';
import { CloseCode, historyRoom } from '../protocol/messages.js';
import { combinedStatus } from '../sync/status.js';
import { SnapshotClient } from '../sync/snapshots.js';
import type { Credential } from '../protocol/access.js';
import type { SyncStatus } from '../sync/status.js';
import type { DeviceProfile } from './device-profile.js';
import { colorFor, people, samePeople, type Person } from './presence.js';
import { ViewStore } from './view-store.js';
import { localizeTemplate } from './i18n/template-text.js';
import { titleText } from './i18n/value-text.js';
import { LocaleController, currentLocale, t, tn } from './i18n/locale.js';
import { WorkbookController } from './workbook-controller.js';
import './column-editor.js';
import type { ExportMenu } from './export-menu.js';
import type { ImportDialog } from './import-dialog.js';
import type { ShareDialog } from './share-dialog.js';
import type { SnapshotsPanel } from './snapshots-panel.js';
import type { RestoreDialog } from './restore-dialog.js';
import { readOnlyFor, securedCopyKind } from './secured-copy-notice.js';
import type { SheetGrid } from './sheet-grid.js';
import './sheet-grid.js';
import './sheet-tabs.js';
import type { HeaderAction } from './workbook-header.js';
import './workbook-header.js';
import './sync-status.js';
import { afterPaint } from './first-screen.js';
import { FirstScreenController } from './first-screen-controller.js';
import type { RowCards } from './row-cards.js';
import { visuallyHidden } from './visually-hidden.js';

type Phase = 'loading' | 'waiting' | 'ready' | 'too-new';

/** How often a sealed workbook's missing blobs are looked at; missing at two looks in a row is said. */
const GAP_CHECK_MS = 10_000;
/** Marks the notice as the gap's, so it goes when the gap closes (other notices stay). */
const GAP_MARK = '\u0000gap:';

/** `<workbook-view>`: one open workbook — header, sheet tabs, grid — and its sync session. */
/**
 * The header's dialogs and the phone's cards are chunks of their own, loaded on first use (and
 * ahead of it once the sheet is on screen), so opening a workbook downloads and parses only what
 * draws the sheet. Each is in the template from the start; it upgrades when its code arrives.
 */
const LAZY = {
  'import-dialog': () => import('./import-dialog.js'),
  'export-menu': () => import('./export-menu.js'),
  'share-dialog': () => import('./share-dialog.js'),
  'snapshots-panel': () => import('./snapshots-panel.js'),
  'restore-dialog': () => import('./restore-dialog.js'),
  'row-cards': () => import('./row-cards.js'),
} as const;
type LazyTag = keyof typeof LAZY;

export class WorkbookView extends LitElement {
  static properties = {
    workbookId: { attribute: false },
    create: { attribute: false },
    seed: { attribute: false },
    credential: { attribute: false },
    profile: { attribute: false },
    phase: { state: true },
    sheetId: { state: true },
    status: { state: true },
    people: { state: true },
    problem: { state: true },
    sealedNotice: { state: true },
    narrow: { state: true },
  };

  declare workbookId: string;
  /** template id when this view is creating the workbook */
  declare create: string | null;
  /** the complete Yjs state a new workbook starts from (a JSON snapshot opened on the home screen) */
  declare seed: Uint8Array | null;
  /** the key from the link: edit, view (read-only), or none for an open workbook */
  declare credential: Credential | null;
  declare profile: DeviceProfile | null;
  declare phase: Phase;
  declare sheetId: string;
  declare status: SyncStatus | null;
  declare people: Person[];
  declare problem: string;
  /** what is wrong with what the hub sent of a sealed workbook ('' when nothing) */
  declare sealedNotice: string;
  /** under ~600px the sheet is shown as cards with a form per row */
  declare narrow: boolean;
  /** the latest open(): one that waited (for the last workbook to close, its first screen to paint) goes no further once another began */
  private opening = 0;
  /** the first screen or cards of last time, the keepers, the handover and the edits typed meanwhile (first-screen-controller.ts) */
  private readonly first = new FirstScreenController(this);
  private readonly narrowQuery = matchMedia('(max-width: 600px)');
  private partsPreloaded = false;
  private readonly onNarrow = () => (this.narrow = this.narrowQuery.matches);

  private doc: Y.Doc | null = null;
  private journalDoc: Y.Doc | null = null;
  private workbook: Workbook | null = null;
  private session: WorkbookSession | null = null;
  /** the history journal's own sync (room `<id>.h`), started once the sheet is on screen */
  private journalSession: WorkbookSession | null = null;
  private undo: Y.UndoManager | null = null;
  private viewStore: ViewStore | null = null;
  private snapshots: SnapshotClient | null = null;
  private cleanup: (() => void)[] = [];
  /** For the first screen's wiring (first-screen-controller.ts): the live workbook, once its sheet is in. */
  get liveWorkbook(): Workbook | null {
    return this.workbook;
  }
  get sheetReady(): boolean {
    return this.phase === 'ready';
  }
  rowCards(): Promise<RowCards | null> {
    return this.lazyElement<RowCards>('row-cards');
  }
  private readonly controller = new WorkbookController(this, (c) => c.meta || c.sheetList);

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbookId = '';
    this.create = null;
    this.seed = null;
    this.credential = null;
    this.profile = null;
    this.phase = 'loading';
    this.sealedNotice = '';
    this.sheetId = '';
    this.status = null;
    this.people = [];
    this.problem = '';
    this.narrow = this.narrowQuery.matches;
  }

  connectedCallback(): void {
    super.connectedCallback();
    this.narrowQuery.addEventListener('change', this.onNarrow);
    window.addEventListener('beforeunload', this.onBeforeUnload);
  }

  /** Closing the page while a change is only in memory (storage refused it) would lose it: ask first. */
  private readonly onBeforeUnload = (e: BeforeUnloadEvent): void => {
    if ((this.session?.unsavedLocal ?? 0) + (this.journalSession?.unsavedLocal ?? 0) > 0) e.preventDefault();
  };

  static styles = [
    visuallyHidden,
    css`
    :host {
      display: flex;
      flex-direction: column;
      height: 100%;
      min-height: 0;
    }
    .notice {
      padding: 0.5rem 0.75rem;
      background: #fff8c5;
      border-bottom: 1px solid #d4a72c;
      font-size: 0.9rem;
    }
    .center {
      padding: 3rem 1rem;
      text-align: center;
      color: #57606a;
    }
    sheet-grid, first-screen, first-cards {
      flex: 1;
      min-height: 0;
    }
    .notice ul {
      margin: 0.25rem 0;
    }
  `,
  ];

  protected willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('workbookId') && this.workbookId) void this.open();
    this.controller.bind(this.workbook);
    // The open sheet was deleted (here or by a colleague): show the first remaining one.
    if (this.workbook && this.phase === 'ready') {
      const sheets = this.workbook.sheets();
      if (!sheets.some((s) => s.id === this.sheetId) && sheets[0]) this.sheetId = sheets[0].id;
    }
  }

  protected updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.phase !== 'ready') return;
    if (this.narrow) void this.lazyElement('row-cards');
    this.preloadParts();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.narrowQuery.removeEventListener('change', this.onNarrow);
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    void this.close();
  }

  private async close(): Promise<void> {
    this.first.closing();
    for (const fn of this.cleanup.splice(0)) fn();
    this.workbook?.destroy();
    this.undo?.destroy();
    this.undo = null;
    const session = this.session;
    const journalSession = this.journalSession;
    const doc = this.doc;
    const journalDoc = this.journalDoc;
    this.session = null;
    this.journalSession = null;
    this.workbook = null;
    this.doc = null;
    this.journalDoc = null;
    await Promise.all([session?.destroy(), journalSession?.destroy()]);
    doc?.destroy();
    journalDoc?.destroy();
  }

  private async open(): Promise<void> {
    const turn = ++this.opening;
    // The keepers save the workbook being left as close() begins, while its live view is still here.
    const closed = this.close();
    // Nothing of it is shown meanwhile: the next workbook's first screen draws, or "Opening…".
    this.phase = 'loading';
    await closed;
    // Another open began while this one waited: it alone goes on, or this one's session would never be destroyed.
    if (turn !== this.opening || !this.isConnected) return;
    this.sealedNotice = '';
    const id = this.workbookId;
    const credential = this.credential;
    const profile = this.profile!;
    // Read synchronously, before any of the doc, and painted before the doc's long first apply starts.
    const { typed, shown } = this.first.load(id, credential, profile);
    if (shown) {
      await afterPaint(this.updateComplete);
      if (turn !== this.opening || !this.isConnected) return;
      // the live cards' code arrives while the doc is read, so they draw the moment it is in
      if (this.narrow) void LAZY['row-cards']().catch(() => undefined);
    }
    const doc = new Y.Doc();
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const session = openSession({
      doc,
      workbookId: id,
      baseId: id,
      journal: false,
      deviceId: profile.deviceIdFor(id),
      syncUrl: `${scheme}://${location.host}/sync`,
      hubStateStore: new LocalStorageHubStateStore(localStorage),
      persist: typeof indexedDB !== 'undefined',
      credential,
    });
    const journalDoc = new Y.Doc();
    const workbook = new Workbook(doc, {
      actor: { name: profile.authorName, deviceId: profile.deviceIdFor(id) },
      readOnly: readOnlyFor(id, credential),
      history: journalDoc,
    });
    this.doc = doc;
    this.journalDoc = journalDoc;
    this.session = session;
    this.workbook = workbook;
    this.first.setLive({ workbook, workbookId: id, credential });
    this.phase = 'loading';
    this.status = session.getStatus();
    this.cleanup.push(session.onStatus((s) => (this.status = combinedStatus(s, this.journalSession?.getStatus() ?? null))));

    this.viewStore = new ViewStore(localStorage, id);
    this.snapshots = new SnapshotClient(location.origin, id, credential);
    const awareness = session.awareness;
    awareness.setLocalStateField('user', { name: profile.authorName, color: colorFor(profile.deviceIdFor(id)) });
    awareness.setLocalStateField('active', Date.now());
    const onAwareness = () => {
      const next = people(awareness);
      if (!samePeople(next, this.people)) this.people = next;
    };
    awareness.on('change', onAwareness);
    // Idle people fade: re-check now and then even when nobody moves.
    const idleTimer = setInterval(onAwareness, 15_000);
    this.cleanup.push(() => {
      awareness.off('change', onAwareness);
      clearInterval(idleTimer);
    });

    if (session instanceof SealedSession) this.watchSealed(session, workbook);
    await session.whenLoaded;
    if (this.workbook !== workbook) return; // navigated away while loading
    if (session.localUnavailable) {
      this.problem = t('wb.noLocalCopy');
    }
    if (this.seed && !workbook.isInitialized()) {
      Y.applyUpdate(doc, this.seed);
    } else if (this.create && !workbook.isInitialized()) {
      applyTemplate(workbook, localizeTemplate(currentLocale(), TEMPLATES.find((x) => x.id === this.create) ?? TEMPLATES[0]));
    }
    this.undo = workbook.createUndoManager();
    const settle = () => {
      if (!workbook.isInitialized()) {
        // What is in an open first-screen editor goes into the queue, applied once the workbook is in.
        this.first.keepOpenEditor();
        this.phase = 'waiting';
        return false;
      }
      try {
        workbook.ensureSchema();
      } catch (err) {
        if (isModelError(err, 'SCHEMA_TOO_NEW')) {
          this.phase = 'too-new';
          this.problem = t('wb.tooNew');
          return true;
        }
        throw err;
      }
      const handover = this.first.takeHandover();
      this.phase = 'ready';
      // The sheet of last time, where it is still there: the live grid replaces its first screen in place.
      const sheets = workbook.sheets();
      this.sheetId = sheets.some((s) => s.id === handover.sheetId) ? handover.sheetId! : (sheets[0]?.id ?? '');
      this.first.handOver(workbook, id, typed, handover);
      profile.remember({ id, title: workbook.title(), openedAt: Date.now() });
      void this.openJournal(workbook, journalDoc, id, credential);
      return true;
    };
    if (!settle()) {
      // A link opened on a new device: wait for the hub to deliver the workbook.
      const onUpdate = () => {
        if (settle()) doc.off('update', onUpdate);
      };
      doc.on('update', onUpdate);
      this.cleanup.push(() => doc.off('update', onUpdate));
    }
  }

  /**
   * What the hub sent that does not belong, or withheld, is said, not hidden: blobs that do not
   * open (never applied), blobs deleted that this device put back, and a device's changes missing
   * for longer than a moment while this device is caught up.
   */
  private watchSealed(session: SealedSession, workbook: Workbook): void {
    const say = (p: SealedProblem) => {
      if (p.kind === 'bad-blob') this.sealedNotice = t('sealed.badBlob');
      else if (p.kind === 'blob-deleted') this.sealedNotice = t('sealed.blobDeleted');
    };
    session.problems.forEach(say);
    this.cleanup.push(session.onProblem(say));
    let seen = '';
    let resynced = false;
    const checkGaps = () => {
      const status = session.getStatus();
      const gaps = session.bridge?.gaps() ?? [];
      if (status.caughtUp && session.stalled) {
        // blobs wait behind a frame that never came: said, and one full sync asked for
        gaps.push({ deviceId: null, stream: '', missing: 1 });
        if (!resynced && seen) {
          resynced = true;
          session.resync();
        }
      } else {
        resynced = false;
      }
      if (!status.caughtUp || gaps.length === 0) {
        seen = '';
        if (this.sealedNotice.startsWith(GAP_MARK)) this.sealedNotice = '';
        return;
      }
      const key = gaps.map((g) => `${g.stream}:${g.missing}`).join(',');
      // withheld only if still missing at the next look: blobs arrive out of order for a moment
      if (key !== seen) {
        seen = key;
        return;
      }
      const gap = gaps[0];
      const who = workbook.people().find((p) => p.dev === gap.deviceId)?.name ?? t('sealed.someone');
      this.sealedNotice = GAP_MARK + tn('sealed.missing', gap.missing, { name: who, count: gap.missing });
    };
    const timer = setInterval(checkGaps, GAP_CHECK_MS);
    this.cleanup.push(() => clearInterval(timer));
  }

  /**
   * The history journal loads and syncs only after the sheet is on screen, so a
   * long history never delays opening a workbook; edits made meanwhile are
   * journalled in memory and stored when it opens (y-indexeddb writes the
   * in-memory state first). The first entry written opens it at once: a tab
   * closed right after an edit must not take that edit's history with it.
   */
  private async openJournal(workbook: Workbook, journalDoc: Y.Doc, id: string, credential: Credential | null): Promise<void> {
    await this.updateComplete;
    await new Promise<void>((resolve) => {
      // Entries already written here (a new workbook's template, an edit in the first moment) are
      // changes not yet on the hub: until the journal's session is open the status could not count them.
      if (journalDoc.store.clients.size > 0) return resolve();
      journalDoc.once('update', () => resolve());
      if (typeof requestIdleCallback === 'function') requestIdleCallback(() => resolve(), { timeout: 500 });
      else setTimeout(resolve, 0);
    });
    if (this.workbook !== workbook || this.journalSession) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const journalSession = openSession({
      doc: journalDoc,
      workbookId: historyRoom(id),
      baseId: id,
      journal: true,
      deviceId: this.profile!.deviceIdFor(id),
      syncUrl: `${scheme}://${location.host}/sync`,
      hubStateStore: new LocalStorageHubStateStore(localStorage),
      persist: typeof indexedDB !== 'undefined',
      credential,
    });
    this.journalSession = journalSession;
    const main = this.session;
    this.cleanup.push(journalSession.onStatus((j) => main && (this.status = combinedStatus(main.getStatus(), j))));
    await journalSession.whenLoaded;
    if (this.workbook !== workbook) return;
    // Conflicts and Activity read the whole journal: in idle slices, never as one long task.
    await workbook.prepareHistory(() => new Promise((resolve) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(() => resolve()) : setTimeout(resolve, 0))));
    if (this.workbook !== workbook || workbook.readOnly) return;
    // Retention: any editor's device drops what is past the window (at least 90 days and the newest 1M entries).
    workbook.journal.prune(Date.now());
  }

  render() {
    const wb = this.workbook;
    const insecure = typeof window !== 'undefined' && !window.isSecureContext;
    return html`
      <workbook-header
        .workbook=${wb}
        .ready=${this.phase === 'ready'}
        .status=${this.status}
        .people=${this.people}
        .displayName=${this.profile?.displayName ?? ''}
        .sealed=${isSealed(this.workbookId)}
        @header-action=${this.onHeaderAction}
        @header-done=${this.focusGrid}
        @title-changed=${this.onTitleChanged}
        @name-change=${this.onName}
        ><sync-status slot="status" .status=${this.status}></sync-status
      ></workbook-header>
      ${insecure
        ? html`<div class="notice" role="note">
            ${t('wb.insecure')}
          </div>`
        : nothing}
      ${wb?.readOnly && this.phase === 'ready' && this.credential?.role === 'view'
        ? html`<div class="notice" role="note">${t('wb.viewOnlyNotice')}</div>`
        : nothing}
      ${wb && this.phase === 'ready' && securedCopyKind(this.workbookId, this.credential)
        ? html`<secured-copy-notice .workbook=${wb} .kind=${securedCopyKind(this.workbookId, this.credential)}></secured-copy-notice>`
        : nothing}
      ${this.problem && this.phase !== 'too-new' ? html`<div class="notice" role="alert">${this.problem}</div>` : nothing}
      ${this.sealedNotice ? html`<div class="notice" role="alert">${this.sealedNotice.replace(GAP_MARK, '')}</div>` : nothing}
      ${this.first.renderNotices(this.focusGrid)}
      ${this.renderBody()}
      ${wb && this.phase === 'ready'
        ? html`<import-dialog .workbook=${wb} .sheetId=${this.sheetId} .undo=${this.undo} @import-done=${this.onImported}></import-dialog>
            <export-menu .workbook=${wb} .sheetId=${this.sheetId} @export-closed=${this.focusGrid}></export-menu>
            <share-dialog .workbookId=${this.workbookId} .credential=${this.credential} .workbookTitle=${titleText(currentLocale(), wb.title())} @share-closed=${this.focusGrid}></share-dialog>
            <snapshots-panel
              @snapshots-closed=${this.focusGrid}
              .workbook=${wb}
              .client=${this.snapshots}
              .author=${this.profile?.authorName ?? ''}
              .pendingChanges=${this.status?.pending ?? 0}
            ></snapshots-panel>`
        : nothing}
      ${wb ? html`<restore-dialog .workbook=${wb} .workbookId=${this.workbookId} .credential=${this.credential} @restore-closed=${this.focusGrid}></restore-dialog>` : nothing}
    `;
  }

  private onHeaderAction = (e: CustomEvent<{ action: HeaderAction }>): void => {
    switch (e.detail.action) {
      case 'import':
        void this.openImport();
        return;
      case 'export':
        void this.openExport();
        return;
      case 'snapshots':
        void this.lazyElement<SnapshotsPanel>('snapshots-panel').then((panel) => panel?.open());
        return;
      case 'restore':
        this.openRestore();
        return;
      case 'share':
        void this.lazyElement<ShareDialog>('share-dialog').then((dialog) => dialog?.open());
    }
  };

  /** A lazily loaded element of this page, once its code is in (null when it is not on the page or did not load). */
  private async lazyElement<T extends Element>(tag: LazyTag): Promise<T | null> {
    try {
      await LAZY[tag]();
    } catch (err) {
      this.problem = t('wb.partNotLoaded', { reason: err instanceof Error ? err.message : String(err) });
      return null;
    }
    await this.updateComplete;
    return this.shadowRoot?.querySelector<T>(tag) ?? null;
  }

  /** Once the sheet is on screen, the rest of the page's code comes in idle time, so the first open of a dialog is instant. */
  private preloadParts(): void {
    if (this.partsPreloaded) return;
    this.partsPreloaded = true;
    const idle = (fn: () => void) => ('requestIdleCallback' in window ? requestIdleCallback(fn, { timeout: 5_000 }) : setTimeout(fn, 1_000));
    idle(() => {
      for (const load of Object.values(LAZY)) void load().catch(() => undefined);
    });
  }

  /** The import dialog is another's: its own close, watched here, gives the keyboard back to the grid. */
  private async openImport(): Promise<void> {
    const dialog = await this.lazyElement<ImportDialog>('import-dialog');
    if (!dialog) return;
    dialog.open();
    await dialog.updateComplete;
    dialog.renderRoot.querySelector('dialog')?.addEventListener('close', this.focusGrid, { once: true });
  }

  /**
   * After a header action, a sheet added or renamed, or a dialog closed, typing goes to the grid:
   * never to the header button that opened the dialog. On a phone there is no grid, and nothing moves.
   */
  private focusGrid = (): void => {
    void this.updateComplete.then(() => this.shadowRoot?.querySelector<SheetGrid>('sheet-grid')?.focusGrid());
  };

  /** "Restore to…" works from the waiting screen too: a wiped workbook never finishes arriving. */
  private openRestore = (): void => {
    void this.lazyElement<RestoreDialog>('restore-dialog').then((dialog) => dialog?.show());
  };

  private openExport = async (): Promise<void> => {
    const menu = await this.lazyElement<ExportMenu>('export-menu');
    if (!menu) return;
    // The person's own view of this sheet, read when they ask: it changes as they sort and filter.
    menu.view = this.viewStore?.load(this.sheetId) ?? null;
    menu.open();
  };

  private onImported = (e: CustomEvent<string>): void => {
    if (e.detail) this.sheetId = e.detail;
  };

  private renderBody() {
    const wb = this.workbook;
    switch (this.phase) {
      case 'loading':
        return this.first.renderLoading(readOnlyFor(this.workbookId, this.credential)) ?? html`<p class="center">${t('wb.opening')}</p>`;
      case 'waiting':
        // a retired workbook never arrives: say where it went, not that it is on its way
        if (this.status?.lastClose?.code === CloseCode.RETIRED) return html`<p class="center" role="alert">${t('close.4460')}</p>`;
        return html`<p class="center" role="status">${t('wb.waiting')}</p>
          <p class="center">${t('restore.waitingHint')} <button @click=${this.openRestore}>${t('restore.open')}</button></p>`;
      case 'too-new':
        return html`<p class="center" role="alert">${this.problem}</p>`;
      case 'ready':
        if (wb && wb.sheets().length === 0) {
          // Two people deleted the last two sheets at the same moment: offer them back.
          return html`<div class="center" role="alert">
            <p>${t('wb.allInTrash')}</p>
            <button @click=${this.openRestore}>${t('restore.open')}</button>
            ${wb.deletedSheets().map(
              (s) => html`<button @click=${() => {
                wb.restoreSheet(s.id);
                this.sheetId = s.id;
              }}>${t('wb.restoreSheet', { name: s.name })}</button> `,
            )}
          </div>`;
        }
        return html`${this.narrow
            ? html`<row-cards .workbook=${wb} .sheetId=${this.sheetId} .viewStore=${this.viewStore} .status=${this.status} @cards-rendered=${this.first.cardsRendered}></row-cards>`
            : html`<sheet-grid
            .workbook=${wb}
            .sheetId=${this.sheetId}
            .undo=${this.undo}
            .awareness=${this.session?.awareness ?? null}
            .viewStore=${this.viewStore}
            @grid-rendered=${this.first.gridRendered}
          ></sheet-grid>`}
          <sheet-tabs .workbook=${wb} .activeSheetId=${this.sheetId} @sheet-selected=${this.onSheetSelected} @sheet-tabs-done=${this.focusGrid}></sheet-tabs>`;
    }
  }

  private onSheetSelected = (e: CustomEvent<string>): void => {
    this.sheetId = e.detail;
  };

  private onTitleChanged = (): void => {
    if (this.workbook) this.profile?.remember({ id: this.workbookId, title: this.workbook.title(), openedAt: Date.now() });
  };

  private onName = (e: CustomEvent<{ name: string }>): void => {
    const profile = this.profile;
    if (!profile) return;
    profile.displayName = e.detail.name;
    this.requestUpdate();
    const deviceId = profile.deviceIdFor(this.workbookId);
    this.workbook?.setActor({ name: profile.authorName, deviceId });
    this.session?.awareness.setLocalStateField('user', { name: profile.authorName, color: colorFor(deviceId) });
  };
}

customElements.define('workbook-view', WorkbookView);

declare global {
  interface HTMLElementTagNameMap {
    'workbook-view': WorkbookView;
  }
}
