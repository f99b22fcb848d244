import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { cell, cellText, gridPage, newWorkbook } from '../support/grid-page.js';

const env = e2eEnvironment();

/** Names and types a column through Column settings, as a person sets up a sheet. */
async function setColumn(page: Page, col: number, name: string, type: string, dialogName = 'Column settings', labels = { name: 'Name', type: 'Type', save: 'Save' }) {
  await cell(page, 0, col).click();
  await page.getByRole('button', { name: dialogName }).click();
  const dialog = page.getByRole('dialog', { name: dialogName });
  await dialog.getByLabel(labels.name, { exact: true }).fill(name);
  await dialog.getByLabel(labels.type).selectOption(type);
  await dialog.getByRole('button', { name: labels.save }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** A real paste event carrying the HTML (and the text/plain every source also writes) on the active cell. */
async function pasteHtml(page: Page, html: string, plain: string) {
  await page.evaluate(
    ([h, p]) => {
      const dt = new DataTransfer();
      dt.setData('text/html', h);
      dt.setData('text/plain', p);
      const grid = document.querySelector('mutual-sheets-app')!.shadowRoot!.querySelector('workbook-view')!.shadowRoot!.querySelector('sheet-grid')!;
      grid.shadowRoot!.querySelector('.cell.active')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, composed: true }));
    },
    [html, plain],
  );
}

const row = (page: Page, r: number, cols: number) => Promise.all(Array.from({ length: cols }, (_, c) => cellText(page, r, c)));

/** Excel for Windows: a whole document, x:num raw values, a rowspan, a same-cell line break, a filtered-out row and the alignment row. */
const EXCEL_DESKTOP = `<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><style><!--.xl65 {mso-number-format:"\\0022$\\0022\\#\\,\\#\\#0\\.00";} .xl66 {mso-number-format:"Short Date";}--></style></head>
<body><table border=0 cellpadding=0 cellspacing=0 width=320 style='border-collapse:collapse;width:240pt'>
<!--StartFragment-->
 <col width=64 span=5 style='width:48pt'>
 <tr height=40 style='height:30.0pt'>
  <td rowspan=2 height=40 style='height:30.0pt'>North</td>
  <td>Ana<br style='mso-data-placement:same-cell' />Ruiz</td>
  <td class=xl65 align=right x:num="1234.5">$1,234.50</td>
  <td class=xl66 align=right x:num="46357">12/1/2026</td>
  <td>(555) 123-4567</td>
 </tr>
 <tr height=20 style='height:15.0pt'>
  <td height=20 style='height:15.0pt'>Ben</td>
  <td align=right x:num="0.25">25%</td>
  <td class=xl66 align=right x:num="46358">12/2/2026</td>
  <td>+1 555 0100</td>
 </tr>
 <tr height=0 style='display:none'>
  <td>Hidden</td><td>filtered out</td><td x:num>0</td><td></td><td></td>
 </tr>
 <tr height=20 style='height:15.0pt'>
  <td height=20 style='height:15.0pt'>South</td>
  <td>Cal</td>
  <td align=right x:num="-3">-$3.00</td>
  <td class=xl66 align=right x:num="46359">12/3/2026</td>
  <td>555.0101</td>
 </tr>
<!--EndFragment-->
 <![if supportMisalignedColumns]>
 <tr height=0 style='display:none'>
  <td width=64></td><td width=64></td><td width=64></td><td width=64></td><td width=64></td>
 </tr>
 <![endif]>
</table></body></html>`;
const EXCEL_PLAIN = 'North\t"Ana\nRuiz"\t$1,234.50\t12/1/2026\t(555) 123-4567\n\tBen\t25%\t12/2/2026\t+1 555 0100\nSouth\tCal\t-$3.00\t12/3/2026\t555.0101';

