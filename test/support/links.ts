import type { Page } from 'playwright-core';

/**
 * A workbook's link as a person hands it on: from the Share dialog. Once a workbook is open
 * the address bar carries no key (`#/w/<id>`), so `page.url()` opens nothing on another device.
 */
export async function shareLink(page: Page, which: 'Edit link' | 'View link' = 'Edit link'): Promise<string> {
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  const share = page.getByRole('dialog', { name: 'Share this workbook' });
  const link = await share.getByRole('textbox', { name: which }).inputValue();
  await share.getByRole('button', { name: 'Close', exact: true }).click();
  await share.waitFor({ state: 'hidden' });
  return link;
}
