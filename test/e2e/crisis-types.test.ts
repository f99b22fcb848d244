import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { shareLink } from '../support/links.js';
import { cell, cellText as text } from '../support/grid-page.js';

const env = e2eEnvironment();

async function open(viewport: { width: number; height: number }, name: string, url?: string) {
  const mobile = viewport.width < 600;
  const context = await env.browser.newContext({ viewport, hasTouch: mobile, isMobile: mobile });
  env.contexts.push(context);
  // A locator that never appears fails on its own, naming itself, before the test timeout.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(url ?? `${env.relay.httpUrl}/`);
  if (!url) {
    await page.getByRole('button', { name: 'New workbook' }).click();
    await page.getByRole('grid').waitFor();
  }
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Your name').press('Enter');
  return { context, page };
}



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
    // the phone lists filled rows only (empty ones are an Add card): give row 1 something
    await cell(desk.page, 0, 2).click();
    await desk.page.keyboard.type('Depot');
    await desk.page.keyboard.press('Enter');
    const phone = await open({ width: 390, height: 780 }, 'Luis', await shareLink(desk.page));
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

  it('an inventory from its template flags low stock; a deleted row comes back from the trash for everyone', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1400, height: 800 } });
    env.contexts.push(context);
    context.setDefaultTimeout(15_000);
    const a = await context.newPage();
    await a.goto(`${env.relay.httpUrl}/`);
    await a.getByRole('button', { name: 'Supply inventory' }).click();
    await a.getByRole('columnheader', { name: /On hand/ }).waitFor();
    expect(await a.getByLabel('Workbook title').inputValue()).toBe('Supply inventory');
    await cell(a, 0, 0).click();
    await a.keyboard.type('Water 5L');
    await a.keyboard.press('Tab');
    await a.keyboard.press('Tab');
    await a.keyboard.press('Tab');
    await a.keyboard.type('4');
    await a.keyboard.press('Tab');
    await a.keyboard.type('10');
    await a.keyboard.press('Enter');
    await a.locator('.cell.low').getByText('4').waitFor();
    await a.getByText('1 low in stock').waitFor();
    await a.locator('.figure', { hasText: 'Σ 4 · min 4 · max 4 · 1 low' }).waitFor();

    const b = await (await open({ width: 1400, height: 800 }, 'Luis', await shareLink(a))).page;
    await cell(b, 0, 0).getByText('Water 5L').waitFor();
    await cell(a, 0, 0).click();
    await a.getByRole('button', { name: 'Delete row' }).click();
    await b.getByRole('button', { name: 'Trash (1)' }).waitFor();
    expect(await text(b, 0, 0)).toBe('');
    await b.getByRole('button', { name: 'Trash (1)' }).click();
    await b.getByText(/deleted by Anonymous/).waitFor();
    await b.getByRole('button', { name: /^Restore Water 5L/ }).click();
    await cell(a, 0, 0).getByText('Water 5L').waitFor();
    await a.getByRole('button', { name: 'Trash (0)' }).waitFor();
  });

  it('the activity panel shows who changed what, and reverts one person’s changes for everyone', async () => {
    const coord = await open({ width: 1400, height: 800 }, 'Coord');
    await cell(coord.page, 0, 0).click();
    await coord.page.keyboard.type('Insulin pickup');
    await coord.page.keyboard.press('Enter');
    const vandal = await open({ width: 1400, height: 800 }, 'Vandal', await shareLink(coord.page));
    await cell(vandal.page, 0, 0).getByText('Insulin pickup').waitFor();
    await cell(vandal.page, 0, 0).click();
    await vandal.page.keyboard.type('lol');
    await vandal.page.keyboard.press('Enter');
    await vandal.page.keyboard.type('spam');
    await vandal.page.keyboard.press('Enter');
    await cell(coord.page, 1, 0).getByText('spam').waitFor();

    await coord.page.getByRole('button', { name: 'Activity' }).click();
    const panel = coord.page.getByRole('dialog', { name: 'Activity' });
    await panel.getByText('A, row 1: Insulin pickup → lol').waitFor();
    await panel.getByLabel('Person').selectOption('Vandal');
    await panel.getByRole('button', { name: 'Revert Vandal’s changes' }).click();
    await panel.getByRole('alertdialog').getByRole('button', { name: 'Yes, revert Vandal’s changes' }).click();
    await panel.getByText('Reverted 2 changes.').waitFor();
    await cell(vandal.page, 0, 0).getByText('Insulin pickup').waitFor();
    expect(await text(vandal.page, 1, 0)).toBe('');
  });
});
