/**
 * Every file of the interop corpus, read as an import reads it (the
 * worker-free path), against LibreOffice's reading: the same non-empty cells
 * per sheet with equal values, or a refusal with a specific code. Each file,
 * read or refused, within 10 s, and the process's peak resident size under
 * 1 GB throughout (so under it for every file). Differences that are right (LibreOffice is the one that
 * differs, or the file is refused on purpose) are listed in KNOWN with why;
 * docs/imports.md says the same for people.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isIoError } from '../../src/io/errors.js';
import { readImportFile } from '../../src/io/import-file.js';
import { isModelError } from '../../src/model/errors.js';
import { fileRows, headerRowOf } from '../../src/model/import-header.js';
import { compareSheet, corpusDir, corpusFiles, fileLabel } from './corpus-reference.js';

/** Refusals that are the right answer, by file, with the code they must carry. */
const REFUSED: Record<string, string> = {
  'calamine/pass_protected.xlsx': 'PASSWORD_PROTECTED',
  'calamine/issue_594_dos.ods': 'TOO_MANY_CELLS',
  'exceljs/missing-bits.xlsx': 'NOT_A_SPREADSHEET',
  'openpyxl/null_archive.xlsx': 'NOT_A_SPREADSHEET',
};

const RECALCULATED = 'LibreOffice recalculated formulas (volatile, INFO/TYPE, functions it lacks); we keep the results the file saved';
const PIVOT = 'LibreOffice rebuilds pivot tables with its own labels; we keep the cells the file saved';

/** Sheets where our reading differs from LibreOffice's on purpose, each with why; docs/imports.md explains each under the same name. */
const KNOWN: Record<string, string> = {
  'calamine/errors.xlsx [Feuil1]': RECALCULATED,
  'calamine/minimal_package.xlsx [Sheet1]': RECALCULATED,
  'sheetjs/ErrorTypes.xlsx [RawErrors]': RECALCULATED,
  'sheetjs/comments_stress_test.xlsx [Sheet3]': RECALCULATED,
  'sheetjs/formula_stress_test.xlsx [Date]': RECALCULATED,
  'sheetjs/formula_stress_test.xlsx [Engineering]': RECALCULATED,
  'sheetjs/formula_stress_test.xlsx [Information]': RECALCULATED,
  'sheetjs/formula_stress_test.xlsx [Math]': RECALCULATED,
  'sheetjs/formula_stress_test.xlsx [Text]': RECALCULATED,
  'sheetjs/metadata_2019.xlsx [Sheet1]': RECALCULATED,
  'sheetjs/threaded_comments_none.xlsx [Sheet1]': RECALCULATED,
  'sheetjs/wps_fn.xlsx [Sheet1]': RECALCULATED,
  'sheetjs/wps_image.xlsx [Sheet1]': RECALCULATED,
  'calamine/pivots.xlsx [PivotSheet1]': PIVOT,
  'calamine/pivots.xlsx [PivotSheet2]': PIVOT,
  'calamine/pivots.xlsx [PivotSheet3]': PIVOT,
  'calamine/pivots.xlsx [PivotSheet4]': PIVOT,
  'sheetjs/formula_stress_test.xlsx [Database]': PIVOT,
  'sheetjs/pivot_table_named_range.xlsx [PTRange]': PIVOT,
  'sheetjs/pivot_table_named_range.xlsx [PTTable]': PIVOT,
  'sheetjs/pivot_table_named_range.xlsx [PTWithLabelFilter]': PIVOT,
  'sheetjs/pivot_table_test.xlsm [PTCompact]': PIVOT,
  'sheetjs/pivot_table_test.xlsm [PTOutline]': PIVOT,
  'sheetjs/pivot_table_test.xlsm [PTTabular]': PIVOT,
  'calamine/pivots.xlsx [DataSheet]': 'TRUE under a date format: LibreOffice shows the date 1899-12-31, we keep the boolean',
  'calamine/pivots.xlsx [DataSheet2]': 'TRUE under a date format: LibreOffice shows the date 1899-12-31, we keep the boolean',
  'calamine/inlineStr_with_value.xlsx [Requirements]': 'an inline string LibreOffice drops; we keep its text',
  'exceljs/invalid-xml.xlsx [Sheet1]': 'LibreOffice reads nothing from this damaged sheet; we read its two cells',
  'calamine/richtext-after-plain.xlsx [Sheet1]': 'SheetJS keeps only the plain run of a shared string that mixes a plain run and rich runs',
  'openpyxl/empty.xlsx [with-styles-Sheet1]': "another file's reference (empty-with-styles.xlsx, not in the corpus) shares this stem",
  'sheetjs/LONumbers-2010.xlsx [Sheet1]': 'about 12,345 days under a duration format: LibreOffice writes a date, we the duration (same value)',
  'sheetjs/LONumbers-2011.xlsx [Sheet1]': 'about 12,345 days under a duration format: LibreOffice writes a date, we the duration (same value)',
  'sheetjs/number_format_russian.xlsm [2011]': 'about 12,345 days under a duration format: LibreOffice writes a date, we the duration (same value)',
  'sheetjs/number_format_russian.xlsm [Implied]': 'about 12,345 days under a duration format: LibreOffice writes a date, we the duration (same value)',
  'sheetjs/number_format_russian.xlsm [ImpliedNegative]': 'about 12,345 days under a duration format: LibreOffice writes a date, we the duration (same value)',
};

const PER_FILE_MS = 10_000;
const PER_FILE_BYTES = 1024 * 1024 * 1024;

