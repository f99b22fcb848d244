import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workbook } from '../../src/model/index.js';
import { BLANK_SHEET } from '../../src/model/blank-sheet.js';
import { TEMPLATES, templateWords } from '../../src/model/templates.js';
import { personText, titleText } from '../../src/ui/i18n/value-text.js';
import { TEMPLATE_WORDS } from '../../src/ui/i18n/template-text.js';
import { newWorkbook } from '../support/model.js';
import * as Y from 'yjs';

const MODEL = join(__dirname, '../../src/model');

function sources(dir: string): { file: string; code: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sources(path);
    if (!d.name.endsWith('.ts')) return [];
    // Comments may say "someone"; only what the code could hand to a reader counts.
    const code = readFileSync(path, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|\s)\/\/.*$/gm, '$1');
    return [{ file: path.slice(MODEL.length + 1), code }];
  });
}

/** Words the UI says in the reader's language where the model holds nothing; the model must not choose them. */
const UI_WORDS = /(['"`])[^'"`\n]*\b(someone|somebody|unknown person|anonymous|untitled|no title|sheet \d)\b[^'"`\n]*\1/i;

describe('the model speaks no language', () => {
  it('has no string literal naming an unknown person, an untitled workbook or a numbered sheet', () => {
    const files = sources(MODEL);
    expect(files.length).toBeGreaterThan(20);
    // Template words are the keys of the UI's translation tables (checked below), translated before a workbook is made.
    const templateWord = new Set(TEMPLATES.flatMap(templateWords));
    const isTemplateWord = (line: string) => [...line.matchAll(/'([^'\n]*)'/g)].some((m) => templateWord.has(m[1]));
    const hits = files.flatMap(({ file, code }) =>
      code
        .split('\n')
        .filter((line) => UI_WORDS.test(line))
        .filter((line) => !((file === 'blank-sheet.ts' || file === 'templates.ts') && isTemplateWord(line)))
        .map((line) => `${file}: ${line.trim()}`),
    );
    expect(hits).toEqual([]);
  });

  it('the blank template\'s words are template words every language translates', () => {
    const blank = TEMPLATES.find((t) => t.id === 'blank')!;
    expect(templateWords(blank)).toContain(BLANK_SHEET.name);
    expect(TEMPLATE_WORDS.es[BLANK_SHEET.name]).toBe('Hoja 1');
    expect(TEMPLATE_WORDS.es[blank.newTitle!]).toBe('Libro sin título');
  });

  it('returns neutral data: no title is "", an unknown writer is ""', () => {
    const { doc, wb } = newWorkbook();
    const sheet = wb.initialize();
    expect(wb.title()).toBe('');
    wb.setTitle('Pantry');
    expect(wb.title()).toBe('Pantry');
    wb.setTitle('  ');
    expect(wb.title()).toBe('');
    const [row] = wb.rowIds(sheet);
    const col = wb.columns(sheet)[0].id;
    wb.setCell(sheet, row, col, 'Rice');
    // A copy that never received the writers' table: the cell is there, its writer unknown.
    const bare = new Y.Doc();
    Y.applyUpdate(bare, Y.encodeStateAsUpdate(doc));
    bare.getMap('actors').clear();
    const reader = new Workbook(bare, { actor: { name: 'V', deviceId: 'v' }, readOnly: true });
    expect(reader.getCell(sheet, row, col)).toMatchObject({ v: 'Rice', by: '' });
    const entries = wb.journal.query({});
    expect(entries.length).toBeGreaterThan(0);
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(wb.journal.doc));
    other.getMap('actors').clear();
    const named = new Workbook(bare, { actor: { name: 'V', deviceId: 'v' }, readOnly: true, history: other }).history({});
    expect(named.length).toBeGreaterThan(0);
    expect(named.every((g) => g.by === '')).toBe(true);
  });

  it('the UI words them in the reader\'s language', () => {
    expect(personText('en', '')).toBe('someone');
    expect(personText('es', '')).toBe('alguien');
    expect(personText('es', 'Ana')).toBe('Ana');
    expect(titleText('en', '')).toBe('Untitled workbook');
    expect(titleText('es', ' ')).toBe('Libro sin título');
    expect(titleText('es', 'Despensa')).toBe('Despensa');
  });
});
