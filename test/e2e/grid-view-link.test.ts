import { describe, expect, it } from 'vitest';
import { e2eEnvironment } from '../support/e2e.js';
import { shareLink } from '../support/links.js';
import { activeAt, cell, cellText as text, gridToolbar } from '../support/grid-page.js';

const env = e2eEnvironment();

async function newPage() {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.relay.httpUrl });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

const REASON = 'Not on a view-only link: ask for the edit link to change the sheet.';

describe('e2e: the grid on a view link', () => {
  it('shows every structure control disabled with the reason, and refuses writes by key with a notice', async () => {
    const { page: ana } = await newPage();
    await ana.goto(`${env.relay.httpUrl}/`);
    await ana.getByRole('button', { name: 'New workbook' }).click();
    await ana.getByRole('grid').waitFor();
    await cell(ana, 0, 0).click();
    await ana.keyboard.type('Rice');
    await ana.keyboard.press('Enter');
    await ana.getByTestId('sync-status').getByText('Synced').waitFor();
    const viewLink = await shareLink(ana, 'View link');

    const { page: vic, errors } = await newPage();
    await vic.goto(viewLink);
    await cell(vic, 0, 0).getByText('Rice').waitFor();
    const bar = gridToolbar(vic);
    for (const name of ['Add row', 'Delete row', 'Add column', 'Column settings']) {
      const button = bar.getByRole('button', { name, exact: true });
      expect(await button.isDisabled(), name).toBe(true);
      expect(await button.getAttribute('title'), name).toBe(REASON);
      expect(await button.getAttribute('aria-description'), name).toBe(REASON);
    }
    const trash = bar.getByRole('button', { name: /^Trash/ });
    expect(await trash.isDisabled()).toBe(true);
    expect(await trash.getAttribute('aria-description')).toMatch(/edit link/);
    // Undo and redo have nothing to undo on a view link: not shown at all.
    expect(await bar.getByRole('button', { name: 'Undo' }).count()).toBe(0);
    expect(await bar.getByRole('button', { name: 'Redo' }).count()).toBe(0);
    // What a view link can use stays enabled.
    expect(await bar.getByRole('button', { name: 'Sort & filter' }).isDisabled()).toBe(false);
    expect(await bar.getByRole('button', { name: 'Activity' }).isDisabled()).toBe(false);
    // Column widths are shared: no resize handle to drag.
    expect(await vic.locator('sheet-grid .resizer').count()).toBe(0);

    // Keys that write say why instead of failing: Delete, Ctrl+D, a paste.
    await cell(vic, 0, 0).click();
    await vic.keyboard.press('Delete');
    await vic.getByRole('alert').getByText('This is a view-only link: you can look, not change.').waitFor();
    await vic.getByRole('button', { name: 'Dismiss' }).click();
    await cell(vic, 0, 0).click();
    await vic.keyboard.press('Shift+ArrowDown');
    await vic.keyboard.press('Control+d');
    await vic.getByRole('alert').getByText('This is a view-only link: you can look, not change.').waitFor();
    await vic.getByRole('button', { name: 'Dismiss' }).click();
    await cell(vic, 1, 0).click();
    await activeAt(vic, 1, 0);
    await vic.evaluate(() => navigator.clipboard.writeText('Beans'));
    await vic.keyboard.press('Control+v');
    await vic.getByRole('alert').getByText('This is a view-only link: you can look, not change.').waitFor();
    expect(await text(vic, 0, 0)).toBe('Rice');
    expect(await text(vic, 1, 0)).toBe('');
    // No error line either: nothing was tried and failed.
    expect(await vic.locator('sheet-grid .footer .error').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
