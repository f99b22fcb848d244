import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { activeAt, cell, cellText as text, focusInGrid, gridPage } from '../support/grid-page.js';
import { shareLink } from '../support/links.js';

const env = e2eEnvironment();

const laptop = () => gridPage(env);

// Role, Location, Date, Start, End, Slots needed, Volunteer, Status: the roster template's columns.
const SHIFTS = [
  ['Driver', 'Depot', '2026-11-01', '09:00', '12:00', '3', '', 'Confirmed'],
  ['driver', 'Kitchen', '2026-11-01', '10:00', '14:00', '12', '', 'Waitlist'],
  ['Van driver', 'Depot', '2026-11-02', '09:00', '12:00', '8', '', 'Confirmed'],
  ['Cook', 'Driver gate', '2026-11-02', '13:00', '17:00', '12', '', 'Not needed'],
];
const ROLE = 0;
const LOCATION = 1;
const END = 4;
const SLOTS = 5;

async function rosterWithShifts(page: Page) {
  await page.goto(`${env.relay.httpUrl}/`);
  await page.getByRole('button', { name: 'Volunteer shift roster' }).click();
  await page.getByRole('columnheader', { name: /Status/ }).waitFor();
  await cell(page, 0, 0).click();
  await page.evaluate((tsv) => navigator.clipboard.writeText(tsv), SHIFTS.map((r) => r.join('\t')).join('\n'));
  await page.keyboard.press('Control+v');
  await cell(page, 3, 7).getByText('Not needed').waitFor();
}

const bar = (page: Page) => page.getByRole('search', { name: 'Find and replace' });

/** Opens find from the active cell with Ctrl+F, then shows the replace fields. */
async function openReplace(page: Page) {
  await page.keyboard.press('Control+f');
  const search = bar(page);
  await search.getByLabel('Find', { exact: true }).waitFor();
  await search.getByRole('button', { name: 'Replace…' }).click();
  return search;
}

