import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText } from '../support/grid-page.js';
import { es } from '../../src/ui/i18n/messages-es.js';

const env = e2eEnvironment();

async function newPage(viewport = { width: 1280, height: 800 }) {
  const context = await env.browser.newContext({ viewport });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

async function createWorkbook(page: Page) {
  await page.goto(`${env.relay.httpUrl}/`);
  await page.getByRole('button', { name: 'New workbook' }).click();
  await page.getByRole('grid').waitFor();
  await page.getByTestId('sync-status').getByText('Synced').waitFor();
  // The keep-your-links reminder is put off: it is not what these tests are about.
  await page.getByRole('region', { name: 'Keep this workbook’s links' }).getByRole('button', { name: 'Later' }).click();
}

/** Where focus really is (through shadow roots): 'grid', or what holds it outside the grid. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let a: Element | null = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    if (a?.closest('[role="grid"]')) return 'grid';
    return `${a?.tagName.toLowerCase()}:${a?.getAttribute('aria-label') ?? a?.textContent?.trim()}`;
  });

/**
 * Every control outside the grid with its value or pressed/expanded state: `markControls` remembers them,
 * `changedControls` names those changed since (as grid-tab.test.ts does for Tab).
 */
const markControls = (page: Page) =>
  page.evaluate(() => {
    const state = (el: Element) =>
      el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement
        ? `${el.tagName}[${el.getAttribute('aria-label') ?? el.name}]=${el.value}`
        : `button[${el.getAttribute('aria-label') ?? el.textContent?.trim()}] expanded=${el.getAttribute('aria-expanded')} pressed=${el.getAttribute('aria-pressed')}`;
    const found: [Element, string][] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) walk(el.shadowRoot);
        if (el.closest('[role="grid"], dialog')) continue;
        if (el.matches('input, textarea, select, button')) found.push([el, state(el)]);
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

/** Types into whatever has focus and commits with Enter. */
async function typeAndEnter(page: Page, text: string) {
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

describe('e2e: after a sheet tab action the keyboard is the grid’s', () => {
  it('"+" adds a sheet the size of a blank workbook and typing lands in its A1', async () => {
    const { page, errors } = await newPage();
    await createWorkbook(page);
    const grid = page.getByRole('grid');
    const blank = { rows: await grid.getAttribute('aria-rowcount'), cols: await grid.getAttribute('aria-colcount') };
    await page.getByRole('button', { name: 'Add sheet' }).click();
    await page.getByRole('tab', { name: 'Sheet 2', selected: true }).waitFor();
    await expect.poll(() => focused(page)).toBe('grid');
    // The same size as a blank workbook's first sheet.
    expect({ rows: await grid.getAttribute('aria-rowcount'), cols: await grid.getAttribute('aria-colcount') }).toEqual(blank);
    await typeAndEnter(page, 'Tents: 12');
    await cell(page, 0, 0).getByText('Tents: 12').waitFor();
    // It landed on the new sheet, not the first.
    await page.getByRole('tab', { name: 'Sheet 1' }).click();
    await cell(page, 0, 0).waitFor();
    expect(await cellText(page, 0, 0)).toBe('');
    expect(errors).toEqual([]);
  });

  it('renaming a sheet then Enter gives the keyboard back to the grid', async () => {
    const { page, errors } = await newPage();
    await createWorkbook(page);
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    const name = page.getByRole('textbox', { name: 'Sheet name' });
    await name.fill('Shelters');
    await name.press('Enter');
    await page.getByRole('tab', { name: 'Shelters' }).waitFor();
    await expect.poll(() => focused(page)).toBe('grid');
    expect(await markControls(page)).toBeGreaterThan(0);
    await typeAndEnter(page, 'Gym');
    await cell(page, 0, 0).getByText('Gym').waitFor();
    expect(await changedControls(page)).toEqual([]);

    // Escape from renaming too.
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    await name.press('Escape');
    await expect.poll(() => focused(page)).toBe('grid');
    expect(await page.getByRole('tab', { name: 'Shelters' }).count()).toBe(1);
    expect(errors).toEqual([]);
  });
});

describe('e2e: closing a header dialog gives the keyboard back to the grid, and no header control changes', () => {
  const dialogs: { button: string; dialog: string; close: 'Escape' | string }[] = [
    { button: 'Import', dialog: 'Import from CSV or Excel', close: 'Escape' },
    { button: 'Export', dialog: 'Export', close: 'Escape' },
    { button: 'Snapshots', dialog: 'Snapshots', close: 'Close' },
    { button: 'Restore to…', dialog: 'Restore to a moment', close: 'Escape' },
    { button: 'Share', dialog: 'Share this workbook', close: 'Close' },
  ];
  it('for Import, Export, Snapshots, Restore to… and Share, by Escape or its Close button', async () => {
    const { page, errors } = await newPage();
    await createWorkbook(page);
    let row = 0;
    for (const d of dialogs) {
      await cell(page, row, 0).click();
      expect(await markControls(page)).toBeGreaterThan(0);
      await page.locator('workbook-header').getByRole('button', { name: d.button, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: d.dialog });
      await dialog.waitFor();
      if (d.close === 'Escape') await page.keyboard.press('Escape');
      else await dialog.getByRole('button', { name: d.close, exact: true }).last().click();
      await dialog.waitFor({ state: 'hidden' });
      await expect.poll(() => focused(page), { message: d.button }).toBe('grid');
      await typeAndEnter(page, `after ${d.button}`);
      await cell(page, row, 0).getByText(`after ${d.button}`).waitFor();
      expect(await changedControls(page), d.button).toEqual([]);
      row++;
    }
    expect(errors).toEqual([]);
  });

  it('from the More menu too: a dialog opened from it, closed, leaves typing in the grid (1024×768 in Spanish, where the line is full)', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'es-ES' });
    env.contexts.push(context);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${env.relay.httpUrl}/`);
    await page.getByRole('button', { name: es['home.new'] }).click();
    await page.getByRole('grid').waitFor();
    await page.getByTestId('sync-status').getByText(es['status.synced']).waitFor();
    await page.getByRole('region', { name: es['keep.title'] }).getByRole('button', { name: es['keep.later'] }).click();

    const more = page.getByRole('button', { name: es['layout.moreLabel'] });
    const menu = page.getByRole('menu', { name: es['layout.moreLabel'] });
    await more.click();
    const labels = (await menu.getByRole('menuitem').allTextContents()).map((l) => l.trim());
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
    expect(labels.length).toBeGreaterThan(0);
    for (const [i, label] of labels.entries()) {
      // The header settles with the sync state (a pending count is longer than "synced").
      await page.getByTestId('sync-status').getByText(es['status.synced']).waitFor();
      await cell(page, i, 1).click();
      expect(await markControls(page)).toBeGreaterThan(0);
      await more.click();
      await menu.waitFor();
      await menu.getByRole('menuitem', { name: label, exact: true }).click();
      await menu.waitFor({ state: 'hidden' });
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await expect.poll(() => focused(page), { message: label }).toBe('grid');
      await typeAndEnter(page, `after ${label}`);
      await cell(page, i, 1).getByText(`after ${label}`).waitFor();
      // The More button is closed as it was: no key reached it or the header.
      expect(await changedControls(page), label).toEqual([]);
      expect(await more.getAttribute('aria-expanded')).toBe('false');
    }
    expect(errors).toEqual([]);
  });

  it('Enter in the title field sets it and the next keys go to the grid', async () => {
    const { page, errors } = await newPage();
    await createWorkbook(page);
    await cell(page, 1, 1).click();
    await page.getByLabel('Workbook title').fill('Shelter beds');
    await page.getByLabel('Workbook title').press('Enter');
    await expect.poll(() => focused(page)).toBe('grid');
    await typeAndEnter(page, '40');
    await cell(page, 1, 1).getByText('40').waitFor();
    expect(await page.getByLabel('Workbook title').inputValue()).toBe('Shelter beds');
    expect(errors).toEqual([]);
  });
});
