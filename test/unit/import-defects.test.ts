/**
 * Each defect issue 16 found in real files, shown by the smallest file that
 * has it, generated here: raw SpreadsheetML zipped with fflate, ODS content,
 * CSV bytes in legacy encodings.
 */
import * as X from '@e965/xlsx';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeText, parseCsv } from '../../src/io/csv-import.js';
import { isIoError } from '../../src/io/errors.js';
import { readImportFile } from '../../src/io/import-file.js';
import { MAX_UNPACKED_BYTES, readSpreadsheet, zipUnpackedBytes } from '../../src/io/sheet-reader.js';
import { readXlsx } from '../../src/io/xlsx.js';
import { commitImport, inferColumns, type ImportCell, type ImportTable } from '../../src/model/import.js';
import { fileRows, guessHeaderRow, headerRowOf, withHeaderRow } from '../../src/model/import-header.js';
import { newWorkbook } from '../support/model.js';

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A one-sheet .xlsx from the sheet's <sheetData> (and what follows it), with number formats numbered from 164. */
function xlsx(sheetData: string, opts: { formats?: string[]; date1904?: boolean; after?: string; strings?: string[] } = {}): Uint8Array {
  const formats = opts.formats ?? [];
  const numFmts = formats.map((f, i) => `<numFmt numFmtId="${164 + i}" formatCode="${f.replace(/"/g, '&quot;')}"/>`).join('');
  const xfs = ['<xf numFmtId="0"/>', ...formats.map((_, i) => `<xf numFmtId="${164 + i}" applyNumberFormat="1"/>`)].join('');
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    ),
    '_rels/.rels': strToU8(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${R}/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
    'xl/workbook.xml': strToU8(`<?xml version="1.0"?><workbook xmlns="${NS}" xmlns:r="${R}">${opts.date1904 ? '<workbookPr date1904="1"/>' : ''}<sheets><sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    'xl/_rels/workbook.xml.rels': strToU8(
      `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${R}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${R}/styles" Target="styles.xml"/><Relationship Id="rId3" Type="${R}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    ),
    'xl/styles.xml': strToU8(`<?xml version="1.0"?><styleSheet xmlns="${NS}"><numFmts count="${formats.length}">${numFmts}</numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellXfs count="${formats.length + 1}">${xfs}</cellXfs></styleSheet>`),
    'xl/sharedStrings.xml': strToU8(`<?xml version="1.0"?><sst xmlns="${NS}">${(opts.strings ?? []).map((s) => `<si><t>${s}</t></si>`).join('')}</sst>`),
    'xl/worksheets/sheet1.xml': strToU8(`<?xml version="1.0"?><worksheet xmlns="${NS}" xmlns:r="${R}"><sheetData>${sheetData}</sheetData>${opts.after ?? ''}</worksheet>`),
  };
  return zipSync(files);
}

const str = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;

async function rowsOf(bytes: Uint8Array, name = 'book.xlsx'): Promise<ImportCell[][]> {
  const [table] = await readImportFile(bytes, name);
  return fileRows(table);
}

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  return p.then(
    () => null,
    (e: unknown) => (isIoError(e) ? e.code : String(e)),
  );
}

