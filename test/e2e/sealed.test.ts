import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { cell, cellText } from '../support/grid-page.js';
import { shareLink } from '../support/links.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { allSealedOnHub, makeSealedClient, untilDoc } from '../support/clients.js';
import { parseCredential } from '../../src/protocol/access.js';
import { ENVELOPE_BLOBS } from '../../src/protocol/sealed.js';

/**
 * Sealed workbooks in Chromium with the page in an insecure context: the hub is opened as
 * http://hub.lan:PORT (mapped to 127.0.0.1), as a phone on a LAN would open a laptop's hub, so
 * there is no crypto.subtle; everything is done with the noble libraries.
 */

const CANARY = { cell: 'Canary-Rosa-5559876', title: 'Canary-Title-Eastside', person: 'Canary-Person-Amaru' };

let browser: Browser;
let relay: RelayProcess;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  browser = await launchChromium(['--host-resolver-rules=MAP hub.lan 127.0.0.1']);
  relay = await startRelay({ env: { ALLOWED_HOSTS: 'hub.lan' } });
});
afterAll(async () => {
  await browser?.close();
  await relay?.stop('SIGKILL');
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

const origin = () => `http://hub.lan:${relay.port}`;

async function device(name: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  contexts.push(context);
  context.setDefaultTimeout(15_000);
  await context.addInitScript((n) => localStorage.setItem('mutual-sheets:display-name', n), name);
  const page = await context.newPage();
  return { context, page };
}

/** Every IndexedDB record of the page, as bytes, to look for plain text in. */
async function indexedDbBytes(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const out: string[] = [];
    const toText = (v: unknown): string => {
      if (v instanceof Uint8Array) return Array.from(v, (b) => String.fromCharCode(b)).join('');
      if (v instanceof ArrayBuffer) return toText(new Uint8Array(v));
      if (typeof v === 'string') return v;
      try {
        return JSON.stringify(v);
      } catch {
        return String(v);
      }
    };
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open(info.name!);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const values = await new Promise<unknown[]>((res) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => res(r.result);
          r.onerror = () => res([]);
        });
        for (const v of values) out.push(toText(v));
      }
      db.close();
    }
    return out.join('\n');
  });
}

function containsAnyForm(haystack: string, text: string): boolean {
  const utf16 = Array.from(text, (c) => `${c}\u0000`).join('');
  const b64 = Buffer.from(text).toString('base64').slice(0, 12);
  return haystack.includes(text) || haystack.includes(utf16) || haystack.includes(b64);
}

