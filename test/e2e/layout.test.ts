import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
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
/** Opens the column editor on the sheet's first column, as the grid's Column settings does. */
const openColumnSettings = (page: Page) =>
  page.evaluate(() => {
    const editor = document.querySelector('mutual-sheets-app')?.shadowRoot?.querySelector('workbook-view')?.shadowRoot?.querySelector('sheet-grid')?.shadowRoot?.querySelector('column-editor');
    if (!editor?.workbook) throw new Error('no column-editor in the grid');
    editor.open(editor.workbook.columns(editor.sheetId)[0].id);
  });
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

/** Every visible thing on the header's line, by what it is, with its box (through shadow roots). */
const headerParts = (page: Page) =>
  page.locator('workbook-header').evaluate((host) => {
    const header = host.shadowRoot!.querySelector('header')!;
    const box = (el: Element) => {
      const r = el.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height };
    };
    return {
      header: box(header),
      parts: Array.from(header.children)
        .filter((el) => el.getBoundingClientRect().width > 0)
        .map((el) => ({ what: `${el.tagName.toLowerCase()}.${el.className}`.trim(), ...box(el) })),
    };
  });

/** The sync state's own box and whether its words are cut (text wider than its box). */
const syncState = (page: Page) =>
  page.getByTestId('sync-status').evaluate((el) => {
    const r = el.getBoundingClientRect();
    const host = (el.getRootNode() as ShadowRoot).host as HTMLElement;
    const label = el.querySelector('.label') as HTMLElement;
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, cut: label.scrollWidth > label.clientWidth + 1, tooltip: host.title, text: label.textContent };
  });

/** Where each named action is: a button on the header's line, an item of the More menu (opened to look), both, or neither. */
/**
 * Where each action is once the header has settled: the menu and the header are read one after
 * the other, and a header re-fitting in between (the sync state changed its words) would count an
 * action twice or not at all, so the reading is taken again until one reading has each in one place.
 */
async function actionPlaces(page: Page, names: string[], moreLabel = 'More actions') {
  let places: Record<string, string> = {};
  await expect
    .poll(async () => {
      places = await readActionPlaces(page, names, moreLabel);
      return Object.values(places).every((p) => p === 'header' || p === 'menu');
    })
    .toBe(true);
  return places;
}

async function readActionPlaces(page: Page, names: string[], moreLabel: string) {
  const more = page.getByRole('button', { name: moreLabel });
  const items: string[] = [];
  if (await more.count()) {
    expect(await more.getAttribute('aria-haspopup')).toBe('menu');
    await more.click();
    const menu = page.getByRole('menu', { name: moreLabel });
    await menu.waitFor();
    items.push(...(await menu.getByRole('menuitem').allTextContents()).map((s) => s.trim()));
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
  }
  const places: Record<string, string> = {};
  for (const name of names) {
    const inHeader = (await page.locator('workbook-header').getByRole('button', { name, exact: true }).count()) > 0;
    const inMenu = items.includes(name);
    places[name] = inHeader && inMenu ? 'both' : inHeader ? 'header' : inMenu ? 'menu' : 'neither';
  }
  return places;
}

