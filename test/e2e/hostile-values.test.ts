import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type * as Y from 'yjs';
import { readXlsx } from '../../src/io/xlsx.js';
import { parseCredential } from '../../src/protocol/access.js';
import { allSealedOnHub, makeSealedClient, untilDoc } from '../support/clients.js';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText } from '../support/grid-page.js';
import { shareLink } from '../support/links.js';

const env = e2eEnvironment();
const ATTACKER = 'attacker.invalid';
/** Lit's template shape: rendered as-is it once stopped the grid for everyone. */
const LIT_TEMPLATE = { _$litType$: 1, strings: ['<img src=x onerror=alert(1)>'], values: [] };
const HOSTILE_COLOR = `red;background-image:url(http://${ATTACKER}/seen.png)`;

/** A browser context that records every request to the attacker's host, every CSP refusal and every page error. */
async function watched(viewport: { width: number; height: number }) {
  const mobile = viewport.width < 600;
  const context = await env.browser.newContext({ viewport, hasTouch: mobile, isMobile: mobile, acceptDownloads: true });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  const toAttacker: string[] = [];
  context.on('request', (r) => {
    if (new URL(r.url()).hostname === ATTACKER) toAttacker.push(r.url());
  });
  // The hub's CSP would refuse the fetch; a refusal still means the page tried, so it fails the test too.
  await context.addInitScript(() => {
    const refused: string[] = [];
    (window as unknown as { refused: string[] }).refused = refused;
    window.addEventListener('securitypolicyviolation', (e) => refused.push(e.blockedURI), true);
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, toAttacker, errors };
}

/** Every style attribute in the page, through every shadow root. */
function styles(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of Array.from(root.querySelectorAll('*'))) {
        const s = el.getAttribute('style');
        if (s) out.push(s);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return out;
  });
}

async function expectNothingLeaked(page: Page, w: { toAttacker: string[]; errors: string[] }) {
  expect(w.toAttacker).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { refused: string[] }).refused)).toEqual([]);
  expect((await styles(page)).filter((s) => /url\(|background-image/i.test(s) || s.includes(ATTACKER))).toEqual([]);
  expect(w.errors).toEqual([]);
}

