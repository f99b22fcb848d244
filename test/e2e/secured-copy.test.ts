import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { keysFromEditKey, legacyKeysFromEditKey } from '../../src/protocol/access.js';
import { allOnHub, makeClient } from '../support/clients.js';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText } from '../support/grid-page.js';
import { shareLink } from '../support/links.js';

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

describe('e2e: workbooks whose links do not protect them', () => {
  it('an open (unkeyed) workbook opens read-only with a notice; “Make a secured copy” opens a new sealed workbook with its content that can be edited and shared', async () => {
    // A workbook from before links carried keys, written by a plain tool (the test hub lets open workbooks be written).
    const room = 'open-pantry-0001';
    const tool = makeClient(env.relay.syncUrl, room, 'Old app');
    const sheet = tool.wb.initialize({ title: 'Pantry', rows: 2, columns: 2 });
    const [r0] = tool.wb.rowIds(sheet);
    const [c0] = tool.wb.columns(sheet);
    tool.wb.setCell(sheet, r0, c0.id, 'Rice: 12 bags');
    await allOnHub(tool);
    await tool.destroy();

    const ana = await newPage('Ana');
    await ana.goto(`${env.relay.httpUrl}/#/w/${room}`);
    await cell(ana, 0, 0).getByText('Rice: 12 bags').waitFor();
    const notice = ana.getByRole('note').filter({ hasText: 'This workbook has no key: anyone who can reach the hub could read it.' });
    await notice.waitFor();
    await ana.getByRole('note', { name: 'Not sealed: the hub can read this workbook' }).waitFor();
    // Read-only here: an edit is refused on the device, with words, and nothing changes.
    await cell(ana, 0, 1).click();
    await ana.keyboard.press('Enter');
    await ana.getByText('This is a view-only link: you can look, not change.').waitFor();
    expect(await cellText(ana, 0, 1)).toBe('');

    await notice.getByRole('button', { name: 'Make a secured copy' }).click();
    // The copy is sealed: an `e…` id, and the header says the hub cannot read it.
    await expect.poll(() => ana.url()).toMatch(/#\/w\/e[\w-]{43}$/);
    await cell(ana, 0, 0).getByText('Rice: 12 bags').waitFor();
    await ana.getByRole('note', { name: 'Sealed: the hub cannot read this workbook' }).waitFor();
    expect(await ana.getByRole('note', { name: 'Not sealed: the hub can read this workbook' }).count()).toBe(0);
    expect(await ana.getByLabel('Workbook title').inputValue()).toBe('Pantry');
    expect(await ana.getByText('This workbook has no key').count()).toBe(0);
    await cell(ana, 1, 0).click();
    await ana.keyboard.type('Beans: 4 cans');
    await ana.keyboard.press('Enter');
    await ana.getByTestId('sync-status').getByText('Synced').waitFor();

    // Its edit link opens it on another device, where the edit arrived through the hub.
    const link = await shareLink(ana);
    expect(link).toMatch(/#\/w\/e[\w-]{43}\/edit\/[\w-]{43}$/);
    const ben = await newPage('Ben');
    await ben.goto(link);
    await cell(ben, 1, 0).getByText('Beans: 4 cans').waitFor();
    await cell(ben, 0, 0).getByText('Rice: 12 bags').waitFor();
    await ben.getByRole('note', { name: 'Sealed: the hub cannot read this workbook' }).waitFor();
    // …and the open original is as it was.
    const reader = makeClient(env.relay.syncUrl, room, 'check');
    await new Promise<void>((res) => {
      const done = () => reader.wb.isInitialized() && (reader.doc.off('update', done), res());
      reader.doc.on('update', done);
      done();
    });
    expect(reader.wb.rowIds(sheet).map((r) => reader.wb.getValue(sheet, r, c0.id))).toEqual(['Rice: 12 bags', null]);
    await reader.destroy();
  });

  it('a legacy k… edit link still opens and edits, and offers a secured copy, which is sealed; its named snapshot can be deleted after a confirmation in the page', async () => {
    const legacy = await legacyKeysFromEditKey('Q'.repeat(43));
    // A legacy workbook, as an older app made it (its key goes to the hub in HELLO).
    const tool = makeClient(env.relay.syncUrl, legacy.id, 'Old app', new Y.Doc(), legacy.edit);
    tool.wb.initialize({ title: 'Old links', rows: 1, columns: 1 });
    await allOnHub(tool);
    await tool.destroy();
    const ana = await newPage('Ana');
    await ana.goto(`${env.relay.httpUrl}/#/w/${legacy.id}/edit/${'Q'.repeat(43)}`);
    await ana.getByRole('grid').waitFor();
    const notice = ana.getByRole('note').filter({ hasText: 'link is of an older kind' });
    await notice.waitFor();
    await ana.getByRole('note', { name: 'Not sealed: the hub can read this workbook' }).waitFor();
    await cell(ana, 0, 0).click();
    await ana.keyboard.type('still editable');
    await ana.keyboard.press('Enter');
    await ana.getByTestId('sync-status').getByText('Synced').waitFor();
    // Share hands on the legacy view link, derived the legacy way.
    const view = await shareLink(ana, 'View link');
    const expected = (await keysFromEditKey('Q'.repeat(43), undefined, legacy.id)).view;
    expect(view.endsWith(`/view/${expected.role === 'view' ? `${expected.viewKey}.${expected.editVerifier}` : ''}`)).toBe(true);

    await notice.getByRole('button', { name: 'Make a secured copy' }).click();
    await expect.poll(() => ana.url()).toMatch(/#\/w\/e[\w-]{43}$/);
    await cell(ana, 0, 0).getByText('still editable').waitFor();
    await ana.getByRole('note', { name: 'Sealed: the hub cannot read this workbook' }).waitFor();

    await ana.getByRole('button', { name: 'Snapshots' }).click();
    const panel = ana.getByRole('dialog', { name: 'Snapshots' });
    await panel.getByLabel('Name').fill('before the move');
    await panel.getByRole('button', { name: 'Take a snapshot now' }).click();
    await panel.getByRole('status').getByText('Snapshot “before the move” kept on the hub.').waitFor();
    await panel.getByRole('button', { name: /^Delete before the move/ }).click();
    const confirm = panel.getByRole('alertdialog', { name: 'Confirm deleting a snapshot' });
    await confirm.getByText('Delete the snapshot “before the move” from the hub? It cannot be brought back.').waitFor();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await panel.getByRole('status').getByText('Snapshot “before the move” deleted.').waitFor();
    await expect.poll(() => panel.getByRole('button', { name: /^Open before the move/ }).count()).toBe(0);
  });
});