describe('workbook defects, each from the smallest file that shows it', () => {
  it('keeps cached formula results of 0 and FALSE', async () => {
    const bytes = xlsx(`<row r="1">${str('A1', 'Remaining')}${str('B1', 'Done')}</row><row r="2"><c r="A2"><f>5-5</f><v>0</v></c><c r="B2" t="b"><f>1=2</f><v>0</v></c></row>`);
    expect(await rowsOf(bytes)).toEqual([['Remaining', 'Done'], [0, false]]);
  });

  it('works by the cells holding values: whole-column validations and styled rows to 1,048,576 add no rows', async () => {
    const styled = Array.from({ length: 200 }, (_, i) => `<row r="${1_048_376 + i}" s="1" customFormat="1" ht="15"/>`).join('');
    const after = '<dataValidations count="1"><dataValidation type="list" sqref="B1:B1048576 C:C"><formula1>"open,done"</formula1></dataValidation></dataValidations>';
    const bytes = xlsx(`<row r="1">${str('A1', 'Need')}${str('B1', 'Status')}</row><row r="2">${str('A2', 'Rice')}${str('B2', 'open')}</row>${styled}`, { after, formats: ['0'] });
    const read = readSpreadsheet(X, bytes);
    expect(read[0].rows).toEqual([['Need', 'Status'], ['Rice', 'open']]);
  });

  it('puts a merged value once, in its top-left cell, notes the merge, and names the columns under a merged header', async () => {
    const bytes = xlsx(
      `<row r="1">${str('A1', 'Contact')}${str('C1', 'Hours')}</row><row r="2">${str('A2', 'Ana')}${str('B2', '555-0100')}<c r="C2"><v>4</v></c></row><row r="3">${str('A3', 'Ben')}${str('B3', '555-0101')}<c r="C3"><v>2</v></c></row>`,
      { after: '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>' },
    );
    const [table] = await readImportFile(bytes, 'merged.xlsx');
    expect(fileRows(table)[0]).toEqual(['Contact', '', 'Hours']);
    expect(table.merges).toEqual([{ row: 0, col: 0, rows: 1, cols: 2 }]);
    expect(inferColumns(table).map((p) => p.name)).toEqual(['Contact', 'Contact (2)', 'Hours']);
  });

  it('reads times of day and durations with their seconds, date-times with seconds kept', async () => {
    const nineThirty = (9 * 3600 + 30 * 60 + 15) / 86400;
    const bytes = xlsx(
      `<row r="1">${str('A1', 'Start')}${str('B1', 'Length')}${str('C1', 'Logged')}${str('D1', 'Short')}</row>` +
        `<row r="2"><c r="A2" s="1"><v>${nineThirty}</v></c><c r="B2" s="2"><v>1.5</v></c><c r="C2" s="3"><v>${46095 + nineThirty}</v></c><c r="D2" s="4"><v>${nineThirty}</v></c></row>`,
      { formats: ['hh:mm:ss', '[h]:mm:ss', 'yyyy-mm-dd hh:mm:ss', 'h:mm AM/PM'] },
    );
    expect((await rowsOf(bytes))[1]).toEqual(['09:30:15', '36:00:00', '2026-03-14T09:30:15', '09:30:15']);
  });

  it('reads the 1904 date system', async () => {
    const bytes = xlsx(`<row r="1">${str('A1', 'Day')}</row><row r="2"><c r="A2" s="1"><v>0</v></c></row><row r="3"><c r="A3" s="1"><v>44732</v></c></row>`, { formats: ['yyyy-mm-dd'], date1904: true });
    expect(await rowsOf(bytes)).toEqual([['Day'], ['1904-01-01'], ['2026-06-21']]);
  });

  it('reads ISO date cells (t="d") and inline strings in CDATA', async () => {
    const bytes = xlsx(
      `<row r="1">${str('A1', 'When')}${str('B1', 'Note')}</row><row r="2"><c r="A2" t="d" s="1"><v>2026-03-14T09:30:00</v></c><c r="B2" t="inlineStr"><is><t><![CDATA[Bring <gloves> & masks]]></t></is></c></row>`,
      { formats: ['yyyy-mm-dd hh:mm'] },
    );
    expect((await rowsOf(bytes))[1]).toEqual(['2026-03-14T09:30', 'Bring <gloves> & masks']);
  });

  it('refuses with a specific code: password-protected, not a spreadsheet, too many cells', async () => {
    const cfb = X.CFB.utils.cfb_new();
    X.CFB.utils.cfb_add(cfb, '/EncryptionInfo', new Uint8Array([4, 0, 4, 0, 0x40, 0, 0, 0]));
    X.CFB.utils.cfb_add(cfb, '/EncryptedPackage', new Uint8Array(64));
    const locked = new Uint8Array(X.CFB.write(cfb, { type: 'array' }) as ArrayBuffer);
    expect(await codeOf(readImportFile(locked, 'budget.xlsx'))).toBe('PASSWORD_PROTECTED');
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    expect(await codeOf(readImportFile(png, 'photo.xlsx'))).toBe('NOT_A_SPREADSHEET');
    const cells = xlsx(`<row r="1">${str('A1', 'a')}${str('B1', 'b')}</row><row r="2">${str('A2', 'c')}${str('B2', 'd')}</row>`);
    expect(() => readSpreadsheet(X, cells, { maxCells: 3 })).toThrow(expect.objectContaining({ code: 'TOO_MANY_CELLS' }));
    // An .ods that declares a billion rows of a billion cells is refused before any is built.
    const content =
      '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S"><table:table-row table:number-rows-repeated="1000000000"><table:table-cell table:number-columns-repeated="1000000000" office:value-type="string"><text:p>X</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>';
    const ods = zipSync({ mimetype: strToU8('application/vnd.oasis.opendocument.spreadsheet'), 'content.xml': strToU8(content) });
    expect(await codeOf(readImportFile(ods, 'bomb.ods'))).toBe('TOO_MANY_CELLS');
    // A zip that says it unpacks to gigabytes is refused from its directory, before anything is inflated.
    const bomb = xlsx(`<row r="1">${str('A1', 'a')}</row>`);
    const view = new DataView(bomb.buffer, bomb.byteOffset, bomb.byteLength);
    for (let i = 0; i + 46 <= bomb.length; i++) if (view.getUint32(i, true) === 0x02014b50) view.setUint32(i + 24, 0x7fffffff, true);
    expect(zipUnpackedBytes(bomb)).toBeGreaterThan(MAX_UNPACKED_BYTES);
    expect(await codeOf(readImportFile(bomb, 'bomb.xlsx'))).toBe('TOO_MANY_CELLS');
  });
});

