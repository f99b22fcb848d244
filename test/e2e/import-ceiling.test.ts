import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText, gridPage, newWorkbook, typeDown } from '../support/grid-page.js';

const env = e2eEnvironment();

describe('e2e: files that would hang an import', () => {
  it('is stopped at the time ceiling with its reason, and the workbook is as it was', async () => {
    // No service worker: it would serve the real reader from its cache, past the route below.
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
    env.contexts.push(context);
    context.setDefaultTimeout(15_000);
    // The reader as a hostile template makes it: it takes the file and never answers.
    await context.route('**/assets/import-worker-*.js', (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: "self.onmessage = () => { self.postMessage({ type: 'progress', fraction: 0.2 }); };" }),
    );
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await newWorkbook(page, env.relay.httpUrl);
    await typeDown(page, 0, ['Rice']);
    const tabs = await page.getByRole('tab').count();

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import from CSV or Excel' });
    // Two minutes is the real ceiling; the test's reader is hung, so any ceiling shows the same refusal.
    await page.evaluate(() => {
      const view = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!;
      (view.shadowRoot!.querySelector('import-dialog') as unknown as { readTimeLimitMs: number }).readTimeLimitMs = 3_500;
    });
    await dialog.getByLabel('Choose a file').setInputFiles({ name: 'template.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from('PK\u0003\u0004') });
    // Progress moves while it reads…
    const bar = await dialog.locator('progress').elementHandle();
    await page.waitForFunction((el) => (el as HTMLProgressElement).value === 0.2, bar);
    // …and while the reader is silent (a workbook's parse is one long step), the seconds it has taken do.
    await dialog.getByText('Still reading: 2 s. Cancel stops it.').waitFor();
    // …then the coded refusal, in words, and the file can be chosen again.
    await dialog.getByRole('alert').getByText('Reading this file took too long and was stopped.', { exact: false }).waitFor();
    expect(await dialog.getByRole('alert').textContent()).toMatch(/Nothing was changed\./);
    await dialog.getByLabel('Choose a file').waitFor();
    expect(await dialog.locator('progress').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Nothing changed: the same sheets, the same cells.
    expect(await page.getByRole('tab').count()).toBe(tabs);
    expect(await cellText(page, 0, 0)).toBe('Rice');
    expect(await cellText(page, 1, 0)).toBe('');
    expect(errors).toEqual([]);
  });

  it('a real template whose styled rows run to row 1,048,576 (exceljs: 53 s, 3.2 GB) reads in the worker in seconds', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import from CSV or Excel' });
    const bytes = readFileSync(new URL('../fixtures/interop-corpus/files/calamine/issue_174.xlsx', import.meta.url));
    await dialog.getByLabel('Choose a file').setInputFiles({ name: 'issue_174.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: bytes });
    // Within the locator's 15 s: the reading is bounded by the 12 cells that hold values, not the million rows styled.
    await dialog.getByLabel('Type of Material Cost').waitFor();
    expect(await dialog.getByLabel('Type of Material Cost').inputValue()).toBe('number');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.getByRole('status').getByText('Imported 1 row.').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await cell(page, 0, 1).getByText('Test Contact Name').waitFor();
    expect(await page.getByRole('grid').getAttribute('aria-rowcount')).toBe('2');
    expect(errors).toEqual([]);
  });
});
