import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { shareLink } from '../support/links.js';
import { cell } from '../support/grid-page.js';

const env = e2eEnvironment();
const PHONE = { width: 390, height: 780 };
const STATUSES = ['In progress', 'Call back'];

/** A phone opening a workbook's link; `name` null for a view link, which never asks for one. */
async function phone(url: string, name: string | null) {
  const context = await env.browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true });
  env.contexts.push(context);
  // A locator that never appears fails on its own, naming itself, before the test timeout.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(url);
  if (name !== null) {
    await page.getByLabel('Your name').fill(name);
    await page.getByLabel('Your name').press('Enter');
  }
  await page.getByRole('listitem', { name: /^Row 1:/ }).waitFor();
  await page.getByTestId('sync-status').getByText('Synced').waitFor();
  return { context, page };
}

/** A needs tracker made on a laptop, its row 1 named (the phone lists filled rows only). */
async function tracker() {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${env.relay.httpUrl}/`);
  await page.getByRole('button', { name: 'Needs / requests tracker' }).click();
  await page.getByRole('grid').waitFor();
  await page.getByLabel('Your name').fill('Maria');
  await page.getByLabel('Your name').press('Enter');
  await cell(page, 0, 2).click();
  await page.keyboard.type('Marta');
  await page.keyboard.press('Enter');
  return { edit: await shareLink(page), view: await shareLink(page, 'View link') };
}

const openRow1 = async (page: Page) => {
  await page.getByRole('listitem', { name: /^Row 1:/ }).getByRole('button', { name: 'Open row 1' }).tap({ position: { x: 24, y: 12 } });
  await page.getByText(/^Row 1 of \d+$/).waitFor();
};

const back = async (page: Page) => {
  await page.getByRole('button', { name: 'Back to the list' }).tap();
  await page.getByRole('list', { name: 'Rows' }).waitFor();
};

/** Both phones offline, each changes what `change` changes, both back online and synced. */
async function offlineAtOnce(phones: { context: { setOffline(o: boolean): Promise<void> }; page: Page }[], change: (page: Page, i: number) => Promise<void>) {
  for (const p of phones) {
    await p.context.setOffline(true);
    await p.page.getByTestId('sync-status').getByText(/Offline/).waitFor();
  }
  for (const [i, p] of phones.entries()) await change(p.page, i);
  for (const p of phones) {
    await p.context.setOffline(false);
    await p.page.getByTestId('sync-status').getByText('Synced').waitFor({ timeout: 20_000 });
  }
}

describe('e2e: same-cell conflicts on phones', () => {
  it('two offline phones change one status: both cards and the form show it with the other value, a viewer sees it unsettleable, one Keep settles it on both, and the cell’s history lists all three', async () => {
    const links = await tracker();
    const ana = await phone(links.edit, 'Ana');
    const luis = await phone(links.edit, 'Luis');
    await offlineAtOnce([ana, luis], async (page, i) => {
      await openRow1(page);
      await page.getByLabel('Status', { exact: true }).selectOption(STATUSES[i]);
      await page.getByTestId('saved-Status').getByText('✓ Saved on this device — not yet on the hub').waitFor();
      await back(page);
    });

    // The same winner on both; each card marks the conflict in words and names the other value, who and when.
    const mark = (page: Page) => page.getByRole('listitem', { name: /^Row 1:/ }).getByTestId('card-conflict-Status');
    await mark(ana.page).waitFor({ timeout: 20_000 });
    await mark(luis.page).waitFor({ timeout: 20_000 });
    const shownOn = async (page: Page) => {
      const name = (await page.getByRole('listitem', { name: /^Row 1:/ }).getAttribute('aria-label')) ?? '';
      return STATUSES.find((s) => name.includes(s));
    };
    const winner = await shownOn(ana.page);
    expect(winner).toBeDefined();
    expect(await shownOn(luis.page)).toBe(winner);
    const loser = STATUSES.find((s) => s !== winner)!;
    const loserBy = loser === STATUSES[0] ? 'Ana' : 'Luis';
    for (const p of [ana, luis]) {
      const text = await mark(p.page).innerText();
      expect(text).toContain('⚠');
      // “Call back” by Luis, 12/2/2026, 2:41 PM — the exact time, as the laptop's menu gives it
      expect(text).toMatch(new RegExp(`Status: also “${loser}” by ${loserBy}, .*\\d{1,2}:\\d{2}`));
    }

    // A view link shows the conflict, and why it cannot settle it.
    const viewer = await phone(links.view, null);
    await mark(viewer.page).waitFor({ timeout: 20_000 });
    await mark(viewer.page).tap();
    const menu = viewer.page.getByRole('dialog', { name: 'Conflict in Status, row 1' });
    await menu.getByText(`“${loser}” by`).or(menu.getByText(loser, { exact: true })).first().waitFor();
    for (const s of STATUSES) expect(await menu.getByRole('button', { name: `Keep “${s}”` }).isDisabled()).toBe(true);
    await menu.getByText('This is a view-only link: only someone with the edit link can settle it.').waitFor();
    expect(await menu.getByLabel('Or type a new value').count()).toBe(0);
    await menu.getByRole('button', { name: 'Close' }).tap();
    await menu.waitFor({ state: 'hidden' });

    // Luis's form: the field's own conflict, Keep for each value (44 px targets); he keeps Ana's.
    await openRow1(luis.page);
    const field = luis.page.getByTestId('conflict-Status');
    await field.getByText(new RegExp(`Conflict: written at the same time, also “${loser}” by ${loserBy}`)).waitFor();
    const keep = field.getByRole('button', { name: `Keep “${STATUSES[0]}”` });
    expect((await keep.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await keep.tap();
    await field.waitFor({ state: 'detached' });
    expect(await luis.page.getByLabel('Status', { exact: true }).inputValue()).toBe(STATUSES[0]);
    // Gone on the other phone and the viewer too, which show the value kept.
    for (const p of [ana, viewer]) {
      await p.page.getByRole('listitem', { name: new RegExp(`^Row 1: .*${STATUSES[0]}`) }).waitFor({ timeout: 20_000 });
      await mark(p.page).waitFor({ state: 'detached' });
    }

    // "History of this cell" from the form field: both writes and the resolution, newest first.
    await luis.page.getByRole('button', { name: 'History of this cell: Status' }).tap();
    const history = luis.page.getByRole('dialog', { name: 'History of Status, row 1' });
    const items = history.getByRole('listitem');
    await items.nth(2).waitFor();
    expect(await items.count()).toBe(3);
    expect(await items.nth(0).innerText()).toMatch(new RegExp(`${winner} → ${STATUSES[0]} \\(conflict settled\\)\\s+Luis · this device`));
    const older = [await items.nth(1).innerText(), await items.nth(2).innerText()].join('\n');
    expect(older).toMatch(new RegExp(`empty → ${STATUSES[0]}\\s+Ana · device \\w{4}`));
    expect(older).toMatch(new RegExp(`empty → ${STATUSES[1]}\\s+Luis · this device`));
    const close = history.getByRole('button', { name: 'Close' });
    expect((await close.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await close.tap();
    await history.waitFor({ state: 'hidden' });
  }, 90_000); // four browser contexts, two of them offline and back: long on a shared 2-core machine

  it('a text field changed on two offline phones: typing a new value in the form settles it on both; the card opens the same choices', async () => {
    const links = await tracker();
    const ana = await phone(links.edit, 'Ana');
    const luis = await phone(links.edit, 'Luis');
    await offlineAtOnce([ana, luis], async (page, i) => {
      await openRow1(page);
      await page.getByLabel('Cross streets', { exact: true }).fill(['5th & Main', 'Main & 6th'][i]);
      await back(page);
    });
    const mark = (page: Page) => page.getByRole('listitem', { name: /^Row 1:/ }).getByTestId('card-conflict-Cross streets');
    await mark(ana.page).waitFor({ timeout: 20_000 });
    await mark(luis.page).waitFor({ timeout: 20_000 });

    // The card's mark opens the choices, as the laptop's menu has them.
    await mark(ana.page).tap();
    const menu = ana.page.getByRole('dialog', { name: 'Conflict in Cross streets, row 1' });
    await menu.getByRole('button', { name: 'Keep “5th & Main”' }).waitFor();
    await menu.getByRole('button', { name: 'Keep “Main & 6th”' }).waitFor();
    await menu.getByRole('button', { name: 'Close' }).tap();
    await menu.waitFor({ state: 'hidden' });

    // Ana types a third value in the form instead: having seen both, it settles the conflict.
    await openRow1(ana.page);
    await ana.page.getByTestId('conflict-Cross streets').waitFor();
    await ana.page.getByLabel('Cross streets', { exact: true }).fill('Main & 5th, by the church');
    await back(ana.page);
    for (const p of [ana, luis]) {
      // Cross streets is the first text field among the tracker's card fields: it names the card.
      await p.page.getByRole('listitem', { name: /^Row 1:/ }).getByText('1. Main & 5th, by the church').waitFor({ timeout: 20_000 });
      await mark(p.page).waitFor({ state: 'detached' });
    }
    await openRow1(luis.page);
    expect(await luis.page.getByTestId('conflict-Cross streets').count()).toBe(0);
  }, 90_000);
});
