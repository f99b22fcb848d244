import { describe, expect, it } from 'vitest';
import { decodeHtml, decodeHtmlCells, decodeTsv, encodeHtml, encodeTsv, pasteTexts } from '../../src/io/clipboard.js';
import { pasteBlock } from '../../src/model/paste.js';
import { newWorkbook } from '../support/model.js';

const tricky = [
  ['plain', 'tab\there', 'line\nbreak'],
  ['"quoted"', 'a "b" c', ''],
  ['émoji 🚑', '日本語', '<b>not html</b> & co'],
];

describe('clipboard TSV', () => {
  it('round-trips quotes, tabs, newlines, empty fields and unicode', () => {
    expect(decodeTsv(encodeTsv(tricky))).toEqual(tricky);
  });
  it('writes what Sheets and Excel write', () => {
    expect(encodeTsv([['a', 'b\tc'], ['say "hi"', '']])).toBe('a\t"b\tc"\n"say ""hi"""\t');
  });
  it('reads CRLF, a trailing newline, and ragged rows', () => {
    expect(decodeTsv('a\tb\r\nc\r\n')).toEqual([['a', 'b'], ['c']]);
    expect(decodeTsv('x')).toEqual([['x']]);
    expect(decodeTsv('')).toEqual([]);
    expect(decodeTsv('"multi\nline"\tz\n')).toEqual([['multi\nline', 'z']]);
  });
});

describe('clipboard HTML', () => {
  it('round-trips through our own table', () => {
    expect(decodeHtml(encodeHtml(tricky))).toEqual(tricky);
  });
  it('reads the shape Google Sheets writes', () => {
    const html =
      '<meta charset="utf-8"><google-sheets-html-origin><style type="text/css"><!--td {border: 1px solid #cccccc;}--></style>' +
      '<table xmlns="http://www.w3.org/1999/xhtml" cellspacing="0" cellpadding="0" dir="ltr" border="1" style="table-layout:fixed"><colgroup><col width="100"/><col width="100"/></colgroup>' +
      '<tbody><tr style="height:21px;"><td style="overflow:hidden;padding:2px 3px 2px 3px;vertical-align:bottom;">Rice</td><td style="text-align:right;" data-sheets-value="{&quot;1&quot;:3,&quot;3&quot;:12}">12</td></tr>' +
      '<tr style="height:21px;"><td>Ana &amp; Ben</td><td>line one<br/>line two</td></tr></tbody></table></google-sheets-html-origin>';
    expect(decodeHtml(html)).toEqual([
      ['Rice', '12'],
      ['Ana & Ben', 'line one\nline two'],
    ]);
  });
  it('reads the shape Excel writes (whitespace in source, entities, colspan)', () => {
    const html = `<html><body><table border=0 cellpadding=0 cellspacing=0 width=200>
 <tr height=20 style='height:15.0pt'>
  <td height=20 class=xl65 width=100 style='height:15.0pt;width:75pt'>Water
  5L</td>
  <td class=xl66 align=right>&#8364;4</td>
 </tr>
 <tr height=20>
  <td colspan=2 class=xl65>merged</td>
  <td>&nbsp;</td>
 </tr>
</table></body></html>`;
    expect(decodeHtml(html)).toEqual([
      ['Water 5L', '€4'],
      ['merged', '', ''],
    ]);
  });
  it('returns null when there is no table, so text/plain is used', () => {
    expect(decodeHtml('<p>hello</p>')).toBe(null);
  });
});

