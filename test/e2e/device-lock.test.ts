import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { cell } from '../support/grid-page.js';
import { shareLink } from '../support/links.js';

const env = e2eEnvironment();
const PASS = 'pantry north 42';

async function desk() {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  // Every prompt here is the page's own dialog, never the browser's.
  page.on('dialog', () => {
    throw new Error('the device lock used a browser prompt');
  });
  await page.goto(`${env.relay.httpUrl}/`);
  return page;
}

/** A new workbook with a cell typed and on the hub; its id and edit link. */
async function workbookWith(page: Page, text: string) {
  await page.getByRole('button', { name: 'New workbook' }).click();
  await page.getByRole('grid').waitFor();
  await cell(page, 0, 0).click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await page.getByTestId('sync-status').getByText('Synced').waitFor();
  const edit = await shareLink(page);
  const [, , id, , key] = new URL(edit).hash.split('/');
  await page.getByRole('region', { name: 'Keep this workbook’s links' }).getByRole('button', { name: 'Later' }).click();
  return { id, key, edit };
}

/** Whether the page's focus (through shadow roots) is on this element. */
const focused = (l: Locator) => l.evaluate((el) => el.matches(':focus'));

/** Every localStorage value that holds the key, as typed or in base64 of its text. */
const storedKey = (page: Page, key: string) =>
  page.evaluate((needle) => {
    const forms = [needle, btoa(needle).slice(4, -4), btoa(`x${needle}`).slice(4, -4), btoa(`xx${needle}`).slice(4, -4)];
    return Object.keys(localStorage).filter((k) => forms.some((f) => (localStorage.getItem(k) ?? '').includes(f)));
  }, key);

/** Controls of a dialog smaller than a finger: none may be. */
const smallTargets = (dialog: Locator) =>
  dialog.evaluate((d) =>
    Array.from(d.querySelectorAll('button, input:not([type=checkbox]), label.check'))
      .map((el) => el.getBoundingClientRect())
      .filter((r) => r.width > 0 && (r.height < 44 || r.width < 44)).length,
  );

/** Sets a lock from the home screen with the keyboard only. */
async function setLock(page: Page) {
  await page.getByRole('link', { name: 'All workbooks' }).click();
  const entry = page.getByRole('button', { name: 'Device lock…' });
  await entry.focus();
  await page.keyboard.press('Enter');
  const manage = page.getByRole('dialog', { name: 'Device lock' });
  await manage.waitFor();
  expect(await focused(manage.getByRole('button', { name: 'Set a passphrase…' }))).toBe(true);
  await page.keyboard.press('Enter');
  const set = page.getByRole('dialog', { name: 'Set a passphrase' });
  expect(await focused(set.getByLabel('New passphrase'))).toBe(true);
  expect(await smallTargets(set)).toBe(0);
  // Too short, then not the same twice: each said, nothing set.
  await page.keyboard.type('short');
  await page.keyboard.press('Tab');
  await page.keyboard.type('short');
  await page.keyboard.press('Enter');
  await set.getByRole('alert').getByText('at least 8 characters').waitFor();
  await page.keyboard.type(PASS);
  await page.keyboard.press('Tab');
  await page.keyboard.type(`${PASS}!`);
  await page.keyboard.press('Enter');
  await set.getByRole('alert').getByText('not the same').waitFor();
  await page.keyboard.type(PASS);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASS);
  await page.keyboard.press('Enter');
  await manage.getByRole('status').getByText('now locked with a passphrase').waitFor();
  await manage.getByRole('button', { name: 'Change the passphrase…' }).waitFor();
  // Escape closes it, and focus is back on the entry that opened it.
  await page.keyboard.press('Escape');
  await manage.waitFor({ state: 'detached' });
  expect(await focused(entry)).toBe(true);
}

