import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { shareLink } from '../support/links.js';
import { cell, cellText, gridPage, gridToolbar, newWorkbook, setYourName, typeDown } from '../support/grid-page.js';

const env = e2eEnvironment();

/** Column settings of the grid's column `col`: name, type, and (when given) its formula. */
async function settings(page: Page, col: number, name: string, type: string | null, formula?: string) {
  await cell(page, 0, col).click();
  await gridToolbar(page).getByRole('button', { name: 'Column settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Column settings' });
  await dialog.getByLabel('Name').fill(name);
  if (type) await dialog.getByLabel('Type').selectOption(type);
  if (formula !== undefined) await dialog.getByLabel('Formula', { exact: true }).fill(formula);
  await dialog.getByRole('button', { name: 'Save' }).click();
  return dialog;
}

async function phone(url: string) {
  const context = await env.browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await setYourName(page, 'Luis');
  return { context, page, errors };
}

describe('e2e: column formulas', () => {
  it('a column formula set in the column editor computes on a row a phone adds offline, at once there and for the laptop once back online; the phone shows results read-only', async () => {
    const { page: ana, errors } = await gridPage(env);
    await newWorkbook(ana, env.relay.httpUrl);
    await setYourName(ana, 'Ana');
    await (await settings(ana, 0, 'Item', null)).waitFor({ state: 'hidden' });
    await (await settings(ana, 1, 'Needed', 'number')).waitFor({ state: 'hidden' });
    await (await settings(ana, 2, 'Signed up', 'number')).waitFor({ state: 'hidden' });
    await typeDown(ana, 0, ['Water run']);
    await typeDown(ana, 1, ['5']);
    await typeDown(ana, 2, ['2']);
    // A typed value in what becomes the computed column: kept, hidden under the formula.
    await typeDown(ana, 3, ['old note']);

    // A name no column has is refused in words, and nothing is saved.
    const bad = await settings(ana, 3, 'Open', null, '=[Neded] - [Signed up]');
    await bad.getByRole('alert').getByText('No column is called “Neded”.').waitFor();
    await bad.getByRole('button', { name: 'Cancel' }).click();
    await bad.waitFor({ state: 'hidden' });
    expect(await ana.getByRole('columnheader', { name: /Open/ }).count()).toBe(0);

    const good = await settings(ana, 3, 'Open', null, '=[Needed] - [Signed up]');
    await good.waitFor({ state: 'hidden' });
    await expect.poll(() => cellText(ana, 0, 3)).toBe('3');
    // Typing over a computed cell is refused, saying why; the result stays.
    await cell(ana, 0, 3).click();
    await ana.keyboard.type('9');
    await ana.getByRole('alert').getByText('“Open” is worked out by its formula (=[Needed]-[Signed up])').waitFor();
    expect(await cellText(ana, 0, 3)).toBe('3');
    // The editor shows the formula in display form.
    await gridToolbar(ana).getByRole('button', { name: 'Column settings' }).click();
    const again = ana.getByRole('dialog', { name: 'Column settings' });
    expect(await again.getByLabel('Formula', { exact: true }).inputValue()).toBe('=[Needed]-[Signed up]');
    await again.getByRole('button', { name: 'Cancel' }).click();
    // A cell's own formula, which the phone shows read-only too.
    await cell(ana, 0, 4).click();
    await ana.keyboard.type('=B1*2');
    await ana.keyboard.press('Enter');
    await expect.poll(() => cellText(ana, 0, 4)).toBe('10');

    const luis = await phone(await shareLink(ana));
    const p = luis.page;
    await p.getByRole('listitem', { name: /^Row 1:/ }).getByText('Open: 3').waitFor();
    await p.getByTestId('sync-status').getByText('Synced').waitFor();
    await p.getByRole('listitem', { name: /^Row 1:/ }).tap();
    await p.getByText(/^Row 1 of \d+$/).waitFor();
    await p.getByTestId('result-E').getByText('10', { exact: true }).waitFor();
    await p.getByText('Worked out from =B1*2').waitFor();
    await p.getByTestId('result-Open').getByText('3', { exact: true }).waitFor();
    // Results are read, never typed: no input for either field, each named as computed.
    expect(await p.getByRole('textbox', { name: 'E', exact: true }).count()).toBe(0);
    expect(await p.getByRole('textbox', { name: 'Open', exact: true }).count()).toBe(0);
    expect(await p.getByLabel('Open computed', { exact: true }).textContent()).toBe('3');
    await p.getByRole('button', { name: 'Back to the list' }).tap();

    await luis.context.setOffline(true);
    await p.getByTestId('sync-status').getByText(/Offline/).waitFor();
    await p.getByRole('listitem', { name: 'Add a row' }).getByRole('button').tap();
    await p.getByText(/^Row 2 of \d+$/).waitFor();
    await p.getByLabel('Item', { exact: true }).fill('Sandbags');
    await p.getByLabel('Needed', { exact: true }).fill('10');
    await p.getByLabel('Signed up', { exact: true }).fill('3');
    await p.getByTestId('result-Open').getByText('7', { exact: true }).waitFor();
    await p.getByText('Worked out from =[Needed]-[Signed up]').waitFor();
    await p.getByRole('button', { name: 'Back to the list' }).tap();
    await p.getByRole('listitem', { name: /^Row 2:/ }).getByText('Open: 7').waitFor();
    // The search finds results too: 7 is in no cell anyone typed.
    await p.getByRole('searchbox', { name: 'Search' }).fill('7');
    await p.getByText('1 of 2 rows').waitFor();
    expect(await p.getByRole('listitem', { name: /^Row 2:/ }).count()).toBe(1);
    await p.getByRole('searchbox', { name: 'Search' }).fill('');

    await luis.context.setOffline(false);
    await p.getByTestId('sync-status').getByText('Synced').waitFor({ timeout: 20_000 });
    await expect.poll(() => cellText(ana, 1, 3)).toBe('7');
    expect(await cellText(ana, 1, 0)).toBe('Sandbags');

    // Cleared, the column is a plain one again: what was typed in it shows.
    await (await settings(ana, 3, 'Open', null, '')).waitFor({ state: 'hidden' });
    await expect.poll(() => cellText(ana, 0, 3)).toBe('old note');
    expect(errors).toEqual([]);
    expect(luis.errors).toEqual([]);
  });
});
