import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { activeAt, cell, cellText as text, focusInGrid, gridPage, gridToolbar, newWorkbook } from '../support/grid-page.js';

const env = e2eEnvironment();

// The requests template: Received (a date) first, then Channel (Text, Voice, Web, In person).
const RECEIVED = 0;
const CHANNEL = 1;

async function requests(page: Page) {
  await page.goto(`${env.relay.httpUrl}/`);
  await page.getByRole('button', { name: 'Needs / requests tracker' }).click();
  await page.getByRole('grid').waitFor();
  await cell(page, 0, 0).click();
}

const options = (page: Page) => page.getByRole('listbox').getByRole('option');
const activeOption = (page: Page) => options(page).and(page.locator('[aria-selected="true"]'));

describe('e2e: Alt+ArrowDown opens a cell\'s picker without editing first', () => {
  it('on a status / choice cell: every option, the current one marked; arrows and Enter pick, Escape keeps the value', async () => {
    const { page, errors } = await gridPage(env);
    await requests(page);
    await page.keyboard.press('ArrowRight');
    await activeAt(page, 0, CHANNEL);
    await page.keyboard.press('Alt+ArrowDown');
    await page.getByRole('listbox').waitFor();
    expect(await options(page).allInnerTexts()).toEqual(['Text', 'Voice', 'Web', 'In person']);
    await activeOption(page).getByText('Text').waitFor();
    expect(await focusInGrid(page)).toBe('in grid');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await activeOption(page).getByText('Web').waitFor();
    await page.keyboard.press('Enter');
    await cell(page, 0, CHANNEL).getByText('Web').waitFor();
    await page.getByRole('listbox').waitFor({ state: 'hidden' });
    // Enter saved and moved down, as typing a value and Enter does.
    await activeAt(page, 1, CHANNEL);

    // Back on the filled cell: its value is the marked option; Escape leaves it as it was.
    await page.keyboard.press('ArrowUp');
    await activeAt(page, 0, CHANNEL);
    await page.keyboard.press('Alt+ArrowDown');
    await activeOption(page).getByText('Web').waitFor();
    await page.keyboard.press('ArrowUp');
    await activeOption(page).getByText('Voice').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('listbox').waitFor({ state: 'hidden' });
    expect(await text(page, 0, CHANNEL)).toBe('Web');
    expect(await focusInGrid(page)).toBe('in grid');

    // Typing after opening narrows the list again.
    await page.keyboard.press('Alt+ArrowDown');
    await page.getByRole('listbox').waitFor();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('in');
    expect(await options(page).allInnerTexts()).toEqual(['In person']);
    await page.keyboard.press('Enter');
    await cell(page, 0, CHANNEL).getByText('In person').waitFor();
    expect(errors).toEqual([]);
  });

  it('on a date cell: the calendar, the keyboard in it, and a day picked with the keyboard saves', async () => {
    const { page, errors } = await gridPage(env);
    await requests(page);
    await page.keyboard.type('2026-03-14');
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowUp');
    await activeAt(page, 0, RECEIVED);
    await page.keyboard.press('Alt+ArrowDown');
    const picker = page.getByRole('dialog', { name: 'Choose a date' });
    await picker.getByRole('gridcell', { name: 'Saturday, March 14, 2026', selected: true }).waitFor();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await cell(page, 0, RECEIVED).getByText('2026-03-15').waitFor();
    await picker.waitFor({ state: 'hidden' });
    await activeAt(page, 0, RECEIVED);
    expect(await focusInGrid(page)).toBe('in grid');
    expect(errors).toEqual([]);
  });

  it('on a several-choices cell: every option; a pick adds to what the cell holds, Enter saves, Alt+ArrowDown again adds another', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await cell(page, 0, 0).click();
    await gridToolbar(page).getByRole('button', { name: 'Column settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Column settings' });
    await dialog.getByLabel('Name').fill('Needs');
    await dialog.getByLabel('Type').selectOption('multiselect');
    await dialog.getByRole('textbox', { name: /Options/ }).fill('Food\nWater\nBlankets');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await activeAt(page, 0, 0);

    await page.keyboard.press('Alt+ArrowDown');
    expect(await options(page).allInnerTexts()).toEqual(['Food', 'Water', 'Blankets']);
    await page.keyboard.press('ArrowDown');
    await activeOption(page).getByText('Water').waitFor();
    await page.keyboard.press('Enter');
    // Still editing, Water taken; Alt+ArrowDown lists them all again for the next.
    await page.keyboard.press('Alt+ArrowDown');
    await activeOption(page).getByText('Food').waitFor();
    await page.keyboard.press('ArrowUp');
    await activeOption(page).getByText('Blankets').waitFor();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.getByRole('listbox').waitFor({ state: 'hidden' });
    // Two chips, in the order picked.
    expect((await text(page, 0, 0)).split(/\s+/)).toEqual(['Water', 'Blankets']);
    await activeAt(page, 1, 0);
    expect(errors).toEqual([]);
  });
});