describe('e2e: the device lock', () => {
  it('a lock set here is asked for on reload: a wrong passphrase is refused, the right one opens the workbook — all from the keyboard', async () => {
    const page = await desk();
    const { id, key } = await workbookWith(page, 'Rice 10kg');
    expect((await storedKey(page, key)).length).toBeGreaterThan(0);
    await setLock(page);
    // The key is no longer on this device in any readable form.
    expect(await storedKey(page, key)).toEqual([]);

    // Reload on the workbook: it asks to unlock, in an ARIA dialog with the passphrase field focused.
    await page.goto(`${env.relay.httpUrl}/#/w/${id}`);
    await page.reload();
    const unlock = page.getByRole('dialog', { name: 'Unlock this device' });
    await unlock.waitFor();
    expect(await unlock.getAttribute('aria-modal')).toBe('true');
    expect(await focused(unlock.getByLabel('Passphrase'))).toBe(true);
    expect(await smallTargets(unlock)).toBe(0);
    expect(await page.getByRole('grid').count()).toBe(0);

    // A wrong passphrase: refused, said, the dialog stays and nothing opens.
    await page.keyboard.type('pantry south 42');
    await page.keyboard.press('Enter');
    await unlock.getByRole('alert').getByText('That passphrase does not unlock this device’s keys').waitFor();
    expect(await focused(unlock.getByLabel('Passphrase'))).toBe(true);
    expect(await unlock.getByLabel('Passphrase').inputValue()).toBe('');
    expect(await page.getByRole('grid').count()).toBe(0);

    // The right one opens the workbook, still editable.
    await page.keyboard.type(PASS);
    await page.keyboard.press('Enter');
    await unlock.waitFor({ state: 'detached' });
    await cell(page, 0, 0).getByText('Rice 10kg').waitFor();
    await cell(page, 1, 0).click();
    await page.keyboard.type('Beans');
    await page.keyboard.press('Enter');
    await page.getByTestId('sync-status').getByText('Synced').waitFor();
    expect(await storedKey(page, key)).toEqual([]);

    // "Not now" leaves it locked: the workbook asks for its link, with a way to unlock.
    await page.reload();
    await unlock.getByRole('button', { name: 'Not now' }).click();
    await page.getByText('This device has no link for this workbook').waitFor();
    await page.getByRole('button', { name: 'Unlock this device…' }).click();
    await page.keyboard.type(PASS);
    await page.keyboard.press('Enter');
    await cell(page, 1, 0).getByText('Beans').waitFor();
  });

  it('forget keys: the confirmation says the workbooks stay on the hub and need their links; afterwards the workbook asks for its link, which opens it again', async () => {
    const page = await desk();
    const { id, key, edit } = await workbookWith(page, 'Shelter: 12 beds');
    await setLock(page);

    // The passphrase is forgotten: from the unlock dialog, forget the keys.
    await page.goto(`${env.relay.httpUrl}/#/w/${id}`);
    await page.reload();
    const unlock = page.getByRole('dialog', { name: 'Unlock this device' });
    await unlock.getByRole('button', { name: 'Forgot the passphrase? Forget this device’s keys…' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Forget this device’s keys?' });
    await ask.getByText('The workbooks stay on the hub, with everything in them. To open one here again you will need its link').waitFor();
    expect(await focused(ask.getByRole('button', { name: 'Cancel' }))).toBe(true);
    expect(await smallTargets(ask)).toBe(0);
    // Cancel goes back to the unlock form; then forget for real.
    await page.keyboard.press('Enter');
    await unlock.getByLabel('Passphrase').waitFor();
    await unlock.getByRole('button', { name: 'Forgot the passphrase? Forget this device’s keys…' }).click();
    await ask.getByRole('button', { name: 'Forget the keys' }).click();
    const done = page.getByRole('dialog', { name: 'This device’s keys are forgotten' });
    await done.getByText('Open a workbook’s link to use it on this device again.').waitFor();
    await done.getByRole('button', { name: 'Close' }).click();
    await done.waitFor({ state: 'detached' });

    // The workbook asks for its link, now and after a reload; no key and no lock is left.
    await page.getByText('This device has no link for this workbook').waitFor();
    await page.reload();
    await page.getByText('This device has no link for this workbook').waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await storedKey(page, key)).toEqual([]);
    expect(await page.evaluate(() => localStorage.getItem('mutual-sheets:device-lock'))).toBeNull();

    // Its link opens it again, from the hub.
    await page.goto(edit);
    await cell(page, 0, 0).getByText('Shelter: 12 beds').waitFor();
    expect((await storedKey(page, key)).length).toBeGreaterThan(0);

    // Forgetting from the home screen, removing every workbook too: the list and the copies go.
    await page.getByRole('link', { name: 'All workbooks' }).click();
    await page.getByRole('list', { name: 'Workbooks on this device' }).waitFor();
    await page.getByRole('button', { name: 'Device lock…' }).click();
    await page.getByRole('dialog', { name: 'Device lock' }).getByRole('button', { name: 'Forget this device’s keys…' }).click();
    await ask.getByRole('checkbox', { name: /Also remove every workbook from this device/ }).check();
    await ask.getByRole('button', { name: 'Forget the keys' }).click();
    await done.getByText('Every workbook was removed from this device too.').waitFor();
    await done.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('list', { name: 'Workbooks on this device' }).waitFor({ state: 'detached' });
    expect(await storedKey(page, key)).toEqual([]);
    const databases = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));
    expect(databases.filter((n) => n.includes(id))).toEqual([]);
  });
});
