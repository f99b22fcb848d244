import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { activeAt, cell, cellText as text, gridPage, newWorkbook } from '../support/grid-page.js';

const env = e2eEnvironment();

/** Column settings on column `col`: a new name, type and (for numbers) unit, saved. */
async function retype(page: Page, col: number, name: string, type: string, unit?: string) {
  await cell(page, 0, col).click();
  await page.getByRole('toolbar', { name: 'Sheet actions' }).getByRole('button', { name: 'Column settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Column settings' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Type').selectOption(type);
  if (unit) await dialog.getByRole('textbox', { name: /Unit/ }).fill(unit);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Types into the active cell and presses Enter, as a person enters a value. */
async function enter(page: Page, row: number, col: number, typed: string) {
  await cell(page, row, col).click();
  await activeAt(page, row, col);
  await page.keyboard.type(typed);
  await page.keyboard.press('Enter');
}

describe('e2e: entry as people type it, in the grid', () => {
  it('"3 boxes" in a number column whose unit is box, money and percent in number columns, a date as the reader writes it or ISO', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await retype(page, 0, 'Boxes', 'number', 'box');
    await retype(page, 1, 'Cost', 'number');
    await retype(page, 2, 'Due', 'date');

    await enter(page, 0, 0, '3 boxes');
    await enter(page, 1, 0, '1 Box');
    await enter(page, 2, 0, '2boxes');
    expect([await text(page, 0, 0), await text(page, 1, 0), await text(page, 2, 0)]).toEqual(['3 boxes', '1 box', '2 boxes']);

    await enter(page, 0, 1, '$1,234.50');
    await enter(page, 1, 1, '25 %');
    await enter(page, 2, 1, '-$3');
    expect([await text(page, 0, 1), await text(page, 1, 1), await text(page, 2, 1)]).toEqual(['1234.5', '25', '-3']);

    await enter(page, 0, 2, '3/14/2026');
    await enter(page, 1, 2, '2026-03-15');
    expect([await text(page, 0, 2), await text(page, 1, 2)]).toEqual(['2026-03-14', '2026-03-15']);

    // What does not fit is not written: the editor stays open with the reason, and Escape keeps the old value.
    await cell(page, 0, 0).click();
    await page.keyboard.type('3 bags');
    await page.keyboard.press('Enter');
    await page.getByText('“3 bags” is not a number (Boxes holds numbers).').waitFor();
    await activeAt(page, 0, 0);
    await page.keyboard.press('Escape');
    expect(await text(page, 0, 0)).toBe('3 boxes');
    // A day that does not exist in the reader's order is refused, not read the other way round.
    await cell(page, 2, 2).click();
    await page.keyboard.type('14/3/2026');
    await page.keyboard.press('Enter');
    await page.getByText('“14/3/2026” is not a day on the calendar.').waitFor();
    await page.keyboard.press('Escape');
    expect(await text(page, 2, 2)).toBe('');
    expect(errors).toEqual([]);
  });
});
