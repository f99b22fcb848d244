import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';

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
}

const columnNames = (page: Page) => page.getByRole('grid').getByRole('columnheader').locator('.name').allTextContents();

/**
 * Opens the column editor in create mode as the grid's Add column does, and records the events it sends
 * (column-created with its id, column-editor-closed) in the page.
 */
const openNewColumn = (page: Page, at: number) =>
  page.evaluate((at) => {
    const editor = document.querySelector('mutual-sheets-app')?.shadowRoot?.querySelector('workbook-view')?.shadowRoot?.querySelector('sheet-grid')?.shadowRoot?.querySelector('column-editor');
    if (!editor) throw new Error('no column-editor in the grid');
    const events: string[] = [];
    (window as unknown as { __columnEvents: string[] }).__columnEvents = events;
    editor.addEventListener('column-created', (e) => events.push(`created:${(e as CustomEvent<{ id: string }>).detail.id}`));
    editor.addEventListener('column-editor-closed', () => events.push('closed'));
    (editor as unknown as { openNew(at: number): void }).openNew(at);
  }, at);
const columnEvents = (page: Page) => page.evaluate(() => (window as unknown as { __columnEvents: string[] }).__columnEvents);

describe('e2e: the column editor creates a column', () => {
  it('Save writes the column with its settings where asked, as one undo step, and says which column it made', async () => {
    const { page, errors } = await newPage();
    await createWorkbook(page);
    const before = await columnNames(page);
    await openNewColumn(page, 1);
    const dialog = page.getByRole('dialog', { name: 'New column' });
    const name = dialog.getByRole('textbox', { name: 'Name' });
    expect(await name.inputValue()).toBe(`Column ${before.length + 1}`);
    // Nothing is written while the dialog is open.
    expect(await columnNames(page)).toEqual(before);
    expect(await dialog.getByRole('button', { name: 'Delete column' }).count()).toBe(0);
    await name.fill('Beds');
    await dialog.getByRole('combobox', { name: /Type/ }).selectOption('number');
    await dialog.getByRole('textbox', { name: /Unit/ }).fill('beds');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => columnNames(page)).toEqual([before[0], 'Beds', ...before.slice(1)]);
    await expect.poll(() => columnEvents(page)).toEqual([expect.stringMatching(/^created:\w+$/), 'closed']);
    const header = page.getByRole('grid').getByRole('columnheader').nth(2);
    expect(await header.getAttribute('title')).toMatch(/Beds/);
    expect(await header.getAttribute('title')).toMatch(/Number/);

    // One undo step takes the whole column away (its name, type and unit were not separate steps).
    await page.getByRole('button', { name: 'Undo', exact: true }).click();
    await expect.poll(() => columnNames(page)).toEqual(before);
    expect(await page.getByRole('button', { name: 'Undo', exact: true }).isDisabled()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('Cancel and Escape write nothing and send only column-editor-closed', async () => {
    const { page, errors } = await newPage();
    await createWorkbook(page);
    const before = await columnNames(page);
    const dialog = page.getByRole('dialog', { name: 'New column' });

    await openNewColumn(page, 0);
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Never');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => columnEvents(page)).toEqual(['closed']);
    expect(await columnNames(page)).toEqual(before);

    await openNewColumn(page, 0);
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Never either');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => columnEvents(page)).toEqual(['closed']);
    expect(await columnNames(page)).toEqual(before);
    expect(await page.getByRole('button', { name: 'Undo', exact: true }).isDisabled()).toBe(true);
    expect(errors).toEqual([]);
  });
});
