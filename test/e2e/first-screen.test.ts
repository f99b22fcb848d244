import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText, gridPage, newWorkbook, typeDown } from '../support/grid-page.js';

/**
 * The first screen (issue 18): a returning device paints what the grid showed last time from a
 * small cache in localStorage while the doc is still being read, and the live grid takes its
 * place, where it was. Every new workbook is sealed, so its cache is encrypted: none of its text
 * is in localStorage.
 */

const env = e2eEnvironment();

interface Seen {
  busy: string | null;
  readonly: string | null;
  label: string | null;
  cells: string[];
  scrollTop: number;
}

/**
 * Records what each `<first-screen>` showed the moment it was drawn, in `window.__firstScreens`:
 * it is on screen only until the doc is in, which on a small workbook is a moment.
 */
async function recordFirstScreens(page: Page): Promise<void> {
  await page.context().addInitScript(() => {
    const w = window as unknown as { __firstScreens: Seen[] };
    w.__firstScreens = [];
    void customElements.whenDefined('first-screen').then(() => {
      const proto = customElements.get('first-screen')!.prototype as { firstUpdated?: (...a: unknown[]) => void };
      const own = proto.firstUpdated;
      proto.firstUpdated = function (this: HTMLElement, ...a: unknown[]) {
        own?.apply(this, a);
        const root = this.shadowRoot!;
        const grid = root.querySelector('[role="grid"]');
        w.__firstScreens.push({
          busy: grid?.getAttribute('aria-busy') ?? null,
          readonly: grid?.getAttribute('aria-readonly') ?? null,
          label: grid?.getAttribute('aria-label') ?? null,
          cells: Array.from(root.querySelectorAll('[role="gridcell"]'), (c) => c.textContent?.trim() ?? ''),
          scrollTop: root.querySelector('.scroller')?.scrollTop ?? -1,
        });
      };
    });
  });
}

const seen = (page: Page) => page.evaluate(() => (window as unknown as { __firstScreens: Seen[] }).__firstScreens);

/** Every localStorage entry of the page, keys and values. */
const localStorageText = (page: Page) => page.evaluate(() => Object.entries(localStorage).map(([k, v]) => `${k}=${v}`).join('\n'));

const firstScreenEntry = (page: Page) =>
  page.evaluate(() => Object.keys(localStorage).find((k) => k.startsWith('mutual-sheets:first-screen:')) ?? null);

/** The live grid's scroller, through the app's shadow roots. */
const liveScrollTop = (page: Page) =>
  page.evaluate(() => {
    const view = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!;
    return view.querySelector('sheet-grid')?.shadowRoot?.querySelector('.scroller')?.scrollTop ?? -1;
  });

describe('e2e: first screen from last time', () => {
  it('a reload paints the cached cells in a busy, read-only grid, then the live grid replaces it and takes edits; the sealed cache holds none of the text', async () => {
    const { page, errors } = await gridPage(env);
    await recordFirstScreens(page);
    await newWorkbook(page, env.relay.httpUrl);
    await expect.poll(() => page.url()).toMatch(/#\/w\/e[\w-]{43}$/);
    await typeDown(page, 0, ['Canary-Cell-Rosa', 'Canary-Cell-Amaru']);
    await page.getByTestId('local-status').getByText('Saved on this device').waitFor();
    // kept a second after the grid draws (and again as the page goes)
    await expect.poll(() => firstScreenEntry(page)).not.toBeNull();
    expect(await seen(page)).toEqual([]);

    await page.reload();
    await cell(page, 0, 0).getByText('Canary-Cell-Rosa').waitFor();
    const [first, ...more] = await seen(page);
    expect(more).toEqual([]);
    expect(first).toMatchObject({ busy: 'true', readonly: 'true' });
    expect(first.label).toMatch(/^Opening… showing what was here last time/);
    expect(first.cells).toEqual(expect.arrayContaining(['Canary-Cell-Rosa', 'Canary-Cell-Amaru']));
    // replaced: one grid on the page, the live one, not busy
    await expect.poll(() => page.locator('first-screen').count()).toBe(0);
    await expect.poll(() => page.getByRole('grid').count()).toBe(1);
    expect(await page.getByRole('grid').getAttribute('aria-busy')).toBeNull();

    await cell(page, 1, 1).click();
    await page.keyboard.type('after reload');
    await page.keyboard.press('Enter');
    await expect.poll(() => cellText(page, 1, 1)).toBe('after reload');

    const stored = await localStorageText(page);
    expect(stored).toContain('mutual-sheets:first-screen:e');
    for (const text of ['Canary-Cell-Rosa', 'Canary-Cell-Amaru', 'after reload']) expect(stored, text).not.toContain(text);
    expect(errors).toEqual([]);
  }, 60_000);

  it('comes back scrolled where it was: the first screen and then the live grid', async () => {
    const { page, errors } = await gridPage(env);
    await recordFirstScreens(page);
    await newWorkbook(page, env.relay.httpUrl);
    await cell(page, 0, 0).click();
    await page.evaluate(() => {
      const view = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!;
      const grid = view.querySelector('sheet-grid') as unknown as { pasteGrid(block: string[][]): void };
      grid.pasteGrid(Array.from({ length: 300 }, (_, i) => [`row ${i} A`, `row ${i} B`]));
    });
    await expect.poll(() => page.getByText('300 rows', { exact: false }).count()).toBeGreaterThan(0);
    await page.getByTestId('local-status').getByText('Saved on this device').waitFor();
    // row 150 at the top of the screen
    await page.evaluate(() => {
      const view = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!;
      view.querySelector('sheet-grid')!.shadowRoot!.querySelector('.scroller')!.scrollTop = 150 * 36;
    });
    await cell(page, 150, 0).getByText('row 150 A').waitFor();
    const before = await liveScrollTop(page);
    expect(before).toBe(150 * 36);

    await page.reload();
    await cell(page, 150, 0).getByText('row 150 A').waitFor();
    const [first] = await seen(page);
    expect(first.scrollTop).toBe(before);
    expect(first.cells).toEqual(expect.arrayContaining(['row 150 A', 'row 160 B']));
    expect(first.cells).not.toContain('row 0 A');
    await expect.poll(() => liveScrollTop(page)).toBe(before);
    expect(errors).toEqual([]);
  }, 60_000);
});
