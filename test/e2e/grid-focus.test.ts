import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { activeAt, cell, cellText as text, focusInGrid, gridPage, gridToolbar, newWorkbook } from '../support/grid-page.js';

/** Focus in the grid: every dialog it opens gives the keyboard back to the active cell, and Add column writes only on Save. */
const env = e2eEnvironment();
const LAPTOP = { width: 1280, height: 800 };

/** After a dialog closed: the keyboard is on the grid's active cell, and typing lands in it. */
async function typingLands(page: Page, row: number, col: number, what: string) {
  await expect.poll(() => focusInGrid(page)).toBe('in grid');
  await activeAt(page, row, col);
  await page.keyboard.type(what);
  await page.keyboard.press('Enter');
  await cell(page, row, col).getByText(what).waitFor();
}

const columnCount = async (page: Page) => Number(await page.getByRole('grid').getAttribute('aria-colcount')) - 1;

describe('e2e: focus stays with the grid', () => {
  it('after closing column settings, sort & filter, trash, activity, cell history and a claim menu, typing lands in the grid', async () => {
    const { page, errors } = await gridPage(env, LAPTOP);
    await newWorkbook(page, env.relay.httpUrl);
    const bar = gridToolbar(page);
    await cell(page, 0, 0).click();
    await page.keyboard.type('start');
    await page.keyboard.press('Enter');
    await cell(page, 0, 0).click();

    const dialogs: [string, () => Promise<unknown>, Locator, 'Escape' | string][] = [
      ['Column settings', () => bar.getByRole('button', { name: 'Column settings' }).click(), page.getByRole('dialog', { name: 'Column settings' }), 'Cancel'],
      ['Sort & filter', () => bar.getByRole('button', { name: 'Sort & filter' }).click(), page.getByRole('dialog', { name: /My view/ }), 'Escape'],
      ['Trash', () => bar.getByRole('button', { name: /^Trash/ }).click(), page.getByRole('dialog', { name: 'Deleted rows' }), 'Escape'],
      ['Activity', () => bar.getByRole('button', { name: 'Activity' }).click(), page.getByRole('dialog', { name: /Activity/ }), 'Escape'],
      ['Cell history', () => page.keyboard.press('Alt+Shift+H'), page.getByRole('dialog', { name: /history/i }), 'Escape'],
      ['Column menu ⋮', () => page.getByRole('button', { name: 'Sort and filter B' }).click(), page.getByRole('dialog', { name: /My view/ }), 'Escape'],
    ];
    let row = 0;
    for (const [name, open, dialog, close] of dialogs) {
      await cell(page, row, 1).click();
      await open();
      await dialog.waitFor();
      if (close === 'Escape') await page.keyboard.press('Escape');
      else await dialog.getByRole('button', { name: close }).click();
      await dialog.waitFor({ state: 'hidden' });
      await expect.poll(() => focusInGrid(page), { message: name }).toBe('in grid');
      await typingLands(page, row, 1, `after ${name}`);
      row++;
    }

    // A claim column: Enter opens its menu; closing it gives the keyboard back.
    await cell(page, 0, 2).click();
    await bar.getByRole('button', { name: 'Column settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Column settings' });
    await settings.getByLabel('Name').fill('Taken by');
    await settings.getByLabel('Type').selectOption('claim');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.waitFor({ state: 'hidden' });
    await cell(page, 3, 2).click();
    await page.keyboard.press('Enter');
    const claim = page.getByRole('dialog', { name: 'Taken by' });
    await claim.waitFor();
    await page.keyboard.press('Escape');
    await claim.waitFor({ state: 'hidden' });
    await expect.poll(() => focusInGrid(page)).toBe('in grid');
    await page.keyboard.press('ArrowLeft');
    await typingLands(page, 3, 1, 'after claim');
    expect(errors).toEqual([]);
  });

  it('a toolbar button that opens nothing gives the keyboard straight back: typing never reaches the toolbar', async () => {
    const { page, errors } = await gridPage(env, LAPTOP);
    await newWorkbook(page, env.relay.httpUrl);
    const rowsBefore = Number(await page.getByRole('grid').getAttribute('aria-rowcount'));
    await cell(page, 2, 0).click();
    await gridToolbar(page).getByRole('button', { name: 'Add row' }).click();
    await page.locator(`[role="grid"][aria-rowcount="${rowsBefore + 1}"]`).waitFor();
    expect(await focusInGrid(page)).toBe('in grid');
    // Space or Enter on a focused "Add row" would add another row; in the grid they edit the new row's cell.
    await page.keyboard.type(' x');
    await page.keyboard.press('Enter');
    expect(Number(await page.getByRole('grid').getAttribute('aria-rowcount'))).toBe(rowsBefore + 1);
    expect(await text(page, 3, 0)).toBe('x');
    // Undo from the toolbar, then type: it goes to the grid.
    await gridToolbar(page).getByRole('button', { name: 'Undo' }).click();
    await cell(page, 3, 0).getByText('x').waitFor({ state: 'detached' });
    expect(await focusInGrid(page)).toBe('in grid');
    expect(errors).toEqual([]);
  });

  it('Add column creates nothing until saved: Cancel leaves the columns as they were; Save adds one, selected', async () => {
    const { page, errors } = await gridPage(env, LAPTOP);
    await newWorkbook(page, env.relay.httpUrl);
    const before = await columnCount(page);
    const bar = gridToolbar(page);
    await cell(page, 0, 1).click();
    await bar.getByRole('button', { name: 'Add column' }).click();
    const dialog = page.getByRole('dialog', { name: 'New column' });
    await dialog.waitFor();
    expect(await columnCount(page)).toBe(before);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await columnCount(page)).toBe(before);
    expect(await focusInGrid(page)).toBe('in grid');

    await bar.getByRole('button', { name: 'Add column' }).click();
    await dialog.waitFor();
    await dialog.getByLabel('Name').fill('Phone');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator(`[role="grid"][aria-colcount="${before + 2}"]`).waitFor();
    // Right of the active column, and it is the active one now, with the keyboard.
    expect((await page.getByRole('columnheader').nth(3).textContent())?.trim()).toMatch(/^Phone/);
    await activeAt(page, 0, 2);
    await typingLands(page, 0, 2, '555-0100');
    // One undo step takes it away again.
    await bar.getByRole('button', { name: 'Undo' }).click();
    await bar.getByRole('button', { name: 'Undo' }).click();
    await page.locator(`[role="grid"][aria-colcount="${before + 1}"]`).waitFor();
    expect(errors).toEqual([]);
  });
});
