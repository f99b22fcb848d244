import { describe, expect, it } from 'vitest';
import { decodeHtml, decodeTsv, encodeHtml, encodeTsv } from '../../src/io/clipboard.js';

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
