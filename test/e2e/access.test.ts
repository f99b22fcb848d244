import { describe, expect, it } from 'vitest';
import { e2eEnvironment } from '../support/e2e.js';
import { cell } from '../support/grid-page.js';

const env = e2eEnvironment();

async function newPage(name: string) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${env.relay.httpUrl}/`);
  await page.evaluate(`localStorage.setItem('mutual-sheets:display-name', ${JSON.stringify(name)})`);
  return page;
}

describe('e2e: edit and view links', () => {
  it('shares a view link (copy text and QR code) that opens read-only, says so, and still follows live edits; a forged edit link is refused', async () => {
    const ana = await newPage('Ana');
    await ana.getByRole('button', { name: 'New workbook' }).click();
    await ana.getByRole('grid').waitFor();
    await cell(ana, 0, 0).click();
    await ana.keyboard.type('Gym: 40 beds');
    await ana.keyboard.press('Enter');
    await ana.getByTestId('sync-status').getByText('Synced').waitFor();

    await ana.getByRole('button', { name: 'Share' }).click();
    const share = ana.getByRole('dialog', { name: 'Share this workbook' });
    await share.getByRole('img', { name: 'QR code of the edit link' }).waitFor();
    await share.getByRole('img', { name: 'QR code of the view link' }).waitFor();
    expect(await share.getByRole('img', { name: 'QR code of the view link' }).locator('svg').count()).toBe(1);
    const editLink = await share.getByRole('textbox', { name: 'Edit link' }).inputValue();
    const viewLink = await share.getByRole('textbox', { name: 'View link' }).inputValue();
    // The address bar carries no key once the workbook is open; Share builds the link from the key kept on the device.
    expect(ana.url()).toMatch(/#\/w\/e[\w-]{43}$/);
    expect(editLink).toMatch(/\/edit\/[\w-]{43}$/);
    expect(editLink.startsWith(`${ana.url()}/edit/`)).toBe(true);
    expect(viewLink).toMatch(/#\/w\/e[\w-]{43}\/view\/[\w-]{43}\.[\w-]{43}$/);
    await share.getByRole('button', { name: 'Close' }).click();

    const vic = await newPage('Vic');
    await vic.goto(viewLink);
    await cell(vic, 0, 0).getByText('Gym: 40 beds').waitFor();
    await vic.getByRole('note').getByText('view-only link').waitFor();
    expect(await vic.getByRole('button', { name: 'Import', exact: true }).count()).toBe(0);
    await cell(vic, 0, 0).click();
    await vic.keyboard.press('Enter');
    await vic.getByText('This is a view-only link: you can look, not change.').waitFor();
    await vic.keyboard.type('0 beds');
    expect((await cell(vic, 0, 0).textContent())?.trim()).toBe('Gym: 40 beds');

    await cell(ana, 1, 0).click();
    await ana.keyboard.type('Church hall: 25');
    await ana.keyboard.press('Enter');
    await cell(vic, 1, 0).getByText('Church hall: 25').waitFor();
    await vic.getByTestId('sync-status').getByText('Synced').waitFor();

    // The view key presented as an edit key opens nothing.
    const [, , id, , viewPart] = new URL(viewLink).hash.split('/');
    const forged = await newPage('Mal');
    await forged.goto(`${env.relay.httpUrl}/#/w/${id}/edit/${viewPart.split('.')[0]}`);
    await forged.getByTestId('sync-status').getByText(/this link does not open this workbook/).waitFor();
  });
});
