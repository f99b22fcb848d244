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
