import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText as text } from '../support/grid-page.js';
import { shareLink } from '../support/links.js';

const env = e2eEnvironment();

async function laptop(touch = false) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: touch, isMobile: touch });
  env.contexts.push(context);
  // A locator that never appears fails on its own, naming itself, before the test timeout.
  context.setDefaultTimeout(15_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.relay.httpUrl });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

// Role, Location, Date, Start, End, Slots needed, Volunteer, Status: the roster template's columns.
const SHIFTS = [
  ['Driver', 'Depot', '2026-12-01', '09:00', '12:00', '3', '', 'Confirmed'],
  ['Cook', 'Kitchen', '2026-12-01', '10:00', '14:00', '12', '', 'Waitlist'],
  ['Driver', 'Depot', '2026-12-02', '09:00', '12:00', '8', '', 'Confirmed'],
  ['Packer', 'Depot', '2026-12-02', '13:00', '17:00', '5', '', 'Not needed'],
  ['Cook', 'Kitchen', '2026-12-03', '10:00', '14:00', '2', '', 'Confirmed'],
];
const STATUS = 7;
const SLOTS = 5;

async function rosterWithShifts(page: Page) {
  await page.goto(`${env.relay.httpUrl}/`);
  await page.getByRole('button', { name: 'Volunteer shift roster' }).click();
  await page.getByRole('columnheader', { name: /Status/ }).waitFor();
  await cell(page, 0, 0).click();
  await page.evaluate((tsv) => navigator.clipboard.writeText(tsv), SHIFTS.map((r) => r.join('\t')).join('\n'));
  await page.keyboard.press('Control+v');
  await cell(page, 4, STATUS).getByText('Confirmed').waitFor();
}

const rowCount = (page: Page) => page.getByRole('grid').getAttribute('aria-rowcount').then((n) => Number(n) - 1);
const rowHeaders = (page: Page) => page.getByRole('rowheader').allTextContents().then((all) => all.map((s) => s.trim()));

async function openViewMenu(page: Page, col: number) {
  await cell(page, 0, col).click();
  await page.getByRole('button', { name: 'Sort & filter' }).click();
  const menu = page.getByRole('dialog', { name: /My view/ });
  await menu.waitFor();
  return menu;
}

