import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { shareLink } from '../support/links.js';
import { cell, cellText as text } from '../support/grid-page.js';

const env = e2eEnvironment();

async function newPage(viewport = { width: 1200, height: 800 }, mobile = false) {
  const context = await env.browser.newContext({ viewport, hasTouch: mobile, isMobile: mobile });
  env.contexts.push(context);
  // A locator that never appears fails on its own, naming itself, before the test timeout.
  context.setDefaultTimeout(15_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.relay.httpUrl });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}


async function createWorkbook(page: Page): Promise<string> {
  await page.goto(`${env.relay.httpUrl}/`);
  await page.getByRole('button', { name: 'New workbook' }).click();
  await page.getByRole('grid').waitFor();
  // The address bar carries no key: the link to hand on comes from Share.
  return shareLink(page);
}

async function typeColumn(page: Page, col: number, values: string[]) {
  await cell(page, 0, col).click();
  for (const v of values) {
    await page.keyboard.type(v);
    await page.keyboard.press('Enter');
  }
}

/**
 * Waits until the page's chrome has taken its final shape with a colleague here (who is here,
 * synced): the header's height moves the grid, and a drag measured before that would be off.
 */
async function settled(page: Page) {
  await page.locator('workbook-header [role="listitem"]').first().waitFor();
  await page.getByTestId('sync-status').getByText('Synced').waitFor();
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

describe('e2e: driving the grid', () => {
  it('keyboard: navigation, Ctrl+Arrow jumps, Shift ranges, fill down, clear, find', async () => {
    const { page, errors } = await newPage();
    await createWorkbook(page);
    await typeColumn(page, 0, ['Rice', 'Beans', 'Water']);
    await cell(page, 0, 0).click();
    await page.keyboard.press('Control+ArrowDown');
    await page.locator('[role="gridcell"].active[aria-colindex="2"]').and(cell(page, 2, 0)).waitFor();
    await page.keyboard.press('Control+ArrowDown');
    await cell(page, 19, 0).and(page.locator('.active')).waitFor();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowRight');
    expect(await page.locator('[role="gridcell"][aria-selected="true"]').count()).toBe(4);
    // The active cell is the one tab stop.
    expect(await page.locator('[role="gridcell"][tabindex="0"]').count()).toBe(1);

    // Ctrl+D copies the top row of the selection down.
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Control+d');
    await cell(page, 2, 0).getByText('Rice').waitFor();
    expect(await text(page, 1, 0)).toBe('Rice');
    // Delete clears the range.
    await page.keyboard.press('Delete');
    expect([await text(page, 0, 0), await text(page, 1, 0), await text(page, 2, 0)]).toEqual(['', '', '']);
    await page.keyboard.press('Control+z');
    await cell(page, 2, 0).getByText('Rice').waitFor();

    // Ctrl+Space selects the column, Shift+Space the row.
    await page.keyboard.press('Control+Space');
    expect(await page.locator('[role="gridcell"][aria-selected="true"][aria-colindex="2"]').count()).toBeGreaterThanOrEqual(20);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+Space');
    expect(await page.locator('[role="gridcell"][aria-selected="true"]').count()).toBe(5);

    // Ctrl+F finds, Enter goes to the next match.
    await cell(page, 4, 1).click();
    await page.keyboard.type('Rice again');
    await page.keyboard.press('Enter');
    await cell(page, 0, 0).click();
    await page.keyboard.press('Control+f');
    const find = page.getByRole('textbox', { name: 'Find', exact: true });
    await find.fill('rice');
    await page.getByText('4 matches').waitFor();
    for (let i = 0; i < 4; i++) await find.press('Enter');
    await cell(page, 4, 1).and(page.locator('.active')).waitFor();
    await find.press('Escape');
    // Escape cancels an edit.
    await page.keyboard.type('draft');
    await page.keyboard.press('Escape');
    expect(await text(page, 4, 1)).toBe('Rice again');
    // While an IME is composing, Enter and Escape belong to the IME, not to the grid.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('F2');
    await page.keyboard.insertText('にほん');
    const editor = page.getByLabel('Edit B');
    for (const key of ['Enter', 'Escape', 'Tab']) {
      await editor.evaluate((el, k) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, isComposing: true, bubbles: true, composed: true })), key);
    }
    expect(await editor.isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    await cell(page, 5, 1).getByText('にほん').waitFor();
    // Several rows go to the trash at once from a selection.
    await cell(page, 0, 0).click();
    await page.keyboard.press('Shift+Space');
    await page.keyboard.press('Shift+ArrowDown');
    await page.getByRole('button', { name: 'Delete 2 rows' }).click();
    await page.locator('[role="grid"][aria-rowcount="19"]').waitFor();
    expect(await text(page, 0, 0)).toBe('Rice');
    expect(errors).toEqual([]);
  });

  it('copies a range and pastes it elsewhere; pastes a Google Sheets block, typed per column, growing the sheet', async () => {
    const { page, errors } = await newPage();
    await createWorkbook(page);
    await typeColumn(page, 0, ['a1', 'a2']);
    await typeColumn(page, 1, ['b1', 'with\ttab']);
    await cell(page, 0, 0).click();
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Control+c');
    await cell(page, 5, 2).click();
    await page.keyboard.press('Control+v');
    await cell(page, 6, 3).getByText('with tab').waitFor();
    expect([await text(page, 5, 2), await text(page, 5, 3), await text(page, 6, 2)]).toEqual(['a1', 'b1', 'a2']);

    // A number column does not take words: the paste keeps them as flagged text and says so.
    await cell(page, 0, 4).click();
    await page.getByRole('button', { name: 'Column settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Column settings' });
    await dialog.getByLabel('Name').fill('Qty');
    await dialog.getByLabel('Type').selectOption('number');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await cell(page, 18, 3).click();
    const sheetsHtml =
      '<meta charset="utf-8"><google-sheets-html-origin><table xmlns="http://www.w3.org/1999/xhtml" cellspacing="0" cellpadding="0" dir="ltr" border="1"><colgroup><col width="100"/><col width="100"/><col width="100"/></colgroup><tbody>' +
      '<tr style="height:21px;"><td>Soap</td><td>12</td><td>shelf A</td></tr>' +
      '<tr style="height:21px;"><td>Tea</td><td>twelve</td><td>shelf B</td></tr>' +
      '<tr style="height:21px;"><td>Milk</td><td>3</td><td>fridge</td></tr></tbody></table></google-sheets-html-origin>';
    await page.evaluate((html) => {
      const dt = new DataTransfer();
      dt.setData('text/html', html);
      dt.setData('text/plain', 'Soap\t12\tshelf A\nTea\ttwelve\tshelf B\nMilk\t3\tfridge');
      const target = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!.querySelector('sheet-grid')!.shadowRoot!.querySelector('.cell.active')!;
      target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, composed: true }));
    }, sheetsHtml);
    // What does not fit is kept as text, flagged, and the notice says so (it is not dropped).
    await page.getByRole('alert').getByText(/1 pasted value did not fit its column and is kept as text, flagged/).waitFor();
    expect(await page.getByRole('alert').textContent()).not.toMatch(/not written/);
    await page.getByText(/Qty row 20: “twelve”/).waitFor();
    await page.getByText(/Added 1 rows and 1 columns/).waitFor();
    expect(await page.getByRole('grid').getAttribute('aria-rowcount')).toBe('22');
    await cell(page, 20, 4).getByText('3').waitFor();
    expect(await text(page, 19, 4)).toBe('twelve');
    expect(await cell(page, 19, 4).getAttribute('class')).toMatch(/\bmisfit\b/);
    expect(await text(page, 20, 5)).toBe('fridge');
    // The whole paste is one undo step.
    await page.keyboard.press('Control+z');
    await page.locator('[role="grid"][aria-rowcount="21"]').waitFor();
    expect(await text(page, 18, 3)).toBe('');
    expect(errors).toEqual([]);
  });

  it('undo reverts only my own edit while a colleague’s stays; presence shows where they are', async () => {
    const a = await newPage();
    const b = await newPage();
    const url = await createWorkbook(a.page);
    await b.page.goto(url);
    await b.page.getByRole('grid').waitFor();
    await b.page.getByLabel('Your name').fill('Luis');
    await b.page.getByLabel('Your name').press('Enter');
    await typeColumn(a.page, 0, ['mine']);
    await typeColumn(b.page, 1, ['theirs']);
    await cell(a.page, 0, 1).getByText('theirs').waitFor();
    await cell(a.page, 3, 3).click();
    await a.page.keyboard.press('Control+z');
    await cell(b.page, 0, 0).getByText('mine').waitFor({ state: 'detached' });
    expect(await text(a.page, 0, 0)).toBe('');
    expect(await text(a.page, 0, 1)).toBe('theirs');
    expect(await text(b.page, 0, 1)).toBe('theirs');
    await a.page.keyboard.press('Control+y');
    await cell(b.page, 0, 0).getByText('mine').waitFor();
    // B's cursor (row 2 after Enter) carries B's name on A's screen.
    await a.page.locator('.peer-tag', { hasText: 'Luis' }).waitFor();
    // The header names B among those here: as a person, or in the count it shows when short of room.
    await a.page.locator('workbook-header').locator('[role="listitem"][title="Luis"], [role="note"][title*="Luis"]').first().waitFor();
  });

  it('a personal filter and sort in one context never change what the other sees', async () => {
    const a = await newPage();
    const b = await newPage();
    const url = await createWorkbook(a.page);
    await typeColumn(a.page, 0, ['pear', 'apple', 'fig', 'apricot']);
    await b.page.goto(url);
    await cell(b.page, 3, 0).getByText('apricot').waitFor();
    await cell(a.page, 0, 0).click();
    await a.page.getByRole('button', { name: 'Sort & filter' }).click();
    const menu = a.page.getByRole('dialog', { name: /My view/ });
    await menu.getByLabel('Filter value').fill('ap');
    await menu.getByRole('button', { name: 'Apply filter' }).click();
    await a.page.locator('[role="grid"][aria-rowcount="3"]').waitFor();
    await a.page.getByRole('button', { name: 'Sort & filter' }).click();
    await menu.getByRole('button', { name: 'Sort Z → A' }).click();
    expect([await text(a.page, 0, 0), await text(a.page, 1, 0)]).toEqual(['apricot', 'apple']);
    expect(await a.page.getByRole('columnheader', { name: /^A/ }).first().getAttribute('aria-sort')).toBe('descending');
    // Hiding a column is personal too.
    await a.page.getByRole('button', { name: 'Sort & filter' }).click();
    await menu.getByRole('button', { name: 'Hide this column' }).click();
    await a.page.locator('[role="grid"][aria-colcount="5"]').waitFor();
    expect(await b.page.getByRole('grid').getAttribute('aria-colcount')).toBe('6');
    await a.page.getByRole('button', { name: 'Show all' }).click();
    await a.page.getByRole('button', { name: 'Sort & filter' }).click();
    await menu.getByLabel('Filter value').fill('ap');
    await menu.getByRole('button', { name: 'Apply filter' }).click();
    await a.page.getByRole('button', { name: 'Sort & filter' }).click();
    await menu.getByRole('button', { name: 'Sort Z → A' }).click();
    // B still sees the whole sheet, in the sheet's order.
    expect(await b.page.getByRole('grid').getAttribute('aria-rowcount')).toBe('21');
    expect([await text(b.page, 0, 0), await text(b.page, 1, 0)]).toEqual(['pear', 'apple']);
    // The view survives a reload on A's device.
    await a.page.reload();
    await a.page.locator('[role="grid"][aria-rowcount="3"]').waitFor();
    await a.page.getByRole('button', { name: 'Show all' }).click();
    await a.page.locator('[role="grid"][aria-rowcount="21"]').waitFor();
    // "Apply this order to the sheet" is the explicit way to share an order.
    await cell(a.page, 0, 0).click();
    await a.page.getByRole('button', { name: 'Sort & filter' }).click();
    await menu.getByRole('button', { name: 'Sort A → Z' }).click();
    a.page.once('dialog', (d) => void d.accept());
    await a.page.getByRole('button', { name: 'Apply this order to the sheet' }).click();
    await cell(b.page, 0, 0).getByText('apple').waitFor();
    expect([await text(b.page, 0, 0), await text(b.page, 1, 0), await text(b.page, 2, 0), await text(b.page, 3, 0)]).toEqual([
      'apple',
      'apricot',
      'fig',
      'pear',
    ]);
  });

  it('mouse: drag a range, resize a column (shared), drag rows to move them, reorder a column', async () => {
    const a = await newPage();
    const b = await newPage();
    const url = await createWorkbook(a.page);
    await typeColumn(a.page, 0, ['one', 'two', 'three', 'four']);
    await b.page.goto(url);
    await cell(b.page, 3, 0).getByText('four').waitFor();
    await settled(a.page);

    // Drag from B1 to C3 selects 3×2 cells.
    const from = await cell(a.page, 0, 1).boundingBox();
    const to = await cell(a.page, 2, 2).boundingBox();
    await a.page.mouse.move(from!.x + 10, from!.y + 10);
    await a.page.mouse.down();
    await a.page.mouse.move(to!.x + 10, to!.y + 10, { steps: 5 });
    await a.page.mouse.up();
    expect(await a.page.locator('[role="gridcell"][aria-selected="true"]').count()).toBe(6);

    // Drag the edge of column A: the new width reaches the colleague.
    const header = a.page.getByRole('columnheader', { name: /^A/ }).first();
    const box = (await header.boundingBox())!;
    await a.page.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
    await a.page.mouse.down();
    await a.page.mouse.move(box.x + box.width + 80, box.y + box.height / 2, { steps: 5 });
    await a.page.mouse.up();
    await b.page.waitForFunction(
      (w) => {
        const root = document.querySelector('mutual-sheets-app')?.shadowRoot?.querySelector('workbook-view')?.shadowRoot?.querySelector('sheet-grid')?.shadowRoot;
        const h = root?.querySelector('[role="columnheader"][aria-colindex="2"]') as HTMLElement | null;
        return !!h && Math.abs(h.getBoundingClientRect().width - w) <= 2;
      },
      box.width + 80,
    );

    // Select rows 1–2 by their numbers, then drag them to below row 4.
    const rowHead = (n: string) => a.page.getByRole('rowheader', { name: n, exact: true });
    await rowHead('1').click();
    await rowHead('2').click({ modifiers: ['Shift'] });
    expect(await a.page.locator('[role="gridcell"][aria-selected="true"]').count()).toBe(10);
    const r1 = (await rowHead('1').boundingBox())!;
    const target = (await cell(a.page, 4, 0).boundingBox())!;
    await a.page.mouse.move(r1.x + 10, r1.y + 10);
    await a.page.mouse.down();
    await a.page.mouse.move(target.x + 10, target.y + 10, { steps: 5 });
    await a.page.mouse.up();
    await cell(b.page, 0, 0).getByText('three').waitFor();
    expect([await text(b.page, 0, 0), await text(b.page, 1, 0), await text(b.page, 2, 0), await text(b.page, 3, 0)]).toEqual([
      'three',
      'four',
      'one',
      'two',
    ]);

    // Reorder: move column A one place right.
    await cell(a.page, 0, 0).click();
    await a.page.getByRole('button', { name: 'Column settings' }).click();
    await a.page.getByRole('button', { name: 'Move column right' }).click();
    await a.page.getByRole('dialog', { name: 'Column settings' }).getByRole('button', { name: 'Cancel' }).click();
    await b.page.locator('[role="columnheader"][aria-colindex="3"]', { hasText: 'A' }).waitFor();
  });

  it('a colleague’s edit changes only the DOM of the cell it touches, and nothing for rows off screen', async () => {
    const a = await newPage({ width: 1200, height: 420 });
    const b = await newPage();
    const url = await createWorkbook(a.page);
    await b.page.goto(url);
    await b.page.getByRole('grid').waitFor();
    // B's arrival is a change of who is here (the header re-fits itself); B's edits must not be.
    await settled(a.page);
    await a.page.evaluate(() => {
      const grid = document
        .querySelector('mutual-sheets-app')!
        .shadowRoot!.querySelector('workbook-view')!
        .shadowRoot!.querySelector('sheet-grid')!
        .shadowRoot!.querySelector('[role="grid"]')!;
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver((list) => {
        for (const m of list) {
          const el = (m.target.nodeType === 1 ? m.target : m.target.parentElement) as HTMLElement;
          const c = el.closest('[role="gridcell"]');
          seen.push(c ? `${c.parentElement!.getAttribute('aria-rowindex')}:${c.getAttribute('aria-colindex')}` : `outside ${el.className}`);
        }
      }).observe(grid, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    expect(await cell(a.page, 18, 1).count()).toBe(0); // row 19 is off A's screen
    await typeColumn(b.page, 1, []);
    await cell(b.page, 18, 1).click();
    await b.page.keyboard.type('far away');
    await b.page.keyboard.press('Enter');
    await cell(b.page, 0, 1).click();
    await b.page.keyboard.type('near');
    await b.page.keyboard.press('Enter');
    await cell(a.page, 0, 1).getByText('near').waitFor();
    // presence is sent on its own beat (PRESENCE_FLUSH_MS), so B's cursor reaches B2 after the edit does
    await cell(a.page, 1, 1).locator('.peer-tag').waitFor();
    const seen = await a.page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    // Only the cells B's cursor visited on A's screen (A1 where B started, B1 which B edited, B2
    // after Enter) changed: no other cell, row or header, and nothing at all for the edit to row 19.
    expect(seen).toContain('2:3');
    expect(new Set(seen)).toEqual(new Set(['2:2', '2:3', '3:3']));
  });

  it('on a phone the sheet is a list of cards; a tapped card opens a form that saves', async () => {
    const desk = await newPage();
    const url = await createWorkbook(desk.page);
    // Empty rows are not listed as cards: give the first two something to show.
    await typeColumn(desk.page, 0, ['one', 'two']);
    const phone = await newPage({ width: 390, height: 780 }, true);
    await phone.page.goto(url);
    const card = phone.page.getByRole('listitem', { name: /^Row 2:/ });
    await card.tap();
    await phone.page.getByText(/^Row 2 of \d+$/).waitFor();
    const field = phone.page.getByLabel('B', { exact: true });
    expect(await field.evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThanOrEqual(44);
    await field.fill('counted 40');
    // Saved as typed: going back to the list loses nothing.
    await phone.page.getByRole('button', { name: 'Back to the list' }).tap();
    await phone.page.getByRole('listitem', { name: /^Row 2:/ }).waitFor();
    await cell(desk.page, 1, 1).getByText('counted 40').waitFor();
    // Next/previous move between rows in the form.
    await phone.page.getByRole('listitem', { name: /^Row 1:/ }).tap();
    await phone.page.getByRole('button', { name: 'Next row' }).tap();
    await phone.page.getByText(/^Row 2 of \d+$/).waitFor();
    expect(await phone.page.getByLabel('B', { exact: true }).inputValue()).toBe('counted 40');
  });
});
