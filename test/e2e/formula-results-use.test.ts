import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText, gridPage, gridToolbar, newWorkbook, retypeColumn, setYourName, typeDown } from '../support/grid-page.js';

const env = e2eEnvironment();

async function viewMenu(page: Page, col: number) {
  await cell(page, 0, col).click();
  await gridToolbar(page).getByRole('button', { name: 'Sort & filter' }).click();
  const menu = page.getByRole('dialog', { name: /My view/ });
  await menu.waitFor();
  return menu;
}

const column = (page: Page, col: number, rows: number) => Promise.all(Array.from({ length: rows }, (_, r) => cellText(page, r, col)));

describe('e2e: sort, filters, column figures and Activity use formula results', () => {
  it('a computed column sorts and filters by its results, its figures sum them, applying the order writes it; Activity shows =SUM(B1:B5), not ids', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await setYourName(page, 'Ana');
    await retypeColumn(page, 1, 'Qty', 'number');
    await retypeColumn(page, 2, 'Calc', 'number');
    await typeDown(page, 1, ['5', '1', '3', '2']);
    // Calc holds no value in the doc, only formulas: sorting by the doc would leave them in place
    await typeDown(page, 2, ['=B1*10', '=B2*10', '=B3*10', '=B4*10']);
    await expect.poll(() => column(page, 2, 4)).toEqual(['50', '10', '30', '20']);
    await page.locator('sheet-grid .summaries .figure[title^="Calc:"]').getByText('Σ 110 · min 10 · max 50').waitFor();

    let menu = await viewMenu(page, 2);
    await menu.getByRole('button', { name: 'Sort A → Z' }).click();
    await expect.poll(() => column(page, 2, 4)).toEqual(['10', '20', '30', '50']);
    expect(await column(page, 1, 4)).toEqual(['1', '2', '3', '5']);
    // the rows keep their numbers: row 2 (Qty 1) comes first
    expect((await page.getByRole('rowheader').allTextContents()).slice(0, 4).map((s) => s.trim())).toEqual(['2', '4', '3', '1']);

    // A rule on Calc tests results: > 25 leaves 30 and 50 (and the checklist counts results too)
    menu = await viewMenu(page, 2);
    const values = menu.getByRole('group', { name: 'Values of Calc' });
    expect(await values.getByRole('checkbox').evaluateAll((all) => all.map((b) => (b.closest('label')?.textContent ?? '').replace(/\s+/g, ' ').trim()).slice(0, 4))).toEqual([
      '10 (1)',
      '20 (1)',
      '30 (1)',
      '50 (1)',
    ]);
    await menu.getByLabel('Filter rule').selectOption({ label: '>' });
    await menu.getByLabel('Filter value').fill('25');
    await menu.getByRole('button', { name: 'Apply filter' }).click();
    await page.locator('[role="grid"][aria-rowcount="3"]').waitFor();
    await gridToolbar(page).getByText(/Calc > 25/).first().waitFor();
    expect(await column(page, 2, 2)).toEqual(['30', '50']);

    // A change to Qty moves a result past the rule: the filtered view follows the result, not the doc.
    await cell(page, 0, 1).click();
    await page.keyboard.type('1');
    await page.keyboard.press('Enter');
    await page.locator('[role="grid"][aria-rowcount="2"]').waitFor();
    expect(await cellText(page, 0, 2)).toBe('50');

    // Dropping the filter, the sort by results stays; applying it writes that order for everyone.
    await gridToolbar(page).getByRole('button', { name: 'Show all' }).click();
    menu = await viewMenu(page, 2);
    await menu.getByRole('button', { name: 'Sort A → Z' }).click();
    await expect.poll(() => column(page, 2, 4)).toEqual(['10', '10', '20', '50']);
    page.once('dialog', (d) => void d.accept());
    await gridToolbar(page).getByRole('button', { name: 'Apply this order to the sheet' }).click();
    await expect.poll(() => page.getByRole('rowheader').allTextContents().then((all) => all.slice(0, 4).map((s) => s.trim()))).toEqual(['1', '2', '3', '4']);
    expect(await column(page, 2, 4)).toEqual(['10', '10', '20', '50']);

    // Activity names the formula in A1 as the sheet reads now, never the ids it is stored with.
    await cell(page, 0, 3).click();
    await page.keyboard.type('=SUM(B1:B5)');
    await page.keyboard.press('Enter');
    await gridToolbar(page).getByRole('button', { name: 'Activity' }).click();
    const activity = page.getByRole('dialog', { name: 'Activity' });
    await activity.getByText('D, row 1: empty → =SUM(B1:B5)').waitFor();
    expect(await activity.getByRole('list').first().textContent()).not.toMatch(/\{[^}]*@/);
    expect(errors).toEqual([]);
  });

  it('the workbook time zone: set in Activity, an unknown name refused in words, NOW() follows it', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await setYourName(page, 'Ana');
    await cell(page, 0, 1).click();
    await page.keyboard.type('=TEXT(NOW(),"hh")');
    await page.keyboard.press('Enter');
    await expect.poll(() => cellText(page, 0, 1)).toMatch(/^\d\d$/);
    await gridToolbar(page).getByRole('button', { name: 'Activity' }).click();
    const activity = page.getByRole('dialog', { name: 'Activity' });
    await activity.getByText('Workbook time zone').click();
    const field = activity.getByLabel('Time zone', { exact: true });
    await field.fill('Europe/Atlantis');
    await activity.getByRole('button', { name: 'Save time zone' }).click();
    await activity.getByRole('alert').getByText('“Europe/Atlantis” is not a time zone this browser knows.', { exact: false }).waitFor();
    for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      await field.fill(zone);
      await activity.getByRole('button', { name: 'Save time zone' }).click();
      await activity.getByTestId('time-zone').getByText(`TODAY() and NOW() use ${zone} on every device.`).waitFor();
      // the hour NOW() gives is that zone's wall clock, whatever this browser's zone is (NOW() moves on each
      // minute, so the hour a moment ago is right too, across an hour's turn)
      const hourIn = (at: number) => new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(at));
      await expect.poll(async () => [hourIn(Date.now() - 120_000), hourIn(Date.now())].includes(await cellText(page, 0, 1))).toBe(true);
    }
    expect(errors).toEqual([]);
  });
});