/** Excel for Windows/Mac: a whole document, classes for formats, x:num raw numbers, rowspan, same-cell breaks, the alignment row. */
const EXCEL_DESKTOP = `<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><style><!--table {mso-displayed-decimal-separator:"\\.";}
.xl65 {mso-number-format:"\\0022$\\0022\\#\\,\\#\\#0\\.00";} .xl66 {mso-number-format:"Short Date";} .xl67 {mso-number-format:Percent;}--></style></head>
<body link="#0563C1" vlink="#954F72">
<table border=0 cellpadding=0 cellspacing=0 width=256 style='border-collapse:collapse;width:192pt'>
<!--StartFragment-->
 <col width=64 span=4 style='width:48pt'>
 <tr height=20 style='height:15.0pt'>
  <td height=20 width=64 style='height:15.0pt;width:48pt'>Team</td>
  <td width=64 style='width:48pt'>Name</td>
  <td width=64 style='width:48pt'>Paid</td>
  <td width=64 style='width:48pt'>Shift</td>
 </tr>
 <tr height=40 style='height:30.0pt'>
  <td rowspan=2 height=40 class=xl68 style='height:30.0pt'>North</td>
  <td class=xl69 width=64 style='width:48pt'>Ana<br style='mso-data-placement:same-cell' />Ruiz</td>
  <td class=xl65 align=right x:num="1234.5">$1,234.50</td>
  <td class=xl66 align=right x:num="46357">12/1/2026</td>
 </tr>
 <tr height=20 style='height:15.0pt'>
  <td height=20 style='height:15.0pt'>Ben</td>
  <td class=xl67 align=right x:num="0.25">25%</td>
  <td align=right x:num>7</td>
 </tr>
 <tr height=0 style='display:none'>
  <td>Hidden</td><td>row</td><td x:num>0</td><td></td>
 </tr>
 <tr height=20 style='height:15.0pt'>
  <td height=20 style='height:15.0pt'>South</td>
  <td>Cal</td>
  <td x:bool="TRUE">TRUE</td>
  <td>(555) 123-4567</td>
 </tr>
<!--EndFragment-->
 <![if supportMisalignedColumns]>
 <tr height=0 style='display:none'>
  <td width=64 style='width:48pt'></td>
  <td width=64 style='width:48pt'></td>
  <td width=64 style='width:48pt'></td>
  <td width=64 style='width:48pt'></td>
 </tr>
 <![endif]>
</table></body></html>`;

/** Excel on the web: no document head, inline styles, the same rowspan/colspan and line breaks. */
const EXCEL_WEB = `<div ccp_infra_version='3' ccp_infra_timestamp='1' ccp_infra_user_hash='0' ccp_infra_copy_id='x' data-ccp-timestamp='1'><html><head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=ProgId content=Excel.Sheet></head><body><table width="192" style='border-collapse:collapse;width:144pt'><tbody>
<tr height="20" style='height:15.0pt'><td colspan="2" width="128" height="20" style='width:96pt;height:15.0pt;text-align:center'>Contact</td><td width="64" style='width:48pt'>Hours</td></tr>
<tr height="20" style='height:15.0pt'><td height="20" style='height:15.0pt'>Ana</td><td>Line one<br>line two</td><td style='text-align:right'>4</td></tr>
</tbody></table></body></html></div>`;

