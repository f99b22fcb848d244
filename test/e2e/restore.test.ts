import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import type { Locator, Page } from 'playwright-core';
import { parseCredential, type Credential } from '../../src/protocol/access.js';
import { historyRoom } from '../../src/protocol/messages.js';
import { DOC_JOURNAL } from '../../src/protocol/sealed.js';
import { sealedKeysFor } from '../../src/protocol/sealed-keys.js';
import { MemoryHubStateStore } from '../../src/sync/hub-state.js';
import { SealedSession } from '../../src/sync/sealed/session.js';
import type { SyncStatus } from '../../src/sync/status.js';
import { en, type MessageKey } from '../../src/ui/i18n/messages.js';
import { es } from '../../src/ui/i18n/messages-es.js';
import { allSealedOnHub, makeSealedClient, untilDoc } from '../support/clients.js';
import { e2eEnvironment } from '../support/e2e.js';
import { shareLink } from '../support/links.js';
import { cell, cellText, focusInGrid } from '../support/grid-page.js';
import { deleteEverythingUpdate } from '../support/vandal.js';
import { until } from '../support/wait.js';

const env = e2eEnvironment();
const LAPTOP = { width: 1280, height: 800 };

async function newPage(name: string, options: { locale?: string } = {}): Promise<Page> {
  const context = await env.browser.newContext({ viewport: LAPTOP, locale: options.locale });
  env.contexts.push(context);
  // A locator that never appears fails on its own, naming itself, before the test timeout.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${env.relay.httpUrl}/`);
  await page.evaluate(`localStorage.setItem('mutual-sheets:display-name', ${JSON.stringify(name)})`);
  return page;
}

async function typeInto(page: Page, row: number, col: number, text: string): Promise<void> {
  await cell(page, row, col).click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await cell(page, row, col).getByText(text).waitFor();
}

/** The workbook's edit link (from Share: the address bar carries no key), its id and credential. */
async function linkOf(page: Page): Promise<{ id: string; credential: Credential; link: string }> {
  const link = await shareLink(page);
  const [, , id, ...rest] = new URL(link).hash.split('/');
  const credential = parseCredential(rest.join('/'));
  if (!credential) throw new Error(`no credential in ${link}`);
  return { id, credential, link };
}

/** A sealed device's journal (room `<id>.h`) in Node: its envelope through a real session, the journal doc in memory. */
function makeSealedJournal(id: string, name: string, credential: Credential) {
  const doc = new Y.Doc();
  const session = new SealedSession({
    credential,
    doc,
    keys: sealedKeysFor(id, credential),
    docTag: DOC_JOURNAL,
    deviceId: `${name}-device`,
    workbookId: historyRoom(id),
    syncUrl: env.relay.syncUrl,
    hubStateStore: new MemoryHubStateStore(),
    WebSocketPolyfill: WebSocket,
    maxBackoffMs: 300,
    crossTab: false,
    batchMs: 20,
  });
  return {
    doc,
    session,
    destroy: async () => {
      await session.destroy();
      doc.destroy();
    },
  };
}

type SealedDevice = { doc: Y.Doc; session: SealedSession };

function untilSealed(c: SealedDevice, pred: (s: SyncStatus) => boolean, what: string): Promise<void> {
  return until((n) => c.session.onStatus(n), () => pred(c.session.getStatus()), what);
}

/** Once a sealed device has caught up with the hub and opened every blob it holds: what the hub holds, as any device opens it. */
function untilOpened(c: SealedDevice, what: string): Promise<void> {
  return untilSealed(c, (s) => s.connection === 'online' && s.caughtUp && c.session.bridge !== null && c.session.bridge.stats.applied > 0, what);
}

/** Everything this device sealed is on the hub (acknowledged durably). */
const sealedOnHub = (c: SealedDevice) => untilSealed(c, (s) => s.connection === 'online' && s.caughtUp && s.pending === 0, 'all changes on the hub');

const restoreDialog = (page: Page) => page.getByRole('dialog', { name: en['restore.title'] });

/** Opens every minute's list of single changes, as a person looking for one change does. */
async function expandChanges(dialog: Locator, name: string = en['restore.changes']): Promise<void> {
  await dialog.getByRole('list', { name }).waitFor();
  for (const summary of await dialog.locator('details:not([open]) > summary').all()) await summary.click();
}

