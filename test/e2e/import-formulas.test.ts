import * as X from '@e965/xlsx';
import { describe, expect, it } from 'vitest';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText, gridPage, newWorkbook } from '../support/grid-page.js';

const env = e2eEnvironment();

/** A stock sheet as Excel keeps it: a total filled down the rows, a sum under them, and a function this app lacks. */
function stockXlsx(): Buffer {
  const ws = X.utils.aoa_to_sheet([
    ['Item', 'Qty', 'Price', 'Total', 'Odd'],
    ['Rice', 4, 2.5, 10, true],
    ['Beans', 6, 1.5, 9, false],
    ['Oil', 2, 4, 8, false],
  ]);
  for (const r of [2, 3, 4]) ws[`D${r}`] = { t: 'n', v: ws[`D${r}`].v, f: `B${r}*C${r}` };
  for (const r of [2, 3, 4]) ws[`E${r}`] = { t: 'b', v: ws[`E${r}`].v, f: `ISODD(B${r})` };
  const wb = X.utils.book_new();
  X.utils.book_append_sheet(wb, ws, 'Stock');
  return X.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

describe('e2e: importing formulas', () => {
  it('the preview says the formulas are kept; after the import the filled-down total is a column formula that follows an edit, the unknown function reads #NAME?', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import from CSV or Excel' });
    await dialog.getByLabel('Choose a file').setInputFiles({ name: 'stock.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: stockXlsx() });
    await dialog.getByText('6 formulas are kept and will compute here; the values shown are the ones the file saved.').waitFor();
    await dialog.getByText('2 columns filled down with one formula will be column formulas.').waitFor();
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.getByRole('status').getByText('Imported 3 rows.', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('tab', { name: /Stock/ }).waitFor();
    await expect.poll(() => cellText(page, 0, 3)).toBe('10');
    await expect.poll(() => cellText(page, 2, 3)).toBe('8');
    await expect.poll(() => cellText(page, 0, 4)).toBe('#NAME?');
    await cell(page, 1, 3).click();
    await page.getByText('=[Qty]*[Price] → 9').waitFor();
    // A formula, not a value: changing the quantity changes the total.
    await cell(page, 1, 1).click();
    await page.keyboard.type('10');
    await page.keyboard.press('Enter');
    await expect.poll(() => cellText(page, 1, 3)).toBe('15');
    expect(errors).toEqual([]);
  });
});