/** The element that really has focus (through shadow roots): its role or tag, and its text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let a: Element | null = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    if (a?.closest('[role="grid"]')) return 'grid';
    return `${a?.getAttribute('role') ?? a?.tagName.toLowerCase()}:${a?.getAttribute('aria-label') ?? a?.textContent?.trim()}`;
  });

describe('e2e: the header\'s More menu', () => {
  it('at 1024×768 in Spanish holds what did not fit, opens and moves by keyboard, and what it opens gives the keyboard back to the grid', async () => {
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
    const names = [es['wb.import'], es['wb.export'], es['wb.snapshots'], es['restore.open']];
    const placed = await actionPlaces(page, names, es['layout.moreLabel']);
    for (const [name, where] of Object.entries(placed)) expect(where, name).toMatch(/^(header|menu)$/);
    expect(Object.values(placed)).toContain('menu');
    // The header fits itself to the line after any change of its words (the sync state's): it must come to one line.
    await expect.poll(async () => (await headerParts(page)).header.height).toBeLessThanOrEqual(44 + 2 * 8 + 1);
    const { parts } = await headerParts(page);
    for (const p of parts) expect(p.right, p.what).toBeLessThanOrEqual(1024);

    const more = page.getByRole('button', { name: es['layout.moreLabel'] });
    const menu = page.getByRole('menu', { name: es['layout.moreLabel'] });
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    await more.focus();
    await page.keyboard.press('ArrowDown');
    await menu.waitFor();
    expect(await more.getAttribute('aria-expanded')).toBe('true');
    const items = (await menu.getByRole('menuitem').allTextContents()).map((s) => s.trim());
    expect(await focused(page)).toBe(`menuitem:${items[0]}`);
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe(`menuitem:${items[1 % items.length]}`);
    await page.keyboard.press('End');
    expect(await focused(page)).toBe(`menuitem:${items[items.length - 1]}`);
    await page.keyboard.press('Home');
    expect(await focused(page)).toBe(`menuitem:${items[0]}`);
    await page.keyboard.press('ArrowUp');
    expect(await focused(page)).toBe(`menuitem:${items[items.length - 1]}`);
    // Whole on screen, under its button.
    const menuBox = (await menu.boundingBox())!;
    const moreBox = (await more.boundingBox())!;
    expect(menuBox.x).toBeGreaterThanOrEqual(0);
    expect(menuBox.x + menuBox.width).toBeLessThanOrEqual(1024);
    expect(menuBox.y).toBeGreaterThanOrEqual(moreBox.y + moreBox.height);
    expect(menuBox.y + menuBox.height).toBeLessThanOrEqual(768);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    expect(await focused(page)).toBe(`button:${es['layout.moreLabel']}`);

    // Enter opens it again; Enter on the first item opens what it names; closing that gives the keyboard to the grid.
    await page.keyboard.press('Enter');
    await menu.waitFor();
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden' });
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => focused(page)).toBe('grid');
    expect(errors).toEqual([]);
  });
});

/** A new workbook page at this size, by a person with a name, once it is synced. */
async function newSyncedWorkbook(viewport: { width: number; height: number }) {
  const { page, errors } = await newPage(viewport);
  await page.goto(`${env.relay.httpUrl}/`);
  await page.evaluate(`localStorage.setItem('mutual-sheets:display-name', 'Ana Lucía')`);
  await page.getByRole('button', { name: 'New workbook' }).click();
  await page.getByRole('grid').waitFor();
  await page.getByTestId('sync-status').getByText('Synced').waitFor();
  return { page, errors };
}

