import { describe, expect, it } from 'vitest';
import { e2eEnvironment } from '../support/e2e.js';
import { shareLink } from '../support/links.js';
import { cell, cellText, gridPage, gridToolbar, newWorkbook, retypeColumn, setYourName, typeDown } from '../support/grid-page.js';

const env = e2eEnvironment();

describe('e2e: formulas in the grid', () => {
  it('=SUM(B1:B4) totals; a colleague inserts a row inside the range: both see the range grow and the same total; F2 shows the formula in A1 for the current order', async () => {
    const { page: ana, errors } = await gridPage(env);
    await newWorkbook(ana, env.relay.httpUrl);
    await setYourName(ana, 'Ana');
    await retypeColumn(ana, 1, 'Qty', 'number');
    await typeDown(ana, 1, ['1', '2', '3', '4']);
    await cell(ana, 0, 2).click();
    await ana.keyboard.type('=SUM(B1:B4)');
    await ana.keyboard.press('Enter');
    await expect.poll(() => cellText(ana, 0, 2)).toBe('10');

    const { page: ben } = await gridPage(env);
    await ben.goto(await shareLink(ana));
    await setYourName(ben, 'Ben');
    await expect.poll(() => cellText(ben, 0, 2)).toBe('10');
    // Ben adds a row under B2, inside the range, and counts 5 in it.
    await cell(ben, 1, 1).click();
    await gridToolbar(ben).getByRole('button', { name: 'Add row' }).click();
    await cell(ben, 2, 1).click();
    await ben.keyboard.type('5');
    await ben.keyboard.press('Enter');
    await expect.poll(() => cellText(ben, 0, 2)).toBe('15');
    await expect.poll(() => cellText(ana, 0, 2)).toBe('15');
    // The references are ids: named in A1 for the order each sees now, the range is one row longer.
    await cell(ana, 0, 2).click();
    await ana.getByText('=SUM(B1:B5) → 15').waitFor();
    await ana.keyboard.press('F2');
    const editor = cell(ana, 0, 2).locator('input, textarea');
    expect(await editor.inputValue()).toBe('=SUM(B1:B5)');
    await ana.keyboard.press('Escape');

    // An error value is shown with what it means; a formula that cannot be read keeps the editor open and says why.
    await cell(ana, 1, 2).click();
    await ana.keyboard.type('=B1/0');
    await ana.keyboard.press('Enter');
    const div = cell(ana, 1, 2).locator('.formula-error');
    await div.getByText('#DIV/0!').waitFor();
    expect(await div.getAttribute('title')).toContain('Divided by zero');
    await cell(ana, 2, 2).click();
    await ana.keyboard.type('=SUM(B1');
    await ana.keyboard.press('Enter');
    await ana.getByText('This is not a formula the app can read').waitFor();
    await ana.keyboard.press('Escape');
    expect(await cellText(ana, 2, 2)).toBe('');
    expect(errors).toEqual([]);
  });
});
