import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { gridPage, newWorkbook } from '../support/grid-page.js';
import { holdLocalCopy, release } from '../support/hold-local-copy.js';
import { shareLink } from '../support/links.js';

/**
 * A phone's first screen (issue 18): a returning phone paints the cards `<row-cards>` showed last
 * time (`<first-cards>`, from a small cache in localStorage) while the doc is still being read, a
 * tap on a card meanwhile is said and opens that row's form once the live cards take over, and
 * they take over where the first cards were. Every new workbook is sealed, so the cache is
 * encrypted: none of its text is in localStorage.
 */

const env = e2eEnvironment();
const PHONE = { width: 390, height: 780 };
const ROWS = 300;
/** the card scrolled to the top of the list before the reload (its row number) */
const TOP_CARD = 151;

/** A sealed workbook of ROWS rows made on a laptop, open on a phone from its edit link, its cards on screen. */
async function workbookOnPhone() {
  const laptop = await gridPage(env);
  await newWorkbook(laptop.page, env.relay.httpUrl);
  await laptop.page.getByRole('grid').getByRole('gridcell').first().click();
  await laptop.page.evaluate((rows) => {
    const view = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!;
    const grid = view.querySelector('sheet-grid') as unknown as { pasteGrid(block: string[][]): void };
    grid.pasteGrid(Array.from({ length: rows }, (_, i) => [`row ${i} A`, `row ${i} B`]));
  }, ROWS);
  await laptop.page.getByTestId('sync-status').getByText('Synced').waitFor();
  const link = await shareLink(laptop.page);
  const context = await env.browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(link);
  await card(page, 1).waitFor();
  await page.getByTestId('local-status').getByText('Saved on this device').waitFor();
  return { page, errors };
}

const card = (page: Page, n: number) => page.getByRole('listitem', { name: new RegExp(`^Row ${n}: row ${n - 1} A`) });

const cardsEntry = (page: Page) => page.evaluate(() => Object.keys(localStorage).find((k) => k.startsWith('mutual-sheets:first-cards:')) ?? null);

/** The scroll position of the list in `<row-cards>` or `<first-cards>` (-1 when there is none). */
const listScrollTop = (page: Page, tag: 'row-cards' | 'first-cards') =>
  page.evaluate((tag) => {
    const view = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!;
    return view.querySelector(tag)?.shadowRoot?.querySelector<HTMLElement>('.list')?.scrollTop ?? -1;
  }, tag);

/**
 * Scrolls the live cards so card TOP_CARD is at the top, and waits until what is kept for next
 * time was saved after that (the entry read in the same task as the scroll: sealed with a fresh
 * nonce, any later save differs). Returns the scroll position.
 */
async function scrollAndKeep(page: Page): Promise<number> {
  await expect.poll(() => cardsEntry(page)).not.toBeNull();
  const before = await page.evaluate((top) => {
    const cards = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!.querySelector('row-cards')!.shadowRoot!;
    const [a, b] = Array.from(cards.querySelectorAll<HTMLElement>('.card'));
    const list = cards.querySelector<HTMLElement>('.list')!;
    const entry = Object.entries(localStorage).find(([k]) => k.startsWith('mutual-sheets:first-cards:'))![1];
    list.scrollTop = (top - 1) * (b.offsetTop - a.offsetTop);
    return { entry, scrollTop: list.scrollTop };
  }, TOP_CARD);
  expect(before.scrollTop).toBeGreaterThan(0);
  await card(page, TOP_CARD).waitFor();
  const key = (await cardsEntry(page))!;
  await expect.poll(() => page.evaluate((k) => localStorage.getItem(k), key)).not.toBe(before.entry);
  return before.scrollTop;
}

const box = async (page: Page, n: number) => (await card(page, n).boundingBox())!;

describe('e2e: a phone’s first cards from last time', () => {
  it('a returning phone shows its cards from the cache before the doc is in, where it was; a tap meanwhile is said and opens that card’s form at handover; the sealed cache holds none of the text', async () => {
    const { page, errors } = await workbookOnPhone();
    const scrollTop = await scrollAndKeep(page);

    await holdLocalCopy(page);
    await page.reload();
    const first = page.locator('first-cards [role="list"][aria-busy="true"]');
    await first.waitFor();
    await page.locator('first-cards').getByText('Opening… showing what was here last time').waitFor();
    // the cards of last time, scrolled where they were, before the doc is in (it is held)
    expect(await page.locator('row-cards').count()).toBe(0);
    await card(page, TOP_CARD).waitFor();
    expect(await listScrollTop(page, 'first-cards')).toBe(scrollTop);
    expect(await card(page, 1).count()).toBe(0);
    expect(await first.getAttribute('aria-label')).toMatch(/^Opening… showing what was here last time/);

    // a finger-sized tap target, and the tap is said, not lost
    const open = card(page, TOP_CARD + 1).getByRole('button', { name: `Open row ${TOP_CARD + 1}` });
    const target = (await open.boundingBox())!;
    expect(target.height).toBeGreaterThanOrEqual(44);
    expect(target.width).toBeGreaterThanOrEqual(44);
    await open.tap();
    await page.locator('first-cards').getByRole('alert').getByText('Still opening: the card opens in a moment.').waitFor();
    expect(await open.getAttribute('aria-pressed')).toBe('true');

    // sealed: none of the cards' text in what is kept
    const stored = await page.evaluate(() => Object.entries(localStorage).map(([k, v]) => `${k}=${v}`).join('\n'));
    expect(stored).toContain('mutual-sheets:first-cards:e');
    for (const text of ['row 150 A', 'row 151 B', 'row 152 A']) expect(stored, text).not.toContain(text);

    await release(page);
    // the live cards take over and open the tapped card's row
    await page.getByRole('button', { name: 'Back to the list' }).waitFor();
    await page.getByText(`Row ${TOP_CARD + 1} of`).first().waitFor();
    expect(await page.locator('first-cards').count()).toBe(0);
    await page.getByRole('button', { name: 'Back to the list' }).tap();
    await card(page, TOP_CARD).waitFor();
    await expect.poll(() => listScrollTop(page, 'row-cards')).toBe(scrollTop);
    expect(errors).toEqual([]);
  }, 90_000);

  it('with no tap, the live cards take the first cards’ place exactly: the same cards at the same places, and no form opens', async () => {
    const { page, errors } = await workbookOnPhone();
    const scrollTop = await scrollAndKeep(page);

    await holdLocalCopy(page);
    await page.reload();
    await page.locator('first-cards [role="list"][aria-busy="true"]').waitFor();
    await card(page, TOP_CARD).waitFor();
    const cached = await box(page, TOP_CARD);
    const next = await box(page, TOP_CARD + 1);

    await release(page);
    await page.locator('row-cards').getByRole('list', { name: 'Rows' }).waitFor();
    await expect.poll(() => listScrollTop(page, 'row-cards')).toBe(scrollTop);
    await page.locator('row-cards').getByRole('listitem', { name: new RegExp(`^Row ${TOP_CARD}:`) }).waitFor();
    const live = await box(page, TOP_CARD);
    for (const k of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(cached[k] - live[k]), k).toBeLessThanOrEqual(1);
    expect(Math.abs(next.y - (await box(page, TOP_CARD + 1)).y)).toBeLessThanOrEqual(1);
    expect(await page.getByRole('button', { name: 'Back to the list' }).count()).toBe(0);
    expect(await page.locator('first-cards').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 90_000);
});
