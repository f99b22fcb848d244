import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, launchProfile } from '../support/browser.js';
import { cell } from '../support/grid-page.js';
import { shareLink } from '../support/links.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

let browser: Browser;
let relay: RelayProcess | null = null;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await relay?.stop('SIGKILL');
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

async function newContext(locale?: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...(locale ? { locale } : {}) });
  contexts.push(context);
  context.setDefaultTimeout(15_000);
  return context;
}

describe('e2e: offline app shell', () => {
  it('after one visit the app opens with the hub stopped and the network cut, shows and edits the workbook, and delivers the edits when both return; the status walks offline → connecting → not yet on the hub → synced', async () => {
    relay = await startRelay();
    const dataDir = relay.dataDir;
    const port = String(relay.port);
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${relay.httpUrl}/`);
    await page.getByRole('status').getByText('Ready to work offline').waitFor();
    await page.getByRole('button', { name: 'New workbook' }).click();
    await page.getByRole('grid').waitFor();
    await cell(page, 0, 0).click();
    await page.keyboard.type('Water: 120');
    await page.keyboard.press('Enter');
    await page.getByTestId('sync-status').getByText('Synced').waitFor();
    const link = await shareLink(page);

    // No hub, no network. setOffline alone does not stop a service worker's fetches, so the hub stops too.
    await relay.stop('SIGTERM');
    await context.setOffline(true);
    await page.reload();
    await cell(page, 0, 0).getByText('Water: 120').waitFor();
    await page.getByTestId('sync-status').getByText(/^Offline/).waitFor();
    // Record every status the page shows from here on.
    await page.evaluate(`(() => {
      window.__statuses = [];
      const host = document.querySelector('mutual-sheets-app').shadowRoot.querySelector('workbook-view').shadowRoot.querySelector('sync-status');
      const read = () => host.shadowRoot.querySelector('[data-testid="sync-status"] .label')?.textContent ?? '';
      const push = () => { const t = read(); if (t && window.__statuses.at(-1) !== t) window.__statuses.push(t); };
      push();
      new MutationObserver(push).observe(host.shadowRoot, { subtree: true, childList: true, characterData: true });
    })()`);
    await cell(page, 1, 0).click();
    await page.keyboard.type('Rice: 40');
    await page.keyboard.press('Enter');
    await cell(page, 1, 0).getByText('Rice: 40').waitFor();
    await page.getByTestId('sync-status').getByText(/not yet on the hub/).waitFor();

    relay = await startRelay({ dataDir, env: { PORT: port } });
    await context.setOffline(false);
    await page.getByTestId('sync-status').getByText('Synced').waitFor();
    const statuses = (await page.evaluate('window.__statuses')) as string[];
    const first = (re: RegExp) => statuses.findIndex((s) => re.test(s));
    const offline = first(/^Offline · 1 change not yet on the hub$/);
    const connecting = first(/^Connecting…/);
    const delivering = first(/^1 change not yet on the hub$/);
    expect(offline, statuses.join(' → ')).toBeGreaterThanOrEqual(0);
    expect(connecting, statuses.join(' → ')).toBeGreaterThan(offline);
    expect(statuses.at(-1), statuses.join(' → ')).toBe('Synced');
    // The moment between the hub taking the change and acking it may be too short to render.
    if (delivering >= 0) expect(delivering).toBeGreaterThan(connecting);

    const other = await (await newContext()).newPage();
    await other.goto(link);
    await cell(other, 1, 0).getByText('Rice: 40').waitFor();
    expect((await cell(other, 0, 0).textContent())?.trim()).toBe('Water: 120');
  });

  it('the home screen lists this device’s workbooks with when each was opened and how much is kept, and removes one with its local copy', async () => {
    relay ??= await startRelay();
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${relay.httpUrl}/`);
    await page.getByRole('status').getByText('Ready to work offline').waitFor();
    await page.getByRole('button', { name: 'New workbook' }).click();
    await page.getByRole('grid').waitFor();
    await page.getByLabel('Workbook title').fill('Pantry');
    await page.getByLabel('Workbook title').press('Enter');
    const id = new URL(page.url()).hash.split('/')[2];
    // "Saved on this device" means IndexedDB has it: a reload right away loses nothing.
    await cell(page, 0, 0).click();
    await page.keyboard.type('Beans: 12');
    await page.keyboard.press('Enter');
    await page.getByTestId('local-status').getByText('Saved on this device').waitFor();
    const { dataDir, port } = relay;
    await relay.stop('SIGKILL');
    await page.reload();
    await cell(page, 0, 0).getByText('Beans: 12').waitFor();
    relay = await startRelay({ dataDir, env: { PORT: String(port) } });
    await page.getByRole('link', { name: 'All workbooks' }).click();
    const list = page.getByRole('list', { name: 'Workbooks on this device' });
    await list.getByRole('link', { name: 'Pantry' }).waitFor();
    await list.getByText(/^opened /).waitFor();
    await page.getByText(/This device keeps [\d.]+ MB of workbooks/).waitFor();
    expect(await page.evaluate(`indexedDB.databases().then((d) => d.map((x) => x.name))`)).toContain(`mutual-sheets:${id}`);
    await list.getByRole('button', { name: 'Remove Pantry from this device' }).click();
    // Its edit link was never copied here: the question says this may be its only copy.
    await page.getByRole('alertdialog', { name: 'Remove from this device?' }).getByRole('button', { name: 'Remove anyway' }).click();
    await list.waitFor({ state: 'detached' });
    expect(await page.evaluate(`indexedDB.databases().then((d) => d.map((x) => x.name))`)).not.toContain(`mutual-sheets:${id}`);
  });

  it('is installable to a home screen: Chromium finds a valid manifest with icons and a service worker, and reports no installability errors', async () => {
    relay ??= await startRelay();
    const profile = mkdtempSync(join(tmpdir(), 'mutual-sheets-profile-'));
    const context = await launchProfile(profile);
    contexts.push(context);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${relay.httpUrl}/`);
    await page.getByRole('status').getByText('Ready to work offline').waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    const cdp = await context.newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: { message: string }[]; data?: string };
    expect(manifest.errors).toEqual([]);
    const data = JSON.parse(manifest.data ?? '{}') as { display: string; start_url: string; icons: { sizes: string; purpose?: string }[] };
    expect(data.display).toBe('standalone');
    expect(data.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(data.icons.some((i) => i.purpose === 'maskable')).toBe(true);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors.map((e) => e.errorId)).toEqual([]);
  });

  it('the home screen follows the browser’s language (Spanish here) and can be switched, remembering the choice', async () => {
    relay ??= await startRelay();
    const page = await (await newContext('es-ES')).newPage();
    await page.goto(`${relay.httpUrl}/`);
    await page.getByRole('button', { name: 'Nuevo libro' }).waitFor();
    await page.getByText('O empieza con una plantilla').waitFor();
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('button', { name: 'New workbook' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'New workbook' }).waitFor();
  });
});
