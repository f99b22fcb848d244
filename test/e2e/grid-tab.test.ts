import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { shareLink } from '../support/links.js';
import { cell, cellText as text } from '../support/grid-page.js';

const env = e2eEnvironment();

async function newPage(viewport = { width: 1200, height: 800 }) {
  const context = await env.browser.newContext({ viewport });
  env.contexts.push(context);
  // A locator that never appears fails on its own, naming itself, before the test timeout.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

async function createWorkbook(page: Page): Promise<{ nRows: number; nCols: number }> {
  await page.goto(`${env.relay.httpUrl}/`);
  await page.getByRole('button', { name: 'New workbook' }).click();
  const grid = page.getByRole('grid');
  await grid.waitFor();
  await shareLink(page);
  const nRows = Number(await grid.getAttribute('aria-rowcount')) - 1;
  const nCols = Number(await grid.getAttribute('aria-colcount')) - 1;
  expect(nCols).toBeGreaterThanOrEqual(4);
  return { nRows, nCols };
}

/** The element that really has focus (through shadow roots), and whether it is inside the grid. */
const focusInGrid = (page: Page) =>
  page.evaluate(() => {
    let a: Element | null = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    const where = a ? `${a.tagName.toLowerCase()}${a.getAttribute('aria-label') ? `[${a.getAttribute('aria-label')}]` : ''}` : 'nothing';
    return a?.closest('[role="grid"]') ? 'in grid' : `outside the grid: ${where}`;
  });

/**
 * Every form control outside the grid, with its value (inputs) or pressed/expanded state (buttons), and
 * every dialog's open state: `markControls` remembers them in the page, `changedControls` names those
 * that changed since (controls that appear later, such as a reminder, are not header controls changing).
 */
const markControls = (page: Page) =>
  page.evaluate(() => {
    const state = (el: Element) =>
      el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement
        ? `${el.tagName}[${el.getAttribute('aria-label') ?? el.name}]=${el.value}`
        : el instanceof HTMLDialogElement
          ? `dialog[${el.getAttribute('aria-label') ?? ''}] open=${el.open}`
          : `button[${el.getAttribute('aria-label') ?? el.textContent?.trim()}] expanded=${el.getAttribute('aria-expanded')} pressed=${el.getAttribute('aria-pressed')}`;
    const found: [Element, string][] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) walk(el.shadowRoot);
        if (el.closest('[role="grid"]')) continue;
        if (el.matches('input, textarea, select, button, dialog')) found.push([el, state(el)]);
      }
    };
    walk(document);
    (window as unknown as { __controls: unknown }).__controls = { found, state };
    return found.length;
  });
const changedControls = (page: Page) =>
  page.evaluate(() => {
    const { found, state } = (window as unknown as { __controls: { found: [Element, string][]; state: (el: Element) => string } }).__controls;
    return found.filter(([el, was]) => el.isConnected && state(el) !== was).map(([el, was]) => `${was} → ${state(el)}`);
  });

const activeAt = (page: Page, row: number, col: number) => cell(page, row, col).and(page.locator('.active')).waitFor();

describe('e2e: Tab and Enter keep focus in the grid', () => {
  it('Tab past the last column then type: the text lands in the next row, no header control changed', async () => {
    const { page, errors } = await newPage();
    const { nRows, nCols } = await createWorkbook(page);
    await cell(page, 0, nCols - 1).click();
    expect(await markControls(page)).toBeGreaterThan(0);
    await page.keyboard.press('Tab');
    await activeAt(page, 1, 0);
    expect(await focusInGrid(page)).toBe('in grid');
    await page.keyboard.type('landed');
    expect(await focusInGrid(page)).toBe('in grid');
    await page.keyboard.press('Enter');
    await cell(page, 1, 0).getByText('landed').waitFor();
    expect(await text(page, 0, nCols - 1)).toBe('');
    expect(await focusInGrid(page)).toBe('in grid');
    // The same from the editor: typing in the last column, Tab commits and wraps.
    await cell(page, 2, nCols - 1).click();
    await page.keyboard.type('end');
    await page.keyboard.press('Tab');
    await activeAt(page, 3, 0);
    await page.keyboard.type('next');
    await page.keyboard.press('Enter');
    await cell(page, 3, 0).getByText('next').waitFor();
    expect(await text(page, 2, nCols - 1)).toBe('end');
    expect(await focusInGrid(page)).toBe('in grid');
    // At the very last cell, Tab stays there (it does not reach a header button).
    // Ctrl+End goes to the last data cell (row 3, last column); Ctrl+ArrowDown from there to the sheet's end.
    await page.keyboard.press('Control+End');
    await activeAt(page, 3, nCols - 1);
    await page.keyboard.press('Control+ArrowDown');
    await activeAt(page, nRows - 1, nCols - 1);
    await page.keyboard.press('Tab');
    await page.keyboard.type('z');
    await page.keyboard.press('Enter');
    await cell(page, nRows - 1, nCols - 1).getByText('z').waitFor();
    expect(await focusInGrid(page)).toBe('in grid');
    expect(await changedControls(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('Tab, Tab, Enter returns to the starting column one row down', async () => {
    const { page, errors } = await newPage();
    await createWorkbook(page);
    // Typing along a row, as Sheets: Enter after the run goes back to where it began.
    await cell(page, 0, 1).click();
    await page.keyboard.type('a');
    await page.keyboard.press('Tab');
    await page.keyboard.type('b');
    await page.keyboard.press('Tab');
    await page.keyboard.type('c');
    await page.keyboard.press('Enter');
    await activeAt(page, 1, 1);
    expect([await text(page, 0, 1), await text(page, 0, 2), await text(page, 0, 3)]).toEqual(['a', 'b', 'c']);
    expect(await focusInGrid(page)).toBe('in grid');
    // Without typing: Tab, Tab, Enter opens the cell; the Enter that saves it returns to the run's column.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await activeAt(page, 1, 3);
    await page.keyboard.press('Enter');
    await page.keyboard.type('d');
    await page.keyboard.press('Enter');
    await activeAt(page, 2, 1);
    expect(await text(page, 1, 3)).toBe('d');
    expect(await focusInGrid(page)).toBe('in grid');
    // Any other move ends the run: Enter then goes straight down.
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    await activeAt(page, 3, 2);
    await page.keyboard.type('e');
    await page.keyboard.press('Enter');
    await activeAt(page, 4, 2);
    expect(await text(page, 3, 2)).toBe('e');
    expect(await focusInGrid(page)).toBe('in grid');
    expect(errors).toEqual([]);
  });

  it('Shift+Tab on the first column goes to the previous row’s last column', async () => {
    const { page, errors } = await newPage();
    const { nCols } = await createWorkbook(page);
    await cell(page, 2, 0).click();
    await page.keyboard.press('Shift+Tab');
    await activeAt(page, 1, nCols - 1);
    expect(await focusInGrid(page)).toBe('in grid');
    await page.keyboard.type('back');
    await page.keyboard.press('Enter');
    await cell(page, 1, nCols - 1).getByText('back').waitFor();
    expect(await focusInGrid(page)).toBe('in grid');
    // At the very first cell, Shift+Tab stays there.
    await page.keyboard.press('Control+Home');
    await activeAt(page, 0, 0);
    await page.keyboard.press('Shift+Tab');
    await activeAt(page, 0, 0);
    expect(await focusInGrid(page)).toBe('in grid');
    expect(errors).toEqual([]);
  });
});
