import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { activeAt, cell, cellText as text, focusInGrid, gridPage, gridToolbar, newWorkbook, selectedCells, typeDown } from '../support/grid-page.js';

/** Behaviours of the grid as Sheets users expect them, at laptop sizes, in real Chromium against the real relay. */
const env = e2eEnvironment();
const LAPTOP = { width: 1024, height: 768 };

/** The selected cells of rows `rows` × columns `cols`, as selectedCells() lists them. */
const block = (rows: number[], cols: number[]) => rows.flatMap((r) => cols.map((c) => `${r}:${c}`)).sort();

async function setColumnType(page: Page, col: number, type: string, name?: string) {
  await cell(page, 0, col).click();
  await gridToolbar(page).getByRole('button', { name: 'Column settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Column settings' });
  if (name) await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Type').selectOption(type);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

describe('e2e: the grid as Sheets users drive it', () => {
  it('after Shift-extending, an arrow moves from the active cell; Shift+Space / Ctrl+Space take all the range’s rows / columns', async () => {
    const { page, errors } = await gridPage(env, LAPTOP);
    await newWorkbook(page, env.relay.httpUrl);
    const nCols = Number(await page.getByRole('grid').getAttribute('aria-colcount')) - 1;
    await cell(page, 2, 1).click();
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowRight');
    expect(await selectedCells(page)).toEqual(block([2, 3, 4], [1, 2]));
    // The active cell stayed where the range began.
    await activeAt(page, 2, 1);
    await page.keyboard.press('ArrowDown');
    await activeAt(page, 3, 1);
    expect(await selectedCells(page)).toEqual(['3:1']);

    // A two-row range: Shift+Space selects both rows, whole.
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+Space');
    expect(await selectedCells(page)).toEqual(block([3, 4], [...Array(nCols).keys()]));
    await activeAt(page, 3, 1);
    // A two-column range: Ctrl+Space selects both columns, down every row (the rendered ones at least).
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Control+Space');
    const cols = await selectedCells(page);
    expect(new Set(cols.map((c) => c.split(':')[1]))).toEqual(new Set(['1', '2']));
    expect(cols).toContain('0:1');
    expect(cols).toContain('19:2');
    expect(await focusInGrid(page)).toBe('in grid');
    expect(errors).toEqual([]);
  });

  it('Ctrl+End goes to the last data cell and shows it above the sticky column figures', async () => {
    const { page, errors } = await gridPage(env, LAPTOP);
    await newWorkbook(page, env.relay.httpUrl);
    await typeDown(page, 0, ['Rice']);
    await typeDown(page, 2, ['last'], 18);
    await page.locator('sheet-grid .summaries').waitFor();
    await cell(page, 0, 0).click();
    await page.keyboard.press('Control+End');
    await activeAt(page, 18, 2);
    const active = (await cell(page, 18, 2).boundingBox())!;
    const figures = (await page.locator('sheet-grid .summaries').boundingBox())!;
    // Fully in view, and not under the figures row.
    expect(active.y + active.height).toBeLessThanOrEqual(figures.y + 1);
    expect(active.y).toBeGreaterThan(0);
    expect(await focusInGrid(page)).toBe('in grid');
    expect(errors).toEqual([]);
  });

  it('a cell’s tooltip names the cell under the pointer after the grid scrolls sideways', async () => {
    const { page, errors } = await gridPage(env, LAPTOP);
    await newWorkbook(page, env.relay.httpUrl);
    // Fifteen columns, each cell of the second row saying which it is; the active cell stays in the first row, so the
    // second row's cell elements are reused for other columns as the grid scrolls (no new element under the pointer).
    await cell(page, 0, 0).click();
    const line = (r: number) => Array.from({ length: 15 }, (_, i) => (r ? `value ${i}` : `top ${i}`)).join('\t');
    await page.evaluate((text) => navigator.clipboard.writeText(text), `${line(0)}\n${line(1)}`);
    await page.keyboard.press('Control+v');
    await page.getByRole('grid').and(page.locator('[aria-colcount="16"]')).waitFor();
    await cell(page, 0, 0).click();
    const scrollTo = (x: number) =>
      page.evaluate((left) => {
        const root = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!.querySelector('sheet-grid')!.shadowRoot!;
        root.querySelector('.scroller')!.scrollLeft = left;
      }, x);
    const under = (x: number, y: number) =>
      page.evaluate(
        ([px, py]) => {
          const root = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!.querySelector('sheet-grid')!.shadowRoot!;
          const el = root.elementFromPoint(px, py)?.closest('.cell') as HTMLElement | null;
          return { text: el?.textContent?.trim() ?? '', title: el?.getAttribute('title') ?? null };
        },
        [x, y],
      );
    const frames = () => page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    await scrollTo(360);
    await frames();
    const box = (await page.locator('[role="gridcell"]', { hasText: 'value 6' }).boundingBox())!;
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    // The title is about the cell the pointer is on: its own value, row 2 (the second row).
    const names = async () => {
      const u = await under(x, y);
      return u.title?.split('\n')[0].endsWith(`, row 2: ${u.text}`) ? u.text : `title ${u.title} on ${u.text}`;
    };
    await expect.poll(names).toMatch(/^value \d+$/);
    const before = Number((await under(x, y)).text.split(' ')[1]);
    // Three columns further, the pointer resting: the spot shows another cell, and its tooltip says so.
    await scrollTo(720);
    await frames();
    await expect.poll(async () => (await under(x, y)).text).toBe(`value ${before + 3}`);
    await expect.poll(names).toBe(`value ${before + 3}`);
    expect(errors).toEqual([]);
  });

  it('a filtered and sorted view numbers its rows as the sheet does', async () => {
    const { page, errors } = await gridPage(env, LAPTOP);
    await newWorkbook(page, env.relay.httpUrl);
    await typeDown(page, 0, ['pear', 'apple', 'fig', 'apricot']);
    await cell(page, 0, 0).click();
    await gridToolbar(page).getByRole('button', { name: 'Sort & filter' }).click();
    const menu = page.getByRole('dialog', { name: /My view/ });
    await menu.getByLabel('Filter value').fill('ap');
    await menu.getByRole('button', { name: 'Apply filter' }).click();
    await page.locator('[role="grid"][aria-rowcount="3"]').waitFor();
    const numbers = () => page.getByRole('rowheader').allTextContents();
    expect((await numbers()).map((n) => n.trim())).toEqual(['2', '4']);
    await gridToolbar(page).getByRole('button', { name: 'Sort & filter' }).click();
    await menu.getByRole('button', { name: 'Sort Z → A' }).click();
    await cell(page, 0, 0).getByText('apricot').waitFor();
    // Row 4 first now (sorted), still called row 4 — here and in the footer.
    const rows = await page.getByRole('row').evaluateAll((els) =>
      els.slice(1).map((r) => [r.querySelector('[role="rowheader"]')?.textContent?.trim(), r.querySelector('[aria-colindex="2"]')?.textContent?.trim()].join(' ')),
    );
    expect(rows.sort()).toEqual(['2 apple', '4 apricot']);
    await cell(page, 0, 0).click();
    await page.locator('sheet-grid .footer').getByText(/^A, row 4: apricot/).waitFor();
    expect(errors).toEqual([]);
  });

  it('long text opens a multi-line editor big enough to read: Enter saves, Shift+Enter is a new line', async () => {
    const { page, errors } = await gridPage(env, LAPTOP);
    await newWorkbook(page, env.relay.httpUrl);
    await setColumnType(page, 1, 'longtext', 'Notes');
    await cell(page, 0, 1).click();
    await page.keyboard.press('Enter');
    const editor = page.locator('sheet-grid textarea.long-editor');
    await editor.waitFor();
    const size = (await editor.boundingBox())!;
    expect(size.width).toBeGreaterThanOrEqual(400);
    expect(size.height).toBeGreaterThanOrEqual(150);
    await page.keyboard.type('Needs a ramp');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('Call before noon');
    expect(await editor.inputValue()).toBe('Needs a ramp\nCall before noon');
    await page.keyboard.press('Enter');
    await editor.waitFor({ state: 'detached' });
    await activeAt(page, 1, 1);
    // The cell shows the first line; the editor, reopened, all of it.
    expect(await text(page, 0, 1)).toBe('Needs a ramp');
    // The header above changes while a write is being saved: click once it has settled.
    await page.getByTestId('sync-status').getByText('Synced').waitFor();
    await cell(page, 0, 1).dblclick();
    expect(await editor.inputValue()).toBe('Needs a ramp\nCall before noon');
    await page.keyboard.press('Escape');
    // In a plain text column, text over 60 characters opens it too; short text edits in the cell.
    const long = 'Church hall on 5th and Main: side door, ask for Ana at the desk';
    await typeDown(page, 0, [long]);
    await page.getByTestId('sync-status').getByText('Synced').waitFor();
    await cell(page, 0, 0).click();
    await page.keyboard.press('F2');
    await editor.waitFor();
    expect(await editor.inputValue()).toBe(long);
    await page.keyboard.press('Escape');
    await cell(page, 2, 0).click();
    await page.keyboard.press('F2');
    await page.getByLabel('Edit A').waitFor();
    expect(await editor.count()).toBe(0);
    await page.keyboard.press('Escape');
    expect(await focusInGrid(page)).toBe('in grid');
    expect(errors).toEqual([]);
  });

  for (const viewport of [
    { width: 1024, height: 768 },
    { width: 1280, height: 800 },
  ]) {
    it(`at ${viewport.width}×${viewport.height}, a cut column name or status chip says all of it on hover`, async () => {
      const { page, errors } = await gridPage(env, viewport);
      await newWorkbook(page, env.relay.httpUrl);
      const name = 'Delivery address or pickup point';
      await setColumnType(page, 0, 'text', name);
      await cell(page, 0, 1).click();
      await gridToolbar(page).getByRole('button', { name: 'Column settings' }).click();
      const dialog = page.getByRole('dialog', { name: 'Column settings' });
      await dialog.getByLabel('Type').selectOption('select');
      await dialog.getByLabel(/Options/).fill('Waiting for a volunteer\nDone');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await typeDown(page, 1, ['Waiting for a volunteer']);
      const header = page.getByRole('columnheader', { name: new RegExp(`^${name}`) });
      const cut = await header.locator('.name').evaluate((el) => el.scrollWidth > el.clientWidth);
      expect(cut).toBe(true);
      expect(await header.getAttribute('title')).toContain(name);
      const chip = cell(page, 0, 1).locator('.chip');
      await chip.waitFor();
      expect(await chip.getAttribute('title')).toBe('Waiting for a volunteer');
      expect(errors).toEqual([]);
    });
  }
});
