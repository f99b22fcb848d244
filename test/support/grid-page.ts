import type { Page } from 'playwright-core';

/** The grid cell at (row, col), both 0-based over data cells, found by ARIA role and indices. */
export const cell = (page: Page, row: number, col: number) =>
  page.locator(`[role="row"][aria-rowindex="${row + 2}"] [role="gridcell"][aria-colindex="${col + 2}"]`);

/** What the cell shows as its value, not the name tags of people standing on it. */
export const cellText = async (page: Page, row: number, col: number) =>
  (
    await cell(page, row, col).evaluate((el) => {
      const copy = el.cloneNode(true) as HTMLElement;
      copy.querySelectorAll('.peer-tag').forEach((t) => t.remove());
      return copy.textContent ?? '';
    })
  ).trim();

/** The element that really has focus (through shadow roots): 'in grid', or where it is instead. */
export const focusInGrid = (page: Page) =>
  page.evaluate(() => {
    let a: Element | null = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    const where = a ? `${a.tagName.toLowerCase()}${a.getAttribute('aria-label') ? `[${a.getAttribute('aria-label')}]` : ''}` : 'nothing';
    return a?.closest('[role="grid"]') ? 'in grid' : `outside the grid: ${where}`;
  });

/** Waits until the cell at (row, col) is the active one. */
export const activeAt = (page: Page, row: number, col: number) => cell(page, row, col).and(page.locator('.active')).waitFor();

/** The grid's toolbar ("Sheet actions"). */
export const gridToolbar = (page: Page) => page.getByRole('toolbar', { name: 'Sheet actions' });
