import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { shareLink } from '../support/links.js';

const env = e2eEnvironment();
const PHONE = { width: 390, height: 780 };
const LAPTOP = { width: 1280, height: 800 };

async function open(viewport: { width: number; height: number }, url?: string) {
  const mobile = viewport.width < 600;
  const context = await env.browser.newContext({ viewport, hasTouch: mobile, isMobile: mobile });
  env.contexts.push(context);
  // A locator that never appears fails on its own, naming itself, before the test timeout.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(url ?? `${env.relay.httpUrl}/`);
  return { context, page };
}

/**
 * A workbook from a template, made by a coordinator on a laptop, open on a volunteer's phone
 * from its edit link.
 */
async function templateOnPhone(template: string) {
  const laptop = await open(LAPTOP);
  await laptop.page.getByRole('button', { name: template }).click();
  await laptop.page.getByRole('grid').waitFor();
  const p = await open(PHONE, await shareLink(laptop.page));
  await p.page.getByRole('list', { name: 'Rows' }).waitFor();
  await p.page.getByTestId('sync-status').getByText('Synced').waitFor();
  return { ...p, laptop };
}

const card = (page: Page, n: number) => page.getByRole('listitem', { name: new RegExp(`^Row ${n}:`) });

/** Taps the Add card, fills text fields in the new row's form, and goes back to the list. */
async function addRow(page: Page, fields: Record<string, string>, selects: Record<string, string> = {}) {
  await page.getByRole('listitem', { name: 'Add a row' }).getByRole('button').tap();
  await page.getByRole('button', { name: 'Back to the list' }).waitFor();
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
  for (const [label, value] of Object.entries(selects)) await page.getByLabel(label, { exact: true }).selectOption(value);
  await page.getByRole('button', { name: 'Back to the list' }).tap();
  await page.getByRole('list', { name: 'Rows' }).waitFor();
}

/** What the laptop's own model holds for a cell, by column name (the grid shows only the columns that fit). */
function laptopValue(page: Page, row: number, column: string) {
  return page.evaluate(
    ([row, column]) => {
      const view = document.querySelector('mutual-sheets-app')?.shadowRoot?.querySelector('workbook-view')?.shadowRoot;
      const grid = view?.querySelector('sheet-grid') as unknown as {
        workbook: { rowIds(s: string): string[]; columns(s: string): { id: string; name: string; options: { id: string; label: string }[] }[]; getValue(s: string, r: string, c: string): unknown };
        sheetId: string;
      } | null;
      if (!grid?.workbook) return undefined;
      const col = grid.workbook.columns(grid.sheetId).find((c) => c.name === column)!;
      const v = grid.workbook.getValue(grid.sheetId, grid.workbook.rowIds(grid.sheetId)[row as number], col.id);
      return col.options.find((o) => o.id === v)?.label ?? v;
    },
    [row, column] as const,
  );
}

/** Controls in the cards view smaller than a finger (44 px), by name. */
function smallTargets(page: Page) {
  return page.locator('row-cards').evaluate((el) => {
    const out: string[] = [];
    for (const c of el.shadowRoot!.querySelectorAll<HTMLElement>('button, select, input')) {
      const box = c.getBoundingClientRect();
      if (box.width > 0 && (box.height < 44 || box.width < 44)) out.push(`${c.tagName} ${c.getAttribute('aria-label') ?? c.textContent?.trim()} ${box.width}×${box.height}`);
    }
    return out;
  });
}