describe('interop corpus: every file reads as LibreOffice reads it, or is refused with a code', () => {
  const dir = corpusDir();

  it('finds the corpus (INTEROP_CORPUS, test/fixtures/interop-corpus or ../shared/interop-corpus)', () => {
    // Fails rather than skips: a test that silently checks nothing is worse than none.
    expect(dir, 'set INTEROP_CORPUS to the interop corpus directory').not.toBeNull();
  });

  it('reads or refuses each file with a code, within 10 s and 1 GB, and agrees with LibreOffice cell for cell', async () => {
    const files = corpusFiles(dir!);
    expect(files.length).toBeGreaterThanOrEqual(250);
    const problems: string[] = [];
    /** peak resident bytes after each file; only the first crossing is reported (every later file would repeat it) */
    const peaks: number[] = [];
    let compared = 0;
    let slowest = { label: '', ms: 0 };
    for (const f of files) {
      const label = fileLabel(f);
      const t = performance.now();
      let tables;
      let refusal: unknown = null;
      try {
        tables = await readImportFile(new Uint8Array(readFileSync(f.path)), f.name);
      } catch (err) {
        refusal = err;
      }
      // Both bounds hold for a refusal too: a file that takes a minute to be refused has hung the import for a minute.
      const ms = performance.now() - t;
      if (ms > slowest.ms) slowest = { label, ms };
      if (ms > PER_FILE_MS) problems.push(`${label}: ${ms.toFixed(0)} ms`);
      // The process's peak resident size so far (not what is resident now, after a collection may have freed
      // the peak): it only grows, so the file during which it first passes the ceiling is the one that took it there.
      const peak = process.resourceUsage().maxRSS * 1024;
      if (peak > PER_FILE_BYTES && (peaks.at(-1) ?? 0) <= PER_FILE_BYTES) problems.push(`${label}: the test process peaked at ${(peak / 1024 / 1024).toFixed(0)} MB resident`);
      peaks.push(peak);
      if (refusal !== null) {
        const code = isIoError(refusal) || isModelError(refusal) ? refusal.code : null;
        if (!code) problems.push(`${label}: uncoded failure ${String(refusal)}`);
        else if (REFUSED[label] !== code) problems.push(`${label}: refused ${code}`);
        continue;
      }
      if (!tables) continue;
      if (REFUSED[label]) problems.push(`${label}: read, but should be refused ${REFUSED[label]}`);
      for (const [sheet, grid] of f.reference) {
        // SheetJS reads some ODS sheet names with _ for spaces.
        const ours = tables.find((t) => t.name === sheet) ?? tables.find((t) => t.name.replace(/_/g, ' ') === sheet);
        // Text files are one sheet named after the file; LibreOffice names it so too.
        const rows = ours ? fileRows(ours) : tables.length === 1 && f.reference.size === 1 ? fileRows(tables[0]) : null;
        const cmp = compareSheet(rows ?? [], grid, ours ? headerRowOf(ours) : -1);
        compared++;
        const differs = Boolean(cmp.missing || cmp.extra || cmp.different || (!rows && cmp.cells));
        const known = KNOWN[`${label} [${sheet}]`] !== undefined;
        // A known difference that went away is stale: the list stays exact.
        if (known && !differs) problems.push(`${label} [${sheet}]: listed as a known difference but agrees now`);
        if (differs && !known) {
          problems.push(`${label} [${sheet}]: ${cmp.cells} cells, ${cmp.missing} missing, ${cmp.extra} extra, ${cmp.different} different${rows ? '' : ' (no such sheet)'} — ${cmp.examples.join('; ')}`);
        }
      }
    }
    expect(compared).toBeGreaterThan(300);
    // The bounds were really measured: one reading per file, a nonzero peak, and a slowest file named.
    expect(peaks).toHaveLength(files.length);
    expect(Math.max(...peaks)).toBeGreaterThan(0);
    expect(slowest.ms).toBeGreaterThan(0);
    console.log(`corpus: slowest ${slowest.label} ${slowest.ms.toFixed(0)} ms, peak resident ${(Math.max(...peaks) / 1024 / 1024).toFixed(0)} MB`);
    expect(problems).toEqual([]);
  }, 120_000);

  it('detects the encodings of its legacy and UTF-16 text files (which LibreOffice wrote no reading of)', async () => {
    const expected: Record<string, [string, string]> = {
      'frictionless/table-infer-iso-8859-7.csv': ['iso-8859-7', 'Λεωνιδας'],
      'frictionless/table-with-accents.csv': ['windows-1252', 'Année'],
      'frictionless/issue-811.csv': ['windows-1252', "Codice dell'Unità territoriale"],
      'sheetjs/text_and_numbers.txt': ['utf-16le', 'English'],
    };
    for (const [file, [encoding, text]] of Object.entries(expected)) {
      const [table] = await readImportFile(new Uint8Array(readFileSync(`${dir}/files/${file}`)), file);
      expect(table.notes?.find((n) => n.kind === 'encoding'), file).toMatchObject({ encoding });
      expect(JSON.stringify(fileRows(table).slice(0, 3)), file).toContain(text);
    }
  });

  it('explains every known difference in docs/imports.md', () => {
    const doc = readFileSync(new URL('../../docs/imports.md', import.meta.url), 'utf8');
    for (const label of [...Object.keys(KNOWN), ...Object.keys(REFUSED)]) expect(doc, label).toContain(label);
  });
});