/** Google Sheets: raw values in data-sheets-value, formats in data-sheets-numberformat, rowspan for merges. */
const q = (o: unknown) => JSON.stringify(o).replace(/"/g, '&quot;');
const SHEETS =
  '<meta charset="utf-8"><google-sheets-html-origin><style type="text/css"><!--td {border: 1px solid #cccccc;}br {mso-data-placement:same-cell;}--></style>' +
  '<table xmlns="http://www.w3.org/1999/xhtml" cellspacing="0" cellpadding="0" dir="ltr" border="1" style="table-layout:fixed;font-size:10pt;font-family:Arial;width:0px;border-collapse:collapse;border:none"><colgroup><col width="100"/><col width="100"/><col width="100"/></colgroup><tbody>' +
  `<tr style="height:21px;"><td rowspan="2" style="overflow:hidden;vertical-align:middle;" data-sheets-value="${q({ 1: 2, 2: 'North' })}">North</td><td data-sheets-value="${q({ 1: 3, 3: 1234.5 })}" data-sheets-numberformat="${q({ 1: 4, 2: '"$"#,##0.00', 3: 1 })}">$1,234.50</td><td data-sheets-value="${q({ 1: 3, 3: 46357 })}" data-sheets-numberformat="${q({ 1: 5, 2: 'M/d/yyyy', 3: 1 })}">12/1/2026</td></tr>` +
  `<tr style="height:21px;"><td data-sheets-value="${q({ 1: 3, 3: 0.25 })}" data-sheets-numberformat="${q({ 1: 3, 2: '0%', 3: 1 })}">25%</td><td data-sheets-value="${q({ 1: 2, 2: '(555) 123-4567' })}">(555) 123-4567</td></tr>` +
  `<tr style="height:21px;"><td data-sheets-value="${q({ 1: 4, 4: true })}">TRUE</td><td data-sheets-value="${q({ 1: 2, 2: 'two\nlines' })}">two<br>lines</td><td></td></tr>` +
  '</tbody></table></google-sheets-html-origin>';

describe('clipboard HTML from Excel and Sheets, in the shapes they write', () => {
  it('Excel desktop: rowspan placed, same-cell line breaks kept, the hidden row and the alignment row skipped, x:num raw values', () => {
    const cells = decodeHtmlCells(EXCEL_DESKTOP)!;
    expect(cells.text).toEqual([
      ['Team', 'Name', 'Paid', 'Shift'],
      ['North', 'Ana\nRuiz', '$1,234.50', '12/1/2026'],
      ['', 'Ben', '25%', '7'],
      ['South', 'Cal', 'TRUE', '(555) 123-4567'],
    ]);
    expect(cells.raw[1]).toEqual([null, null, 1234.5, '2026-12-01']);
    expect(cells.raw[2]).toEqual([null, null, 0.25, 7]);
    expect(cells.raw[3][2]).toBe(true);
  });

  it('Excel on the web: colspan placed once, line breaks kept', () => {
    expect(decodeHtml(EXCEL_WEB)).toEqual([
      ['Contact', '', 'Hours'],
      ['Ana', 'Line one\nline two', '4'],
    ]);
  });

  it('Sheets: rowspan placed, raw values under money, percent, dates; text stays text', () => {
    const cells = decodeHtmlCells(SHEETS)!;
    expect(cells.text).toEqual([
      ['North', '$1,234.50', '12/1/2026'],
      ['', '25%', '(555) 123-4567'],
      ['TRUE', 'two\nlines', ''],
    ]);
    expect(cells.raw).toEqual([
      ['North', 1234.5, '2026-12-01'],
      [null, 0.25, '(555) 123-4567'],
      [true, 'two\nlines', null],
    ]);
  });

  it('gives typed columns the raw value, in the form they read, and text columns the text as shown', () => {
    const cells = decodeHtmlCells(SHEETS)!;
    const types = ['text', 'number', 'date'];
    // 25% is 25, as typing "25%" stores it (percent is a unit, not a scale: docs/schema.md).
    expect(pasteTexts(cells, (c) => types[c] ?? null)).toEqual([
      ['North', '1234.5', '2026-12-01'],
      ['', '25', '(555) 123-4567'],
      ['TRUE', 'two\nlines', ''],
    ]);
    expect(pasteTexts(cells, () => 'text')[0]).toEqual(['North', '$1,234.50', '12/1/2026']);
    expect(pasteTexts(cells, (c) => (c === 0 ? 'checkbox' : 'text'))[2][0]).toBe('TRUE');
  });

  it("writes raw numbers with the reader's decimal mark (a decimal comma would read 1.234 as 1234) and dates as date-times where the column wants one", () => {
    const cells = { text: [['1.234', '3/4/2026', '7%']], raw: [[1.234, '2026-03-04', 0.07]] };
    expect(pasteTexts(cells, (c) => ['number', 'datetime', 'number'][c], { decimal: ',' })).toEqual([['1,234', '2026-03-04T00:00', '7']]);
    expect(pasteTexts(cells, (c) => ['number', 'date', 'text'][c], { decimal: '.' })).toEqual([['1.234', '2026-03-04', '7%']]);
  });
});

describe('clipboard HTML from LibreOffice Calc', () => {
  it('reads sdval under the text: money and percent as numbers, a date format as the ISO date, a time as text, booleans', () => {
    // As Calc 7 writes it: a whole document, sdval/sdnum on typed cells, rowspan for merges, <br> inside <font>.
    const html = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0 Transitional//EN"><html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"/><title></title></head><body>
<table cellspacing="0" border="0"><colgroup width="85" span="5"></colgroup>
<tr><td height="34" align="left" valign="middle" rowspan=2><font face="Liberation Sans">North</font></td>
<td align="right" sdval="1234.5" sdnum="1033;0;[$$-409]#,##0.00;[RED]-[$$-409]#,##0.00"><font face="Liberation Sans">$1,234.50</font></td>
<td align="right" sdval="46357" sdnum="1033;0;MM/DD/YYYY"><font face="Liberation Sans">12/01/2026</font></td>
<td align="right" sdval="0.395833333333333" sdnum="1033;0;HH:MM"><font face="Liberation Sans">09:30</font></td>
<td align="left"><font face="Liberation Sans">Ana<br>Ruiz</font></td></tr>
<tr><td align="right" sdval="0.25" sdnum="1033;0;0%"><font face="Liberation Sans">25%</font></td>
<td align="right" sdval="1" sdnum="1033;0;BOOLEAN"><font face="Liberation Sans">TRUE</font></td>
<td align="right" sdval="7" sdnum="1031;0;Standard"><font face="Liberation Sans">7</font></td><td></td></tr>
</table></body></html>`;
    const cells = decodeHtmlCells(html)!;
    expect(cells.text).toEqual([
      ['North', '$1,234.50', '12/01/2026', '09:30', 'Ana\nRuiz'],
      ['', '25%', 'TRUE', '7', ''],
    ]);
    expect(cells.raw).toEqual([
      [null, 1234.5, '2026-12-01', null, null],
      [null, 0.25, true, 7, null],
    ]);
    expect(pasteTexts(cells, (c) => ['text', 'number', 'date', 'text', 'text'][c])[1]).toEqual(['', '25', 'TRUE', '7', '']);
  });
});

describe('times of day under the text', () => {
  it('are never pasted as the fraction of a day beneath them (Sheets format 6, Excel x:num under 9:30)', () => {
    const sheets = `<google-sheets-html-origin><table><tr><td data-sheets-value="${q({ 1: 3, 3: 0.3958333333 })}" data-sheets-numberformat="${q({ 1: 6, 2: 'h:mm', 3: 1 })}">9:30</td><td data-sheets-value="${q({ 1: 3, 3: 1.5 })}">36:00:00</td></tr></table></google-sheets-html-origin>`;
    const excel = '<table><tr><td x:num="0.395833333333333">9:30 AM</td><td x:num="46357.395833333">12/1/2026 9:30</td></tr></table>';
    expect(decodeHtmlCells(sheets)!.raw).toEqual([[null, null]]);
    expect(decodeHtmlCells(excel)!.raw).toEqual([[null, '2026-12-01T09:30']]);
    // In a number column the time stays as shown (a misfit to see), not 0.3958.
    expect(pasteTexts(decodeHtmlCells(sheets)!, () => 'number')).toEqual([['9:30', '36:00:00']]);
  });
});

describe('pasting Excel and Sheets HTML into typed columns', () => {
  /** A sheet with the columns the fixtures paste into, typed as a group would set them up. */
  function typedSheet() {
    const { wb } = newWorkbook();
    const s = wb.initialize({ rows: 6, columns: 0 });
    const ids = [
      wb.addColumn(s, { name: 'Team', type: 'text' }),
      wb.addColumn(s, { name: 'Name', type: 'text' }),
      wb.addColumn(s, { name: 'Paid', type: 'number' }),
      wb.addColumn(s, { name: 'When', type: 'date' }),
    ];
    return { wb, s, ids };
  }

  it('Excel desktop, in a day-first language: money and dates arrive as values, the merged team once, the line break kept, no hidden or blank rows', () => {
    const { wb, s, ids } = typedSheet();
    const columns = wb.columns(s);
    const cells = decodeHtmlCells(EXCEL_DESKTOP)!;
    // Skip the header row: paste the data under a header the sheet already has.
    const body = { text: cells.text.slice(1, 3), raw: cells.raw.slice(1, 3) };
    const block = pasteTexts(body, (c) => columns[c]?.type ?? null, { decimal: ',' });
    const result = pasteBlock(wb, s, wb.rowIds(s), columns, 0, 0, block, { decimal: ',', locale: 'es' });
    const rows = wb.rowIds(s);
    const row = (i: number) => ids.map((id) => wb.getValue(s, rows[i], id));
    // 12/1/2026 is Excel's 1 December (its raw day number), not 12 January as a Spanish reader would type it.
    expect(row(0)).toEqual(['North', 'Ana\nRuiz', 1234.5, '2026-12-01']);
    // Ben's "7" (a number under Shift) is no date: kept as flagged text and reported.
    expect(row(1)).toEqual([null, 'Ben', 25, '7']);
    expect(result.misfits.map((m) => [m.row, m.column, m.text])).toEqual([[2, 'When', '7']]);
    // The hidden row and Excel's alignment row add nothing.
    expect(row(2)).toEqual([null, null, null, null]);
  });

  it('Sheets: a US phone number with an area code in brackets fits a phone column; a checkbox takes the raw TRUE', () => {
    const { wb } = newWorkbook();
    const s = wb.initialize({ rows: 3, columns: 0 });
    const done = wb.addColumn(s, { name: 'Done', type: 'checkbox' });
    wb.addColumn(s, { name: 'Paid', type: 'number' });
    const phone = wb.addColumn(s, { name: 'Phone', type: 'phone' });
    const columns = wb.columns(s);
    const cells = decodeHtmlCells(SHEETS)!;
    const block = pasteTexts(cells, (c) => columns[c]?.type ?? null);
    const result = pasteBlock(wb, s, wb.rowIds(s), columns, 0, 0, block);
    const rows = wb.rowIds(s);
    expect(wb.getValue(s, rows[1], phone)).toBe('(555) 123-4567');
    expect(wb.getValue(s, rows[2], done)).toBe(true);
    // What fits nowhere is kept as flagged text, as shown in Sheets, and reported, never dropped.
    expect(result.misfits.map((m) => [m.column, m.text])).toEqual([
      ['Done', 'North'],
      ['Phone', '12/1/2026'],
      ['Paid', 'two\nlines'],
    ]);
  });
});