describe('e2e: filters by value', () => {
  it('a status checklist with counts, a second condition on another column, remembered on reload, cleared again', async () => {
    const { page, errors } = await laptop();
    await rosterWithShifts(page);
    const total = await rowCount(page);
    expect(total).toBeGreaterThanOrEqual(SHIFTS.length);
    const empty = total - SHIFTS.length;

    // The checklist lists each status the sheet holds with how many rows hold it, read from the model.
    let menu = await openViewMenu(page, STATUS);
    const values = menu.getByRole('group', { name: 'Values of Status' });
    const boxes = values.getByRole('checkbox');
    expect(await boxes.evaluateAll((all) => all.map((b) => (b.closest('label')?.textContent ?? '').replace(/\s+/g, ' ').trim()))).toEqual([
      'Confirmed (3)',
      'Waitlist (1)',
      'Not needed (1)',
      `(empty) (${empty})`,
    ]);
    expect(await boxes.evaluateAll((all) => all.every((b) => (b as HTMLInputElement).checked))).toBe(true);

    // Untick "Not needed" and "(empty)": only the other shifts show, and the dialog says how many.
    await values.getByRole('checkbox', { name: /^Not needed/ }).uncheck();
    await values.getByRole('checkbox', { name: /^\(empty\)/ }).press('Space');
    await menu.getByRole('status').getByText(`4 of ${total} rows shown`).waitFor();
    await menu.getByRole('list', { name: 'Filters' }).getByText('Status: 2 of 4 values').waitFor();
    await menu.getByRole('button', { name: 'Done' }).click();
    await page.locator('[role="grid"][aria-rowcount="5"]').waitFor();
    expect([await text(page, 0, 0), await text(page, 1, 0), await text(page, 2, 0), await text(page, 3, 0)]).toEqual(['Driver', 'Cook', 'Driver', 'Cook']);
    await page.getByRole('toolbar', { name: 'Sheet actions' }).getByRole('status').getByText(/4 rows shown/).waitFor();

    // A second condition on another column: Slots needed < 10. Both apply.
    menu = await openViewMenu(page, SLOTS);
    await menu.getByLabel('Filter rule').selectOption({ label: '<' });
    await menu.getByLabel('Filter value').fill('10');
    await menu.getByRole('button', { name: 'Apply filter' }).click();
    await page.locator('[role="grid"][aria-rowcount="4"]').waitFor();
    expect([await text(page, 0, SLOTS), await text(page, 1, SLOTS), await text(page, 2, SLOTS)]).toEqual(['3', '8', '2']);
    // The row headers keep the sheet's numbers, not the filtered list's.
    expect(await rowHeaders(page)).toEqual(['1', '3', '5']);

    // Reload: the view is remembered on this device, both conditions and the ticks.
    await page.reload();
    await page.locator('[role="grid"][aria-rowcount="4"]').waitFor();
    menu = await openViewMenu(page, STATUS);
    const chips = menu.getByRole('list', { name: 'Filters' });
    await chips.getByText('Status: 2 of 4 values').waitFor();
    await chips.getByText('Slots needed < 10').waitFor();
    expect(await menu.getByRole('checkbox', { name: /^Not needed/ }).isChecked()).toBe(false);
    expect(await menu.getByRole('checkbox', { name: /^Confirmed/ }).isChecked()).toBe(true);

    // Each condition is removable on its own: remove the status one, the slots one stays.
    await chips.getByRole('button', { name: 'Remove filter on Status' }).click();
    await menu.getByRole('status').getByText(`4 of ${total} rows shown`).waitFor();
    expect(await chips.getByText('Slots needed < 10').count()).toBe(1);
    await menu.getByRole('button', { name: 'Done' }).click();
    await page.locator('[role="grid"][aria-rowcount="5"]').waitFor();

    // "Show all" clears the rest.
    await page.getByRole('toolbar', { name: 'Sheet actions' }).getByRole('button', { name: 'Show all' }).click();
    await page.locator(`[role="grid"][aria-rowcount="${total + 1}"]`).waitFor();
    expect(errors).toEqual([]);
  });

  it('a long checklist narrows by search; Select all and Clear act on what the search shows; keyboard only', async () => {
    const { page, errors } = await laptop();
    await page.goto(`${env.relay.httpUrl}/`);
    await page.getByRole('button', { name: 'New workbook' }).click();
    await page.getByRole('grid').waitFor();
    const names = ['Ana', 'Ben', 'Bea', 'Carla', 'Dev', 'Eli', 'Fran', 'Gus', 'Hana', 'Bo'];
    await cell(page, 0, 0).click();
    await page.evaluate((tsv) => navigator.clipboard.writeText(tsv), names.join('\n'));
    await page.keyboard.press('Control+v');
    await cell(page, 9, 0).getByText('Bo').waitFor();
    const total = await rowCount(page);

    const menu = await openViewMenu(page, 0);
    const search = menu.getByRole('searchbox', { name: 'Search values' });
    await search.fill('b');
    const values = menu.getByRole('group', { name: /^Values of/ });
    expect(await values.getByRole('checkbox').count()).toBe(3); // Ben, Bea, Bo
    // Keyboard: Tab from the search box reaches Select all, then Clear.
    await search.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await menu.getByRole('status').getByText(`${total - 3} of ${total} rows shown`).waitFor();
    expect(await values.getByRole('checkbox', { checked: true }).count()).toBe(0);
    await search.fill('');
    expect(await values.getByRole('checkbox', { checked: false }).count()).toBe(3);
    // Up/Down walk the list (Ana, Bea, Ben, …): down, down, up from Ana is Bea.
    await values.getByRole('checkbox', { name: /^Ana/ }).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Space');
    expect(await values.getByRole('checkbox', { name: /^Bea/ }).isChecked()).toBe(true);
    await menu.getByRole('status').getByText(`${total - 2} of ${total} rows shown`).waitFor();
    await menu.getByRole('button', { name: 'Select all' }).click();
    await menu.getByRole('status').getByText(`${total} of ${total} rows shown`).waitFor();
    expect(errors).toEqual([]);
  });

  it('the counts follow a colleague’s edit while the checklist is open; on a touch screen every value is a 44 px target', async () => {
    const a = await laptop(true);
    await rosterWithShifts(a.page);
    const url = await shareLink(a.page);
    const b = await laptop();
    await b.page.goto(url);
    await cell(b.page, 4, STATUS).getByText('Confirmed').waitFor();

    const total = await rowCount(a.page);
    const menu = await openViewMenu(a.page, STATUS);
    const values = menu.getByRole('group', { name: 'Values of Status' });
    await values.getByRole('checkbox', { name: 'Waitlist (1)' }).waitFor();
    for (const box of await values.locator('label').all()) expect((await box.boundingBox())!.height).toBeGreaterThanOrEqual(44);

    // Luis sets the first shift to Waitlist on his laptop: Ana's open checklist recounts.
    await cell(b.page, 0, STATUS).click();
    await b.page.keyboard.type('Waitlist');
    await b.page.keyboard.press('Enter');
    await values.getByRole('checkbox', { name: 'Waitlist (2)' }).waitFor();
    await values.getByRole('checkbox', { name: 'Confirmed (2)' }).waitFor();
    await values.getByRole('checkbox', { name: 'Waitlist (2)' }).uncheck();
    await menu.getByRole('status').getByText(`${total - 2} of ${total} rows shown`).waitFor();
    // Ana's filter is hers: Luis still sees every row.
    expect(await rowCount(b.page)).toBe(total);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('a date condition between two days typed in either order, with a number condition; a bound that does not parse says so', async () => {
    const { page, errors } = await laptop();
    await rosterWithShifts(page);
    let menu = await openViewMenu(page, 2);
    await menu.getByLabel('Filter rule').selectOption({ label: 'between' });
    expect(await menu.getByLabel('Filter value').getAttribute('type')).toBe('date');
    await menu.getByLabel('Filter value').fill('2026-12-03');
    await menu.getByLabel('To').fill('2026-12-02');
    await menu.getByRole('button', { name: 'Apply filter' }).click();
    await page.locator('[role="grid"][aria-rowcount="4"]').waitFor();
    expect([await text(page, 0, 0), await text(page, 1, 0), await text(page, 2, 0)]).toEqual(['Driver', 'Packer', 'Cook']);
    // A bound that is not a date says so instead of hiding every row.
    menu = await openViewMenu(page, SLOTS);
    await menu.getByLabel('Filter rule').selectOption({ label: '>' });
    await menu.getByLabel('Filter value').fill('many');
    await menu.getByRole('button', { name: 'Apply filter' }).click();
    await menu.getByRole('alert').getByText('Type a number.').waitFor();
    await menu.getByLabel('Filter value').fill('4');
    await menu.getByLabel('Filter value').press('Enter');
    await page.locator('[role="grid"][aria-rowcount="3"]').waitFor();
    menu = await openViewMenu(page, 0);
    const chips = menu.getByRole('list', { name: 'Filters' });
    await chips.getByText('Date between 2026-12-02 and 2026-12-03').waitFor();
    await chips.getByText('Slots needed > 4').waitFor();
    await menu.getByRole('status').getByText(/^2 of \d+ rows shown$/).waitFor();
    await menu.getByRole('button', { name: 'Remove all filters' }).click();
    expect(await chips.count()).toBe(0);
    await menu.getByRole('button', { name: 'Done' }).click();
    await page.locator('[role="grid"][aria-rowcount="31"]').waitFor();
    expect(errors).toEqual([]);
  });

  it('a column with a value per row lists the first 300 and says how many more; search and Clear reach every one', async () => {
    const { page, errors } = await laptop();
    await page.goto(`${env.relay.httpUrl}/`);
    await page.getByRole('button', { name: 'New workbook' }).click();
    await page.getByRole('grid').waitFor();
    await cell(page, 0, 0).click();
    await page.evaluate((tsv) => navigator.clipboard.writeText(tsv), Array.from({ length: 320 }, (_, i) => `Item ${i + 1}`).join('\n'));
    await page.keyboard.press('Control+v');
    await page.locator('[role="grid"][aria-rowcount="321"]').waitFor();

    const menu = await openViewMenu(page, 0);
    const values = menu.getByRole('group', { name: /^Values of/ });
    await values.getByText('20 more values: search to narrow the list.').waitFor();
    expect(await values.getByRole('checkbox').count()).toBe(300);
    await menu.getByRole('searchbox', { name: 'Search values' }).fill('item 31');
    expect(await values.getByRole('checkbox').count()).toBe(11); // Item 31, Item 310 … 319
    await menu.getByRole('button', { name: 'Clear', exact: true }).click();
    await menu.getByRole('status').getByText('309 of 320 rows shown').waitFor();
    await menu.getByRole('searchbox', { name: 'Search values' }).fill('');
    await menu.getByRole('button', { name: 'Clear', exact: true }).click();
    await menu.getByRole('status').getByText('0 of 320 rows shown').waitFor();
    await menu.getByRole('button', { name: 'Select all' }).click();
    await menu.getByRole('status').getByText('320 of 320 rows shown').waitFor();
    expect(errors).toEqual([]);
  });
});