describe('e2e: values the app does not expect, written by an attacker with an edit link', () => {
  it('an object as an option label, CSS in a colour, a width of 1e9, a number as the title, CSS in a presence colour: the grid, the phone view and XLSX export all work, and nothing is fetched from the attacker', async () => {
    // Ana makes the workbook and sends the edit link around; Mallory has it.
    const ana = await watched({ width: 1280, height: 800 });
    await ana.page.goto(`${env.relay.httpUrl}/`);
    await ana.page.getByRole('button', { name: 'New workbook' }).click();
    await ana.page.getByRole('grid').waitFor();
    const link = await shareLink(ana.page);
    const [, , id, ...rest] = new URL(link).hash.split('/');
    const credential = parseCredential(rest.join('/'));
    if (!credential) throw new Error(`no credential in ${link}`);
    // A new workbook is sealed: the hub holds only encrypted, signed blobs.
    expect(id.startsWith('e')).toBe(true);

    // Mallory writes straight into the workbook doc from a sealed Node client, past every check the
    // app's writes make: her edit link signs, so every device opens the blobs her values are sealed in.
    const mallory = makeSealedClient(env.relay.syncUrl, id, 'Mallory', credential);
    try {
      await untilDoc(mallory, () => mallory.wb.isInitialized() && mallory.wb.sheets().length > 0, 'the workbook from the hub');
      const sheetId = mallory.wb.sheets()[0].id;
      const [c0, c1, c2] = mallory.wb.columns(sheetId).map((c) => c.id);
      const [r0, r1, r2] = mallory.wb.rowIds(sheetId);
      mallory.wb.setCell(sheetId, r0, c0, 'ok');
      mallory.wb.setCell(sheetId, r1, c0, 'evil');
      mallory.wb.setCell(sheetId, r2, c0, 'tint');
      mallory.wb.setCell(sheetId, r0, c1, 'plain text');
      const columns = (mallory.doc.getMap('sheets').get(sheetId) as Y.Map<unknown>).get('columns') as Y.Map<Y.Map<unknown>>;
      mallory.doc.transact(() => {
        const status = columns.get(c0)!;
        status.set('type', 'select');
        status.set('options', [
          { id: 'ok', label: 'Done', color: '#1a7f37' },
          { id: 'evil', label: LIT_TEMPLATE, color: '#cf222e' },
          { id: 'tint', label: 'Tinted', color: HOSTILE_COLOR },
        ]);
        status.set('width', 1e9);
        columns.get(c1)!.set('name', [['nested', ['array']]]);
        columns.get(c2)!.set('width', `100px;background-image:url(http://${ATTACKER}/w.png)`);
        mallory.doc.getMap('meta').set('title', 42);
      });
      // Her presence is sealed with the content key, so every device opens it: the hostile colour arrives as written.
      mallory.session.awareness.setLocalStateField('user', { name: 'Mallory', color: HOSTILE_COLOR });
      // Away from where Ana stands (row 1, column A), so the cell shows Mallory's colour.
      mallory.session.awareness.setLocalStateField('cursor', { sheetId, rowId: r1, colId: c2 });
      mallory.session.awareness.setLocalStateField('active', Date.now());
      await allSealedOnHub(mallory);

      // Vic opens the link on a laptop: the grid renders, the bad option as absent, the bad colours as neutral grey.
      const vic = await watched({ width: 1280, height: 800 });
      await vic.page.goto(link);
      await vic.page.getByRole('grid').waitFor();
      await cell(vic.page, 0, 0).locator('.chip', { hasText: 'Done' }).waitFor();
      await cell(vic.page, 0, 1).getByText('plain text').waitFor();
      expect(await cell(vic.page, 1, 0).locator('.chip').count()).toBe(0);
      expect(await cell(vic.page, 1, 0).locator('img').count()).toBe(0);
      expect(await cellText(vic.page, 1, 0)).not.toMatch(/object|litType|<img/);
      const tint = cell(vic.page, 2, 0).locator('.chip', { hasText: 'Tinted' });
      await tint.waitFor();
      expect(await tint.evaluate((el) => getComputedStyle(el).borderTopColor)).toBe('rgb(110, 119, 129)');
      expect(await vic.page.getByLabel('Workbook title').inputValue()).toBe('Untitled workbook');
      const widths = await vic.page.getByRole('columnheader').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().width));
      expect(Math.max(...widths)).toBeLessThanOrEqual(1000);
      // Mallory is here, in grey, on the cell she stands on.
      const here = vic.page.getByRole('list', { name: 'Also here' }).getByRole('listitem').filter({ hasText: 'Mallory' });
      await here.waitFor();
      expect(await here.getAttribute('style')).toBe('--c:#6e7781');
      await cell(vic.page, 1, 2).locator('.peer-tag', { hasText: 'Mallory' }).waitFor();
      expect(await cell(vic.page, 1, 2).getAttribute('style')).toBe('width:120px;--peer:#6e7781');
      await expectNothingLeaked(vic.page, vic);

      // XLSX export still downloads, without the hostile text.
      await vic.page.getByRole('button', { name: 'Export', exact: true }).click();
      const [download] = await Promise.all([
        vic.page.waitForEvent('download'),
        vic.page.getByRole('dialog', { name: 'Export' }).getByRole('button', { name: 'Whole workbook as Excel (.xlsx)' }).click(),
      ]);
      const bytes = readFileSync((await download.path())!);
      const tables = await readXlsx(new Uint8Array(bytes));
      const text = JSON.stringify(tables);
      expect(text).toContain('Done');
      expect(text).toContain('plain text');
      for (const bad of ['litType', 'onerror', ATTACKER, 'nested', '[object Object]']) expect(text, bad).not.toContain(bad);

      // The phone view renders the same workbook: cards, and a row's form with only the sound options.
      const phone = await watched({ width: 390, height: 844 });
      await phone.page.goto(link);
      await phone.page.getByRole('listitem', { name: /^Row 1:/ }).tap();
      const options = await phone.page.locator('select').first().locator('option').allTextContents();
      // "—" is the form's own "no choice".
      expect(options.map((o) => o.trim())).toEqual(['—', 'Done', 'Tinted']);
      await phone.page.getByRole('list', { name: 'Also here' }).getByRole('listitem').filter({ hasText: 'Mallory' }).waitFor();
      await expectNothingLeaked(phone.page, phone);
      await expectNothingLeaked(ana.page, ana);
    } finally {
      await mallory.destroy();
    }
  });
});
