import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { shareLink } from '../support/links.js';

const env = e2eEnvironment();
const PHONE = { width: 390, height: 844 };

async function phone(url?: string) {
  const context = await env.browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true });
  env.contexts.push(context);
  // A locator that never appears fails on its own, naming itself, before the test timeout.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(url ?? `${env.relay.httpUrl}/`);
  return { context, page };
}

/** A needs tracker made on the phone itself, its keep-your-links reminder put off for later. */
async function trackerOnPhone() {
  const p = await phone();
  await p.page.getByRole('button', { name: 'Needs / requests tracker' }).tap();
  await p.page.getByRole('region', { name: 'Keep this workbook’s links' }).getByRole('button', { name: 'Later' }).tap();
  await p.page.getByRole('list', { name: 'Rows' }).waitFor();
  await p.page.getByTestId('sync-status').getByText('Synced').waitFor();
  return p;
}

/** A needs tracker a coordinator made on a laptop, open on a phone from its edit link (the link to hand on). */
async function trackerFromLaptop() {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  const laptop = await context.newPage();
  await laptop.goto(`${env.relay.httpUrl}/`);
  await laptop.getByRole('button', { name: 'Needs / requests tracker' }).click();
  await laptop.getByRole('grid').waitFor();
  const link = await shareLink(laptop);
  const p = await phone(link);
  await p.page.getByRole('list', { name: 'Rows' }).waitFor();
  await p.page.getByTestId('sync-status').getByText('Synced').waitFor();
  return { ...p, link };
}

/** A template's spare rows are not cards: the Add card starts a row and opens its form. */
const addRow = async (page: Page, n: number) => {
  await page.getByRole('listitem', { name: 'Add a row' }).getByRole('button').tap();
  await page.getByText(new RegExp(`^Row ${n} of \\d+$`)).waitFor();
};

/** Rows with a first name each, made from the Add card, back at the list. */
async function rowsNamed(page: Page, names: string[]) {
  for (const [i, name] of names.entries()) {
    await addRow(page, i + 1);
    await page.getByLabel('First name', { exact: true }).fill(name);
    await page.getByRole('button', { name: 'Back to the list' }).tap();
    await page.getByRole('listitem', { name: new RegExp(`^Row ${i + 1}:`) }).waitFor();
  }
}

const openRow = async (page: Page, n: number) => {
  await page.getByRole('listitem', { name: new RegExp(`^Row ${n}:`) }).tap();
  await page.getByText(new RegExp(`^Row ${n} of \\d+$`)).waitFor();
};

