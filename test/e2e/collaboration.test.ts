import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { cell } from '../support/grid-page.js';
import { shareLink } from '../support/links.js';
import { launchChromium, serveAppFromCache } from '../support/browser.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

let browser: Browser;
const relays: RelayProcess[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  await Promise.all(relays.splice(0).map((r) => r.stop('SIGKILL')));
});

async function relay(opts?: Parameters<typeof startRelay>[0]) {
  const r = await startRelay(opts);
  relays.push(r);
  return r;
}

async function newPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  contexts.push(context);
  // A locator that never appears fails on its own, naming itself, before the test timeout.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}


async function typeInto(page: Page, row: number, col: number, text: string) {
  await cell(page, row, col).click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

async function createWorkbook(page: Page, origin: string): Promise<string> {
  await page.goto(`${origin}/`);
  await page.getByRole('button', { name: 'New workbook' }).click();
  await page.getByRole('grid').waitFor();
  // The address bar carries no key: the link to hand on comes from Share.
  return shareLink(page);
}

function status(page: Page) {
  return page.getByTestId('sync-status');
}

describe('e2e: the app in Chromium against the real relay', () => {
  it('two browser contexts on one workbook see each other’s edits, live', async () => {
    const r = await relay();
    const a = await newPage();
    const b = await newPage();
    const url = await createWorkbook(a.page, r.httpUrl);
    expect(url).toMatch(/#\/w\/e[A-Za-z0-9_-]{43}\/edit\/[A-Za-z0-9_-]{43}$/);
    await a.page.getByLabel('Your name').fill('Ana');
    await a.page.getByLabel('Your name').press('Enter');
    await typeInto(a.page, 0, 0, 'Rice 10kg');
    await status(a.page).getByText('Synced').waitFor();

    await b.page.goto(url);
    await cell(b.page, 0, 0).getByText('Rice 10kg').waitFor();
    await typeInto(b.page, 1, 1, 'Water');
    await cell(a.page, 1, 1).getByText('Water').waitFor();

    // Keyboard only: arrows move, typing replaces, Enter commits and moves down.
    await a.page.getByRole('grid').focus();
    await a.page.keyboard.press('Control+Home');
    await a.page.keyboard.press('ArrowRight');
    await a.page.keyboard.press('ArrowRight');
    await a.page.keyboard.type('Blankets');
    await a.page.keyboard.press('Enter');
    await cell(b.page, 0, 2).getByText('Blankets').waitFor();
    // Escape cancels an edit.
    await a.page.keyboard.type('oops');
    await a.page.keyboard.press('Escape');
    expect((await cell(a.page, 1, 2).innerText()).trim()).toBe('');
    // Provenance: the footer says who changed the cell.
    await a.page.keyboard.press('ArrowUp');
    await a.page.getByText(/Blankets · changed by Ana/).waitFor();

    expect(await a.page.getByRole('grid').getAttribute('aria-rowcount')).toBe('21');
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('a page reloaded with the relay down shows its data from IndexedDB, takes edits, and delivers them when the relay is back', async () => {
    const r = await relay();
    const a = await newPage();
    const b = await newPage();
    const url = await createWorkbook(a.page, r.httpUrl);
    await typeInto(a.page, 0, 0, 'before outage');
    await status(a.page).getByText('Synced').waitFor();
    await b.page.goto(url);
    await cell(b.page, 0, 0).getByText('before outage').waitFor();
    await status(b.page).getByText('Synced').waitFor();

    // The hub goes away; B's browser still has the app (as from its cache) and its data.
    await serveAppFromCache(b.context, r.httpUrl);
    await r.stop('SIGTERM');
    await b.page.reload();
    await cell(b.page, 0, 0).getByText('before outage').waitFor();
    await status(b.page).getByText('Offline').waitFor();
    await typeInto(b.page, 1, 0, 'typed while offline');
    await status(b.page).getByText(/not yet on the hub/).waitFor();

    // The hub comes back on the same address with the same data.
    await relay({ dataDir: r.dataDir, env: { PORT: String(r.port) } });
    await status(b.page).getByText('Synced').waitFor({ timeout: 20_000 });
    await cell(a.page, 1, 0).getByText('typed while offline').waitFor({ timeout: 20_000 });
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('two tabs of one workbook stay in step, even with the hub down', async () => {
    const r = await relay();
    const a = await newPage();
    const url = await createWorkbook(a.page, r.httpUrl);
    await typeInto(a.page, 0, 0, 'tab one');
    const second = await a.context.newPage();
    await second.goto(url);
    await cell(second, 0, 0).getByText('tab one').waitFor();
    await r.stop('SIGTERM');
    await status(second).getByText('Offline').waitFor();
    await typeInto(second, 0, 1, 'from tab two, hub down');
    await cell(a.page, 0, 1).getByText('from tab two, hub down').waitFor();
    await typeInto(a.page, 1, 1, 'back to tab two');
    await cell(second, 1, 1).getByText('back to tab two').waitFor();
  });

  it('rows, columns, column types and sheets can be changed from the UI, and a colleague sees it', async () => {
    const r = await relay();
    const a = await newPage();
    const b = await newPage();
    const url = await createWorkbook(a.page, r.httpUrl);
    await b.page.goto(url);
    await b.page.getByRole('grid').waitFor();
    const grid = (p: Page) => p.getByRole('grid');

    await typeInto(a.page, 0, 0, 'first row');
    await a.page.getByRole('button', { name: 'Add row' }).click();
    await a.page.locator('[role="grid"][aria-rowcount="22"]').waitFor();
    await b.page.locator('[role="grid"][aria-rowcount="22"]').waitFor();
    await a.page.getByRole('button', { name: 'Delete row' }).click();
    await b.page.locator('[role="grid"][aria-rowcount="21"]').waitFor();

    await a.page.getByRole('button', { name: 'Add column' }).click();
    const dialog = a.page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Status');
    await dialog.getByLabel('Type').selectOption('select');
    await dialog.getByLabel(/Options/).fill('Open\nDone');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await b.page.getByRole('columnheader', { name: /Status/ }).waitFor();
    expect(await grid(b.page).getAttribute('aria-colcount')).toBe('7');
    await typeInto(a.page, 0, 1, 'done');
    await cell(b.page, 0, 1).getByText('Done').waitFor();

    await a.page.getByRole('button', { name: 'Add sheet' }).click();
    await a.page.getByRole('tab', { name: 'Sheet 2', selected: true }).waitFor();
    await a.page.getByRole('button', { name: 'Rename' }).click();
    await a.page.getByLabel('Sheet name').fill('Roster');
    await a.page.getByLabel('Sheet name').press('Enter');
    await b.page.getByRole('tab', { name: 'Roster' }).waitFor();
    await b.page.getByRole('tab', { name: 'Roster' }).click();
    expect(await grid(b.page).getAttribute('aria-label')).toBe('Roster');
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('a value that does not fit the column type is refused with a message and nothing is written', async () => {
    const r = await relay();
    const a = await newPage();
    await createWorkbook(a.page, r.httpUrl);
    await a.page.getByRole('grid').focus();
    await a.page.getByRole('button', { name: 'Column settings' }).click();
    const dialog = a.page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Quantity');
    await dialog.getByLabel('Type').selectOption('number');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await a.page.getByRole('columnheader', { name: /Quantity/ }).waitFor();
    await typeInto(a.page, 0, 0, 'twelve');
    await a.page.getByRole('alert').getByText(/not a number/).waitFor();
    await a.page.keyboard.press('Escape');
    expect((await cell(a.page, 0, 0).innerText()).trim()).toBe('');
    await typeInto(a.page, 0, 0, '12');
    await cell(a.page, 0, 0).getByText('12').waitFor();
  });
});