describe('e2e: sealed workbooks on a plain-http LAN page', () => {
  it('create, share, edit from two devices, go offline, reload, sync — without WebCrypto; the header says Sealed; the devices’ IndexedDB holds no plain text', async () => {
    const ana = await device(CANARY.person);
    await ana.page.goto(`${origin()}/`);
    expect(await ana.page.evaluate(() => ({ secure: window.isSecureContext, subtle: typeof crypto.subtle }))).toEqual({ secure: false, subtle: 'undefined' });
    await ana.page.getByRole('button', { name: 'New workbook' }).click();
    await ana.page.getByRole('grid').waitFor();
    await expect.poll(() => ana.page.url()).toMatch(/#\/w\/e[\w-]{43}$/);
    await ana.page.getByRole('note', { name: 'Sealed: the hub cannot read this workbook' }).waitFor();
    await ana.page.getByLabel('Workbook title').fill(CANARY.title);
    await ana.page.getByLabel('Workbook title').press('Enter');
    await cell(ana.page, 0, 0).click();
    await ana.page.keyboard.type(CANARY.cell);
    await ana.page.keyboard.press('Enter');
    await ana.page.getByTestId('sync-status').getByText('Synced').waitFor();
    await ana.page.getByRole('button', { name: 'Share', exact: true }).click();
    await ana.page.getByRole('dialog', { name: 'Share this workbook' }).getByRole('note').getByText('Sealed: the hub cannot read this workbook').waitFor();
    await ana.page.getByRole('dialog', { name: 'Share this workbook' }).getByRole('button', { name: 'Close', exact: true }).click();
    const edit = await shareLink(ana.page, 'Edit link');
    expect(edit).toMatch(/#\/w\/e[\w-]{43}\/edit\//);

    const ben = await device('Ben');
    await ben.page.goto(edit.replace(/^https?:\/\/[^/]+/, origin()));
    await expect.poll(() => cellText(ben.page, 0, 0)).toBe(CANARY.cell);
    await ben.page.getByRole('note', { name: 'Sealed: the hub cannot read this workbook' }).waitFor();
    await cell(ben.page, 1, 0).click();
    await ben.page.keyboard.type('from Ben');
    await ben.page.keyboard.press('Enter');
    await expect.poll(() => cellText(ana.page, 1, 0)).toBe('from Ben');

    // Ben goes offline and edits; the edit is sealed into the envelope on his disk. His page is
    // closed before the network is back (a plain-http page has no service worker to reload from
    // offline); opened again online, it delivers the edit from IndexedDB.
    await ben.page.getByTestId('sync-status').getByText('Synced').waitFor();
    const workbookUrl = ben.page.url();
    await ben.context.setOffline(true);
    await cell(ben.page, 2, 0).click();
    await ben.page.keyboard.type('offline edit');
    await ben.page.keyboard.press('Enter');
    await ben.page.getByTestId('sync-status').getByText('1 change not yet on the hub').waitFor();
    await ben.page.getByTestId('local-status').getByText('Saved on this device').waitFor();
    await ben.page.close();
    expect(await cellText(ana.page, 2, 0)).toBe('');
    await ben.context.setOffline(false);
    ben.page = await ben.context.newPage();
    await ben.page.goto(workbookUrl);
    await expect.poll(() => cellText(ben.page, 2, 0)).toBe('offline edit');
    await expect.poll(() => cellText(ana.page, 2, 0)).toBe('offline edit');
    await ben.page.getByTestId('sync-status').getByText('Synced').waitFor();
    expect(await cellText(ben.page, 0, 0)).toBe(CANARY.cell);

    // an edit-link holder (or the hub) slips in a blob that is not this workbook's: it is never
    // applied, and the page says so while everything else stays
    const eve = makeSealedClient(relay.syncUrl, new URL(edit).hash.split('/')[2], 'Eve', parseCredential(new URL(edit).hash.split('/').slice(3).join('/'))!);
    await eve.session.whenLoaded;
    await untilDoc(eve, () => eve.wb.isInitialized(), 'Eve has the workbook');
    eve.session.envelope.getArray(ENVELOPE_BLOBS).push([new Uint8Array(200).fill(7)]);
    await allSealedOnHub(eve);
    await ana.page.getByRole('alert').getByText('The hub sent data that does not belong to this workbook').waitFor();
    expect(await cellText(ana.page, 0, 0)).toBe(CANARY.cell);
    await eve.destroy();

    // the record keeper's CLI export from the running hub, opened with the link on the laptop, is
    // byte for byte the app's own export of the sheet
    const csv = await cli(relay.dataDir, ['export', '--link', edit, '--hub', relay.httpUrl, '--format', 'csv']);
    // (Eve's blob is left out there too, and said)
    expect(csv.stderr).toMatch(/^warning: 1 sealed parts of e[\w-]{43} do not belong to this workbook and were left out \(malformed\)\n$/);
    expect(csv.code).toBe(0);
    await ana.page.getByRole('button', { name: 'Export' }).click();
    const [download] = await Promise.all([
      ana.page.waitForEvent('download'),
      ana.page.getByRole('dialog', { name: 'Export' }).getByRole('button', { name: 'This sheet as CSV' }).click(),
    ]);
    expect(csv.stdout.startsWith('\ufeff')).toBe(true);
    expect(readFileSync((await download.path())!, 'utf8')).toBe(csv.stdout);
    expect(csv.stdout).toContain(CANARY.cell);

    for (const page of [ana.page, ben.page]) {
      const stored = await indexedDbBytes(page);
      expect(stored.length).toBeGreaterThan(1000);
      for (const text of [CANARY.cell, 'from Ben', 'offline edit', CANARY.title, CANARY.person]) expect(containsAnyForm(stored, text), text).toBe(false);
    }
  }, 90_000);
});