describe('e2e: phone cards', () => {
  it('requests on a phone: an empty sheet shows the Add card; cards show status, support, cross streets and assignee; a status changes in two taps, seen on a laptop, with Undo', async () => {
    const { page, laptop } = await templateOnPhone('Needs / requests tracker');
    // Thirty spare rows and not one card: only the Add card.
    await page.getByText('No rows yet.').waitFor();
    expect(await page.getByRole('list', { name: 'Rows' }).getByRole('listitem').count()).toBe(1);
    await addRow(page, { 'First name': 'Rosa', 'Cross streets': '5th & Main' }, { Support: 'Groceries' });
    await addRow(page, { 'First name': 'Omar', 'Cross streets': 'Elm & 3rd' }, { Support: 'Prescription pickup' });
    expect(await page.getByRole('list', { name: 'Rows' }).getByRole('listitem').count()).toBe(3);

    const rosa = card(page, 1);
    await rosa.getByText('1. 5th & Main').waitFor();
    await rosa.getByText('Support: Groceries').waitFor();
    await rosa.getByText('Delivery volunteer: —').waitFor();
    await rosa.getByText('First name: Rosa').waitFor();
    expect(await smallTargets(page)).toEqual([]);

    await expect.poll(() => laptopValue(laptop.page, 1, 'First name')).toBe('Omar');

    // Tap one: the chip. Tap two: the new status. Written at once, on the hub, and on the laptop.
    await rosa.getByRole('button', { name: 'Status: —. Change' }).tap();
    const sheet = page.getByRole('dialog', { name: 'Status of row 1' });
    await sheet.getByRole('button', { name: 'Delivery needed' }).tap();
    await sheet.waitFor({ state: 'hidden' });
    await rosa.getByRole('button', { name: 'Status: Delivery needed. Change' }).waitFor();
    // A screen reader hears the card by its title and status.
    await page.getByRole('listitem', { name: 'Row 1: 5th & Main, Delivery needed', exact: true }).waitFor();
    await page.getByRole('status').getByText('Status of row 1: Delivery needed.').waitFor();
    await page.getByTestId('card-saved').getByText('✓ Saved, and on the hub').waitFor();
    await expect.poll(() => laptopValue(laptop.page, 0, 'Status')).toBe('Delivery needed');

    // Undo takes it back, there and on the laptop.
    await page.getByRole('button', { name: 'Undo my last change on the cards' }).tap();
    await page.getByRole('status').getByText('Undone: Status.').waitFor();
    await rosa.getByRole('button', { name: 'Status: —. Change' }).waitFor();
    await expect.poll(() => laptopValue(laptop.page, 0, 'Status')).toBe(null);

    // By keyboard: the chip opens the sheet on Enter, the current choice has focus, Escape changes nothing.
    await card(page, 2).getByRole('button', { name: /^Status: / }).focus();
    await page.keyboard.press('Enter');
    const omar = page.getByRole('dialog', { name: 'Status of row 2' });
    await expect.poll(() => omar.getByRole('button', { name: 'No Status' }).evaluate((b) => (b.getRootNode() as ShadowRoot).activeElement === b)).toBe(true);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Escape');
    await omar.waitFor({ state: 'hidden' });
    await card(page, 2).getByRole('button', { name: 'Status: —. Change' }).waitFor();

    // The laptop's change reaches the card.
    await card(page, 2).getByRole('button', { name: 'Status: —. Change' }).tap();
    await omar.getByRole('button', { name: 'In progress' }).tap();
    await expect.poll(() => laptopValue(laptop.page, 1, 'Status')).toBe('In progress');

    // A claim from the card: one tap, on the laptop at once, and it is the volunteer's in Mine.
    await rosa.getByRole('button', { name: 'Claim Delivery volunteer' }).tap();
    await rosa.getByRole('button', { name: 'Release my Delivery volunteer claim' }).waitFor();
    await page.getByRole('button', { name: /^Mine \(1\)/ }).waitFor();
    await expect.poll(() => laptopValue(laptop.page, 0, 'Delivery volunteer')).not.toBe(null);
    await rosa.getByRole('button', { name: 'Release my Delivery volunteer claim' }).tap();
    await rosa.getByRole('button', { name: 'Claim Delivery volunteer' }).waitFor();
    await expect.poll(() => laptopValue(laptop.page, 0, 'Delivery volunteer')).toBe(null);
  });

  it('Mine after claiming one, search and a status filter; reload keeps them; Card fields for editors, disabled with its reason for a view link', async () => {
    const { page, laptop } = await templateOnPhone('Needs / requests tracker');
    await addRow(page, { 'First name': 'Rosa', 'Cross streets': '5th & Main' });
    await addRow(page, { 'First name': 'Omar', 'Cross streets': 'Elm & 3rd' }, { Status: 'Call back' });
    await addRow(page, { 'First name': 'Inés', 'Cross streets': 'Oak & 9th' });

    // Claim Omar's delivery in his form.
    await card(page, 2).tap();
    const delivery = page.locator('.field', { hasText: 'Delivery volunteer' });
    await delivery.getByRole('button', { name: 'Claim' }).tap();
    await delivery.getByRole('button', { name: 'Release' }).waitFor();
    await page.getByRole('button', { name: 'Back to the list' }).tap();

    const mine = page.getByRole('button', { name: /^Mine/ });
    await page.getByRole('button', { name: /^Mine \(1\)/ }).waitFor();
    await mine.tap();
    expect(await mine.getAttribute('aria-pressed')).toBe('true');
    await card(page, 1).waitFor({ state: 'detached' });
    await card(page, 2).waitFor();
    expect(await card(page, 3).count()).toBe(0);
    await page.getByText('1 of 3 rows').waitFor();
    // The form calls the row by its number in the sheet, and its place in what is shown.
    await card(page, 2).tap();
    await page.getByText('Row 2 (1 of 1 shown)').waitFor();
    await page.getByRole('button', { name: 'Back to the list' }).tap();
    await mine.tap();
    await card(page, 1).waitFor();

    // Search: any word, accents ignored.
    await page.getByRole('searchbox', { name: 'Search' }).fill('ines');
    await card(page, 1).waitFor({ state: 'detached' });
    await card(page, 3).waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill('zzz');
    await page.getByRole('status').getByText('No rows match. Clear the filters to see every row.').waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await card(page, 1).waitFor();

    // A status filter, with Mine on: both remembered across a reload.
    await page.getByRole('button', { name: 'Filters' }).tap();
    await page.getByRole('group', { name: 'Filters' }).getByLabel('Status').selectOption('Call back');
    await card(page, 1).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Filters (1)' }).waitFor();
    await mine.tap();
    await page.reload();
    await card(page, 2).waitFor();
    expect(await page.getByRole('button', { name: /^Mine/ }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Filters (1)' }).waitFor();
    expect(await card(page, 1).count()).toBe(0);
    expect(await card(page, 3).count()).toBe(0);
    await page.getByRole('button', { name: 'Filters (1)' }).tap();
    await page.getByRole('button', { name: 'Clear filters' }).tap();
    await card(page, 1).waitFor();
    await card(page, 3).waitFor();

    // Card fields: an editor chooses them for the sheet; every phone's cards follow.
    const viewer = await open(PHONE, await shareLink(laptop.page, 'View link'));
    await card(viewer.page, 1).getByText('Support: —').waitFor();
    await page.getByRole('button', { name: 'Card fields' }).tap();
    const dialog = page.getByRole('dialog', { name: 'Fields shown on each card' });
    await dialog.getByLabel('Support', { exact: true }).uncheck();
    await dialog.getByLabel('Neighborhood', { exact: true }).check();
    await dialog.getByRole('button', { name: 'Save' }).tap();
    await dialog.waitFor({ state: 'hidden' });
    await card(page, 1).getByText('Neighborhood: —').waitFor();
    expect(await card(page, 1).getByText('Support:').count()).toBe(0);
    await card(viewer.page, 1).getByText('Neighborhood: —').waitFor();
    expect(await card(viewer.page, 1).getByText('Support:').count()).toBe(0);

    // A view link: no Add, no chip to tap, and Card fields disabled saying why.
    const fields = viewer.page.getByRole('button', { name: 'Card fields' });
    expect(await fields.isDisabled()).toBe(true);
    await viewer.page.getByText('Only people with the edit link can choose the card fields.').waitFor();
    expect(await viewer.page.getByRole('listitem', { name: 'Add a row' }).count()).toBe(0);
    expect(await card(viewer.page, 2).getByRole('button', { name: /^Status:/ }).count()).toBe(0);
    expect(await card(viewer.page, 1).getByRole('button', { name: /^Claim / }).count()).toBe(0);
    await card(viewer.page, 2).getByText('Call back').waitFor();
  });

  it('an inventory card counts with − / +, adds up like the form, flags low stock and filters by it', async () => {
    const { page } = await templateOnPhone('Supply inventory');
    // Nothing here can be claimed: no Mine to tap.
    expect(await page.getByRole('button', { name: /^Mine/ }).count()).toBe(0);
    await addRow(page, { Item: 'Water', 'Reorder at': '3' });
    await addRow(page, { Item: 'Soap' });
    const water = card(page, 1);
    const plus = water.getByRole('button', { name: 'On hand plus one' });
    await plus.tap();
    await plus.tap();
    await water.getByTestId('card-count-On hand').getByText('2', { exact: true }).waitFor();
    await water.getByRole('img', { name: 'On hand is low: 2, reorder at 3' }).waitFor();
    await plus.tap();
    await water.getByTestId('card-count-On hand').getByText('3', { exact: true }).waitFor();
    expect(await water.getByRole('img', { name: /is low/ }).count()).toBe(0);
    await water.getByRole('button', { name: 'On hand minus one' }).tap();
    await water.getByTestId('card-count-On hand').getByText('2', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Undo my last change on the cards' }).tap();
    await water.getByTestId('card-count-On hand').getByText('3', { exact: true }).waitFor();
    await water.getByRole('button', { name: 'On hand minus one' }).tap();
    await water.getByRole('img', { name: /is low/ }).waitFor();

    // The form shows the same count the card made.
    await water.tap();
    await page.getByTestId('count-On hand').getByText('2').waitFor();
    await page.getByRole('button', { name: 'Back to the list' }).tap();

    await page.getByRole('button', { name: 'Filters' }).tap();
    await page.getByLabel('Only low stock').check();
    await card(page, 2).waitFor({ state: 'detached' });
    await card(page, 1).waitFor();
    expect(await smallTargets(page)).toEqual([]);
  });

  it('back from a row far down the list finds the list where it was', async () => {
    const { page, laptop } = await templateOnPhone('Needs / requests tracker');
    // A coordinator types fifteen requests' first names on the laptop.
    await laptop.page.locator('[role="row"][aria-rowindex="2"] [role="gridcell"][aria-colindex="4"]').click();
    for (let i = 1; i <= 15; i++) {
      await laptop.page.keyboard.type(`Person ${i}`);
      await laptop.page.keyboard.press('Enter');
    }
    await page.getByText('15 rows').waitFor();
    // The volunteer scrolls to the end of the list and opens the last one.
    await page.getByRole('list', { name: 'Rows' }).evaluate((list) => list.scrollTo(0, list.scrollHeight));
    await card(page, 15).tap();
    await page.getByLabel('First name', { exact: true }).waitFor();
    expect(await page.getByLabel('First name', { exact: true }).inputValue()).toBe('Person 15');
    await page.getByRole('button', { name: 'Back to the list' }).tap();
    const box = await card(page, 15).boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height);
    expect(box!.y).toBeGreaterThan(0);
  });
});
