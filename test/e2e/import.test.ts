import * as X from '@e965/xlsx';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText as text, gridPage, newWorkbook } from '../support/grid-page.js';

const env = e2eEnvironment();

/**
 * A volunteer roster as groups keep them in Excel: a title row, a merged
 * "Contact" header over two columns, shift start and end as times of day
 * (with seconds) and a whole-column dropdown validation.
 */
function rosterXlsx(): Buffer {
  const time = (h: number, m: number, s = 0) => ({ t: 'n', v: (h * 3600 + m * 60 + s) / 86400, z: 'hh:mm:ss' });
  const ws = X.utils.aoa_to_sheet([
    ['Volunteer roster — March'],
    ['Name', 'Contact', null, 'Start', 'End', 'Shifts'],
    ['Ana', '555-0100', 'ana@example.org', time(9, 30, 15), time(13, 0), 3],
    ['Ben', '555-0101', 'ben@example.org', time(14, 0), time(18, 45, 30), 2],
    ['Cal', '555-0102', 'cal@example.org', time(7, 15), time(11, 15), 4],
  ]);
  ws['!merges'] = [{ s: { r: 1, c: 1 }, e: { r: 1, c: 2 } }];
  const wb = X.utils.book_new();
  X.utils.book_append_sheet(wb, ws, 'Roster');
  return X.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

async function importFile(page: Page, name: string, content: Buffer, mimeType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet') {
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Import from CSV or Excel' });
  await dialog.getByLabel('Choose a file').setInputFiles({ name, mimeType, buffer: content });
  return dialog;
}

describe('e2e: importing what other tools wrote', () => {
  it('a roster with a title row, a merged header and times of day: header row picked in the preview, right columns and types', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    const dialog = await importFile(page, 'roster.xlsx', rosterXlsx());

    // The title row is skipped on its own: row 2 is the header, the merge is said.
    const headerRow = dialog.getByLabel('Header row of Roster');
    await headerRow.waitFor();
    expect(await headerRow.inputValue()).toBe('1');
    await dialog.getByText('The 1 row above the header (a title) is left out.').waitFor();
    await dialog.getByText('1 merged range: its value is kept once, in its top-left cell.').waitFor();

    // Picking the title as the header makes every column text named by the title…
    await headerRow.selectOption('0');
    await dialog.getByLabel('Type of Volunteer roster — March').waitFor();
    expect(await dialog.getByLabel('Type of Shifts').count()).toBe(0);
    // …and picking row 2 again gives the columns back, the merged header naming both columns under it.
    await headerRow.selectOption('1');
    await dialog.getByLabel('Type of Shifts').waitFor();
    expect(await dialog.getByLabel('Type of Shifts').inputValue()).toBe('number');
    expect(await dialog.getByLabel('Type of Contact', { exact: true }).inputValue()).toBe('phone');
    expect(await dialog.getByLabel('Type of Contact (2)').inputValue()).toBe('text');
    expect(await dialog.getByLabel('Type of Start').inputValue()).toBe('text');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.getByRole('status').getByText('Imported 3 rows.').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('tab', { name: /Roster/ }).waitFor();
    const headers = await page.locator('[role="columnheader"]').allTextContents();
    for (const name of ['Name', 'Contact', 'Contact (2)', 'Start', 'End', 'Shifts']) expect(headers.some((h) => h.includes(name)), `${name} in ${headers.join(' | ')}`).toBe(true);
    await cell(page, 0, 0).getByText('Ana').waitFor();
    // Times of day arrive as the time, seconds kept: never 1899-12-30T09:30.
    expect([await text(page, 0, 3), await text(page, 0, 4), await text(page, 1, 4), await text(page, 2, 5)]).toEqual(['09:30:15', '13:00:00', '18:45:30', '4']);
    expect(await text(page, 0, 2)).toBe('ana@example.org');
    expect(errors).toEqual([]);
  });

  it('a European CSV in a legacy encoding: encoding guessed with alternatives, separator and decimal comma detected, a stray quote listed, each changeable', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    // Windows-1251 (Cyrillic), ; separated, 2,5 for two and a half, and a 12" in an unquoted field.
    const head = Buffer.from('Name;Qty;Note\r\n', 'latin1');
    const ivan = Buffer.from([0xc8, 0xe2, 0xe0, 0xed]);
    const body = Buffer.concat([ivan, Buffer.from(';2,5;12" pipe\r\nOlga;10;ok\r\nPiet;1,25;ok\r\n', 'latin1')]);
    const dialog = await importFile(page, 'stock.csv', Buffer.concat([head, body]), 'text/csv');
    await dialog.getByLabel('Type of Qty').waitFor();
    expect(await dialog.getByLabel('Text encoding').inputValue()).toBe('windows-1251');
    await dialog.getByText(/The encoding was guessed: if letters look wrong, try .*WINDOWS-1252/).waitFor();
    expect(await dialog.getByLabel('Separator').inputValue()).toBe(';');
    expect(await dialog.getByLabel('Decimal mark').inputValue()).toBe(',');
    expect(await dialog.getByLabel('Type of Qty').inputValue()).toBe('number');
    await dialog.getByText('A quote in lines 2 did not open or close a field and was kept as a character: check those rows.').waitFor();
    await dialog.locator('td.sample').getByText(/Иван/).waitFor();

    // Read as Windows-1252 instead: the same bytes, other letters; read with a point decimal mark: 2,5 is no longer a number.
    await dialog.getByLabel('Text encoding').selectOption('windows-1252');
    await dialog.locator('td.sample').getByText(/Èâàí/).waitFor();
    await dialog.getByLabel('Decimal mark').selectOption('.');
    // Read again with a point: 2,5 and 1,25 are not numbers, so Qty is text.
    await dialog.locator('select[aria-label="Type of Qty"] option[value="text"]:checked').waitFor({ state: 'attached' });
    // Back to what was guessed, and import.
    await dialog.getByLabel('Text encoding').selectOption('windows-1251');
    await dialog.locator('td.sample').getByText(/Иван/).waitFor();
    await dialog.getByLabel('Decimal mark').selectOption(',');
    await dialog.locator('select[aria-label="Type of Qty"] option[value="number"]:checked').waitFor({ state: 'attached' });
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.getByRole('status').getByText('Imported 3 rows.').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await cell(page, 0, 0).getByText('Иван').waitFor();
    expect([await text(page, 0, 1), await text(page, 2, 1), await text(page, 0, 2)]).toEqual(['2.5', '1.25', '12" pipe']);
    expect(errors).toEqual([]);
  });
});
