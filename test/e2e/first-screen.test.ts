import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { activeAt, cell, cellText, focusInGrid, gridPage, newWorkbook, retypeColumn, setYourName, typeDown } from '../support/grid-page.js';
import { holdLocalCopy, release } from '../support/hold-local-copy.js';
import { shareLink } from '../support/links.js';

/**
 * The first screen (issue 18): a returning device paints what the grid showed last time from a
 * small cache in localStorage while the doc is still being read, and the live grid takes its
 * place, where it was. Every new workbook is sealed, so its cache is encrypted: none of its text
 * is in localStorage.
 */

const env = e2eEnvironment();

interface Seen {
  busy: string | null;
  readonly: string | null;
  label: string | null;
  cells: string[];
  scrollTop: number;
  /** where the first cell with text was drawn, in the page */
  box: { x: number; y: number; width: number; height: number } | null;
}

/**
 * Records what each `<first-screen>` showed the moment it was drawn, in `window.__firstScreens`:
 * it is on screen only until the doc is in, which on a small workbook is a moment.
 */
async function recordFirstScreens(page: Page): Promise<void> {
  await page.context().addInitScript(() => {
    const w = window as unknown as { __firstScreens: Seen[] };
    w.__firstScreens = [];
    void customElements.whenDefined('first-screen').then(() => {
      const proto = customElements.get('first-screen')!.prototype as { firstUpdated?: (...a: unknown[]) => void };
      const own = proto.firstUpdated;
      proto.firstUpdated = function (this: HTMLElement, ...a: unknown[]) {
        own?.apply(this, a);
        const root = this.shadowRoot!;
        const grid = root.querySelector('[role="grid"]');
        w.__firstScreens.push({
          busy: grid?.getAttribute('aria-busy') ?? null,
          readonly: grid?.getAttribute('aria-readonly') ?? null,
          label: grid?.getAttribute('aria-label') ?? null,
          cells: Array.from(root.querySelectorAll('[role="gridcell"]'), (c) => c.textContent?.trim() ?? ''),
          scrollTop: root.querySelector('.scroller')?.scrollTop ?? -1,
          box: (() => {
            const first = Array.from(root.querySelectorAll('[role="gridcell"]')).find((c) => c.textContent?.trim());
            const r = first?.getBoundingClientRect();
            return r ? { x: r.x, y: r.y, width: r.width, height: r.height } : null;
          })(),
        });
      };
    });
  });
}

const seen = (page: Page) => page.evaluate(() => (window as unknown as { __firstScreens: Seen[] }).__firstScreens);

/** Every localStorage entry of the page, keys and values. */
const localStorageText = (page: Page) => page.evaluate(() => Object.entries(localStorage).map(([k, v]) => `${k}=${v}`).join('\n'));

const firstScreenEntry = (page: Page) =>
  page.evaluate(() => Object.keys(localStorage).find((k) => k.startsWith('mutual-sheets:first-screen:')) ?? null);

/** The live grid's scroller, through the app's shadow roots. */
const liveScrollTop = (page: Page) =>
  page.evaluate(() => {
    const view = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!;
    return view.querySelector('sheet-grid')?.shadowRoot?.querySelector('.scroller')?.scrollTop ?? -1;
  });

/** The queue of edits typed in the first screen, its key in localStorage, or null. */
const queueEntry = (page: Page) =>
  page.evaluate(() => Object.keys(localStorage).find((k) => k.startsWith('mutual-sheets:first-screen-edits:')) ?? null);

/** A cell of the first screen, by its row and column in the sheet as shown (0-based). */
const firstScreenCell = (page: Page, row: number, col: number) => page.locator(`first-screen [role="gridcell"][data-row="${row}"][data-col="${col}"]`);

/** Presses Tab until the keyboard is in the first screen, as someone without a pointer gets there. */
async function tabIntoFirstScreen(page: Page): Promise<void> {
  const inside = () =>
    page.evaluate(() => {
      let a: Element | null = document.activeElement;
      while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
      return (a?.getRootNode() as ShadowRoot | null)?.host?.tagName === 'FIRST-SCREEN';
    });
  for (let i = 0; i < 60 && !(await inside()); i++) await page.keyboard.press('Tab');
  expect(await inside()).toBe(true);
}

/**
 * A workbook with a cell typed and its first screen kept, reloaded with its local copy held: the
 * page stays on its first screen until `release`, as do further pages of its context.
 */
