import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText, gridPage, gridToolbar, newWorkbook, typeDown } from '../support/grid-page.js';

const env = e2eEnvironment();

async function numberColumn(page: Page, col: number, name: string) {
  await cell(page, 0, col).click();
  await gridToolbar(page).getByRole('button', { name: 'Column settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Column settings' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Type').selectOption('number');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

const editor = (page: Page, row: number, col: number) => cell(page, row, col).locator('input, textarea');

/** The outlines on the grid now: each reference's text, the view cells it covers, and its border colour. */
const outlines = (page: Page) =>
  page.locator('.formula-outline').evaluateAll((els) =>
    els.map((el) => ({ ref: el.getAttribute('data-ref'), cells: el.getAttribute('data-cells'), color: getComputedStyle(el).borderTopColor })),
  );

const chips = (page: Page) => page.locator('.formula-refs .ref').allTextContents();

describe('e2e: editing a formula in the grid', () => {
  it('arrows after =SUM( point at cells and Shift+arrows stretch the range, outlined; Enter enters it; arrows elsewhere move the caret; Ctrl+arrows jump', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await numberColumn(page, 1, 'Qty');
    await typeDown(page, 1, ['1', '2', '3', '4', '5']);
    await cell(page, 0, 2).click();
    await page.keyboard.type('=SUM(');
    // From the cell being edited (C1): down to C2, left to B2, then stretched down to B4.
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => editor(page, 0, 2).inputValue()).toBe('=SUM(C2');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => editor(page, 0, 2).inputValue()).toBe('=SUM(B2');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(() => editor(page, 0, 2).inputValue()).toBe('=SUM(B2:B4');
    await expect.poll(() => outlines(page)).toEqual([{ ref: 'B2:B4', cells: '1:1-3:1', color: 'rgb(11, 87, 208)' }]);
    expect(await chips(page)).toEqual(['B2:B4']);
    // The reference being pointed at is dashed, as the moving pointer.
    expect(await page.locator('.formula-outline.pointed').getAttribute('data-ref')).toBe('B2:B4');
    // The chips are the editor's description, for a screen reader (they are hidden from the grid's tree).
    expect(await editor(page, 0, 2).getAttribute('aria-describedby')).toBe('formula-refs');
    expect(await page.locator('#formula-refs').textContent()).toMatch(/References in the formula:\s*B2:B4/);
    // Said to a screen reader, and the grid's selection never left the cell being edited.
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Reference B2:B4 inserted' }).count()).toBe(1);
    expect(await cell(page, 0, 2).getAttribute('class')).toContain('active');
    // Typed on: the reference stays, and the outlines follow the typing.
    await page.keyboard.type(')+B1');
    await expect.poll(() => outlines(page)).toEqual([
      { ref: 'B2:B4', cells: '1:1-3:1', color: 'rgb(11, 87, 208)' },
      { ref: 'B1', cells: '0:1-0:1', color: 'rgb(197, 34, 31)' },
    ]);
    expect(await chips(page)).toEqual(['B2:B4', 'B1']);
    expect(await page.locator('.formula-outline.pointed').count()).toBe(0);
    // After a reference the arrows are the caret's again: Left moves it, the text stays.
    await page.keyboard.press('ArrowLeft');
    expect(await editor(page, 0, 2).inputValue()).toBe('=SUM(B2:B4)+B1');
    expect(await editor(page, 0, 2).evaluate((el: HTMLTextAreaElement) => el.selectionStart)).toBe(13);
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Enter');
    await expect.poll(() => cellText(page, 0, 2)).toBe('9');
    expect(await page.locator('.formula-outline').count()).toBe(0);

    // F2 on the formula: its range outlined in its colour again; Escape leaves it as it was.
    await cell(page, 0, 2).click();
    await page.keyboard.press('F2');
    await expect.poll(() => outlines(page)).toEqual([{ ref: 'B2:B4', cells: '1:1-3:1', color: 'rgb(11, 87, 208)' }]);
    await page.keyboard.press('Escape');
    expect(await page.locator('.formula-outline').count()).toBe(0);
    expect(await cellText(page, 0, 2)).toBe('9');

    // Ctrl+arrows jump to the data's edge while pointing, Ctrl+Shift stretches there: a long column in one key.
    await cell(page, 5, 2).click();
    await page.keyboard.type('=SUM(');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Control+ArrowUp');
    await expect.poll(() => editor(page, 5, 2).inputValue()).toBe('=SUM(B5');
    await page.keyboard.press('Control+Shift+ArrowUp');
    await expect.poll(() => editor(page, 5, 2).inputValue()).toBe('=SUM(B1:B5');
    await page.keyboard.type(')');
    await page.keyboard.press('Enter');
    await expect.poll(() => cellText(page, 5, 2)).toBe('15');
    expect(errors).toEqual([]);
  });

  it('a click while editing a formula puts the clicked cell in, a drag a range, and the editor keeps the keyboard', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await numberColumn(page, 1, 'Qty');
    await typeDown(page, 1, ['1', '2', '3', '4', '5']);
    await cell(page, 1, 2).click();
    await page.keyboard.type('=B1+');
    await cell(page, 4, 1).click();
    await expect.poll(() => editor(page, 1, 2).inputValue()).toBe('=B1+B5');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Reference B5 inserted' }).count()).toBe(1);
    // A second click replaces the reference just pointed at; each reference its own colour.
    await cell(page, 3, 1).click();
    await expect.poll(() => editor(page, 1, 2).inputValue()).toBe('=B1+B4');
    const two = await outlines(page);
    expect(two.map((o) => o.ref)).toEqual(['B1', 'B4']);
    expect(two[0].color).not.toBe(two[1].color);
    await page.keyboard.press('Enter');
    await expect.poll(() => cellText(page, 1, 2)).toBe('5');

    // A drag from B1 to B3 puts the range in.
    await cell(page, 2, 2).click();
    await page.keyboard.type('=SUM(');
    const from = (await cell(page, 0, 1).boundingBox())!;
    const to = (await cell(page, 2, 1).boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => editor(page, 2, 2).inputValue()).toBe('=SUM(B1:B3');
    await expect.poll(() => outlines(page)).toEqual([{ ref: 'B1:B3', cells: '0:1-2:1', color: 'rgb(11, 87, 208)' }]);
    await page.keyboard.type(')');
    await page.keyboard.press('Enter');
    await expect.poll(() => cellText(page, 2, 2)).toBe('6');

    // Not where a reference may go (after a value): a click commits and moves, as before.
    await cell(page, 3, 2).click();
    await page.keyboard.type('=B1*2');
    await cell(page, 4, 3).click();
    await expect.poll(() => cellText(page, 3, 2)).toBe('2');
    expect(await cell(page, 4, 3).getAttribute('class')).toContain('active');
    expect(errors).toEqual([]);
  });

  it('in a sorted view, pointing writes the sheet\'s A1 (the row numbers shown) and the outlines fall on the rows shown', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await numberColumn(page, 1, 'Qty');
    await typeDown(page, 1, ['1', '2', '3', '4', '5']);
    await cell(page, 0, 1).click();
    await page.getByRole('button', { name: 'Sort & filter' }).click();
    await page.getByRole('dialog', { name: /My view/ }).getByRole('button', { name: 'Sort Z → A' }).click();
    await expect.poll(() => cellText(page, 0, 1)).toBe('5');
    // The top row shown is the sheet's row 5: pointing left of C5 is B5, stretched down over rows 4 and 3.
    await cell(page, 0, 2).click();
    await page.keyboard.type('=SUM(');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(() => editor(page, 0, 2).inputValue()).toBe('=SUM(B3:B5');
    await page.keyboard.type(',B1');
    await expect.poll(() => outlines(page)).toEqual([
      { ref: 'B3:B5', cells: '0:1-2:1', color: 'rgb(11, 87, 208)' },
      { ref: 'B1', cells: '4:1-4:1', color: 'rgb(197, 34, 31)' },
    ]);
    await page.keyboard.type(')');
    await page.keyboard.press('Enter');
    await expect.poll(() => cellText(page, 0, 2)).toBe('13');
    expect(errors).toEqual([]);
  });

  it('in Spanish the separator is ; (a reference may follow it) and the inserted reference is announced in Spanish', async () => {
    const { page, errors } = await gridPage(env, undefined, 'es-ES');
    await page.goto(`${env.relay.httpUrl}/`);
    await page.getByRole('button', { name: 'Nuevo libro' }).click();
    await page.getByRole('grid').waitFor();
    await cell(page, 0, 2).click();
    await page.keyboard.type('=SUM(');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => editor(page, 0, 2).inputValue()).toBe('=SUM(B1');
    await page.keyboard.type(';');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => editor(page, 0, 2).inputValue()).toBe('=SUM(B1;B2');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Referencia B2 insertada' }).count()).toBe(1);
    expect(await page.locator('#formula-refs').textContent()).toMatch(/Referencias de la fórmula:\s*B1\s*B2/);
    await page.keyboard.type(')');
    await page.keyboard.press('Enter');
    await cell(page, 0, 2).click();
    await page.keyboard.press('F2');
    expect(await editor(page, 0, 2).inputValue()).toBe('=SUM(B1;B2)');
    expect(errors).toEqual([]);
  });
});
