import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { en, type MessageKey } from '../../src/ui/i18n/messages.js';
import { es } from '../../src/ui/i18n/messages-es.js';
import { e2eEnvironment } from '../support/e2e.js';
import { cell } from '../support/grid-page.js';

const env = e2eEnvironment();

async function spanishPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await env.browser.newContext({ viewport, locale: 'es-ES' });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  // Confirmations are answered yes; the question is checked where it matters.
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  return page;
}

/**
 * Everything the page says, shadow roots included: text, and the labels,
 * titles and placeholders that screen readers and hovers show.
 */
function pageWords(page: Page): Promise<string> {
  return page.evaluate(() => {
    const out: string[] = [];
    const visit = (root: Node) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
      for (let n: Node | null = walker.currentNode; n; n = walker.nextNode()) {
        if (n.nodeType === Node.TEXT_NODE) {
          const parent = n.parentElement?.tagName;
          if (parent !== 'STYLE' && parent !== 'SCRIPT') out.push(n.textContent ?? '');
          continue;
        }
        if (!(n instanceof Element)) continue;
        const el = n;
        for (const a of ['aria-label', 'title', 'placeholder']) if (el.getAttribute(a)) out.push(el.getAttribute(a)!);
        if (el.shadowRoot) visit(el.shadowRoot);
      }
    };
    visit(document.body);
    return out.join('\n').replace(/\s+/g, ' ');
  });
}

/** English phrases (two words or more, no placeholders, different in Spanish) the page must not contain. */
const ENGLISH_PHRASES = (Object.keys(en) as MessageKey[])
  .filter((k) => !/\{\w+\}/.test(en[k]) && en[k].trim().split(/\s+/).length >= 2 && en[k] !== es[k])
  .map((k) => [k, en[k]] as const);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function expectSpanish(page: Page, shown: MessageKey[], where: string): Promise<void> {
  const words = await pageWords(page);
  const missing = shown.filter((k) => !words.includes(es[k]));
  expect(missing, `${where}: Spanish not shown`).toEqual([]);
  // Whole words only: "◀ Move" is not left over inside "◀ Mover".
  const english = ENGLISH_PHRASES.filter(([, phrase]) => new RegExp(`(?<!\\p{L})${escape(phrase)}(?!\\p{L})`, 'u').test(words)).map(([k, phrase]) => `${k}: ${phrase}`);
  expect(english, `${where}: English left`).toEqual([]);
}