/** Google Sheets: raw values in data-sheets-value, dates by data-sheets-numberformat, a rowspan, <br> line breaks. */
const q = (o: unknown) => JSON.stringify(o).replace(/"/g, '&quot;');
const SHEETS =
  '<meta charset="utf-8"><google-sheets-html-origin><style type="text/css"><!--td {border: 1px solid #cccccc;}br {mso-data-placement:same-cell;}--></style>' +
  '<table xmlns="http://www.w3.org/1999/xhtml" cellspacing="0" cellpadding="0" dir="ltr" border="1" style="table-layout:fixed;font-size:10pt;font-family:Arial;width:0px;border-collapse:collapse;border:none"><colgroup><col width="100"/><col width="100"/><col width="100"/><col width="100"/></colgroup><tbody>' +
  `<tr style="height:21px;"><td rowspan="2" style="vertical-align:middle;" data-sheets-value="${q({ 1: 2, 2: 'West' })}">West</td>` +
  `<td data-sheets-value="${q({ 1: 2, 2: 'Dee\nLopez' })}">Dee<br>Lopez</td>` +
  `<td data-sheets-value="${q({ 1: 3, 3: 1234.5 })}" data-sheets-numberformat="${q({ 1: 4, 2: '"$"#,##0.00', 3: 1 })}">$1,234.50</td>` +
  `<td data-sheets-value="${q({ 1: 3, 3: 46357 })}" data-sheets-numberformat="${q({ 1: 5, 2: 'M/d/yyyy', 3: 1 })}">12/1/2026</td></tr>` +
  `<tr style="height:21px;"><td data-sheets-value="${q({ 1: 2, 2: 'Eli' })}">Eli</td>` +
  `<td data-sheets-value="${q({ 1: 3, 3: 0.075 })}" data-sheets-numberformat="${q({ 1: 3, 2: '0.0%', 3: 1 })}">7.5%</td>` +
  `<td data-sheets-value="${q({ 1: 3, 3: 46023 })}" data-sheets-numberformat="${q({ 1: 5, 2: 'M/d/yyyy', 3: 1 })}">1/1/2026</td></tr>` +
  '</tbody></table></google-sheets-html-origin>';
const SHEETS_PLAIN = 'West\t"Dee\nLopez"\t$1,234.50\t12/1/2026\n\tEli\t7.5%\t1/1/2026';

describe('e2e: pasting what Excel and Sheets put on the clipboard', () => {
  it('Excel desktop: the merged team once, the line break kept, hidden rows skipped, money, dates and phones into typed columns', async () => {
    const { page, errors } = await gridPage(env);
    await newWorkbook(page, env.relay.httpUrl);
    await setColumn(page, 0, 'Team', 'text');
    await setColumn(page, 1, 'Name', 'text');
    await setColumn(page, 2, 'Paid', 'number');
    await setColumn(page, 3, 'Due', 'date');
    await setColumn(page, 4, 'Phone', 'phone');
    await cell(page, 0, 0).click();
    await pasteHtml(page, EXCEL_DESKTOP, EXCEL_PLAIN);
    await cell(page, 2, 1).getByText('Cal').waitFor();
    expect(await row(page, 0, 5)).toEqual(['North', 'Ana\nRuiz', '1234.5', '2026-12-01', '(555) 123-4567']);
    // The rowspan covers North's second row: empty, not North again; 25% is 25 as typing it stores.
    expect(await row(page, 1, 5)).toEqual(['', 'Ben', '25', '2026-12-02', '+1 555 0100']);
    // The filtered-out row and the alignment row are not pasted: South follows Ben, and nothing follows South.
    expect(await row(page, 2, 5)).toEqual(['South', 'Cal', '-3', '2026-12-03', '555.0101']);
    expect(await row(page, 3, 5)).toEqual(['', '', '', '', '']);
    // Every value fitted its column (Ana's line break kept, in the cell): no misfit flag, no notice of values kept as text.
    expect(await page.locator('[role="gridcell"].misfit').count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('Sheets, read by a Spanish speaker: raw values keep 12/1/2026 the first of December and $1,234.50 over a thousand, percent as typed', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'es-ES' });
    env.contexts.push(context);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${env.relay.httpUrl}/`);
    await page.getByRole('button', { name: 'Nuevo libro' }).click();
    await page.getByRole('grid').waitFor();
    const es = { name: 'Nombre', type: 'Tipo', save: 'Guardar' };
    await setColumn(page, 2, 'Pagado', 'number', 'Ajustes de columna', es);
    await setColumn(page, 3, 'Vence', 'date', 'Ajustes de columna', es);
    await cell(page, 0, 0).click();
    await pasteHtml(page, SHEETS, SHEETS_PLAIN);
    await cell(page, 1, 1).getByText('Eli').waitFor();
    // Column B is text: it keeps the text as shown, line break included.
    expect(await row(page, 0, 4)).toEqual(['West', 'Dee\nLopez', '1234,5', '2026-12-01']);
    expect(await row(page, 1, 4)).toEqual(['', 'Eli', '7,5', '2026-01-01']);
    expect(await page.locator('[role="gridcell"].misfit').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
