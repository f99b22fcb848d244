import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { shareLink } from '../support/links.js';
import { cell } from '../support/grid-page.js';

const env = e2eEnvironment();
const LAPTOP = { width: 1280, height: 800 };

async function open(name: string | null, url?: string) {
  const context = await env.browser.newContext({ viewport: LAPTOP });
  env.contexts.push(context);
  // A locator that never appears fails on its own, naming itself, before the test timeout.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  // No native confirm() may be left: one would fail the test here instead of being clicked away.
  page.on('dialog', (d) => {
    throw new Error(`unexpected native dialog: ${d.message()}`);
  });
  await page.goto(url ?? `${env.relay.httpUrl}/`);
  if (!url) {
    await page.getByRole('button', { name: 'New workbook' }).click();
    await page.getByRole('grid').waitFor();
  }
  // A viewer writes nothing, so is never asked for a name.
  if (name === null) await page.getByRole('grid').waitFor();
  else {
    await page.getByLabel('Your name').fill(name);
    await page.getByLabel('Your name').press('Enter');
  }
  return { context, page };
}

async function type(page: Page, row: number, value: string) {
  await cell(page, row, 0).click();
  await page.keyboard.type(value);
  await page.keyboard.press('Enter');
}

async function activity(page: Page) {
  await page.getByRole('button', { name: 'Activity' }).click();
  return page.getByRole('dialog', { name: 'Activity' });
}

describe('e2e: Activity — revert asks in the page, retention is an editor’s setting', () => {
  it('Revert a person asks in the page: keyboard reachable, Escape and Cancel keep everything and give focus back, Yes reverts', async () => {
    const coord = await open('Maria');
    const vandal = await open('Vandal', await shareLink(coord.page));
    await type(vandal.page, 0, 'lol');
    await type(vandal.page, 1, 'spam');
    await cell(coord.page, 1, 0).getByText('spam').waitFor();

    const panel = await activity(coord.page);
    await panel.getByLabel('Person').selectOption('Vandal');
    const revert = panel.getByRole('button', { name: 'Revert Vandal’s changes' });
    await revert.focus();
    await coord.page.keyboard.press('Enter');
    const ask = panel.getByRole('alertdialog', { name: /Revert every change Vandal made ever\?/ });
    await ask.waitFor();
    // The safe answer has the focus; Escape takes back the question, not the panel.
    await expect.poll(() => ask.getByRole('button', { name: 'Cancel' }).evaluate((b) => b.matches(':focus'))).toBe(true);
    await coord.page.keyboard.press('Escape');
    await ask.waitFor({ state: 'detached' });
    expect(await panel.isVisible()).toBe(true);
    await expect.poll(() => revert.evaluate((b) => b.matches(':focus'))).toBe(true);
    await cell(coord.page, 1, 0).getByText('spam').waitFor();

    // Cancel by keyboard: nothing reverted, focus back on the button.
    await coord.page.keyboard.press('Enter');
    await ask.waitFor();
    await coord.page.keyboard.press('Enter');
    await ask.waitFor({ state: 'detached' });
    await expect.poll(() => revert.evaluate((b) => b.matches(':focus'))).toBe(true);
    await cell(coord.page, 1, 0).getByText('spam').waitFor();

    // Yes, by keyboard from the question (Shift+Tab from Cancel reaches it).
    await coord.page.keyboard.press('Enter');
    await ask.waitFor();
    await coord.page.keyboard.press('Shift+Tab');
    await expect.poll(() => ask.getByRole('button', { name: 'Yes, revert Vandal’s changes' }).evaluate((b) => b.matches(':focus'))).toBe(true);
    await coord.page.keyboard.press('Enter');
    await panel.getByText('Reverted 2 changes.').waitFor();
    await expect.poll(() => revert.evaluate((b) => b.matches(':focus'))).toBe(true);
    await cell(vandal.page, 1, 0).getByText('spam').waitFor({ state: 'detached' });
    await cell(vandal.page, 0, 0).getByText('lol').waitFor({ state: 'detached' });
  });

  it('an editor keeps history longer, never below 90 days / 1,000,000 changes; a viewer reads it and cannot change it', async () => {
    const coord = await open('Maria');
    const panel = await activity(coord.page);
    await panel.getByText('How long history is kept').click();
    await panel.getByTestId('retention').getByText('Every change of the last 90 days is kept, and always the newest 1,000,000 changes').waitFor();

    // Below the floor is refused and says why; the setting stays as it was.
    await panel.getByLabel('Keep changes for at least (days)').fill('30');
    await panel.getByRole('button', { name: 'Save', exact: true }).click();
    await panel.getByRole('alert').getByText('At least 90 days and 1,000,000 changes').waitFor();
    await panel.getByTestId('retention').getByText('last 90 days').waitFor();

    await panel.getByLabel('Keep changes for at least (days)').fill('400');
    await panel.getByLabel('Always keep the newest (changes)').fill('2000000');
    await panel.getByLabel('Always keep the newest (changes)').press('Enter');
    await panel.getByText('History is now kept for 400 days, and always the newest 2,000,000 changes.').waitFor();
    await panel.getByTestId('retention').getByText('Every change of the last 400 days is kept, and always the newest 2,000,000 changes').waitFor();
    expect(await panel.getByRole('alert').count()).toBe(0);

    await panel.getByRole('button', { name: 'Close', exact: true }).click();
    await panel.waitFor({ state: 'hidden' });
    // A viewer sees the workbook's setting, and has no fields to change it.
    const viewer = await open(null, await shareLink(coord.page, 'View link'));
    const seen = await activity(viewer.page);
    await seen.getByTestId('retention').getByText('last 400 days').waitFor({ timeout: 20_000 });
    await seen.getByText('Only someone with the edit link can change this.').waitFor();
    expect(await seen.getByLabel('Keep changes for at least (days)').count()).toBe(0);
    expect(await seen.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
  });
});
