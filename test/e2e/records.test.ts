import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readXlsx } from '../../src/io/xlsx.js';
import { cli } from '../support/cli.js';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText as text } from '../support/grid-page.js';
import { shareLink } from '../support/links.js';

const env = e2eEnvironment();

async function newWorkbook(name: string, title: string): Promise<Page> {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${env.relay.httpUrl}/`);
  await page.getByRole('button', { name: 'New workbook' }).click();
  await page.getByRole('grid').waitFor();
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Your name').press('Enter');
  await page.getByLabel('Workbook title').fill(title);
  await page.getByLabel('Workbook title').press('Enter');
  return page;
}

const CSV =
  'Name,Requested on,Qty,Delivered,Status\r\n' +
  'Zoë Ñandú,12/1/2026,"1,234.5",TRUE,open\r\n' +
  '"Li, Lei","12/3/2026",2,FALSE,done\r\n' +
  'Ana,,,,open\r\n' +
  'Luis,12/15/2026,n/a,TRUE,done\r\n';

async function importFile(page: Page, name: string, content: string | Buffer) {
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Import from CSV or Excel' });
  await dialog.getByLabel('Choose a file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content) });
  return dialog;
}

async function downloadOf(page: Page, click: () => Promise<void>) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: dl.suggestedFilename(), bytes: readFileSync((await dl.path())!) };
}

describe('e2e: records', () => {
  it('imports a Google Sheets CSV through the preview (undoable), exports this view and the workbook with dated names, and the hub CLI exports what the browser wrote', async () => {
    const page = await newWorkbook('Ana', 'Food bank');
    const id = new URL(page.url()).hash.split('/')[2];

    // A broken file is refused and changes nothing.
    let dialog = await importFile(page, 'photo.xlsx', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    await dialog.getByRole('alert').getByText(/not a spreadsheet.*Nothing was changed/i).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(await page.getByRole('tab').count()).toBe(1);

    dialog = await importFile(page, 'requests.csv', CSV);
    await dialog.getByLabel('Type of Requested on').waitFor();
    expect(await dialog.getByLabel('Type of Requested on').inputValue()).toBe('date');
    expect(await dialog.getByLabel('Type of Delivered').inputValue()).toBe('checkbox');
    expect(await dialog.getByLabel('Type of Qty').inputValue()).toBe('text');
    await dialog.getByLabel('Type of Qty').selectOption('number');
    await dialog.getByRole('list', { name: /do not fit/ }).getByText(/Row 5, Qty: “n\/a”.*Kept as text/).waitFor();
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.getByRole('status').getByText(/Imported 4 rows\. 1 value did not fit/).waitFor();
    // One undo step takes the whole import back.
    await dialog.getByRole('button', { name: 'Undo import' }).click();
    await dialog.getByText('The import was undone.').waitFor();
    expect(await page.getByRole('tab').count()).toBe(1);
    await dialog.getByRole('button', { name: 'Close' }).click();

    dialog = await importFile(page, 'requests.csv', CSV);
    await dialog.getByLabel('Type of Qty').selectOption('number');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('tab', { name: /requests/ }).waitFor();
    await cell(page, 0, 0).getByText('Zoë Ñandú').waitFor();
    expect([await text(page, 0, 1), await text(page, 0, 2), await text(page, 1, 0), await text(page, 3, 2)]).toEqual(['2026-12-01', '1234.5', 'Li, Lei', 'n/a']);

    // My view: only the open requests.
    await cell(page, 0, 4).click();
    await page.getByRole('button', { name: 'Sort & filter' }).click();
    const menu = page.getByRole('dialog', { name: /My view/ });
    await menu.getByLabel('Filter value').fill('open');
    await menu.getByRole('button', { name: 'Apply filter' }).click();
    await page.locator('[role="grid"][aria-rowcount="3"]').waitFor();

    await page.getByRole('button', { name: 'Export' }).click();
    const exportMenu = page.getByRole('dialog', { name: 'Export' });
    const viewCsv = await downloadOf(page, () => exportMenu.getByRole('button', { name: /This view as CSV/ }).click());
    expect(viewCsv.name).toMatch(/^Food bank – requests \(my view\) \d{4}-\d{2}-\d{2} \d{4}\.csv$/);
    expect(viewCsv.bytes.toString('utf8')).toBe('\ufeffName,Requested on,Qty,Delivered,Status\r\nZoë Ñandú,2026-12-01,1234.5,TRUE,open\r\nAna,,,,open\r\n');

    await page.getByRole('button', { name: 'Export' }).click();
    const book = await downloadOf(page, () => exportMenu.getByRole('button', { name: 'Whole workbook as Excel (.xlsx)' }).click());
    expect(book.name).toMatch(/^Food bank \d{4}-\d{2}-\d{2} \d{4}\.xlsx$/);
    const tables = await readXlsx(new Uint8Array(book.bytes));
    expect(tables.map((t) => t.name)).toEqual(['Sheet 1', 'requests']);
    expect(tables[1].rows[0]).toEqual(['Zoë Ñandú', '2026-12-01', 1234.5, true, 'open']);
    expect(tables[1].meta?.map((m) => m?.type)).toEqual(['text', 'date', 'number', 'checkbox', 'select']);

    // Print: the view alone, as a table, with nothing else of the app.
    await page.evaluate(`window.print = () => { window.__printed = document.querySelector('body > print-view')?.shadowRoot?.textContent ?? ''; }`);
    await page.getByRole('button', { name: 'Export' }).click();
    await exportMenu.getByRole('button', { name: /Print/ }).click();
    const printed = String(await page.evaluate('window.__printed'));
    expect(printed).toContain('Food bank – requests');
    expect(printed).toContain('Zoë Ñandú');
    expect(printed).not.toContain('Li, Lei');

    // The hub's operator exports the same workbook from the data dir while the relay runs. It is
    // sealed: the hub's data alone does not open it (an id is refused), its edit link does.
    await page.getByTestId('sync-status').getByText('Synced').waitFor();
    expect(id).toMatch(/^e[\w-]{43}$/);
    const refused = await cli(env.relay.dataDir, ['export', '--workbook', id, '--format', 'json']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${id} is sealed`);
    expect(refused.stdout).toBe('');
    const link = await shareLink(page);
    const json = await cli(env.relay.dataDir, ['export', '--link', link, '--format', 'json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const snap = JSON.parse(json.stdout);
    expect(snap.title).toBe('Food bank');
    const requests = snap.sheets.find((s: { name: string }) => s.name === 'requests');
    expect(requests.rows).toHaveLength(4);
    expect(Object.values(requests.rows[0].cells)).toEqual(['Zoë Ñandú', '2026-12-01', 1234.5, true, expect.any(String)]);
    const csv = await cli(env.relay.dataDir, ['export', '--link', link, '--format', 'csv', '--sheet', 'requests']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n')[4]).toBe('Luis,2026-12-15,n/a,TRUE,done');
    // …the same bytes as the browser's own export of that sheet (both start with the BOM Excel needs).
    await page.getByRole('button', { name: 'Export' }).click();
    const sheetCsv = await downloadOf(page, () => exportMenu.getByRole('button', { name: 'This sheet as CSV' }).click());
    expect(csv.stdout.startsWith('\ufeff')).toBe(true);
    expect(sheetCsv.bytes.toString('utf8')).toBe(csv.stdout);
    // …and the browser's filtered view is those rows, the open ones.
    const cliLines = csv.stdout.replace(/^\ufeff/, '').split('\r\n');
    for (const line of viewCsv.bytes.toString('utf8').replace(/^\ufeff/, '').split('\r\n')) expect(cliLines).toContain(line);
  }, 60_000); // two imports, two exports and the hub CLI: long on a shared 2-core machine

  it('imports every sheet of an Excel workbook in the worker, and a big file can be cancelled with nothing changed', async () => {
    const page = await newWorkbook('Ana', 'Shelter');
    const book = new ExcelJS.Workbook();
    const ws = book.addWorksheet('Beds');
    ws.addRow(['Site', 'Open since', 'Beds', 'Accessible']);
    ws.addRow(['Gym', new Date(Date.UTC(2026, 10, 2)), 40, true]);
    ws.addRow(['Church hall', new Date(Date.UTC(2026, 10, 5)), 25, false]);
    book.addWorksheet('Contacts').addRow(['Who', 'Phone']);
    book.getWorksheet('Contacts')!.addRow(['Marta', '+34 600 11 22 33']);
    const bytes = Buffer.from((await book.xlsx.writeBuffer()) as ArrayBuffer);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import from CSV or Excel' });
    await dialog.getByLabel('Choose a file').setInputFiles({ name: 'shelter.xlsx', mimeType: 'application/octet-stream', buffer: bytes });
    await dialog.getByText('Beds: 2 rows').waitFor();
    await dialog.getByText('Contacts: 1 row').waitFor();
    expect(await dialog.getByLabel('Type of Open since').inputValue()).toBe('date');
    expect(await dialog.getByLabel('Type of Beds', { exact: true }).inputValue()).toBe('number');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.getByRole('status').getByText('Imported 3 rows.').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('tab', { name: /Contacts/ }).waitFor();
    await cell(page, 1, 1).getByText('2026-11-05').waitFor();

    // 40 MB of CSV, made in the page (sending it over the devtools protocol would take longer than
    // parsing it): the progress bar shows, Cancel stops the worker, the workbook is untouched.
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.getByLabel('Choose a file').evaluate((input: HTMLInputElement) => {
      const big = 'Item,Qty,Note\r\n' + 'Rice,12,"a note that pads the line out to a realistic length"\r\n'.repeat(600_000);
      const files = new DataTransfer();
      files.items.add(new File([big], 'big.csv', { type: 'text/csv' }));
      input.files = files.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await dialog.getByRole('progressbar').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.getByRole('alert').getByText('Import cancelled: nothing was changed.').waitFor();
    expect(await page.getByRole('tab').count()).toBe(3);
  });

  it('takes a named snapshot, shows what changed since, and restores a row as a new edit', async () => {
    const page = await newWorkbook('Ana', 'Depot');
    await cell(page, 0, 0).click();
    await page.keyboard.type('Rice');
    await page.keyboard.press('Enter');
    await page.getByTestId('sync-status').getByText('Synced').waitFor();

    await page.getByRole('button', { name: 'Snapshots' }).click();
    const panel = page.getByRole('dialog', { name: 'Snapshots' });
    await panel.getByLabel('Name').fill('end of day 3');
    await panel.getByRole('button', { name: 'Take a snapshot now' }).click();
    // Either outcome shows up; an error's text then names what went wrong.
    const outcome = panel.getByRole('status').or(panel.getByRole('alert')).first();
    await outcome.waitFor();
    expect(await outcome.textContent()).toContain('Snapshot “end of day 3” kept on the hub.');
    await panel.getByRole('list', { name: 'Snapshots, newest first' }).getByText(/by Ana/).waitFor();
    await panel.getByRole('button', { name: 'Close' }).click();

    await cell(page, 0, 0).click();
    await page.keyboard.type('Beans');
    await page.keyboard.press('Enter');
    await cell(page, 0, 0).getByText('Beans').waitFor();

    await page.getByRole('button', { name: 'Snapshots' }).click();
    await panel.getByRole('button', { name: /^Open end of day 3/ }).click();
    await panel.getByRole('list', { name: 'What changed since, per sheet' }).getByText(/0 rows added, 0 removed, 1 cell changed since/).waitFor();
    await panel.getByRole('button', { name: 'Restore row 1' }).click();
    const confirm = panel.getByRole('alertdialog', { name: 'Confirm restore' });
    await confirm.getByText('This sets back later changes by Ana (1).').waitFor();
    await confirm.getByRole('button', { name: 'Restore' }).click();
    await panel.getByRole('status').getByText(/Restored row 1: 1 cell set back/).waitFor();
    await panel.getByRole('button', { name: 'Close' }).click();
    await cell(page, 0, 0).getByText('Rice').waitFor();
    // A restore is an edit like any other: undo takes it back.
    await cell(page, 0, 0).click();
    await page.keyboard.press('Control+z');
    await cell(page, 0, 0).getByText('Beans').waitFor();
  });

  it('a JSON snapshot exported from one workbook opens as an exact new workbook; a damaged one is refused', async () => {
    const page = await newWorkbook('Ana', 'Pantry');
    await cell(page, 0, 0).click();
    await page.keyboard.type('Rice');
    await page.keyboard.press('Enter');
    const firstUrl = page.url();
    await page.getByRole('button', { name: 'Export' }).click();
    const json = await downloadOf(page, () => page.getByRole('dialog', { name: 'Export' }).getByRole('button', { name: /JSON snapshot/ }).click());
    expect(json.name).toMatch(/^Pantry \d{4}-\d{2}-\d{2} \d{4}\.json$/);

    await page.goto(`${env.relay.httpUrl}/`);
    const picker = page.getByLabel('Open a JSON snapshot (a copy under a new link)');
    await picker.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"something else"}') });
    await page.getByRole('alert').getByText('This file is not a Mutual Sheets snapshot. Nothing was opened.').waitFor();
    await picker.setInputFiles({ name: json.name, mimeType: 'application/json', buffer: json.bytes });
    await page.getByRole('grid').waitFor();
    expect(page.url()).not.toBe(firstUrl);
    expect(await page.getByLabel('Workbook title').inputValue()).toBe('Pantry');
    await cell(page, 0, 0).getByText('Rice').waitFor();
  });
});