async function heldOnItsFirstScreen() {
  const { page, errors } = await gridPage(env);
  await newWorkbook(page, env.relay.httpUrl);
  await typeDown(page, 0, ['Canary-A1']);
  await page.getByTestId('local-status').getByText('Saved on this device').waitFor();
  await expect.poll(() => firstScreenEntry(page)).not.toBeNull();
  const address = page.url();
  await holdLocalCopy(page);
  await page.reload();
  return { page, errors, address };
}

describe('e2e: first screen from last time', () => {
  it('a reload paints the cached cells in a busy grid that takes edits, then the live grid replaces it and takes edits; the sealed cache holds none of the text', async () => {
    const { page, errors } = await gridPage(env);
    await recordFirstScreens(page);
    await newWorkbook(page, env.relay.httpUrl);
    await expect.poll(() => page.url()).toMatch(/#\/w\/e[\w-]{43}$/);
    await typeDown(page, 0, ['Canary-Cell-Rosa', 'Canary-Cell-Amaru']);
    await page.getByTestId('local-status').getByText('Saved on this device').waitFor();
    // kept a second after the grid draws (and again as the page goes)
    await expect.poll(() => firstScreenEntry(page)).not.toBeNull();
    expect(await seen(page)).toEqual([]);

    await page.reload();
    await cell(page, 0, 0).getByText('Canary-Cell-Rosa').waitFor();
    const [first, ...more] = await seen(page);
    expect(more).toEqual([]);
    expect(first).toMatchObject({ busy: 'true', readonly: 'false' });
    expect(first.label).toMatch(/^Opening… showing what was here last time/);
    expect(first.cells).toEqual(expect.arrayContaining(['Canary-Cell-Rosa', 'Canary-Cell-Amaru']));
    // drawn where the live grid draws it: nothing jumps when it takes over
    const live = await cell(page, 0, 0).boundingBox();
    for (const k of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(first.box![k] - live![k]), k).toBeLessThanOrEqual(1);
    // replaced: one grid on the page, the live one, not busy
    await expect.poll(() => page.locator('first-screen').count()).toBe(0);
    await expect.poll(() => page.getByRole('grid').count()).toBe(1);
    expect(await page.getByRole('grid').getAttribute('aria-busy')).toBeNull();

    await cell(page, 1, 1).click();
    await page.keyboard.type('after reload');
    await page.keyboard.press('Enter');
    await expect.poll(() => cellText(page, 1, 1)).toBe('after reload');

    const stored = await localStorageText(page);
    expect(stored).toContain('mutual-sheets:first-screen:e');
    for (const text of ['Canary-Cell-Rosa', 'Canary-Cell-Amaru', 'after reload']) expect(stored, text).not.toContain(text);
    expect(errors).toEqual([]);
  }, 60_000);

  it('comes back scrolled where it was: the first screen and then the live grid', async () => {
    const { page, errors } = await gridPage(env);
    await recordFirstScreens(page);
    await newWorkbook(page, env.relay.httpUrl);
    await cell(page, 0, 0).click();
    await page.evaluate(() => {
      const view = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!;
      const grid = view.querySelector('sheet-grid') as unknown as { pasteGrid(block: string[][]): void };
      grid.pasteGrid(Array.from({ length: 300 }, (_, i) => [`row ${i} A`, `row ${i} B`]));
    });
    await expect.poll(() => page.getByText('300 rows', { exact: false }).count()).toBeGreaterThan(0);
    await page.getByTestId('local-status').getByText('Saved on this device').waitFor();
    // row 150 at the top of the screen
    await page.evaluate(() => {
      const view = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!;
      view.querySelector('sheet-grid')!.shadowRoot!.querySelector('.scroller')!.scrollTop = 150 * 36;
    });
    await cell(page, 150, 0).getByText('row 150 A').waitFor();
    const before = await liveScrollTop(page);
    expect(before).toBe(150 * 36);

    await page.reload();
    await cell(page, 150, 0).getByText('row 150 A').waitFor();
    const [first] = await seen(page);
    expect(first.scrollTop).toBe(before);
    expect(first.cells).toEqual(expect.arrayContaining(['row 150 A', 'row 160 B']));
    expect(first.cells).not.toContain('row 0 A');
    await expect.poll(() => liveScrollTop(page)).toBe(before);
    expect(errors).toEqual([]);
  }, 60_000);

  it('while the doc loads, a chosen cell carries over to the live grid with the keyboard, and a key typed meanwhile opens the cell’s editor (Escape: nothing kept)', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await typeDown(page, 1, ['Canary-B1', 'Canary-B2', 'Canary-B3']);
    await page.getByTestId('local-status').getByText('Saved on this device').waitFor();
    await expect.poll(() => firstScreenEntry(page)).not.toBeNull();

    await holdLocalCopy(page);
    await page.reload();
    const busy = page.locator('first-screen [role="grid"][aria-busy="true"]');
    await busy.waitFor();
    await page.locator('first-screen [role="status"]').getByText('Opening… showing what was here last time').first().waitFor();
    await page.locator('first-screen [role="gridcell"][data-row="2"][data-col="1"]').click();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.type('z');
    // the key opened the cell's editor with what it types
    expect(await page.locator('first-screen [data-row="3"][data-col="1"] input').inputValue()).toBe('z');
    await page.keyboard.press('Escape');
    expect(await page.locator('first-screen input').count()).toBe(0);
    // Escape cancelled it: nothing waits, nothing kept
    expect(await queueEntry(page)).toBeNull();

    await release(page);
    await activeAt(page, 3, 1);
    await expect.poll(() => focusInGrid(page)).toBe('in grid');
    expect(await cellText(page, 3, 1)).toBe('');
    await page.keyboard.type('typed once open');
    await page.keyboard.press('Enter');
    await expect.poll(() => cellText(page, 3, 1)).toBe('typed once open');
    expect(await cellText(page, 2, 1)).toBe('Canary-B3');
    expect(errors).toEqual([]);
  }, 60_000);

  it('keyboard only: edits typed in the first screen wait in their cells (sealed in storage), go in at the handover with provenance, reach a second device, and a misfit is said in words', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await setYourName(page, 'Ana');
    await retypeColumn(page, 2, 'Count', 'number');
    await typeDown(page, 1, ['Canary-B1', 'Canary-B2', 'Canary-B3']);
    await typeDown(page, 2, ['5']);
    const link = await shareLink(page);
    await page.getByTestId('sync-status').getByText('Synced').waitFor();
    await expect.poll(() => firstScreenEntry(page)).not.toBeNull();

    await holdLocalCopy(page);
    await page.reload();
    await page.locator('first-screen [role="grid"][aria-busy="true"]').waitFor();
    await tabIntoFirstScreen(page);
    // to A1 whatever cell was active last time: the first screen stops at its edges
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowUp');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.type('Typed-While-Opening');
    await expect.poll(() => page.locator('first-screen input').getAttribute('aria-label')).toBe('Edit B');
    await page.keyboard.press('Enter');
    await firstScreenCell(page, 0, 1).getByText('Typed-While-Opening').waitFor();
    expect(await firstScreenCell(page, 0, 1).getAttribute('class')).toContain('waiting');
    expect(await firstScreenCell(page, 0, 1).textContent()).toContain('(waiting to be applied)');
    await page.locator('first-screen .footer [role="status"]').getByText('B1: “Typed-While-Opening” waiting to be applied when the sheet opens.').waitFor();
    // Enter moved down: Delete clears B2, Tab commits and moves right
    await page.keyboard.press('Delete');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('F2');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('abc');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.type('12');
    await page.keyboard.press('Enter');
    await firstScreenCell(page, 0, 2).getByText('12').waitFor();
    // kept sealed: the queue is there, none of the typed text is readable in storage
    expect(await queueEntry(page)).toMatch(/^mutual-sheets:first-screen-edits:e/);
    const stored = await localStorageText(page);
    for (const text of ['Typed-While-Opening', 'abc']) expect(stored, text).not.toContain(text);

    await release(page);
    await expect.poll(() => page.locator('first-screen').count()).toBe(0);
    await expect.poll(() => cellText(page, 0, 1)).toBe('Typed-While-Opening');
    expect(await cellText(page, 1, 1)).toBe('');
    expect(await cellText(page, 0, 2)).toBe('12');
    expect(await cellText(page, 1, 2)).toBe('');
    const notice = page.getByTestId('typed-not-applied');
    await notice.getByText('C2: “abc” was not applied: “abc” is not a number (Count holds numbers).').waitFor();
    expect(await notice.getAttribute('role')).toBe('alert');
    await page.getByText('3 changes typed while the workbook opened were applied.').waitFor();
    expect(await queueEntry(page)).toBeNull();
    // ordinary edits of this device: who changed it, and on the hub
    await expect.poll(() => focusInGrid(page)).toBe('in grid');
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowRight');
    await page.getByText(/Typed-While-Opening · changed by Ana/).waitFor();
    await page.getByTestId('sync-status').getByText('Synced').waitFor();

    const other = await gridPage(env);
    await other.page.goto(link);
    await cell(other.page, 0, 1).getByText('Typed-While-Opening').waitFor();
    expect(await cellText(other.page, 0, 2)).toBe('12');
    expect(await cellText(other.page, 1, 1)).toBe('');
    expect(errors).toEqual([]);
    expect(other.errors).toEqual([]);
  }, 90_000);

  it('an edit waiting when the page closes before the handover is shown and applied at the next open', async () => {
    const { page, errors, address } = await heldOnItsFirstScreen();
    await firstScreenCell(page, 0, 0).click();
    await page.keyboard.type('Typed-Then-Closed');
    await page.keyboard.press('Enter');
    await firstScreenCell(page, 0, 0).getByText('Typed-Then-Closed').waitFor();
    await page.close();

    // the next open (still held, in the same browser): the edit is shown waiting, then applied
    const next = await page.context().newPage();
    await next.goto(address);
    await firstScreenCell(next, 0, 0).getByText('Typed-Then-Closed').waitFor();
    expect(await firstScreenCell(next, 0, 0).getAttribute('class')).toContain('waiting');
    // typing here too: a queue of this open's own beside the first one, and both stay shown waiting
    await firstScreenCell(next, 1, 0).click();
    await next.keyboard.type('Typed-In-Second');
    await next.keyboard.press('Enter');
    await firstScreenCell(next, 1, 0).getByText('Typed-In-Second').waitFor();
    expect(await firstScreenCell(next, 0, 0).getAttribute('class')).toContain('waiting');
    await firstScreenCell(next, 0, 0).getByText('Typed-Then-Closed').waitFor();
    expect(await next.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('mutual-sheets:first-screen-edits:')).length)).toBe(2);
    await release(next);
    await expect.poll(() => cellText(next, 0, 0)).toBe('Typed-Then-Closed');
    await expect.poll(() => cellText(next, 1, 0)).toBe('Typed-In-Second');
    expect(await queueEntry(next)).toBeNull();
    expect(errors).toEqual([]);
  }, 60_000);

  it('two tabs in their first screens: the first to hand over takes only its own edits and leaves the other tab’s queue to it', async () => {
    const { page, errors, address } = await heldOnItsFirstScreen();
    const other = await page.context().newPage();
    await other.goto(address);
    const queues = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('mutual-sheets:first-screen-edits:')).length);

    await firstScreenCell(other, 1, 0).click();
    await other.keyboard.type('From-Other-Tab');
    await other.keyboard.press('Enter');
    await firstScreenCell(other, 1, 0).getByText('From-Other-Tab').waitFor();
    await firstScreenCell(page, 2, 0).click();
    await page.keyboard.type('From-This-Tab');
    await page.keyboard.press('Enter');
    await firstScreenCell(page, 2, 0).getByText('From-This-Tab').waitFor();
    expect(await queues()).toBe(2);

    // this tab hands over: its own edit goes in, the other tab's queue stays (that tab is still open, still typing)
    await release(page);
    await expect.poll(() => cellText(page, 2, 0)).toBe('From-This-Tab');
    await expect.poll(queues).toBe(1);
    await firstScreenCell(other, 3, 0).click();
    await other.keyboard.type('Still-Typing');
    await other.keyboard.press('Enter');
    await firstScreenCell(other, 3, 0).getByText('Still-Typing').waitFor();
    expect(await cellText(page, 1, 0)).toBe('');

    // the other tab's own handover applies both of its edits, once; this tab gets them through sync
    await release(other);
    await expect.poll(() => cellText(other, 1, 0)).toBe('From-Other-Tab');
    await expect.poll(() => cellText(other, 3, 0)).toBe('Still-Typing');
    await expect.poll(() => cellText(page, 1, 0)).toBe('From-Other-Tab');
    await expect.poll(() => cellText(page, 3, 0)).toBe('Still-Typing');
    expect(await queues()).toBe(0);
    expect(errors).toEqual([]);
  }, 60_000);

  it('refuses, in words, what cannot be typed here: a computed column, F2 on a long text kept cut short; the editor left open at the handover goes on in the live grid', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await typeDown(page, 0, ['3']);
    await page.evaluate(() => {
      const view = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!;
      const grid = view.querySelector('sheet-grid') as unknown as {
        sheetId: string;
        workbook: {
          columns(s: string): { id: string; name: string }[];
          rowIds(s: string): string[];
          setColumnFormula(s: string, c: string, f: string): void;
          setCell(s: string, r: string, c: string, v: string): void;
        };
      };
      const cols = grid.workbook.columns(grid.sheetId);
      grid.workbook.setColumnFormula(grid.sheetId, cols[1].id, '=[A]');
      grid.workbook.setCell(grid.sheetId, grid.workbook.rowIds(grid.sheetId)[1], cols[2].id, `long ${'text '.repeat(60)}end`);
    });
    await expect.poll(() => cellText(page, 0, 1)).toBe('3');
    await page.getByTestId('local-status').getByText('Saved on this device').waitFor();
    await expect.poll(() => page.evaluate(() => Object.values(localStorage).join('\n'))).toContain('2:x:');

    await holdLocalCopy(page);
    await page.reload();
    // a long text is kept cut short: F2 would edit only the part kept, so it waits for the live sheet
    await firstScreenCell(page, 1, 2).click();
    await page.keyboard.press('F2');
    await page.locator('first-screen').getByRole('alert').getByText('This cell holds long text, only part of which is shown here').waitFor();
    expect(await page.locator('first-screen input').count()).toBe(0);
    await firstScreenCell(page, 0, 1).click();
    await page.keyboard.type('x');
    await page.locator('first-screen').getByRole('alert').getByText('“B” is worked out by its formula: it cannot be typed in.').waitFor();
    expect(await page.locator('first-screen input').count()).toBe(0);
    expect(await queueEntry(page)).toBeNull();

    await page.keyboard.press('ArrowRight');
    await page.keyboard.type('half-typed');
    await page.locator('first-screen input').waitFor();
    await release(page);
    await expect.poll(() => page.locator('first-screen').count()).toBe(0);
    // the live grid's own editor, open on the same cell with what was typed
    const editor = cell(page, 0, 2).locator('textarea, input');
    await editor.waitFor();
    expect(await editor.inputValue()).toBe('half-typed');
    await page.keyboard.type(' and finished');
    await page.keyboard.press('Enter');
    await expect.poll(() => cellText(page, 0, 2)).toBe('half-typed and finished');
    expect(await cellText(page, 1, 2)).toMatch(/^long (text ){60}end$/);
    expect(errors).toEqual([]);
  }, 60_000);
  it('an edit storage refuses (quota) is not taken: the editor stays open with what was typed and says why; storage is as it was', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await typeDown(page, 0, ['Canary-A1']);
    await page.getByTestId('local-status').getByText('Saved on this device').waitFor();
    await expect.poll(() => firstScreenEntry(page)).not.toBeNull();

    await holdLocalCopy(page);
    await page.reload();
    // a double-click opens the editor on the cell's own text
    await firstScreenCell(page, 0, 0).dblclick();
    expect(await page.locator('first-screen [data-row="0"][data-col="0"] input').inputValue()).toBe('Canary-A1');
    await page.keyboard.type(' and more');
    // pressing another cell keeps the edit where it was typed, as the live grid does
    await firstScreenCell(page, 1, 0).click();
    await firstScreenCell(page, 0, 0).getByText('Canary-A1 and more').waitFor();
    await page.keyboard.type('first, kept');
    await page.keyboard.press('Enter');
    await firstScreenCell(page, 1, 0).getByText('first, kept').waitFor();
    const before = await localStorageText(page);
    // storage full from here on, as a browser says it: setItem throws
    await page.evaluate(() => {
      const w = window as unknown as { __fullStorage: boolean };
      w.__fullStorage = true;
      const real = Storage.prototype.setItem;
      Storage.prototype.setItem = function (this: Storage, k: string, v: string) {
        if (w.__fullStorage) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        real.call(this, k, v);
      };
    });
    await page.keyboard.type('second, refused');
    await page.keyboard.press('Enter');
    await page.locator('first-screen').getByRole('alert').getByText('This device’s storage is full: the change was not kept').waitFor();
    expect(await page.locator('first-screen [data-row="2"][data-col="0"] input').inputValue()).toBe('second, refused');
    expect(await localStorageText(page)).toBe(before);
    // room again: the same Enter keeps it
    await page.evaluate(() => ((window as unknown as { __fullStorage: boolean }).__fullStorage = false));
    await page.keyboard.press('Enter');
    await firstScreenCell(page, 2, 0).getByText('second, refused').waitFor();

    await release(page);
    await expect.poll(() => cellText(page, 2, 0)).toBe('second, refused');
    expect(await cellText(page, 1, 0)).toBe('first, kept');
    expect(await cellText(page, 0, 0)).toBe('Canary-A1 and more');
    expect(errors).toEqual([]);
  }, 60_000);
  it('leaving sealed A for standard B in the same page: A’s screen is never kept as B’s nor in the clear, and back on A its first screen is drawn', async () => {
    const { page, errors } = await gridPage(env);
    await recordFirstScreens(page);
    await newWorkbook(page, env.relay.httpUrl);
    await expect.poll(() => page.url()).toMatch(/#\/w\/e[\w-]{43}$/);
    const a = page.url().split('#/w/')[1];
    await typeDown(page, 0, ['Canary-Sealed-A1', 'Canary-Sealed-A2']);
    await page.getByTestId('local-status').getByText('Saved on this device').waitFor();
    await expect.poll(() => firstScreenEntry(page)).not.toBeNull();
    const b = 'fsfixstandard01';
    // The grid draws (a save is due) and, at once, the app goes to B: the keepers save as A's live view goes.
    await page.evaluate(async (to) => {
      const view = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!;
      const grid = view.querySelector('sheet-grid') as unknown as { requestUpdate(): void; updateComplete: Promise<unknown> };
      grid.requestUpdate();
      await grid.updateComplete;
      location.hash = `#/w/${to}`;
    }, b);
    await expect.poll(() => page.url()).toMatch(new RegExp(`#/w/${b}$`));
    await page.getByText('Waiting for this workbook to arrive', { exact: false }).first().waitFor();
    expect(await page.evaluate((id) => localStorage.getItem(`mutual-sheets:first-screen:${id}`), b)).toBeNull();
    expect(await localStorageText(page)).not.toContain('Canary-Sealed');
    expect(await seen(page)).toEqual([]);

    await page.evaluate((to) => (location.hash = `#/w/${to}`), a);
    await cell(page, 0, 0).getByText('Canary-Sealed-A1').waitFor();
    const [first, ...more] = await seen(page);
    expect(more).toEqual([]);
    expect(first.cells).toEqual(expect.arrayContaining(['Canary-Sealed-A1', 'Canary-Sealed-A2']));
    expect(await page.evaluate((id) => localStorage.getItem(`mutual-sheets:first-screen:${id}`), b)).toBeNull();
    expect(await localStorageText(page)).not.toContain('Canary-Sealed');
    expect(errors).toEqual([]);
  }, 60_000);

  it('on a view link the first screen takes no edits and says why', async () => {
    const { page } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await typeDown(page, 0, ['Canary-A1']);
    const link = await shareLink(page, 'View link');
    await page.getByTestId('sync-status').getByText('Synced').waitFor();

    const viewer = await gridPage(env);
    await viewer.page.goto(link);
    await cell(viewer.page, 0, 0).getByText('Canary-A1').waitFor();
    await expect.poll(() => firstScreenEntry(viewer.page)).not.toBeNull();
    await holdLocalCopy(viewer.page);
    await viewer.page.reload();
    const grid = viewer.page.locator('first-screen [role="grid"][aria-busy="true"]');
    await grid.waitFor();
    expect(await grid.getAttribute('aria-readonly')).toBe('true');
    await firstScreenCell(viewer.page, 0, 0).click();
    await viewer.page.keyboard.type('x');
    await viewer.page.locator('first-screen').getByRole('alert').getByText('This is a view-only link: you can look, not change.').waitFor();
    await viewer.page.keyboard.press('Delete');
    expect(await viewer.page.locator('first-screen input').count()).toBe(0);
    expect(await queueEntry(viewer.page)).toBeNull();
    await release(viewer.page);
    await expect.poll(() => viewer.page.locator('first-screen').count()).toBe(0);
    expect(await cellText(viewer.page, 0, 0)).toBe('Canary-A1');
    expect(viewer.errors).toEqual([]);
  }, 60_000);
});
