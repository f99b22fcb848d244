import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { cell } from '../support/grid-page.js';
import { shareLink } from '../support/links.js';

const env = e2eEnvironment();

async function newPage(viewport = { width: 1280, height: 800 }) {
  const context = await env.browser.newContext({ viewport });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

/**
 * Every control on the page a person could use right now — visible, not disabled, not read-only — through
 * every shadow root, as "<element that holds it> <role> <name>" (the grid's own controls say "grid").
 */
const enabledControls = (page: Page) =>
  page.evaluate(() => {
    const out: string[] = [];
    const nameOf = (el: Element) => {
      const label = el.getAttribute('aria-label');
      if (label) return label;
      const by = el.getAttribute('aria-labelledby');
      if (by) return (el.getRootNode() as ShadowRoot | Document).getElementById(by)?.textContent?.trim() ?? '';
      const wrapping = el.closest('label');
      if (wrapping) return wrapping.textContent?.replace(/\s+/g, ' ').trim() ?? '';
      return el.textContent?.replace(/\s+/g, ' ').trim() ?? '';
    };
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) walk(el.shadowRoot);
        if (!el.matches('button, input, select, textarea, summary, a[href], [contenteditable="true"], [role="button"], [role="menuitem"], [role="tab"], [role="checkbox"]')) continue;
        if ((el as HTMLButtonElement).disabled || el.matches(':disabled')) continue;
        if ((el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) && el.readOnly) continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
        const host = el.closest('[role="grid"]') ? 'grid' : ((el.getRootNode() as ShadowRoot).host?.tagName.toLowerCase() ?? 'page');
        out.push(`${host} ${el.getAttribute('role') ?? el.tagName.toLowerCase()} ${nameOf(el)}`);
      }
    };
    walk(document);
    return out;
  });

/**
 * What a view link may use, said outright: moving around and looking (sheets, history, snapshots, the
 * moment picker), its own view (sort & filter, find), export, its own name, and Share's copy. Each entry:
 * the element holding the control, its role or tag, and its name.
 */
const ALLOWED: [host: string, role: string, name: RegExp][] = [
  ['workbook-header', 'a', /^All workbooks$/],
  ['workbook-header', 'input', /^Your name$/],
  ['workbook-header', 'button', /^(Export|Snapshots|Restore to…|Share|More actions)$/],
  ['header-menu', 'button', /^More actions$/],
  ['header-menu', 'menuitem', /^(Export|Snapshots|Restore to…)$/],
  ['sheet-tabs', 'tab', /.+/],
  ['sheet-grid', 'button', /^(Activity|Cell history|Sort & filter|Find.*)$/],
  ['grid', 'button', /^Sort and filter /],
  // Export and its options (separator, format) are a viewer's: they change only the file made.
  ['export-menu', 'button', /.+/],
  ['export-menu', 'select', /.+/],
  ['export-menu', 'input', /.+/],
  ['snapshots-panel', 'button', /^(Open .+|Close|Back to the list|Show)$/],
  ['restore-dialog', 'input', /^Any moment/],
  ['restore-dialog', 'select', /.+/],
  ['restore-dialog', 'button', /^(See this moment|Just before.*|Show earlier changes|Close)$/],
  ['restore-dialog', 'summary', /^Each change$/],
  ['share-dialog', 'button', /^(Copy view link|Close)$/],
  ['column-editor', 'button', /^Cancel$/],
  // The app's own notices (ready offline, an update waiting): about this device, not the workbook.
  ['app-update', 'button', /.+/],
];

const notAllowed = (controls: string[]) =>
  controls.filter((c) => {
    const [host, role, ...rest] = c.split(' ');
    const name = rest.join(' ');
    return !ALLOWED.some(([h, r, n]) => h === host && r === role && n.test(name));
  });

