import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newSealedWorkbookKeys } from '../../src/protocol/sealed-keys.js';
import { SnapshotClient } from '../../src/sync/snapshots.js';

const SRC = join(__dirname, '../../src');

function sources(dir: string): { file: string; code: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sources(path);
    if (!d.name.endsWith('.ts')) return [];
    // Comments may say "someone"; only what the code could hand to a reader counts.
    const code = readFileSync(path, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|\s)\/\/.*$/gm, '$1');
    return [{ file: path.slice(SRC.length + 1), code }];
  });
}

const lines = (files: { file: string; code: string }[], test: (line: string) => boolean) =>
  files.flatMap(({ file, code }) =>
    code
      .split('\n')
      .filter(test)
      .map((line) => `${file}: ${line.trim()}`),
  );

describe('who and which workbook are named in the reader\'s words', () => {
  it('no layer below the UI words an unknown writer or an untitled workbook', () => {
    const below = ['sync', 'protocol', 'io'].flatMap((d) => sources(join(SRC, d)));
    expect(below.length).toBeGreaterThan(20);
    expect(lines(below, (l) => /(['"`])[^'"`\n]*\b(someone|somebody|untitled)\b[^'"`\n]*\1/i.test(l))).toEqual([]);
  });

  it('the UI never shows a writer\'s raw name (the model gives \'\' for one it does not know) nor a literal "someone"', () => {
    const ui = sources(join(SRC, 'ui')).filter((f) => !f.file.startsWith('ui/i18n/messages/'));
    // A record's `.by` handed straight to a message: an unknown writer would read as an empty name.
    const raw = lines(ui, (l) => /\b(by|name):\s*[\w.?!]+\.by\b(?![\w(])/.test(l) && !/personText\(/.test(l));
    const literal = lines(ui, (l) => /(['"`])someone\1/i.test(l));
    expect([...raw, ...literal]).toEqual([]);
  });

  it('the UI shows a workbook\'s title only through titleText (files, printouts, restore)', () => {
    const ui = sources(join(SRC, 'ui')).filter((f) => !f.file.startsWith('ui/i18n/'));
    // A workbook's title() (not the element's own title()) left once every titleText(…, x.title()) is taken out.
    const bare = (l: string) => l.replace(/titleText\([^,]+,\s*[\w.?]+\.title\(\)\)/g, '');
    const uses = lines(ui, (l) => /(?<!\bthis)\.title\(\)/.test(bare(l)));
    // Data, not display: what the device remembers, and the restore plan's comparison (worded by restore-dialog).
    const data = uses.filter((u) => !/profile[?]?\.remember\(|then\.title\(\) !== now\.title\(\)/.test(u));
    expect(data).toEqual([]);
  });

  it('a sealed snapshot keeps the author it was given, adding no word of its own', async () => {
    const keys = newSealedWorkbookKeys();
    const posted: { name: string; by: string }[] = [];
    const fetchFn = (async (url: string | URL, init?: RequestInit) => {
      if (String(url).endsWith('/nonce')) return new Response(JSON.stringify({ nonce: 'n0' }), { status: 200 });
      const body = JSON.parse(String(init?.body)) as { name: string; by: string };
      posted.push(body);
      return new Response(JSON.stringify({ id: 1, kind: 'named', at: 1, ...body }), { status: 200 });
    }) as typeof fetch;
    const client = new SnapshotClient('http://hub.test', keys.id, keys.edit, fetchFn);
    const unknown = await client.create('end of day', '');
    expect(unknown).toMatchObject({ name: 'end of day', by: '' });
    expect(await client.create('day 2', 'Ana')).toMatchObject({ name: 'day 2', by: 'Ana' });
    // The hub sees neither: only the sealed label and the fixed sealed author.
    expect(posted.every((p) => p.by === 'sealed' && !p.name.includes('Ana'))).toBe(true);
  });
});
