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

/** A page in a fresh browser context of the e2e environment, recording page errors; closed after the test. */
export async function gridPage(
  env: { browser: import('playwright-core').Browser; contexts: import('playwright-core').BrowserContext[]; relay: { httpUrl: string } },
  viewport = { width: 1280, height: 800 },
  /** the browser's language (the app follows it), e.g. 'es-ES' */
  locale?: string,
) {
  const context = await env.browser.newContext({ viewport, locale });
  env.contexts.push(context);
  // A locator that never appears fails on its own, naming itself, before the test timeout.
  context.setDefaultTimeout(15_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.relay.httpUrl });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

/** Opens the app and makes a new blank workbook; resolves once its grid is on screen. */
export async function newWorkbook(page: Page, httpUrl: string): Promise<void> {
  await page.goto(`${httpUrl}/`);
  await page.getByRole('button', { name: 'New workbook' }).click();
  await page.getByRole('grid').waitFor();
}

/** Says who this person is (the app asks before their first edit is recorded under a name). */
export async function setYourName(page: Page, name: string): Promise<void> {
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Your name').press('Enter');
}

/** Renames column `col` and gives it a type through Column settings; resolves once the dialog is closed. */
export async function retypeColumn(page: Page, col: number, name: string, type: string): Promise<void> {
  await cell(page, 0, col).click();
  await gridToolbar(page).getByRole('button', { name: 'Column settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Column settings' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Type').selectOption(type);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Types each value into a column from row 0 down, Enter after each. */
export async function typeDown(page: Page, col: number, values: string[], fromRow = 0): Promise<void> {
  await cell(page, fromRow, col).click();
  for (const v of values) {
    await page.keyboard.type(v);
    await page.keyboard.press('Enter');
  }
}

/** The selected cells' positions as "row:col" (0-based data cells), from the DOM's aria-selected. */
export const selectedCells = (page: Page) =>
  page.locator('[role="gridcell"][aria-selected="true"]').evaluateAll((els) =>
    els.map((el) => `${Number(el.parentElement!.getAttribute('aria-rowindex')) - 2}:${Number(el.getAttribute('aria-colindex')) - 2}`).sort(),
  );

