import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText } from '../support/grid-page.js';
import { shareLink } from '../support/links.js';

const env = e2eEnvironment();

async function newPage(name: string, locale = 'en-US') {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  // Every address the page's URL ever had, as the browser's history and session stores would see it.
  await context.addInitScript(() => {
    const seen: string[] = [location.href];
    (window as unknown as { addresses: string[] }).addresses = seen;
    for (const type of ['hashchange', 'popstate']) window.addEventListener(type, () => seen.push(location.href));
  });
  const page = await context.newPage();
  await page.goto(`${env.relay.httpUrl}/`);
  await page.evaluate(`localStorage.setItem('mutual-sheets:display-name', ${JSON.stringify(name)})`);
  return page;
}

const href = (page: Page) => page.evaluate(() => location.href);
const addresses = (page: Page) => page.evaluate(() => (window as unknown as { addresses: string[] }).addresses);

/** Every localStorage key, and the keys whose values hold `text`. */
function storage(page: Page, text: string) {
  return page.evaluate((needle) => {
    const keys = Object.keys(localStorage);
    return { keys, holding: keys.filter((k) => (localStorage.getItem(k) ?? '').includes(needle)) };
  }, text);
}

const databases = (page: Page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));

describe('e2e: the key leaves the address bar', () => {
  it('creating a workbook never puts its key in the address; an opened edit link drops it at once, reload and back/forward still work, and Remove clears every trace', async () => {
    const ana = await newPage('Ana');
    await ana.getByRole('button', { name: 'New workbook' }).click();
    await ana.getByRole('grid').waitFor();
    const edit = await shareLink(ana);
    const [, , id, , key] = new URL(edit).hash.split('/');
    expect(key).toMatch(/^[\w-]{43}$/);
    expect(ana.url()).toBe(`${env.relay.httpUrl}/#/w/${id}`);
    expect((await addresses(ana)).filter((a) => a.includes(key))).toEqual([]);

    // Luis opens the edit link he was sent.
    const luis = await newPage('Luis');
    await luis.goto(edit);
    await luis.getByRole('grid').waitFor();
    await expect.poll(() => luis.url()).toBe(`${env.relay.httpUrl}/#/w/${id}`);
    await cell(luis, 0, 0).click();
    await luis.keyboard.type('Rice 10kg');
    await luis.keyboard.press('Enter');
    await luis.getByTestId('sync-status').getByText('Synced').waitFor();
    await cell(ana, 0, 0).getByText('Rice 10kg').waitFor();

    // A reload opens it with the key this device kept, still able to edit.
    await luis.reload();
    await cell(luis, 0, 0).getByText('Rice 10kg').waitFor();
    expect(luis.url()).not.toContain(key);
    await cell(luis, 1, 0).click();
    await luis.keyboard.type('Beans');
    await luis.keyboard.press('Enter');
    await cell(ana, 1, 0).getByText('Beans').waitFor();

    // Back and forward through this tab's history: no entry holds the key.
    await luis.getByRole('link', { name: 'All workbooks' }).click();
    const list = luis.getByRole('list', { name: 'Workbooks on this device' });
    await list.waitFor();
    expect(await href(luis)).not.toContain(key);
    await luis.goBack();
    await luis.getByRole('grid').waitFor();
    expect(await href(luis)).toBe(`${env.relay.httpUrl}/#/w/${id}`);
    await luis.goForward();
    await list.waitFor();
    expect(await href(luis)).not.toContain(key);
    await luis.goBack();
    await luis.getByRole('grid').waitFor();
    expect(await href(luis)).not.toContain(key);
    expect(await luis.evaluate(() => history.length)).toBeGreaterThanOrEqual(3);
    // The list's link is key-less too, and only the device's record for this workbook holds the key.
    await luis.getByRole('link', { name: 'All workbooks' }).click();
    expect(await list.getByRole('link').first().getAttribute('href')).toBe(`#/w/${id}`);
    expect((await storage(luis, key)).holding).toEqual([`mutual-sheets:workbook:${id}`]);

    // Remove from this device: no localStorage key and no database of this workbook is left.
    const before = await storage(luis, id);
    expect(before.keys.filter((k) => k.includes(id)).length).toBeGreaterThanOrEqual(3);
    expect(await databases(luis)).toEqual(expect.arrayContaining([`mutual-sheets:${id}`, `mutual-sheets:${id}.h`]));
    await list.getByRole('button', { name: /^Remove .* from this device$/ }).click();
    await luis.getByRole('alertdialog', { name: 'Remove from this device?' }).getByRole('button', { name: 'Remove anyway' }).click();
    await list.waitFor({ state: 'detached' });
    const after = await storage(luis, id);
    expect(after.keys.filter((k) => k.includes(id))).toEqual([]);
    expect((await storage(luis, key)).holding).toEqual([]);
    expect(after.holding).toEqual([]);
    await expect.poll(async () => (await databases(luis)).filter((n) => n.includes(id))).toEqual([]);

    // Nothing is left to open it with: the key-less address says so, in words.
    await luis.goto(`${env.relay.httpUrl}/#/w/${id}`);
    await luis.getByRole('alert').getByText('This device has no link for this workbook: open the link you were sent.').waitFor();
    expect(await luis.getByRole('grid').count()).toBe(0);
  });

  it('a view link drops its key too and stays read-only after a reload; a key-less address on a new device says so in Spanish', async () => {
    const ana = await newPage('Ana');
    await ana.getByRole('button', { name: 'New workbook' }).click();
    await ana.getByRole('grid').waitFor();
    await cell(ana, 0, 0).click();
    await ana.keyboard.type('Gym: 40 beds');
    await ana.keyboard.press('Enter');
    await ana.getByTestId('sync-status').getByText('Synced').waitFor();
    const view = await shareLink(ana, 'View link');
    const [, , id, , viewPart] = new URL(view).hash.split('/');

    const vic = await newPage('Vic');
    await vic.goto(view);
    await cell(vic, 0, 0).getByText('Gym: 40 beds').waitFor();
    await expect.poll(() => vic.url()).toBe(`${env.relay.httpUrl}/#/w/${id}`);
    await vic.reload();
    await cell(vic, 0, 0).getByText('Gym: 40 beds').waitFor();
    await vic.getByRole('note').getByText('view-only link').waitFor();
    expect(vic.url()).not.toContain(viewPart.split('.')[0]);
    expect(await cellText(vic, 0, 0)).toBe('Gym: 40 beds');

    const sofia = await newPage('Sofía', 'es-ES');
    await sofia.goto(`${env.relay.httpUrl}/#/w/${id}`);
    await sofia.getByRole('alert').getByText('Este dispositivo no tiene ningún enlace para este libro: abre el enlace que te enviaron.').waitFor();
    await sofia.getByRole('link', { name: 'Todos los libros' }).click();
    await sofia.getByRole('button', { name: 'Nuevo libro' }).waitFor();
  });
});
