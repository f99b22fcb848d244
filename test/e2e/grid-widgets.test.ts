import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { activeAt, cell, cellText as text, focusInGrid, gridPage, gridToolbar, newWorkbook } from '../support/grid-page.js';

/** The entry helpers inside the grid's editor: options as you type in a status cell, a calendar in a date cell. */
const env = e2eEnvironment();
const LAPTOP = { width: 1280, height: 800 };

async function setColumn(page: Page, col: number, name: string, type: string, options?: string[]) {
  await cell(page, 0, col).click();
  await gridToolbar(page).getByRole('button', { name: 'Column settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Column settings' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Type').selectOption(type);
  if (options) await dialog.getByLabel(/Options/).fill(options.join('\n'));
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

describe('e2e: entry helpers in the grid editor', () => {
  it('a status cell offers the options matching what is typed; arrows move, Enter takes one, a click takes one', async () => {
    const { page, errors } = await gridPage(env, LAPTOP);
    await newWorkbook(page, env.relay.httpUrl);
    await setColumn(page, 1, 'Status', 'select', ['Delivered', 'Delayed', 'Done', 'Waiting']);
    await cell(page, 0, 1).click();
    await page.keyboard.type('de');
    const list = page.getByRole('listbox', { name: 'Options for Status' });
    await list.waitFor();
    expect(await list.getByRole('option').allTextContents().then((l) => l.map((s) => s.trim()))).toEqual(['Delivered', 'Delayed']);
    // The input keeps the keyboard, pointing at the current option.
    const input = page.getByRole('combobox', { name: 'Edit Status' });
    expect(await focusInGrid(page)).toBe('in grid');
    await page.keyboard.press('ArrowDown');
    await list.getByRole('option', { name: 'Delayed', selected: true }).waitFor();
    const current = await list.getByRole('option', { name: 'Delayed' }).getAttribute('id');
    await expect.poll(() => input.getAttribute('aria-activedescendant')).toBe(current);
    await page.keyboard.press('Enter');
    await cell(page, 0, 1).locator('.chip', { hasText: 'Delayed' }).waitFor();
    await activeAt(page, 1, 1);
    // A click on an option takes it too.
    await page.keyboard.type('w');
    await list.getByRole('option', { name: 'Waiting' }).click();
    await cell(page, 1, 1).locator('.chip', { hasText: 'Waiting' }).waitFor();
    expect(await focusInGrid(page)).toBe('in grid');
    expect(errors).toEqual([]);
  });

  it('a date cell opens a calendar by its button or Alt+ArrowDown; a picked day is saved', async () => {
    const { page, errors } = await gridPage(env, LAPTOP);
    await newWorkbook(page, env.relay.httpUrl);
    await setColumn(page, 2, 'Due', 'date');
    await cell(page, 0, 2).click();
    await page.keyboard.type('2025-03-14');
    await page.keyboard.press('Alt+ArrowDown');
    const picker = page.getByRole('dialog', { name: 'Choose a date' });
    await picker.waitFor();
    await picker.getByRole('heading', { name: 'March 2025' }).waitFor();
    expect(await picker.locator('[aria-selected="true"]').getAttribute('data-date')).toBe('2025-03-14');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await picker.waitFor({ state: 'detached' });
    await expect.poll(() => text(page, 0, 2)).toMatch(/15/);
    await cell(page, 0, 2).click();
    await page.keyboard.press('F2');
    expect(await page.getByLabel('Edit Due').inputValue()).toMatch(/2025-03-15|3\/15\/2025/);
    // The small button opens it too; Escape closes it and the editor keeps the text.
    await page.getByRole('button', { name: 'Choose a date (Alt+↓)' }).click();
    await picker.waitFor();
    await page.keyboard.press('Escape');
    await picker.waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');
    expect(await focusInGrid(page)).toBe('in grid');
    expect(errors).toEqual([]);
  });
});
