import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { activeAt, cell, cellText as text, focusInGrid, gridPage } from '../support/grid-page.js';

const env = e2eEnvironment();

const laptop = () => gridPage(env);

// The requests template: Received (a date) first, Urgency (Today, This week, Flexible) the eleventh column.
const RECEIVED = 0;
const URGENCY = 10;

async function requests(page: Page) {
  await page.goto(`${env.relay.httpUrl}/`);
  await page.getByRole('button', { name: 'Needs / requests tracker' }).click();
  await page.getByRole('grid').waitFor();
  await cell(page, 0, 0).click();
}

/** Moves the active cell along row 0 to `col` with the keyboard, as a person would (the grid scrolls to it). */
async function goToColumn(page: Page, col: number) {
  for (let c = 0; c < col; c++) await page.keyboard.press('ArrowRight');
  await activeAt(page, 0, col);
}

const options = (page: Page) => page.getByRole('listbox').getByRole('option');

describe('e2e: entry helpers in the grid', () => {
  it('typing a prefix in a status cell shows the options it could mean; ArrowDown and Enter pick one', async () => {
    const { page, errors } = await laptop();
    await requests(page);
    await goToColumn(page, URGENCY);
    await page.keyboard.type('t');
    await page.getByRole('listbox').waitFor();
    expect(await options(page).allInnerTexts()).toEqual(['Today', 'This week']);
    await options(page).and(page.locator('[aria-selected="true"]')).getByText('Today').waitFor();
    // The editor keeps the keyboard: it points at the active option rather than moving focus to it.
    expect(await focusInGrid(page)).toBe('in grid');
    await page.keyboard.press('ArrowDown');
    await options(page).and(page.locator('[aria-selected="true"]')).getByText('This week').waitFor();
    await page.keyboard.press('Enter');
    await cell(page, 0, URGENCY).getByText('This week').waitFor();
    await page.getByRole('listbox').waitFor({ state: 'hidden' });

    // Any case narrows the same way; a tap on an option picks it too.
    await cell(page, 1, URGENCY).click();
    await page.keyboard.type('FL');
    expect(await options(page).allInnerTexts()).toEqual(['Flexible']);
    await options(page).getByText('Flexible').click();
    await cell(page, 1, URGENCY).getByText('Flexible').waitFor();
    expect(await text(page, 0, URGENCY)).toBe('This week');
    expect(errors).toEqual([]);
  });

  it('the date picker sets a date, by keyboard and by a click', async () => {
    const { page, errors } = await laptop();
    await requests(page);
    await cell(page, 0, RECEIVED).click();
    await page.keyboard.type('2026-03-14');
    await page.keyboard.press('Enter');
    await cell(page, 0, RECEIVED).getByText('2026-03-14').waitFor();

    // Open the picker from the cell's editor: it starts on the cell's date, selected.
    await cell(page, 0, RECEIVED).click();
    await page.keyboard.press('F2');
    await page.keyboard.press('Alt+ArrowDown');
    const picker = page.getByRole('dialog', { name: 'Choose a date' });
    await picker.getByRole('heading', { name: 'March 2026' }).waitFor();
    await picker.getByRole('gridcell', { name: 'Saturday, March 14, 2026', selected: true }).waitFor();
    // A week on, then a month on: 21 March → 21 April.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('PageDown');
    await picker.getByRole('heading', { name: 'April 2026' }).waitFor();
    await page.keyboard.press('Enter');
    await cell(page, 0, RECEIVED).getByText('2026-04-21').waitFor();
    await picker.waitFor({ state: 'hidden' });
    // The calendar's arrows and Page Down moved its day, never the grid's active cell.
    await activeAt(page, 0, RECEIVED);
    expect(await focusInGrid(page)).toBe('in grid');

    // An empty cell: pick a day with the mouse after moving a month back.
    await cell(page, 1, RECEIVED).click();
    await page.keyboard.press('F2');
    await page.keyboard.press('Alt+ArrowDown');
    await picker.waitFor();
    await picker.getByRole('button', { name: 'Previous month' }).click();
    const month = await picker.getByRole('heading').innerText();
    const day = picker.getByRole('gridcell', { name: /, (\w+ )?10, \d{4}$/ });
    const label = await day.getAttribute('aria-label');
    expect(label).toContain(month.split(' ')[0]);
    await day.click();
    const iso = new Date(`${label!.replace(/^\w+, /, '')} UTC`).toISOString().slice(0, 10);
    await cell(page, 1, RECEIVED).getByText(iso).waitFor();

    // Escape closes it and changes nothing (a second Escape leaves the editor).
    await cell(page, 0, RECEIVED).click();
    await page.keyboard.press('F2');
    await page.keyboard.press('Alt+ArrowDown');
    await picker.waitFor();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Escape');
    await picker.waitFor({ state: 'hidden' });
    await page.keyboard.press('Escape');
    expect(await focusInGrid(page)).toBe('in grid');
    expect(await text(page, 0, RECEIVED)).toBe('2026-04-21');
    expect(errors).toEqual([]);
  });

  it('for a Spanish reader the calendar starts on Monday, in Spanish, on a date typed day first', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'es-ES' });
    env.contexts.push(context);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${env.relay.httpUrl}/`);
    await page.getByRole('button', { name: 'Seguimiento de necesidades / solicitudes' }).click();
    await page.getByRole('grid').waitFor();
    await cell(page, 0, RECEIVED).click();
    await page.keyboard.type('14/3/2026');
    await page.keyboard.press('Alt+ArrowDown');
    const picker = page.getByRole('dialog', { name: 'Elige una fecha' });
    await picker.getByRole('heading', { name: 'marzo de 2026' }).waitFor();
    expect(await picker.getByRole('columnheader').allTextContents().then((l) => l.map((d) => d.trim()))).toEqual(['lun', 'mar', 'mié', 'jue', 'vie', 'sáb', 'dom']);
    await picker.getByRole('gridcell', { name: 'sábado, 14 de marzo de 2026', selected: true }).waitFor();
    // 14 March 2026 is a Saturday: the sixth column when weeks start on Monday.
    expect(await picker.locator('tr', { has: page.locator('[data-date="2026-03-14"]') }).locator('td').nth(5).getAttribute('data-date')).toBe('2026-03-14');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await picker.waitFor({ state: 'hidden' });
    // End goes to the week's last day, Sunday the 15th.
    await expect.poll(() => text(page, 0, RECEIVED)).toMatch(/15/);
    await page.keyboard.press('F2');
    expect(await page.getByRole('textbox', { name: 'Editar Recibida' }).inputValue()).toMatch(/^(2026-03-15|15\/0?3\/2026)$/);
    expect(errors).toEqual([]);
  });
});
