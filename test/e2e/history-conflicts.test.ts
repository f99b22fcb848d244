import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { shareLink } from '../support/links.js';
import { cell, cellText } from '../support/grid-page.js';

const env = e2eEnvironment();
const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 800 };

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

async function retype(page: Page, col: number, name: string, type: string, options?: string) {
  await cell(page, 0, col).click();
  await page.getByRole('button', { name: 'Column settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Column settings' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Type').selectOption(type);
  if (options) await dialog.getByLabel('Options').fill(options);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('columnheader', { name }).waitFor();
}

/**
 * The open conflicts the page's own model reports for the sheet it shows (the
 * grid, the phone's cards or form all hold the workbook), via the element's
 * `workbook` property: what the UI reads, without a test-only hook.
 */
function modelConflicts(page: Page, n: number) {
  return page.waitForFunction((want) => {
    const view = document.querySelector('mutual-sheets-app')?.shadowRoot?.querySelector('workbook-view')?.shadowRoot;
    const el = view?.querySelector('sheet-grid, row-cards, row-form') as unknown as { workbook: { conflicts(s: string): unknown[] }; sheetId: string } | null;
    return el?.workbook && el.sheetId ? el.workbook.conflicts(el.sheetId).length === want : false;
  }, n);
}

/** On a phone: open row 1's card, choose a status, and save (the form's save, or its autosave and back). */
async function chooseStatusOnPhone(page: Page, value: string) {
  await page.getByRole('listitem', { name: /^Row 1:/ }).tap();
  await page.getByLabel('Status').selectOption(value);
  const save = page.getByRole('button', { name: 'Save' });
  if (await save.count()) await save.tap();
  const back = page.getByRole('button', { name: 'Back to the list' });
  if (await back.count()) await back.tap();
  await page.getByRole('listitem', { name: `Row 1: ${value}` }).waitFor();
}

describe('e2e: history, conflicts and assignments', () => {
  it('two offline phones change the same status; back online the laptop marks the conflict, settles it from the menu, and Activity lists all three changes', async () => {
    const laptop = await open(LAPTOP, 'Maria');
    await retype(laptop.page, 0, 'Status', 'select', 'Open\nDone\nWaiting');
    // the phone lists filled rows only (empty ones are an Add card): give row 1 something
    await cell(laptop.page, 0, 4).click();
    await laptop.page.keyboard.type('Calle 5');
    await laptop.page.keyboard.press('Enter');
    const url = await shareLink(laptop.page);
    const ana = await open(PHONE, 'Ana', url);
    const luis = await open(PHONE, 'Luis', url);
    for (const phone of [ana, luis]) {
      await phone.page.getByRole('listitem', { name: /^Row 1:/ }).waitFor();
      await phone.page.getByTestId('sync-status').getByText('Synced').waitFor();
      await phone.context.setOffline(true);
      await phone.page.getByTestId('sync-status').getByText(/Offline/).waitFor();
    }
    await chooseStatusOnPhone(ana.page, 'Done');
    await chooseStatusOnPhone(luis.page, 'Waiting');
    for (const phone of [ana, luis]) {
      await phone.context.setOffline(false);
      await phone.page.getByTestId('sync-status').getByText('Synced').waitFor({ timeout: 20_000 });
    }

    // The laptop: a marker in words (not colour alone), the other value in the footer, the count under the column.
    const marked = laptop.page.locator('[role="row"][aria-rowindex="2"] [role="gridcell"][aria-colindex="2"][aria-description="Conflict: 2 values"]');
    await marked.waitFor({ timeout: 20_000 });
    await marked.locator('.conflict-mark').waitFor();
    await laptop.page.locator('.figure', { hasText: '1 conflict' }).waitFor();
    // Both phones' models hold both writes too.
    await modelConflicts(ana.page, 1);
    await modelConflicts(luis.page, 1);

    // "1 conflict" shows only the rows with conflicts; "Next conflict" steps to the cell; Alt+Shift+C opens its menu.
    await cell(laptop.page, 3, 2).click();
    await laptop.page.getByRole('button', { name: '1 conflict', exact: true }).click();
    await laptop.page.getByText('Only rows with conflicts are shown.').waitFor();
    expect(await laptop.page.getByRole('grid').getAttribute('aria-rowcount')).toBe('2');
    await laptop.page.getByRole('button', { name: 'Next conflict' }).click();
    const shown = await cellText(laptop.page, 0, 0);
    const other = shown.includes('Done') ? 'Waiting' : 'Done';
    const footer = laptop.page.getByText(new RegExp(`Conflict: also “${other}” by (Ana|Luis)`));
    await footer.waitFor();
    await laptop.page.keyboard.press('Alt+Shift+KeyC');
    const menu = laptop.page.getByRole('dialog', { name: 'Conflict in Status, row 1' });
    await menu.getByText('Shown now').waitFor();
    await menu.getByRole('button', { name: 'Keep “Done”' }).click();
    await menu.waitFor({ state: 'hidden' });
    await marked.waitFor({ state: 'detached' });
    await laptop.page.locator('.figure', { hasText: 'conflict' }).waitFor({ state: 'detached' });
    await laptop.page.getByRole('button', { name: 'Show every row' }).click();
    expect(await laptop.page.getByRole('grid').getAttribute('aria-rowcount')).toBe('21');
    await cell(laptop.page, 0, 0).getByText('Done').waitFor();
    for (const phone of [ana, luis]) {
      await phone.page.getByRole('listitem', { name: 'Row 1: Done' }).waitFor();
      await modelConflicts(phone.page, 0);
    }

    // The cell's own history (Alt+Shift+H): three changes, newest first, each with who and which device.
    await cell(laptop.page, 0, 0).click();
    await laptop.page.keyboard.press('Alt+Shift+KeyH');
    const history = laptop.page.getByRole('dialog', { name: 'History of Status, row 1' });
    const items = history.getByRole('listitem');
    await items.nth(2).waitFor();
    expect(await items.count()).toBe(3);
    expect(await items.nth(0).innerText()).toMatch(/(Done|Waiting) → Done \(conflict settled\)\s+Maria · this device/);
    const older = [await items.nth(1).innerText(), await items.nth(2).innerText()].join('\n');
    expect(older).toMatch(/empty → Done\s+Ana · device \w{4}/);
    expect(older).toMatch(/empty → Waiting\s+Luis · device \w{4}/);
    await history.getByRole('button', { name: 'Close' }).click();

    // Activity: the two writes and the resolution, the resolution a named group that opens to its change.
    await laptop.page.getByRole('button', { name: 'Activity' }).click();
    const panel = laptop.page.getByRole('dialog', { name: 'Activity' });
    await panel.getByText('Status, row 1: empty → Done').waitFor();
    await panel.getByText('Status, row 1: empty → Waiting').waitFor();
    const settled = panel.getByRole('listitem').filter({ hasText: 'Settled a conflict' });
    await settled.getByText(/^Maria · this device$/).waitFor();
    await settled.getByText('1 change').click();
    await settled.getByText(/Status, row 1: (Done|Waiting) → Done \(conflict settled\)/).waitFor();
    // Filtered to one person, only their change is listed.
    await panel.getByLabel('Person').selectOption('Luis');
    await panel.getByText('Status, row 1: empty → Done').waitFor({ state: 'detached' });
    await panel.getByText('Status, row 1: empty → Waiting').waitFor();
  });

  it('a coordinator assigns a claim to someone seen in the workbook; that person sees it as theirs, “assigned by” the coordinator', async () => {
    const coordinator = await open(LAPTOP, 'Maria');
    await retype(coordinator.page, 1, 'Driver', 'claim');
    const luis = await open(LAPTOP, 'Luis', await shareLink(coordinator.page));
    await cell(luis.page, 0, 0).click();
    await luis.page.keyboard.type('Rice for Calle 5');
    await luis.page.keyboard.press('Enter');
    await cell(coordinator.page, 0, 0).getByText('Rice for Calle 5').waitFor();

    await cell(coordinator.page, 0, 1).click();
    await coordinator.page.keyboard.press('Enter');
    const menu = coordinator.page.getByRole('dialog', { name: 'Driver' });
    // Everyone seen writing here is offered.
    await menu.locator('datalist option[value="Luis"]').waitFor({ state: 'attached' });
    await menu.getByLabel('Assign to…').fill('Luis');
    await menu.getByLabel('Assign to…').press('Enter');
    await menu.waitFor({ state: 'hidden' });
    await cell(coordinator.page, 0, 1).getByText('Luis (assigned by Maria)').waitFor();

    await cell(luis.page, 0, 1).getByText('You (assigned by Maria)').waitFor();
    await cell(luis.page, 0, 1).click();
    await luis.page.keyboard.press('Enter');
    const theirs = luis.page.getByRole('dialog', { name: 'Driver' });
    await theirs.getByText('Claimed by You (assigned by Maria).').waitFor();
    await theirs.getByRole('button', { name: 'Release mine' }).waitFor();

    // And on the assignee's phone (another device, the same name): theirs, to release from the form.
    const phone = await open(PHONE, 'Luis', await shareLink(coordinator.page));
    await phone.page.getByRole('listitem', { name: /^Row 1:/ }).tap();
    await phone.page.getByRole('status').getByText('You (assigned by Maria)').waitFor();
    await phone.page.getByRole('button', { name: 'Release' }).tap();
    await cell(coordinator.page, 0, 1).getByText('Luis (assigned by Maria)').waitFor({ state: 'detached' });
  });
});