/** A workbook Ana made (a cell typed, a named snapshot taken), and Vic on its view link. */
async function viewerOfNewWorkbook() {
  const ana = await newPage();
  await ana.page.goto(`${env.relay.httpUrl}/`);
  await ana.page.getByRole('button', { name: 'New workbook' }).click();
  await ana.page.getByRole('grid').waitFor();
  await cell(ana.page, 0, 0).click();
  await ana.page.keyboard.type('Gym: 40 beds');
  await ana.page.keyboard.press('Enter');
  await ana.page.getByTestId('sync-status').getByText('Synced').waitFor();
  await ana.page.getByRole('button', { name: 'Snapshots', exact: true }).click();
  const panel = ana.page.getByRole('dialog', { name: 'Snapshots' });
  await panel.getByLabel('Name').fill('morning');
  await panel.getByRole('button', { name: 'Take a snapshot now' }).click();
  await panel.getByRole('list', { name: 'Snapshots, newest first' }).getByText('morning').waitFor();
  await panel.getByRole('button', { name: 'Close' }).click();
  await cell(ana.page, 0, 0).click();
  await ana.page.keyboard.type('Gym: 35 beds');
  await ana.page.keyboard.press('Enter');
  await ana.page.getByTestId('sync-status').getByText('Synced').waitFor();
  const viewLink = await shareLink(ana.page, 'View link');
  const vic = await newPage();
  await vic.page.goto(viewLink);
  await cell(vic.page, 0, 0).getByText('Gym: 35 beds').waitFor();
  await vic.page.getByTestId('sync-status').getByText('Synced').waitFor();
  return { ana, vic, viewLink };
}