/** The focused element, inside shadow roots: its tag and accessible name. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}` : '';
  });
}

describe('e2e: restore to a moment', () => {
  it('one delete-everything update wipes the workbook and its history on every device; a fresh device opens the link, restores to just before it from the waiting screen, and every sheet, row, typed cell and Activity entry is back everywhere', async () => {
    // A coordinator fills a requests workbook from the template, and adds a second sheet.
    const laptop = await newPage('Maria');
    await laptop.getByRole('button', { name: 'Needs / requests tracker' }).click();
    await laptop.getByRole('grid').waitFor();
    await typeInto(laptop, 0, 2, 'Amara');
    await typeInto(laptop, 0, 4, '5th & Main');
    await typeInto(laptop, 0, 8, '4');
    await typeInto(laptop, 1, 2, 'Bashir');
    await laptop.getByRole('button', { name: 'Add sheet' }).click();
    await laptop.getByRole('tab', { name: /Sheet 2/ }).waitFor();
    await typeInto(laptop, 0, 0, 'Van: Luis');
    await laptop.getByTestId('sync-status').getByText('Synced').waitFor();
    const { id, credential, link } = await linkOf(laptop);

    // The workbook is sealed: what the hub holds of both rooms is read (and written) by a sealed client with the edit link: the vandal's view.
    expect(id.startsWith('e')).toBe(true);
    const sheets = makeSealedClient(env.relay.syncUrl, id, 'vandal', credential);
    const journal = makeSealedJournal(id, 'vandal', credential);
    const clients: { destroy(): Promise<void> }[] = [sheets, journal];
    const journalHas = (doc: Y.Doc, text: string) => doc.getArray('log').toArray().some((raw) => typeof raw === 'string' && raw.includes(text));
    try {
      await untilDoc(sheets, () => sheets.wb.isInitialized() && sheets.wb.sheets().length === 2, 'the hub has both sheets');
      // The journal syncs after the sheet is on screen: wait for the hub to hold the last typed entry.
      await untilDoc(journal, () => journalHas(journal.doc, 'Amara') && journalHas(journal.doc, 'Van: Luis'), 'the hub has the journal entries');

      // One update per doc whose delete set covers every clock, applied to the vandal's workbook doc and
      // journal doc: sealed and signed with the edit link like any edit, acked durably by the hub.
      Y.applyUpdate(sheets.doc, deleteEverythingUpdate(sheets.doc));
      Y.applyUpdate(journal.doc, deleteEverythingUpdate(journal.doc));
      expect(sheets.wb.isInitialized()).toBe(false);
      expect(journal.doc.getArray('log').length).toBe(0);
      await allSealedOnHub(sheets);
      await sealedOnHub(journal);

      // A device that opens what the hub holds now finds both wiped.
      const fresh = makeSealedClient(env.relay.syncUrl, id, 'observer', credential);
      const freshJournal = makeSealedJournal(id, 'observer', credential);
      clients.push(fresh, freshJournal);
      await untilOpened(fresh, 'the observer opens the workbook from the hub');
      await untilOpened(freshJournal, 'the observer opens the journal from the hub');
      expect(fresh.wb.isInitialized()).toBe(false);
      expect(fresh.wb.sheets()).toEqual([]);
      expect(freshJournal.doc.getArray('log').length).toBe(0);
    } finally {
      await Promise.all(clients.map((c) => c.destroy()));
    }
    await laptop.getByRole('grid').waitFor({ state: 'detached' });

    // A device that never had it: the link shows the waiting screen, with nothing to render.
    const rosa = await newPage('Rosa');
    await rosa.goto(link);
    await rosa.getByText(en['wb.waiting']).waitFor();
    await rosa.getByTestId('sync-status').getByText('Synced').waitFor();
    await rosa.getByRole('button', { name: en['restore.open'] }).click();
    const dialog = restoreDialog(rosa);
    await expandChanges(dialog);
    // Newest first: the first change to the sheets is the wipe.
    await dialog.getByRole('button', { name: /^Just before the change to the sheets at / }).first().click();
    await dialog.getByText(en['restore.emptyNow']).waitFor();
    const perSheet = dialog.getByRole('list', { name: en['restore.perSheet'] });
    await perSheet.getByText(/^Requests: comes back: 30 rows, \d+ filled cells$/).waitFor();
    await perSheet.getByText(/^Sheet 2: comes back: 20 rows, 1 filled cell$/).waitFor();
    await dialog.getByText(/history entries missing now come back\.$/).waitFor();
    expect(await dialog.getByLabel(en['restore.scope']).locator('option').allTextContents()).toEqual(['The whole workbook', 'Only the sheet “Requests”', 'Only the sheet “Sheet 2”']);
    await dialog.getByRole('button', { name: en['restore.confirm'] }).click();
    const done = dialog.getByRole('status').getByText(/^Put back: 2 sheets, 50 rows, \d+ cells and \d+ history entries\.$/);
    await done.waitFor();
    const entries = Number(/and (\d+) history entries/.exec((await done.textContent()) ?? '')?.[1]);
    expect(entries).toBeGreaterThan(5);
    // Planned again after the restore: nothing is left to put back.
    await dialog.getByText(en['restore.nothing']).waitFor();
    await dialog.getByRole('button', { name: en['restore.close'] }).click();

    // Rosa's device: the grid, every typed cell, the second sheet.
    await rosa.getByRole('grid').waitFor();
    await cell(rosa, 0, 2).getByText('Amara').waitFor();
    expect([await cellText(rosa, 0, 4), await cellText(rosa, 0, 8), await cellText(rosa, 1, 2)]).toEqual(['5th & Main', '4', 'Bashir']);
    await rosa.getByRole('tab', { name: /Sheet 2/ }).click();
    await cell(rosa, 0, 0).getByText('Van: Luis').waitFor();
    // Activity (of the Requests sheet) lists the history again, with who did what, and the restore itself under Rosa's name.
    await rosa.getByRole('tab', { name: /Requests/ }).click();
    await cell(rosa, 0, 2).getByText('Amara').waitFor();
    await rosa.getByRole('button', { name: 'Activity', exact: true }).click();
    const activity = rosa.getByRole('dialog', { name: 'Activity' });
    const entry = (text: RegExp) => activity.getByRole('listitem').filter({ hasText: text }).first().waitFor();
    await entry(/^\s*Maria · .*First name, row 1: empty → Amara/);
    await entry(/^\s*Maria · .*First name, row 2: empty → Bashir/);
    await entry(/^\s*Maria · .*Created from “Needs \/ requests tracker”/);
    await entry(/^\s*Rosa · /);
    expect(await activity.getByRole('listitem').filter({ hasText: /First name, row 1: empty → Amara/ }).count()).toBe(1);
    expect(await activity.getByText(en['activity.none']).count()).toBe(0);
    await rosa.getByTestId('sync-status').getByText('Synced').waitFor();

    // The coordinator's laptop, open all along, has it all back too.
    await laptop.getByRole('grid').waitFor();
    await laptop.getByRole('tab', { name: /Requests/ }).click();
    await cell(laptop, 0, 2).getByText('Amara').waitFor();
    expect(await cellText(laptop, 1, 2)).toBe('Bashir');
  });

  it('a view-only link sees the timeline and the preview but cannot confirm, and says why; keyboard only, 44 px targets, refusals in words, focus given to the grid', async () => {
    const ana = await newPage('Ana');
    await ana.getByRole('button', { name: 'New workbook' }).click();
    await ana.getByRole('grid').waitFor();
    await typeInto(ana, 0, 0, 'Gym: 40 beds');
    await ana.getByTestId('sync-status').getByText('Synced').waitFor();
    await ana.getByRole('button', { name: 'Share' }).click();
    const share = ana.getByRole('dialog', { name: 'Share this workbook' });
    const viewLink = await share.getByRole('textbox', { name: 'View link' }).inputValue();
    await share.getByRole('button', { name: 'Close' }).click();
    await typeInto(ana, 1, 0, 'Church hall: 25');
    await ana.getByTestId('sync-status').getByText('Synced').waitFor();

    const vic = await newPage('Vic');
    await vic.goto(viewLink);
    await cell(vic, 1, 0).getByText('Church hall: 25').waitFor();
    const opener = vic.getByRole('button', { name: en['restore.open'] });
    await opener.focus();
    await vic.keyboard.press('Enter');
    const dialog = restoreDialog(vic);
    await dialog.getByRole('list', { name: en['restore.changes'] }).waitFor();
    expect(await focused(vic)).toMatch(/^input:/);

    // Every control is at least 44 px each way.
    for (const control of await dialog.locator('button:visible, input:visible, select:visible, summary:visible').all()) {
      const box = (await control.boundingBox())!;
      expect(Math.min(box.width, box.height), await control.evaluate((el) => el.outerHTML.slice(0, 80))).toBeGreaterThanOrEqual(44);
    }

    // Tab to the newest change to the sheets (Ana's second cell) and take the moment just before it.
    for (let i = 0; i < 40 && !/^button:Just before the change to the sheets at /.test(await focused(vic)); i++) await vic.keyboard.press('Tab');
    expect(await focused(vic)).toMatch(/^button:Just before the change to the sheets at /);
    await vic.keyboard.press('Enter');
    await dialog.getByRole('heading', { name: /^As it was at / }).waitFor();
    expect(await focused(vic)).toMatch(/^h3:/);
    await dialog.getByRole('list', { name: en['restore.perSheet'] }).getByText(/^Sheet 1: 1 cell set back$/).waitFor();
    await dialog.getByText('It sets back later changes by Ana (1 cell).').waitFor();
    const confirm = dialog.getByRole('button', { name: en['restore.confirm'] });
    expect(await confirm.isDisabled()).toBe(true);
    expect(await confirm.evaluate((el) => (el.getRootNode() as ShadowRoot).getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent)).toBe(en['restore.viewOnly']);

    // A moment before the hub's window: its 410, in words, naming from when changes are kept.
    await dialog.getByLabel(en['restore.moment']).fill('2020-01-01T00:00:00');
    await dialog.getByRole('button', { name: en['restore.look'] }).click();
    await dialog.getByRole('alert').getByText(/^Changes from before .+ are no longer kept on the hub\.$/).waitFor();
    // The hub out of reach.
    await vic.context().setOffline(true);
    await dialog.getByRole('button', { name: /^Just before the change to the sheets at / }).first().click();
    await dialog.getByRole('alert').getByText(en['restore.offline']).waitFor();
    await vic.context().setOffline(false);

    // Escape closes it, and the keyboard is given to the grid (as after every dialog).
    await vic.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => focusInGrid(vic)).toBe('in grid');
    // Nothing was written: Ana's cells are as she left them.
    expect(await cellText(vic, 0, 0)).toBe('Gym: 40 beds');
  });

  it('in a Spanish browser the dialog, its timeline and its preview are in Spanish, with no English left', async () => {
    const page = await newPage('Lucía', { locale: 'es-ES' });
    await page.getByRole('button', { name: es['home.new'] }).click();
    await page.getByRole('grid').waitFor();
    await typeInto(page, 0, 0, 'Agua: 12');
    await page.getByTestId('sync-status').getByText(es['status.synced']).waitFor();
    await page.getByRole('button', { name: es['restore.open'] }).click();
    const dialog = page.getByRole('dialog', { name: es['restore.title'] });
    await dialog.getByRole('list', { name: es['restore.changes'] }).waitFor();
    await expandChanges(dialog, es['restore.changes']);
    await dialog.getByRole('button', { name: /^Justo antes del cambio en las hojas / }).first().click();
    await dialog.getByRole('heading', { name: /^Tal como estaba el / }).waitFor();
    const words = await dialog.evaluate((el) => (el as HTMLElement).innerText + ' ' + Array.from(el.querySelectorAll('[aria-label]'), (x) => x.getAttribute('aria-label')).join(' '));
    for (const key of ['restore.intro', 'restore.moment', 'restore.look', 'restore.changes', 'restore.scope', 'restore.whole', 'restore.confirm', 'restore.recorded'] as MessageKey[]) {
      expect(words, key).toContain(es[key]);
    }
    const english = (Object.keys(en) as MessageKey[]).filter((k) => k.startsWith('restore.') && en[k] !== es[k] && !/\{\w+\}/.test(en[k]) && words.includes(en[k]));
    expect(english).toEqual([]);
    expect(words).not.toMatch(/\b(change|changes|sheets|history|Just before)\b/);
  });
});
