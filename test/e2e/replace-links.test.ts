import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newSealedWorkbookKeys } from '../../src/protocol/sealed-keys.js';
import { en } from '../../src/ui/i18n/messages.js';
import { allSealedOnHub, makeSealedClient } from '../support/clients.js';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText } from '../support/grid-page.js';

const env = e2eEnvironment();

async function newPage(name: string): Promise<Page> {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${env.relay.httpUrl}/`);
  await page.evaluate(`localStorage.setItem('mutual-sheets:display-name', ${JSON.stringify(name)})`);
  return page;
}

async function typeInto(page: Page, row: number, col: number, text: string): Promise<void> {
  await cell(page, row, col).click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await cell(page, row, col).getByText(text).waitFor();
}

/** The focused element, inside shadow roots: its tag and text. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}` : '';
  });
}

const MOVED = en['close.4460'];

describe('e2e: replacing a sealed workbook’s links', () => {
  it('the editor confirms in an alert dialog (keyboard, 44 px, focus given back on cancel); the page moves to a new sealed workbook with every cell and Activity entry and shows its new links; devices on the old links are told the workbook has moved', async () => {
    // A sealed workbook, made by a device in Node; the editor opens its edit link.
    const keys = newSealedWorkbookKeys();
    const setup = makeSealedClient(env.relay.syncUrl, keys.id, 'Setup', keys.edit);
    await setup.session.whenLoaded;
    setup.wb.initialize({ title: 'Pantry', rows: 3, columns: 2 });
    await allSealedOnHub(setup);
    await setup.destroy();
    if (keys.edit.role !== 'edit' || keys.view.role !== 'view') throw new Error('unexpected keys');
    const oldEdit = `${env.relay.httpUrl}/#/w/${keys.id}/edit/${keys.edit.editKey}`;
    const oldView = `${env.relay.httpUrl}/#/w/${keys.id}/view/${keys.view.viewKey}.${keys.view.editVerifier}`;

    const ana = await newPage('Ana');
    await ana.goto(oldEdit);
    await ana.getByRole('grid').waitFor();
    await typeInto(ana, 0, 0, 'Rosa: 555-0100');
    await typeInto(ana, 1, 0, 'Beans: 4 cans');
    await ana.getByTestId('sync-status').getByText('Synced').waitFor();

    // Ben has the old view link open all along.
    const ben = await newPage('Ben');
    await ben.goto(oldView);
    await cell(ben, 1, 0).getByText('Beans: 4 cans').waitFor();

    await ana.getByRole('button', { name: 'Share', exact: true }).click();
    const share = ana.getByRole('dialog', { name: 'Share this workbook' });
    expect(await share.getByRole('textbox', { name: 'Edit link' }).inputValue()).toContain(keys.id);
    const opener = share.getByRole('button', { name: en['retire.open'] });
    await opener.focus();
    await ana.keyboard.press('Enter');
    const confirm = ana.getByRole('alertdialog', { name: en['retire.title'] });
    await confirm.getByText(en['retire.unseen']).waitFor();
    await confirm.getByText(en['retire.explain']).waitFor();
    // The safe choice has the focus; every control is big enough to tap.
    expect(await focused(ana)).toBe(`button:${en['retire.cancel']}`);
    for (const control of await confirm.locator('button:visible').all()) {
      const box = (await control.boundingBox())!;
      expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(44);
    }
    // Escape cancels: nothing happens, focus goes back to the button that opened it.
    await ana.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden' });
    expect(await focused(ana)).toBe(`button:${en['retire.open']}`);
    expect(ana.url()).toContain(keys.id);

    // Again, and this time confirm with the keyboard.
    await ana.keyboard.press('Enter');
    await confirm.waitFor();
    await ana.keyboard.press('Tab');
    expect(await focused(ana)).toBe(`button:${en['retire.confirm']}`);
    await ana.keyboard.press('Enter');

    // The page is on the new workbook, and shows its new links with what cannot be unseen.
    // (the address holds the new key only for a moment, as any link opened: then `#/w/<new id>`)
    // First the copy and the retiring, which wait on the hub (their pace is the machine's): the
    // dialog closes when both are done, or shows why not — a failure then says which step stuck.
    const dialogState = async () =>
      (await confirm.isVisible()) ? `still open: ${(await confirm.locator('p.busy, p.error').allInnerTexts()).join(' | ') || 'no step shown'}` : 'closed';
    await expect.poll(dialogState, { timeout: 60_000 }).toBe('closed');
    const movedTo = () => /^#\/w\/(e[\w-]{43})$/.exec(new URL(ana.url()).hash)?.[1] ?? '';
    // then the page opens the new link at once, as any link: the key leaves the address
    await expect.poll(() => (movedTo() === keys.id ? ana.url() : movedTo() || ana.url()), { timeout: 10_000 }).toMatch(/^e[\w-]{43}$/);
    const newId = movedTo();
    const newShare = ana.getByRole('dialog', { name: 'Share this workbook' });
    await newShare.getByRole('status').getByText(en['retire.done']).waitFor();
    const newEdit = await newShare.getByRole('textbox', { name: 'Edit link' }).inputValue();
    const newView = await newShare.getByRole('textbox', { name: 'View link' }).inputValue();
    expect(newEdit).toMatch(new RegExp(`#/w/${newId}/edit/[\\w-]{43}$`));
    expect(newView).toContain(`#/w/${newId}/view/`);
    expect(newEdit).not.toBe(oldEdit);
    await newShare.getByRole('button', { name: 'Close', exact: true }).click();
    await newShare.waitFor({ state: 'hidden' });
    // The new edit key exists only on this device: the page asks to keep the links, as for a new workbook.
    await ana.getByRole('region', { name: en['keep.title'] }).waitFor();

    // Every cell, the title, and the Activity from before.
    await cell(ana, 0, 0).getByText('Rosa: 555-0100').waitFor();
    expect(await cellText(ana, 1, 0)).toBe('Beans: 4 cans');
    expect(await ana.getByLabel('Workbook title').inputValue()).toBe('Pantry');
    await ana.getByRole('button', { name: 'Activity', exact: true }).click();
    const activity = ana.getByRole('dialog', { name: 'Activity' });
    await activity.getByRole('listitem').filter({ hasText: /Ana · .*row 1: empty → Rosa: 555-0100/ }).first().waitFor();
    await activity.getByRole('listitem').filter({ hasText: /Ana · .*row 2: empty → Beans: 4 cans/ }).first().waitFor();
    await ana.keyboard.press('Escape');
    await ana.getByTestId('sync-status').getByText('Synced').waitFor();
    // The old workbook is forgotten on this device; the new one's key is kept.
    expect(await ana.evaluate((id) => localStorage.getItem(`mutual-sheets:workbook:${id}`), keys.id)).toBeNull();
    expect(await ana.evaluate((id) => localStorage.getItem(`mutual-sheets:workbook:${id}`), newId)).not.toBeNull();
    // It edits on: the new workbook is a working one.
    await typeInto(ana, 2, 0, 'After the move');
    await ana.getByTestId('sync-status').getByText('Synced').waitFor();

    // Ben's page on the old view link: told the workbook moved, and nothing more arrives.
    await ben.getByTestId('sync-status').getByText(MOVED).waitFor();
    expect(await cellText(ben, 2, 0)).toBe('');

    // Someone opening the old edit link later: told the same, and given nothing.
    const cara = await newPage('Cara');
    await cara.goto(oldEdit);
    await cara.getByTestId('sync-status').getByText(MOVED).waitFor();
    expect(await cara.getByRole('grid').count()).toBe(0);

    // The new edit link opens everything on another device.
    const dan = await newPage('Dan');
    await dan.goto(newEdit);
    await cell(dan, 2, 0).getByText('After the move').waitFor();
    expect(await cellText(dan, 0, 0)).toBe('Rosa: 555-0100');
  }, 90_000);
});
