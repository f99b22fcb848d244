import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { activeAt, cell, gridPage, newWorkbook, typeDown } from '../support/grid-page.js';

const env = e2eEnvironment();

/** The cells find marks now, as "row:col" (0-based data cells), and the one marked as gone to. */
async function marked(page: Page): Promise<{ all: string[]; current: string[] }> {
  const at = (selector: string) =>
    page.locator(selector).evaluateAll((els) =>
      els.map((el) => `${Number(el.parentElement!.getAttribute('aria-rowindex')) - 2}:${Number(el.getAttribute('aria-colindex')) - 2}`).sort(),
    );
  return { all: await at('[role="gridcell"].found'), current: await at('[role="gridcell"].found-current') };
}

/** Waits until find marks exactly these cells (it follows the bar after each render). */
async function waitMarked(page: Page, all: string[], current: string[]) {
  await page.waitForFunction(
    ({ all, current }) => {
      // The grid sits in nested shadow roots: look through all of them.
      const deep = (root: Document | ShadowRoot, selector: string): Element[] => [
        ...root.querySelectorAll(selector),
        ...[...root.querySelectorAll('*')].flatMap((el) => (el.shadowRoot ? deep(el.shadowRoot, selector) : [])),
      ];
      const grid = { querySelectorAll: (selector: string) => deep(document, selector) };
      const key = (el: Element) => `${Number(el.parentElement!.getAttribute('aria-rowindex')) - 2}:${Number(el.getAttribute('aria-colindex')) - 2}`;
      const a = [...grid.querySelectorAll('[role="gridcell"].found')].map(key).sort();
      const c = [...grid.querySelectorAll('[role="gridcell"].found-current')].map(key).sort();
      return JSON.stringify(a) === JSON.stringify(all) && JSON.stringify(c) === JSON.stringify(current);
    },
    { all, current },
  );
}

describe('e2e: find marks its matches in the grid', () => {
  it('every matching cell is marked while the bar has a query, the one gone to more strongly; an edit, a new query and closing update the marks', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await typeDown(page, 0, ['Rice', 'Beans', 'rice flour', 'Oil']);
    await typeDown(page, 1, ['2', 'brown rice', '', 'x']);
    await cell(page, 0, 0).click();
    await page.keyboard.press('Control+f');
    const search = page.getByRole('search', { name: 'Find and replace' });
    const find = search.getByLabel('Find', { exact: true });
    await find.waitFor();
    // No query, nothing marked.
    expect(await marked(page)).toEqual({ all: [], current: [] });

    await find.fill('rice');
    await search.getByRole('status').getByText('3 matches').waitFor();
    await waitMarked(page, ['0:0', '1:1', '2:0'], []);

    // Enter goes to the first match: it is the one marked as current.
    await find.press('Enter');
    await activeAt(page, 0, 0);
    await waitMarked(page, ['0:0', '1:1', '2:0'], ['0:0']);
    await find.press('Enter');
    await activeAt(page, 1, 1);
    await waitMarked(page, ['0:0', '1:1', '2:0'], ['1:1']);

    // Match case narrows the marks with the count.
    await search.getByLabel('Match case').check();
    await search.getByRole('status').getByText(/2 matches|1 of 2/).waitFor();
    await waitMarked(page, ['1:1', '2:0'], ['1:1']);

    // A cell edited to match is marked as soon as it is written (the bar follows the workbook).
    await search.getByLabel('Match case').uncheck();
    await cell(page, 3, 0).click();
    await page.keyboard.type('Wild rice');
    await page.keyboard.press('Enter');
    await waitMarked(page, ['0:0', '1:1', '2:0', '3:0'], ['1:1']);

    // Closing the bar clears every mark.
    await find.focus();
    await find.press('Escape');
    await search.waitFor({ state: 'hidden' });
    await waitMarked(page, [], []);
    expect(errors).toEqual([]);
  });
});