describe('e2e: a view link shows no enabled structure control', () => {
  it('across the whole page and in every dialog it can open, only the controls a viewer may use are enabled; the others say why', async () => {
    const { vic } = await viewerOfNewWorkbook();
    const page = vic.page;
    const seen: string[] = [];
    const check = async (where: string) => {
      const controls = await enabledControls(page);
      seen.push(...controls);
      expect(notAllowed(controls), where).toEqual([]);
    };
    await check('the page');
    // The sheet tabs switch sheets and nothing else.
    for (const name of ['Add sheet', 'Rename', 'Delete sheet', 'Move sheet left', 'Move sheet right']) {
      expect(await page.locator('sheet-tabs').getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    expect(await page.getByRole('button', { name: 'Import', exact: true }).count()).toBe(0);
    expect(await page.getByLabel('Workbook title').getAttribute('readonly')).not.toBeNull();

    // Export: every way out is a viewer's.
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const exportMenu = page.getByRole('dialog', { name: 'Export' });
    await exportMenu.waitFor();
    await check('Export');
    await page.keyboard.press('Escape');
    await exportMenu.waitFor({ state: 'hidden' });

    // Snapshots: open one and look, but neither take one nor restore from it; the disabled ones say why.
    await page.getByRole('button', { name: 'Snapshots', exact: true }).click();
    const panel = page.getByRole('dialog', { name: 'Snapshots' });
    await panel.getByRole('list', { name: 'Snapshots, newest first' }).getByText('morning').waitFor();
    await check('Snapshots');
    const take = panel.getByRole('button', { name: 'Take a snapshot now' });
    expect(await take.isDisabled()).toBe(true);
    expect(await take.getAttribute('title')).toBe('A view link can open snapshots, not take them or put anything back.');
    await panel.getByRole('button', { name: /^Open morning/ }).click();
    const restoreSheet = panel.getByRole('button', { name: 'Restore this whole sheet' });
    await restoreSheet.waitFor();
    expect(await restoreSheet.isDisabled()).toBe(true);
    expect(await restoreSheet.getAttribute('title')).toBe('A view link can open snapshots, not take them or put anything back.');
    const restoreRow = panel.getByRole('button', { name: 'Restore row 1' });
    expect(await restoreRow.isDisabled()).toBe(true);
    await check('an opened snapshot');
    await panel.getByRole('button', { name: 'Close' }).click();
    await panel.waitFor({ state: 'hidden' });

    // Restore to…: the timeline and a moment's preview, its confirm disabled with the reason.
    await page.getByRole('button', { name: 'Restore to…', exact: true }).click();
    const restore = page.getByRole('dialog', { name: 'Restore to a moment' });
    await restore.getByRole('list', { name: 'Changes' }).waitFor();
    await restore.getByRole('button', { name: /^Just before the change to the sheets at / }).first().click();
    await restore.getByRole('heading', { name: /^As it was at / }).waitFor();
    const confirm = restore.getByRole('button', { name: 'Put it back' });
    expect(await confirm.isDisabled()).toBe(true);
    expect(await confirm.getAttribute('aria-describedby')).toBe('restore-why');
    await check('Restore to…');
    await page.keyboard.press('Escape');
    await restore.waitFor({ state: 'hidden' });

    // Share: the view link to copy, and what a viewer may do.
    await page.getByRole('button', { name: 'Share', exact: true }).click();
    const share = page.getByRole('dialog', { name: 'Share this workbook' });
    await share.getByRole('note').getByText(/^With this link you can look at every sheet/).waitFor();
    expect(await share.getByRole('textbox', { name: 'Edit link' }).count()).toBe(0);
    await check('Share');
    await share.getByRole('button', { name: 'Close', exact: true }).click();
    await share.waitFor({ state: 'hidden' });

    // The column editor, if anything opens it on a view link, shows the settings and changes nothing.
    await page.evaluate(() => {
      const editor = document.querySelector('mutual-sheets-app')?.shadowRoot?.querySelector('workbook-view')?.shadowRoot?.querySelector('sheet-grid')?.shadowRoot?.querySelector('column-editor');
      if (!editor?.workbook) throw new Error('no column-editor in the grid');
      editor.open(editor.workbook.columns(editor.sheetId)[0].id);
    });
    const editor = page.getByRole('dialog', { name: 'Column settings' });
    await editor.waitFor();
    await check('Column settings');
    const save = editor.getByRole('button', { name: 'Save' });
    expect(await save.isDisabled()).toBe(true);
    expect(await save.getAttribute('title')).toBe('Opened with a view link: you can look at this, not change it.');
    expect(await editor.getByRole('textbox', { name: 'Name' }).isDisabled()).toBe(true);
    await editor.getByRole('button', { name: 'Cancel' }).click();
    await editor.waitFor({ state: 'hidden' });

    // The checks saw the page's controls (not an empty page passing by accident).
    expect(seen).toEqual(expect.arrayContaining(['workbook-header button Export', 'sheet-tabs tab Sheet 1', 'snapshots-panel button Close', 'column-editor button Cancel']));
    expect(vic.errors).toEqual([]);
  });

  it('on a phone too: the cards page has no enabled structure control outside the allowed set', async () => {
    const { viewLink } = await viewerOfNewWorkbook();
    const context = await env.browser.newContext({ viewport: { width: 390, height: 780 }, hasTouch: true, isMobile: true });
    env.contexts.push(context);
    context.setDefaultTimeout(15_000);
    const phone = await context.newPage();
    await phone.goto(viewLink);
    await phone.getByTestId('sync-status').getByText('Synced').waitFor();
    await phone.getByRole('region', { name: 'Keep this workbook’s links' }).or(phone.getByRole('list')).first().waitFor();
    // The chrome (header, More menu, sheet tabs) is this file's to check; the cards are the phone view's.
    const chrome = (await enabledControls(phone)).filter((c) => /^(workbook-header|header-menu|sheet-tabs) /.test(c));
    expect(chrome).toEqual(expect.arrayContaining(['sheet-tabs tab Sheet 1']));
    expect(notAllowed(chrome)).toEqual([]);
    await phone.getByRole('button', { name: 'More actions' }).tap();
    await phone.getByRole('menu', { name: 'More actions' }).waitFor();
    expect(notAllowed((await enabledControls(phone)).filter((c) => /^header-menu /.test(c)))).toEqual([]);
  });
});