describe('e2e: the phone form saves every change as it is made', () => {
  it('a status and a text field changed and left by the back arrow at once are saved, here and for a colleague; undo takes back the last change', async () => {
    const { page, link } = await trackerFromLaptop();
    await addRow(page, 1);
    // No Save button to find below the fold: every change is saved as it is made.
    expect(await page.getByRole('button', { name: /^Save/ }).count()).toBe(0);
    await page.getByText('Every change is saved as you make it.').waitFor();

    await page.getByLabel('Status', { exact: true }).selectOption('In progress');
    await page.getByTestId('saved-Status').getByText('✓ Saved, and on the hub').waitFor();
    await page.getByLabel('First name', { exact: true }).fill('Marta');
    // Straight back, before the typing pause: leaving writes what was typed.
    await page.getByRole('button', { name: 'Back to the list' }).tap();
    await page.getByRole('listitem', { name: /^Row 1:/ }).getByText('First name: Marta').waitFor();

    await openRow(page, 1);
    expect(await page.getByLabel('Status', { exact: true }).inputValue()).toBe('In progress');
    expect(await page.getByLabel('First name', { exact: true }).inputValue()).toBe('Marta');

    // A colleague's phone, from the same link, sees both.
    const other = await phone(link);
    await openRow(other.page, 1);
    await expect.poll(() => other.page.getByLabel('First name', { exact: true }).inputValue()).toBe('Marta');
    expect(await other.page.getByLabel('Status', { exact: true }).inputValue()).toBe('In progress');

    // Undo takes back the last change made in this form (all of one field's typing), and only that.
    await page.getByLabel('First name', { exact: true }).fill('Marta Ruiz');
    await page.getByTestId('saved-First name').getByText('✓ Saved, and on the hub').waitFor();
    await page.getByRole('button', { name: 'Undo my last change in this form' }).tap();
    await page.getByRole('status').getByText('Undone: First name.').waitFor();
    await expect.poll(() => page.getByLabel('First name', { exact: true }).inputValue()).toBe('Marta');
    expect(await page.getByLabel('Status', { exact: true }).inputValue()).toBe('In progress');
    await expect.poll(() => other.page.getByLabel('First name', { exact: true }).inputValue()).toBe('Marta');
    // The status was changed on the earlier visit to this row: this visit's Undo has nothing more to take back.
    expect(await page.getByRole('button', { name: 'Undo my last change in this form' }).isDisabled()).toBe(true);

    // Undo never takes back a colleague's change: theirs stays while this person's own goes.
    await page.getByLabel('Status', { exact: true }).selectOption('Call back');
    await page.getByTestId('saved-Status').waitFor();
    await other.page.getByLabel('Cross streets', { exact: true }).fill('5th & Main');
    await other.page.getByLabel('Cross streets', { exact: true }).press('Enter');
    await expect.poll(() => page.getByLabel('Cross streets', { exact: true }).inputValue()).toBe('5th & Main');
    await page.getByRole('button', { name: 'Undo my last change in this form' }).tap();
    await page.getByRole('status').getByText('Undone: Status.').waitFor();
    await expect.poll(() => other.page.getByLabel('Status', { exact: true }).inputValue()).toBe('In progress');
    expect(await page.getByLabel('Cross streets', { exact: true }).inputValue()).toBe('5th & Main');
  });

  it('offline, each field says it is saved on this device and not yet on the hub, then on the hub once back', async () => {
    const { page, context } = await trackerOnPhone();
    await rowsNamed(page, ['Ana']);
    await addRow(page, 2);
    await context.setOffline(true);
    await page.getByTestId('sync-status').getByText(/^Offline/).waitFor();
    await page.getByLabel('Neighborhood', { exact: true }).fill('Centro');
    await page.getByLabel('Urgency', { exact: true }).selectOption('Today');
    await page.getByTestId('saved-Urgency').getByText('✓ Saved on this device — not yet on the hub').waitFor();
    await page.getByTestId('saved-Neighborhood').getByText('✓ Saved on this device — not yet on the hub').waitFor();
    await context.setOffline(false);
    await page.getByTestId('saved-Neighborhood').getByText('✓ Saved, and on the hub').waitFor({ timeout: 20_000 });
    await page.getByTestId('saved-Urgency').getByText('✓ Saved, and on the hub').waitFor();
  });

  it('a value that does not fit says why beside the field and keeps what was typed; leaving keeps it as flagged text', async () => {
    const { page } = await trackerOnPhone();
    await rowsNamed(page, ['Ana', 'Bea']);
    await openRow(page, 1);
    const size = page.getByLabel('Household size', { exact: true });
    await size.fill('about five');
    await size.press('Enter');
    await page.getByRole('alert').getByText('“about five” is not a number (Household size holds numbers).').waitFor();
    expect(await size.inputValue()).toBe('about five');
    // Fixed in place, it is saved as a number.
    await size.fill('5');
    await size.press('Enter');
    await page.getByTestId('saved-Household size').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    // Typed wrong again and left by "next row": nothing is lost.
    await size.fill('five?');
    await page.getByRole('button', { name: 'Next row' }).tap();
    await page.getByText(/^Row 2 of \d+$/).waitFor();
    await page.getByRole('button', { name: 'Previous row' }).tap();
    await page.getByText(/^Row 1 of \d+$/).waitFor();
    expect(await page.getByLabel('Household size', { exact: true }).inputValue()).toBe('five?');
    await page.getByText('Does not fit this column: “five?” is not a number (Household size holds numbers).').waitFor();
  });

  it('the browser’s back button and a reload never lose what was being typed', async () => {
    const { page } = await trackerOnPhone();
    // Answer "leave?" if the page asks while a change is still being written to this device.
    page.on('dialog', (d) => void d.accept());
    await addRow(page, 1);
    await page.getByLabel('Dietary needs', { exact: true }).fill('no nuts');
    await page.goBack();
    await page.getByRole('button', { name: 'New workbook' }).waitFor();
    await page.goForward();
    await openRow(page, 1);
    expect(await page.getByLabel('Dietary needs', { exact: true }).inputValue()).toBe('no nuts');

    await page.getByLabel('Languages', { exact: true }).fill('Quechua');
    await page.reload();
    await openRow(page, 1);
    expect(await page.getByLabel('Languages', { exact: true }).inputValue()).toBe('Quechua');
  });

  it('every control is a big enough tap target with a label bound to it; counters keep their big − / +', async () => {
    const { page } = await trackerOnPhone();
    await addRow(page, 1);
    const small = await page.locator('row-form').evaluate((form) => {
      const root = form.shadowRoot!;
      const out: string[] = [];
      for (const el of root.querySelectorAll<HTMLElement>('input, select, textarea, button, a')) {
        const box = el.getBoundingClientRect();
        if (box.height < 44 || box.width < 44) out.push(`${el.tagName} ${el.getAttribute('aria-label') ?? el.id} ${box.width}×${box.height}`);
        if (el.matches('input:not([type="checkbox"]), select, textarea') && !el.closest('label') && !root.querySelector(`label[for="${el.id}"]`)) out.push(`${el.id}: no label`);
      }
      return out;
    });
    expect(small).toEqual([]);

    await page.getByRole('link', { name: 'All workbooks' }).tap();
    await page.getByRole('button', { name: 'Supply inventory' }).tap();
    await addRow(page, 1);
    await page.getByRole('button', { name: 'On hand plus one' }).tap();
    await page.getByRole('button', { name: 'On hand plus one' }).tap();
    await page.getByTestId('count-On hand').getByText('2').waitFor();
    await page.getByTestId('saved-On hand').waitFor();
    await page.getByRole('button', { name: 'On hand minus one' }).tap();
    await page.getByTestId('count-On hand').getByText('1').waitFor();
    await page.getByRole('button', { name: 'Undo my last change in this form' }).tap();
    await page.getByTestId('count-On hand').getByText('2').waitFor();
  });
});