describe('every format LibreOffice opens', () => {
  /** One roster written by SheetJS in each book type, as other programs save it. */
  function written(bookType: X.BookType): Uint8Array {
    const ws = X.utils.aoa_to_sheet([
      ['Name', 'Qty', 'When', 'Done'],
      ['Ana', 0, { t: 'n', v: 46095, z: 'yyyy-mm-dd' }, false],
      ['Zoë', 2.5, { t: 'n', v: 46096, z: 'yyyy-mm-dd' }, true],
    ]);
    const wb = X.utils.book_new();
    X.utils.book_append_sheet(wb, ws, 'Roster');
    return new Uint8Array(X.write(wb, { type: 'array', bookType }) as ArrayBuffer);
  }

  it.each([
    ['xlsx', 'roster.xlsx'],
    ['xlsm', 'roster.xlsm'],
    ['xls', 'roster.xls'],
    ['ods', 'roster.ods'],
  ] as const)('reads %s (%s) with the same cells and types', async (bookType, name) => {
    const [table] = await readImportFile(written(bookType), name);
    expect(table.name).toBe('Roster');
    expect(fileRows(table)).toEqual([
      ['Name', 'Qty', 'When', 'Done'],
      ['Ana', 0, '2026-03-14', false],
      ['Zoë', 2.5, '2026-03-15', true],
    ]);
    expect(inferColumns(table).map((p) => p.type)).toEqual(['text', 'number', 'date', 'checkbox']);
  });

  it('moves its progress around the one long parse: after it, then sheet by sheet, to the end', async () => {
    const wb = X.utils.book_new();
    for (const name of ['A', 'B', 'C', 'D']) X.utils.book_append_sheet(wb, X.utils.aoa_to_sheet([['h'], [name]]), name);
    const progress: number[] = [];
    await readXlsx(new Uint8Array(X.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer), (f) => progress.push(f));
    expect(progress.length).toBeGreaterThanOrEqual(10);
    expect(progress.every((f, i) => i === 0 || f > progress[i - 1])).toBe(true);
    expect(progress.at(-1)).toBe(1);
  });

  it('reads a workbook written without a styles part, which LibreOffice opens (not "no sheets", not a reader\'s internal message)', async () => {
    const files = unzipSync(xlsx(`<row r="1">${str('A1', 'Need')}</row><row r="2"><c r="A2"><v>4</v></c></row>`));
    delete files['xl/styles.xml'];
    expect(await rowsOf(zipSync(files))).toEqual([['Need'], [4]]);
  });
});

describe('a choice column with a space-only cell', () => {
  it('still infers the choice (no blank option) and imports, the blank cell left empty', () => {
    const table: ImportTable = { name: 'T', header: ['Status'], rows: [['open'], ['done'], ['open'], [' '], ['done'], ['open']] };
    const [plan] = inferColumns(table);
    expect(plan.type).toBe('select');
    expect(plan.options.map((o) => o.label)).toEqual(['open', 'done']);
    const { wb } = newWorkbook();
    wb.initialize();
    const result = commitImport(wb, table, [plan], { kind: 'new', name: 'T' });
    const col = wb.columns(result.sheetId)[0];
    expect(wb.rowIds(result.sheetId).map((r) => wb.getValue(result.sheetId, r, col.id))).toEqual(['o1', 'o2', 'o1', null, 'o2', 'o1']);
  });
});