for (const viewport of [
  { width: 1024, height: 768 },
  { width: 1280, height: 800 },
]) {
  describe(`e2e: the workbook page at ${viewport.width}×${viewport.height}`, () => {
    it('has its header on one line, the sync state readable with its detail in a tooltip, and what did not fit in a keyboard-operable More menu', async () => {
      const { page, errors } = await newSyncedWorkbook(viewport);

      const { header, parts } = await headerParts(page);
      // One line: every part starts above the bottom of the tallest (44 px) one, and none runs off the page.
      expect(header.height).toBeLessThanOrEqual(44 + 2 * 8 + 1);
      for (const p of parts) {
        expect(p.top, p.what).toBeGreaterThanOrEqual(header.top);
        expect(p.bottom, p.what).toBeLessThanOrEqual(header.bottom);
        expect(p.right, p.what).toBeLessThanOrEqual(viewport.width);
      }
      const sync = await syncState(page);
      expect(sync.cut).toBe(false);
      expect(sync.right).toBeLessThanOrEqual(viewport.width);
      expect(sync.tooltip).toContain('Synced');
      expect(sync.tooltip).toContain('Saved on this device');

      // Each action is in exactly one place: on the line, or in the More menu.
      const placed = await actionPlaces(page, ['Import', 'Export', 'Snapshots', 'Restore to…']);
      for (const [name, where] of Object.entries(placed)) expect(where, name).toMatch(/^(header|menu)$/);
      if (viewport.width >= 1280) expect(Object.values(placed)).toEqual(['header', 'header', 'header', 'header']);
      expect(errors).toEqual([]);
    });

    it('keeps the grid where it is while the sync state changes under edits: a click between two renders lands on the cell aimed at', async () => {
      const { page, errors } = await newSyncedWorkbook(viewport);
      // Where the grid stands, sampled between every two tasks (a MessageChannel loop runs a task at a
      // time, as input events are dispatched), not only at frames: the header once wrapped to two lines
      // for the tasks between a sync state's render and the next frame, and a click then hit the column header.
      await page.evaluate(() => {
        const grid = () => document.querySelector('mutual-sheets-app')?.shadowRoot?.querySelector('workbook-view')?.shadowRoot?.querySelector('sheet-grid');
        const seen = new Set<number>();
        const channel = new MessageChannel();
        const w = window as unknown as { gridTops: Set<number>; stopSampling: () => void };
        let on = true;
        w.gridTops = seen;
        w.stopSampling = () => (on = false);
        channel.port1.onmessage = () => {
          const top = grid()?.getBoundingClientRect().top;
          if (top !== undefined) seen.add(Math.round(top));
          if (on) channel.port2.postMessage(0);
        };
        channel.port2.postMessage(0);
      });
      const grid = page.getByRole('grid');
      for (const [i, value] of ['12', 'tents', '7', 'water', '3'].entries()) {
        await grid.locator(`[role="row"][aria-rowindex="${i + 2}"] [role="gridcell"][aria-colindex="2"]`).click();
        await page.keyboard.type(value);
        await page.keyboard.press('Enter');
        // Each edit is pending, then on the hub: two changes of the words in the header.
        await page.getByTestId('sync-status').getByText('Synced').waitFor();
      }
      const tops = await page.evaluate(() => {
        const w = window as unknown as { gridTops: Set<number>; stopSampling: () => void };
        w.stopSampling();
        return [...w.gridTops];
      });
      expect(tops).toHaveLength(1);
      expect(errors).toEqual([]);
    });

    it('shows the column settings dialog whole, Save reachable without scrolling the page (its fields scroll)', async () => {
      const { page, errors } = await newPage(viewport);
      await createWorkbook(page);
      await openColumnSettings(page);
      const dialog = page.getByRole('dialog', { name: 'Column settings' });
      await dialog.waitFor();
      // The tallest settings: a choice column with many options.
      await dialog.getByRole('combobox', { name: /Type/ }).selectOption('select');
      await dialog.getByRole('textbox', { name: /Options/ }).fill(Array.from({ length: 30 }, (_, i) => `Option ${i + 1}`).join('\n'));
      const box = (await dialog.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
      const save = (await dialog.getByRole('button', { name: 'Save' }).boundingBox())!;
      expect(save.y + save.height).toBeLessThanOrEqual(box.y + box.height);
      expect(save.y).toBeGreaterThanOrEqual(box.y);
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
      // Shorter than the dialog (zoomed in, or a keyboard on screen): the fields scroll, Save stays in view.
      await page.setViewportSize({ width: viewport.width, height: 420 });
      await expect.poll(async () => (await dialog.boundingBox())!.height).toBeLessThanOrEqual(420);
      const short = (await dialog.boundingBox())!;
      expect(short.y).toBeGreaterThanOrEqual(0);
      const shortSave = (await dialog.getByRole('button', { name: 'Save' }).boundingBox())!;
      expect(shortSave.y).toBeGreaterThanOrEqual(short.y);
      expect(shortSave.y + shortSave.height).toBeLessThanOrEqual(Math.min(420, short.y + short.height));
      expect(await dialog.locator('fieldset').evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
      await page.setViewportSize(viewport);
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(errors).toEqual([]);
    });
  });
}

describe('e2e: the workbook page on a 390×780 phone', () => {
  it('keeps the header within 15% of the height, the sheet tabs on screen and the sync state readable', async () => {
    const context = await env.browser.newContext({ viewport: { width: 390, height: 780 }, hasTouch: true, isMobile: true });
    env.contexts.push(context);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${env.relay.httpUrl}/`);
    await page.getByRole('button', { name: 'New workbook' }).tap();
    await page.getByRole('region', { name: 'Keep this workbook’s links' }).getByRole('button', { name: 'Later' }).tap();
    await page.getByTestId('sync-status').getByText('Synced').waitFor();
    const { header, parts } = await headerParts(page);
    expect(header.height).toBeLessThanOrEqual(117);
    for (const p of parts) expect(p.right, p.what).toBeLessThanOrEqual(390);
    const sync = await syncState(page);
    expect(sync.cut).toBe(false);
    expect(sync.left).toBeGreaterThanOrEqual(0);
    expect(sync.right).toBeLessThanOrEqual(390);
    expect(sync.bottom).toBeLessThanOrEqual(header.bottom);
    const tabs = (await page.getByRole('tablist', { name: 'Sheets' }).boundingBox())!;
    expect(tabs.y).toBeGreaterThanOrEqual(0);
    expect(tabs.y + tabs.height).toBeLessThanOrEqual(780);
    // Share stays on the phone's header; the rest is one tap away in More.
    await page.getByRole('button', { name: 'Share', exact: true }).waitFor();
    await page.getByRole('button', { name: 'More actions' }).tap();
    const menu = page.getByRole('menu', { name: 'More actions' });
    await menu.getByRole('menuitem', { name: 'Export' }).waitFor();
    // The name field stays on the line (people set it first thing on a phone).
    await page.getByLabel('Your name').fill('Marta');
    await page.getByLabel('Your name').press('Enter');
    await expect.poll(() => page.evaluate(() => localStorage.getItem('mutual-sheets:display-name'))).toBe('Marta');
  });
});