describe('e2e: the app in Spanish', () => {
  it('a Spanish browser gets the home screen, a workbook from a template, its grid, status and every dialog in Spanish, with no English left', async () => {
    const page = await spanishPage();
    await page.goto(`${env.relay.httpUrl}/`);
    await page.getByRole('button', { name: es['home.new'] }).waitFor();
    await expectSpanish(page, ['app.tagline', 'home.new', 'home.templates', 'home.saved', 'home.openSnapshot', 'home.language'], 'home');
    expect(await pageWords(page)).toContain('Seguimiento de necesidades / solicitudes');

    // A template's columns and statuses are created in Spanish.
    await page.getByRole('button', { name: 'Seguimiento de necesidades / solicitudes' }).click();
    await page.getByRole('grid').waitFor();
    await page.getByTestId('sync-status').getByText(es['status.synced']).waitFor();
    await page.getByTestId('local-status').getByText(es['local.saved']).waitFor();
    const grid = page.getByRole('grid');
    for (const name of ['Recibida', 'Canal', 'Nombre', 'Teléfono', 'Entre calles']) {
      await grid.getByRole('columnheader', { name }).waitFor();
    }
    await expectSpanish(
      page,
      ['wb.import', 'wb.export', 'wb.snapshots', 'wb.share', 'wb.yourName', 'grid.addRow', 'grid.addColumn', 'grid.activity', 'grid.columnSettings', 'grid.sortFilter', 'tabs.rename', 'tabs.delete', 'tabs.add', 'grid.totals'],
      'workbook',
    );

    // A value that does not fit is refused in Spanish, quoting what was typed.
    await cell(page, 0, 8).click();
    await page.keyboard.type('muchos');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').getByText('«muchos» no es un número (Personas en el hogar contiene números).').waitFor();
    // A decimal comma is how a Spanish speaker writes it; the cell and the figures show it that way.
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('3,5');
    await page.keyboard.press('Enter');
    await cell(page, 0, 8).getByText('3,5').waitFor();
    await page.getByText('Σ 3,5 · mín 3,5 · máx 3,5').waitFor();
    await page.keyboard.press('ArrowUp');
    // A status chosen from the Spanish list (five columns on, scrolled into view); the figures under the grid count it.
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    await grid.getByRole('columnheader', { name: 'Estado' }).waitFor();
    await page.keyboard.type('En curso');
    await page.keyboard.press('Enter');
    await page.getByText('En curso 1').first().waitFor();
    // The status turns to synced once the hub has acknowledged the edits and their history.
    await page.getByText(es['status.synced'], { exact: true }).first().waitFor();
    await expectSpanish(page, ['status.synced'], 'after edits');

    // Each dialog: how to open it, what it must say (the first is shown once it has loaded), its closing button.
    const dialogs: [open: () => Promise<void>, keys: MessageKey[], close: string][] = [
      [() => page.getByRole('button', { name: es['grid.columnSettings'], exact: true }).click(), ['column.typeHint', 'column.title', 'column.delete', 'column.save', 'type.select'], es['column.cancel']],
      [() => page.getByRole('button', { name: es['grid.sortFilter'], exact: true }).click(), ['view.hint', 'view.sortAsc', 'view.applyFilter', 'view.hide', 'view.op.contains'], es['view.done']],
      [() => page.getByRole('button', { name: es['grid.activity'], exact: true }).click(), ['activity.title', 'activity.everyone'], es['activity.close']],
      [() => page.getByRole('button', { name: /^Papelera/ }).click(), ['trash.title', 'trash.nothing'], es['trash.close']],
      // The active cell is the status chosen above: its history says who set it, in Spanish.
      [() => page.getByRole('button', { name: es['grid.cellHistory'], exact: true }).click(), ['cellHistory.close'], es['cellHistory.close']],
      [() => page.getByRole('button', { name: es['wb.export'], exact: true }).click(), ['export.sheetCsv', 'export.workbookXlsx', 'export.json', 'export.print'], es['export.close']],
      [() => page.getByRole('button', { name: es['wb.import'], exact: true }).click(), ['import.title', 'import.intro', 'import.choose'], es['import.close']],
      [
        async () => {
          await page.getByRole('button', { name: es['wb.snapshots'], exact: true }).click();
          await page.locator('dialog[open]').getByRole('textbox', { name: es['snap.name'], exact: true }).fill('fin del día 1');
          await page.getByRole('button', { name: es['snap.take'] }).click();
          await page.getByText('Instantánea «fin del día 1» guardada en el hub.').waitFor();
        },
        ['snap.take', 'snap.title', 'snap.open'],
        es['snap.close'],
      ],
      [() => page.getByRole('button', { name: es['wb.share'], exact: true }).click(), ['share.editNote', 'share.title', 'share.editLink', 'share.viewLink', 'share.scan'], es['share.close']],
    ];
    for (const [open, keys, close] of dialogs) {
      await open();
      const dialog = page.locator('dialog[open]');
      await dialog.getByText(es[keys[0]]).first().waitFor();
      await expectSpanish(page, keys, keys[0]);
      await dialog.getByRole('button', { name: close, exact: true }).first().click();
      await page.locator('dialog[open]').waitFor({ state: 'detached' });
    }
  });

  it('on a phone the cards and the row form are in Spanish; switching to English changes the open workbook at once', async () => {
    const page = await spanishPage({ width: 390, height: 800 });
    await page.goto(`${env.relay.httpUrl}/`);
    await page.getByRole('button', { name: 'Inventario de suministros' }).click();
    await page.getByRole('button', { name: es['grid.addRow'] }).waitFor();
    await expectSpanish(page, ['grid.addRow', 'cards.rows', 'wb.share'], 'cards');
    await page.getByRole('listitem').first().click();
    await page.getByRole('button', { name: es['form.back'] }).waitFor();
    await expectSpanish(page, ['form.back', 'form.recount', 'form.next', 'phone.autosave', 'phone.undoLabel'], 'row form');
    await page.getByRole('button', { name: 'Disponibles más uno' }).click();
    await page.getByTestId('count-Disponibles').getByText('1').waitFor();

    // The choice is made on the home screen and applies to everything, remembered for next time.
    await page.getByRole('link', { name: es['wb.allWorkbooks'] }).click();
    await page.getByLabel(es['home.language']).selectOption('en');
    await page.getByRole('button', { name: en['home.new'] }).waitFor();
    await page.goBack();
    await page.getByRole('button', { name: en['grid.addRow'] }).waitFor();
    await page.getByTestId('sync-status').getByText(en['status.synced']).waitFor();
  });
});