describe('text files', () => {
  it('detects legacy encodings (Greek ISO-8859-7, Cyrillic Windows-1251) and offers the alternatives', () => {
    const greek = new Uint8Array([...strToU8('Name,City\n'), 0xc3, 0xe9, 0xfe, 0xf1, 0xe3, 0xef, 0xf2, 0x2c, 0xc1, 0xe8, 0xde, 0xed, 0xe1, 0x0a]);
    const g = decodeText(greek);
    expect([g.encoding, g.text]).toEqual(['iso-8859-7', 'Name,City\nΓιώργος,Αθήνα\n']);
    expect(g.alternatives).toContain('windows-1252');
    const cyrillic = new Uint8Array([...strToU8('Name,City\n'), 0xc8, 0xe2, 0xe0, 0xed, 0x2c, 0xcc, 0xee, 0xf1, 0xea, 0xe2, 0xe0, 0x0a]);
    const c = decodeText(cyrillic);
    expect([c.encoding, c.text]).toEqual(['windows-1251', 'Name,City\nИван,Москва\n']);
    expect(c.alternatives.length).toBeGreaterThan(0);
    // Chosen in the preview: the same bytes read as asked.
    expect(decodeText(cyrillic, 'windows-1252').text).toContain('Èâàí');
  });

  it('reads UTF-16 "Unicode text" as Excel saves it (BOM, tabs) and without a BOM', async () => {
    const text = 'Name\tQty\r\nZoë\t3\r\n';
    const le = new Uint8Array(2 + text.length * 2);
    le.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) le.set([text.charCodeAt(i) & 0xff, text.charCodeAt(i) >> 8], 2 + i * 2);
    const [table] = await readImportFile(le, 'unicode.txt');
    expect(fileRows(table)).toEqual([['Name', 'Qty'], ['Zoë', '3']]);
    expect(decodeText(le.subarray(2)).encoding).toBe('utf-16le');
  });

  it('reads a zip holding one CSV as that CSV, as some portals ship data', async () => {
    const zipped = zipSync({ 'data/table.csv': strToU8('id,name\n1,english\n2,中国人\n') });
    const [table] = await readImportFile(zipped, 'table.csv');
    expect([table.name, ...fileRows(table)]).toEqual(['table', ['id', 'name'], ['1', 'english'], ['2', '中国人']]);
  });

  it('reads semicolon CSV with decimal commas: 2,5 is two and a half, never 25 or 2500', () => {
    const table = parseCsv('Item;Qty;Zip\nRice;2,5;02134\nBeans;1.000,5;0100\nOil;10;0200\n', 'x');
    expect(table.rows.map((r) => r[1])).toEqual([2.5, 1000.5, '10']);
    expect(table.rows[0][2]).toBe('02134');
    expect(table.notes).toContainEqual({ kind: 'csv', separator: ';', decimal: ',' });
    expect(inferColumns(table)[1].type).toBe('number');
  });

  it('reads a stray quote leniently and lists the lines it touched', () => {
    const table = parseCsv('Name,Note\nAna,"5"" screen"\nBen,12" pipe\nCal,"never closed\nDee,ok\n', 'x');
    expect(fileRows(table)).toEqual([['Name', 'Note'], ['Ana', '5" screen'], ['Ben', '12" pipe'], ['Cal', '"never closed'], ['Dee', 'ok']]);
    expect(table.notes).toContainEqual({ kind: 'stray-quote', lines: [3, 4] });
  });

  it('reads 9,000 columns in one pass, with every column named and typed', () => {
    const cols = 9000;
    const header = Array.from({ length: cols }, (_, i) => `c${i}`).join(',');
    const row = Array.from({ length: cols }, (_, i) => String(i)).join(',');
    const table = parseCsv(`${header}\n${row}\n${row}\n`, 'wide');
    expect(table.header.length).toBe(cols);
    expect(table.rows[1][cols - 1]).toBe(String(cols - 1));
    const plans = inferColumns(table);
    expect(plans.length).toBe(cols);
    expect(plans.every((p) => p.type === 'number')).toBe(true);
  });
});

describe('header row', () => {
  it('skips title rows above the header, so columns keep their types; another row can be chosen', () => {
    const table = parseCsv('Volunteer roster — March,,\nUpdated by Ana,,\nName,Shifts,Start\nAna,3,2026-03-01\nBen,2,2026-03-02\n', 'roster');
    expect(headerRowOf(table)).toBe(2);
    expect(table.header).toEqual(['Name', 'Shifts', 'Start']);
    expect(inferColumns(table).map((p) => p.type)).toEqual(['text', 'number', 'date']);
    const first = withHeaderRow(table, 0);
    expect(first.header[0]).toBe('Volunteer roster — March');
    expect(first.rows.length).toBe(4);
    expect(withHeaderRow(first, 2)).toMatchObject({ header: ['Name', 'Shifts', 'Start'], rows: table.rows });
    // No header to find in a file of numbers: the first row stays the header.
    expect(guessHeaderRow([[1, 2], [3, 4]])).toBe(0);
  });
});
