import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText, gridPage, newWorkbook, retypeColumn, typeDown } from '../support/grid-page.js';

const env = e2eEnvironment();

async function enter(page: Page, row: number, col: number, text: string) {
  await cell(page, row, col).click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** The formula the cell holds, as F2 opens it for editing. */
async function formulaAt(page: Page, row: number, col: number): Promise<string> {
  await cell(page, row, col).click();
  await page.keyboard.press('F2');
  const editor = cell(page, row, col).locator('input, textarea');
  const text = await editor.inputValue();
  await page.keyboard.press('Escape');
  return text;
}

/** Quantities 1–4 in B (a number column), =B1*2 in C1 and =$B$1+B1 in D1, results shown. */
async function sheetWithFormulas(page: Page) {
  await newWorkbook(page, env.relay.httpUrl);
  await retypeColumn(page, 1, 'Qty', 'number');
  await typeDown(page, 1, ['1', '2', '3', '4']);
  await enter(page, 0, 2, '=B1*2');
  await enter(page, 0, 3, '=$B$1+B1');
  await expect.poll(() => cellText(page, 0, 3)).toBe('2');
  expect(await cellText(page, 0, 2)).toBe('2');
}

describe('e2e: copy and paste of formulas', () => {
  it('C1:D1 copied into C2:D4 shifts the relative parts (=B2*2 …) and keeps $B$1; the text other apps get is the results; undo puts back what was there', async () => {
    const { page, errors } = await gridPage(env);
    await sheetWithFormulas(page);
    await enter(page, 2, 2, '=B3+100');
    await expect.poll(() => cellText(page, 2, 2)).toBe('103');
    await cell(page, 0, 2).click();
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Control+c');
    // what another app would paste: the results, as Sheets gives them
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('2\t2');

    await cell(page, 1, 2).click();
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Control+v');
    await expect.poll(() => cellText(page, 3, 2)).toBe('8');
    expect([await cellText(page, 1, 2), await cellText(page, 2, 2)]).toEqual(['4', '6']);
    expect([await cellText(page, 1, 3), await cellText(page, 2, 3), await cellText(page, 3, 3)]).toEqual(['3', '4', '5']);
    expect(await formulaAt(page, 2, 2)).toBe('=B3*2');
    expect(await formulaAt(page, 3, 3)).toBe('=$B$1+B4');

    // one undo step takes the whole paste back, and the formula C3 held before it is a formula again
    await page.keyboard.press('Control+z');
    await expect.poll(() => cellText(page, 2, 2)).toBe('103');
    expect(await formulaAt(page, 2, 2)).toBe('=B3+100');
    expect(await cellText(page, 1, 2)).toBe('');
    expect(errors).toEqual([]);
  });

  it('a cut moves a formula without shifting it; Ctrl+D fills a formula down shifted; another workbook gets it shifted there', async () => {
    const { page, errors } = await gridPage(env);
    await sheetWithFormulas(page);
    await cell(page, 0, 2).click();
    await page.keyboard.press('Control+x');
    await expect.poll(() => cellText(page, 0, 2)).toBe('');
    await cell(page, 3, 4).click();
    await page.keyboard.press('Control+v');
    await expect.poll(() => cellText(page, 3, 4)).toBe('2');
    expect(await formulaAt(page, 3, 4)).toBe('=B1*2');

    await cell(page, 0, 3).click();
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Control+d');
    await expect.poll(() => cellText(page, 2, 3)).toBe('4');
    expect(await formulaAt(page, 2, 3)).toBe('=$B$1+B3');

    // copied here, pasted into a new workbook in another tab: shifted by the same rule, read there
    await cell(page, 0, 3).click();
    await page.keyboard.press('Control+c');
    const other = await page.context().newPage();
    await newWorkbook(other, env.relay.httpUrl);
    await typeDown(other, 1, ['10', '20']);
    await cell(other, 1, 3).click();
    await other.keyboard.press('Control+v');
    await expect.poll(() => formulaAt(other, 1, 3)).toBe('=$B$1+B2');
    expect(await cellText(other, 1, 3)).toBe('30');
    expect(errors).toEqual([]);
  });

  it('plain text copied from a textarea outside the grid pastes as values; a line starting with = is entered as the formula typed there', async () => {
    const { page, errors } = await gridPage(env);
    await sheetWithFormulas(page);
    await page.evaluate(() => {
      const area = document.createElement('textarea');
      area.id = 'outside';
      area.value = '5\tB1*2\n=B2*10\tsoap';
      document.body.append(area);
    });
    await page.locator('#outside').focus();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Control+c');
    await cell(page, 5, 2).click();
    await page.keyboard.press('Control+v');
    await expect.poll(() => cellText(page, 6, 3)).toBe('soap');
    expect([await cellText(page, 5, 2), await cellText(page, 5, 3)]).toEqual(['5', 'B1*2']);
    expect(await formulaAt(page, 5, 3)).toBe('B1*2');
    expect(await cellText(page, 6, 2)).toBe('20');
    expect(await formulaAt(page, 6, 2)).toBe('=B2*10');
    expect(errors).toEqual([]);
  });

  it('a browser that keeps only the HTML still pastes formulas (the marker rides on our table); a marker that fails its checks pastes values', async () => {
    const { page, errors } = await gridPage(env);
    await sheetWithFormulas(page);
    await cell(page, 0, 2).click();
    const copied = await page.evaluate(() => {
      const grid = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!.querySelector('sheet-grid')!;
      const dt = new DataTransfer();
      grid.shadowRoot!.querySelector('.cell.active')!.dispatchEvent(new ClipboardEvent('copy', { clipboardData: dt, bubbles: true, composed: true }));
      return { html: dt.getData('text/html'), plain: dt.getData('text/plain'), marker: dt.getData('application/x-mutual-sheets+json') };
    });
    expect(copied.plain).toBe('2');
    expect(copied.html).toContain('data-mutual-sheets=');
    const pasteAt = async (row: number, col: number, data: Record<string, string>) => {
      await cell(page, row, col).click();
      await page.evaluate((d) => {
        const grid = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!.querySelector('sheet-grid')!;
        const dt = new DataTransfer();
        for (const [type, text] of Object.entries(d)) dt.setData(type, text);
        grid.shadowRoot!.querySelector('.cell.active')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, composed: true }));
      }, data);
    };
    await pasteAt(3, 2, { 'text/html': copied.html, 'text/plain': copied.plain });
    await expect.poll(() => cellText(page, 3, 2)).toBe('8');
    expect(await formulaAt(page, 3, 2)).toBe('=B4*2');

    // the same cell claimed by a marker naming a cell outside its block: not ours, the text is pasted
    const forged = JSON.stringify({ ...JSON.parse(copied.marker), f: [[5, 0, 0, 2, '=B1*2']] });
    await pasteAt(2, 2, { 'application/x-mutual-sheets+json': forged, 'text/plain': '77' });
    await expect.poll(() => cellText(page, 2, 2)).toBe('77');
    expect(await formulaAt(page, 2, 2)).toBe('77');
    expect(errors).toEqual([]);
  });
});
