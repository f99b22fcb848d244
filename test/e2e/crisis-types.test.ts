import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

let browser: Browser;
let relay: RelayProcess;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  relay = await startRelay();
});
afterAll(async () => {
  await browser?.close();
  await relay?.stop('SIGKILL');
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

async function open(viewport: { width: number; height: number }, name: string, url?: string) {
  const mobile = viewport.width < 600;
  const context = await browser.newContext({ viewport, hasTouch: mobile, isMobile: mobile });
  contexts.push(context);
  // A locator that never appears fails on its own, naming itself, before the test timeout.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(url ?? `${relay.httpUrl}/`);
  if (!url) {
    await page.getByRole('button', { name: 'New workbook' }).click();
    await page.getByRole('grid').waitFor();
  }
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Your name').press('Enter');
  return { context, page };
}

const cell = (page: Page, row: number, col: number) =>
  page.locator(`[role="row"][aria-rowindex="${row + 2}"] [role="gridcell"][aria-colindex="${col + 2}"]`);

async function retype(page: Page, col: number, name: string, type: string) {
  await cell(page, 0, col).click();
  await page.getByRole('button', { name: 'Column settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Column settings' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Type').selectOption(type);
  await dialog.getByRole('button', { name: 'Save' }).click();
}

describe('e2e: counters and claims', () => {
  it('counter taps on an offline phone add up with a desk’s changes; concurrent claims show as a conflict on both', async () => {
    const desk = await open({ width: 1200, height: 800 }, 'Ana');
    await retype(desk.page, 0, 'Water', 'counter');
    await retype(desk.page, 1, 'Driver', 'claim');
    const phone = await open({ width: 390, height: 780 }, 'Luis', desk.page.url());
    await phone.page.getByRole('listitem', { name: /^Row 1:/ }).waitFor();
    await phone.page.getByTestId('sync-status').getByText('Synced').waitFor();

    await phone.context.setOffline(true);
    await phone.page.getByTestId('sync-status').getByText(/Offline/).waitFor();
    await phone.page.getByRole('listitem', { name: /^Row 1:/ }).tap();
    for (let i = 0; i < 3; i++) await phone.page.getByRole('button', { name: 'Water minus one' }).tap();
    await phone.page.getByTestId('count-Water').getByText('-3').waitFor();
    await phone.page.getByRole('button', { name: 'Claim' }).tap();
    await phone.page.getByText('Luis', { exact: true }).waitFor();

    // Meanwhile the desk receives 10 boxes and also claims the delivery.
    await cell(desk.page, 0, 0).click();
    await desk.page.getByRole('button', { name: 'Water plus one' }).click();
    await desk.page.keyboard.type('10');
    await desk.page.keyboard.press('Enter');
    await cell(desk.page, 0, 0).getByText('10').waitFor();
    await cell(desk.page, 0, 0).click();
    for (let i = 0; i < 2; i++) await cell(desk.page, 0, 0).getByRole('button', { name: 'Water plus one' }).click();
    await cell(desk.page, 0, 0).getByText('12').waitFor();
    await cell(desk.page, 0, 1).click();
    await desk.page.keyboard.press('Enter');
    await desk.page.getByRole('dialog').getByRole('button', { name: 'Claim it' }).click();
    await cell(desk.page, 0, 1).getByText('Ana').waitFor();

    await phone.context.setOffline(false);
    await phone.page.getByTestId('sync-status').getByText('Synced').waitFor({ timeout: 20_000 });
    // 10 (recount the desk typed, having not seen the phone's taps) + 2 − 3 = 9, on both.
    await cell(desk.page, 0, 0).getByText('9').waitFor();
    await phone.page.getByTestId('count-Water').getByText('9').waitFor();
    await cell(desk.page, 0, 1).getByText('⚠').waitFor();
    expect((await cell(desk.page, 0, 1).innerText()).replace(/\s+/g, ' ')).toContain('Luis, Ana');
    await phone.page.getByText('⚠ Luis and Ana both claimed this').waitFor();

    // The coordinator settles it; both see one driver.
    await cell(desk.page, 0, 1).click();
    await desk.page.keyboard.press('Enter');
    await desk.page.getByRole('dialog').getByRole('button', { name: 'Keep Luis only' }).click();
    await phone.page.getByRole('status').filter({ hasText: /^Luis$/ }).waitFor();
  });
});
