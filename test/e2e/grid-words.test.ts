import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, gridPage, gridToolbar, newWorkbook, typeDown } from '../support/grid-page.js';

const env = e2eEnvironment();

describe('e2e: the grid names views and workbooks in the reader\'s words', () => {
  it('the toolbar names a value (checklist) filter as its chip does, not only contains / is', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await typeDown(page, 0, ['Open', 'Done', 'Open']);
    await cell(page, 0, 0).click();
    await gridToolbar(page).getByRole('button', { name: 'Sort & filter' }).click();
    const menu = page.getByRole('dialog', { name: /My view/ });
    const values = menu.getByRole('group', { name: 'Values of A' });
    await values.getByRole('checkbox', { name: /^Done/ }).uncheck();
    await menu.getByRole('list', { name: 'Filters' }).getByText('A: 2 of 3 values').waitFor();
    await menu.getByRole('button', { name: 'Done' }).click();
    // Open twice and the 17 empty rows: 19 of the blank sheet's 20 rows.
    await gridToolbar(page).getByRole('status').getByText('My view: A: 2 of 3 values · 19 rows shown').waitFor();
    expect(errors).toEqual([]);
  });

  it('an untitled workbook\'s files are named "Untitled workbook", not a blank or an English fallback', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    const title = page.getByLabel('Workbook title');
    // Named, then the name taken away: the model holds no title at all.
    await title.fill('Pantry');
    await title.press('Enter');
    await expect.poll(() => title.inputValue()).toBe('Pantry');
    await title.fill('');
    await title.press('Enter');
    // The model holds no title; the header shows the words for it.
    await expect.poll(() => title.inputValue()).toBe('Untitled workbook');
    await page.getByRole('button', { name: 'Export' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export' });
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: /JSON snapshot/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^Untitled workbook \d{4}-\d{2}-\d{2} \d{4}\.json$/);
    // The file holds the model's neutral '' (each reader's app words it), not the English words.
    const body = readFileSync((await download.path())!, 'utf8');
    expect(body).not.toContain('Untitled');
    expect(body).not.toContain('Pantry');
    expect(errors).toEqual([]);
  });
});
