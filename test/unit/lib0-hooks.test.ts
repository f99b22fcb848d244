import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { load } from '../../server/lib0-hooks.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const LIB0 = join(dirname(createRequire(import.meta.url).resolve('lib0/package.json')), 'decoding.js');

describe('the hub reads strings through src/protocol/var-string.ts (server/lib0-hooks.ts)', () => {
  it('patches lib0/decoding.js as it loads, and nothing else', async () => {
    const source = readFileSync(LIB0, 'utf8');
    const decodingUrl = pathToFileURL(LIB0).href;
    const patched = await load(decodingUrl, {}, async () => ({ format: 'module', source }));
    expect(patched.format).toBe('module');
    expect(String(patched.source)).toContain('msReadVarStringFast(decoder, msReadVarStringLib0)');
    expect(String(patched.source)).toContain(pathToFileURL(join(ROOT, 'src/protocol/var-string.ts')).href);
    const other = { format: 'module', source: 'export const x = 1' };
    expect(await load(pathToFileURL(join(ROOT, 'node_modules/lib0/encoding.js')).href, {}, async () => other)).toBe(other);
    // a builtin or a module with no source passes through untouched
    const builtin = { format: 'builtin', source: null };
    expect(await load('node:fs', {}, async () => builtin)).toBe(builtin);
  });

  it('is in force in a Node process that registers it first, as server/main.ts does', async () => {
    const script = [
      "const { registerFastStrings } = await import('./server/fast-strings.ts');",
      'registerFastStrings();',
      "const decoding = await import('lib0/decoding');",
      "const Y = await import('yjs');",
      "const doc = new Y.Doc(); doc.getMap('m').set('ключ', 'value ' + 'x'.repeat(80)); doc.getMap('m').set('k', 'short');",
      'const copy = new Y.Doc(); Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));',
      "console.log(JSON.stringify({ patched: String(decoding._readVarStringNative).includes('msReadVarStringFast'), same: JSON.stringify(copy.getMap('m').toJSON()) === JSON.stringify(doc.getMap('m').toJSON()) }));",
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT });
    expect(JSON.parse(stdout.trim())).toEqual({ patched: true, same: true });
  });
});