describe('e2e: find and replace', () => {
  it('in one column with match case: Enter goes to the matches, Replace all writes them, one Ctrl+Z undoes all of it', async () => {
    const { page, errors } = await laptop();
    await rosterWithShifts(page);
    await cell(page, 0, ROLE).click();
    const search = await openReplace(page);
    const find = search.getByLabel('Find', { exact: true });
    await find.fill('driver');
    await search.getByLabel('Look in').selectOption('column');
    await search.getByLabel('Match case').check();
    await search.getByRole('status').getByText('2 matches').waitFor();

    // Enter steps through the matches in the grid; typing in the bar never reached the grid.
    await find.press('Enter');
    await activeAt(page, 1, ROLE);
    await search.getByRole('status').getByText('1 of 2').waitFor();
    await find.press('Enter');
    await activeAt(page, 2, ROLE);
    await find.press('Shift+Enter');
    await activeAt(page, 1, ROLE);
    expect(await text(page, 0, ROLE)).toBe('Driver');

    await search.getByLabel('Replace with').fill('cyclist');
    await search.getByRole('button', { name: 'Replace all' }).click();
    await search.getByRole('status').getByText('Replaced 2 cells.').waitFor();
    await cell(page, 2, ROLE).getByText('Van cyclist').waitFor();
    expect(await text(page, 1, ROLE)).toBe('cyclist');
    // Not the other case, not another column.
    expect(await text(page, 0, ROLE)).toBe('Driver');
    expect(await text(page, 3, LOCATION)).toBe('Driver gate');

    await search.getByLabel('Replace with').press('Escape');
    await search.waitFor({ state: 'hidden' });
    expect(await focusInGrid(page)).toBe('in grid');
    await page.keyboard.press('Control+z');
    await cell(page, 2, ROLE).getByText('Van driver').waitFor();
    expect(await text(page, 1, ROLE)).toBe('driver');
    expect(await text(page, 0, ROLE)).toBe('Driver');
    // The paste before it is still there: one step undid exactly the replace.
    expect(await text(page, 3, ROLE)).toBe('Cook');
    expect(errors).toEqual([]);
  });

  it('whole cell replaces cells that are exactly the text (any case), across the sheet', async () => {
    const { page, errors } = await laptop();
    await rosterWithShifts(page);
    await cell(page, 0, LOCATION).click();
    const search = await openReplace(page);
    await search.getByLabel('Find', { exact: true }).fill('DRIVER');
    await search.getByRole('status').getByText('4 matches').waitFor();
    await search.getByLabel('Whole cell').check();
    await search.getByRole('status').getByText('2 matches').waitFor();
    await search.getByLabel('Replace with').fill('Cyclist');
    await search.getByRole('button', { name: 'Replace all' }).click();
    await search.getByRole('status').getByText('Replaced 2 cells.').waitFor();
    await cell(page, 1, ROLE).getByText('Cyclist').waitFor();
    expect(await text(page, 0, ROLE)).toBe('Cyclist');
    expect(await text(page, 2, ROLE)).toBe('Van driver');
    expect(await text(page, 3, LOCATION)).toBe('Driver gate');
    expect(errors).toEqual([]);
  });

  it('a replacement that does not fit a number column is reported and the cell left as it was', async () => {
    const { page, errors } = await laptop();
    await rosterWithShifts(page);
    await cell(page, 0, SLOTS).click();
    const search = await openReplace(page);
    // "12" is in two End times (text) and two Slots needed (numbers).
    await search.getByLabel('Find', { exact: true }).fill('12');
    await search.getByRole('status').getByText('4 matches').waitFor();
    await search.getByLabel('Replace with').fill('twelve');
    await search.getByRole('button', { name: 'Replace all' }).click();
    const status = search.getByRole('status');
    await status.getByText(/Replaced 2 cells\./).waitFor();
    expect(await status.innerText()).toContain('2 cells not replaced, the new text does not fit their column: “twelve” is not a number (Slots needed holds numbers).');
    await cell(page, 0, END).getByText('twelve:00').waitFor();
    expect(await text(page, 2, END)).toBe('twelve:00');
    expect(await text(page, 1, SLOTS)).toBe('12');
    expect(await text(page, 3, SLOTS)).toBe('12');
    // What is left to find is exactly what could not be replaced.
    await status.getByText('2 matches').waitFor();
    expect(errors).toEqual([]);
  });

  it('Ctrl+H opens replace; Replace first goes to a match, then replaces it and goes to the next', async () => {
    const { page, errors } = await laptop();
    await rosterWithShifts(page);
    await cell(page, 0, ROLE).click();
    await page.keyboard.press('Control+h');
    const search = bar(page);
    const find = search.getByLabel('Find', { exact: true });
    await find.waitFor();
    // The find field has the keyboard: typing goes there, not into the grid.
    await page.keyboard.type('driver');
    expect(await find.inputValue()).toBe('driver');
    await search.getByLabel('Replace with').fill('Rider');
    const replace = search.getByRole('button', { name: 'Replace', exact: true });
    await replace.click();
    await activeAt(page, 0, ROLE);
    expect(await text(page, 0, ROLE)).toBe('Driver');
    await replace.click();
    await cell(page, 0, ROLE).getByText('Rider').waitFor();
    await activeAt(page, 1, ROLE);
    await search.getByRole('status').getByText('1 of 3').waitFor();
    expect(await text(page, 1, ROLE)).toBe('driver');
    expect(errors).toEqual([]);
  });

  it('on a view link, find works and replacing is disabled with the reason', async () => {
    const { page, errors } = await laptop();
    await rosterWithShifts(page);
    const viewLink = await shareLink(page, 'View link');
    const viewer = await laptop();
    await viewer.page.goto(viewLink);
    await cell(viewer.page, 3, LOCATION).getByText('Driver gate').waitFor();
    await cell(viewer.page, 0, ROLE).click();
    const search = await openReplace(viewer.page);
    await search.getByLabel('Find', { exact: true }).fill('driver');
    await search.getByRole('status').getByText('4 matches').waitFor();
    await search.getByLabel('Find', { exact: true }).press('Enter');
    await activeAt(viewer.page, 0, ROLE);
    for (const control of [search.getByLabel('Replace with'), search.getByRole('button', { name: 'Replace', exact: true }), search.getByRole('button', { name: 'Replace all' })]) {
      expect(await control.isDisabled()).toBe(true);
    }
    await search.getByText('Replacing needs the edit link: this is a view-only link.').waitFor();
    expect(await search.getByRole('button', { name: 'Replace all' }).getAttribute('aria-describedby')).toBe('find-readonly');
    expect(errors).toEqual([]);
    expect(viewer.errors).toEqual([]);
  });

  it('on a touch screen every control of the bar is at least 44 px tall', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true });
    env.contexts.push(context);
    context.setDefaultTimeout(15_000);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.relay.httpUrl });
    const page = await context.newPage();
    expect(await page.evaluate(() => matchMedia('(pointer: coarse)').matches)).toBe(true);
    await rosterWithShifts(page);
    await cell(page, 0, ROLE).click();
    const search = await openReplace(page);
    const controls = search.locator('input, select, button');
    expect(await controls.count()).toBeGreaterThanOrEqual(9);
    const small = await controls.evaluateAll((els) =>
      els
        .map((el) => {
          // A checkbox is tapped through its label, which carries the size.
          const target = el instanceof HTMLInputElement && el.type === 'checkbox' ? el.closest('label')! : el;
          return { name: el.id, height: target.getBoundingClientRect().height };
        })
        .filter((c) => c.height < 44),
    );
    expect(small).toEqual([]);
  });
});
