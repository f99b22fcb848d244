import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * eslint.config.js keeps the layers of docs/architecture.md one way (the policy of
 * test/unit/layers.test.ts, ALLOWED) and the DOM in src/ui. These snippets break each rule in
 * each layer, linted as if they were files there, and expect ESLint to say so; the allowed ones
 * expect silence.
 */
const root = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root, overrideConfigFile: resolve(root, 'eslint.config.js') });

const ARCHITECTURE_RULES = ['no-restricted-imports', 'no-restricted-syntax', 'no-restricted-globals', 'no-restricted-properties'];

async function problems(file: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, file) });
  const messages = result.messages.map(({ ruleId, message, fatal }) => ({ ruleId, message: fatal ? `fatal: ${message}` : message }));
  // a snippet that does not parse, or a file the config ignores, proves nothing
  expect(messages.filter((m) => m.ruleId === null)).toEqual([]);
  for (const m of messages) expect(ARCHITECTURE_RULES).toContain(m.ruleId);
  return messages;
}

async function expectRefused(file: string, code: string, rule: string, words: RegExp): Promise<void> {
  const found = await problems(file, code);
  expect(found.length, `${file}: ${code}`).toBeGreaterThan(0);
  expect(found.some((m) => m.ruleId === rule && words.test(m.message)), `${file}: ${code} → ${JSON.stringify(found)}`).toBe(true);
}

async function expectAllowed(file: string, code: string): Promise<void> {
  expect(await problems(file, code), `${file}: ${code}`).toEqual([]);
}

/** Each layer (ALLOWED in layers.test.ts) and the layers it may import. */
const LAYERS: Record<string, string[]> = {
  'src/model': ['src/model'],
  'src/protocol': ['src/protocol'],
  'src/io': ['src/io', 'src/model'],
  'src/sync': ['src/sync', 'src/protocol', 'src/model'],
  'src/ui': ['src/ui', 'src/model', 'src/io', 'src/sync', 'src/protocol'],
  server: ['server', 'src/protocol', 'src/model', 'src/io', 'src/sync'],
};
const ALL = [...Object.keys(LAYERS)];

/** The specifier a file `depth` folders below `from` writes to reach `to/x.js`. */
function specifier(from: string, depth: number, to: string): string {
  if (!from.startsWith('src/')) return `${'../'.repeat(depth + 1)}${to}/x.js`;
  // from inside src/, a sibling is ../model/x.js; the hub is up one more
  return to.startsWith('src/') ? `${'../'.repeat(depth + 1)}${to.slice('src/'.length)}/x.js` : `${'../'.repeat(depth + 2)}${to}/x.js`;
}

describe('eslint.config.js: layer imports point one way', () => {
  for (const [from, allowed] of Object.entries(LAYERS)) {
    for (const depth of [0, 1, 2]) {
      const file = `${from}/${'sub/'.repeat(depth)}probe.ts`;
      it(`${file} imports ${allowed.join(', ')} and no other layer`, async () => {
        for (const to of ALL) {
          const spec = specifier(from, depth, to);
          const forms = [
            `import { x } from '${spec}';\nexport const y = x;`,
            `export * from '${spec}';`,
            `export { x } from '${spec}';`,
            `import type { X } from '${spec}';\nexport type Y = X;`,
            `export const load = () => import('${spec}');`,
            `export type T = import('${spec}').X;`,
          ];
          for (const code of forms) {
            if (allowed.includes(to)) await expectAllowed(file, code);
            else await expectRefused(file, code, /import\(/.test(code) ? 'no-restricted-syntax' : 'no-restricted-imports', new RegExp(`${from} imports only|Nothing in src/ imports server/`));
          }
        }
        // the long way round to a layer it may import is still that layer
        const own = from.startsWith('src/') ? `${'../'.repeat(depth + 2)}${from}/x.js` : `${'../'.repeat(depth + 1)}server/x.js`;
        await expectAllowed(file, `import '${own}';`);
        // inside its own layer, and past its root to the folder above (src/ or the repository), which is no layer
        await expectAllowed(file, `import './x.js';\nimport '.';`);
        if (depth > 0) await expectAllowed(file, `import '../x.js';\nimport '..';`);
        const above = from.startsWith('src/') ? `${'../'.repeat(depth + 1)}main.js` : `${'../'.repeat(depth + 1)}vite.config.js`;
        await expectRefused(file, `import '${above}';`, 'no-restricted-imports', new RegExp(`${from} imports only`));
        await expectRefused(file, `import '${'../'.repeat(depth + from.split('/').length + 1)}elsewhere/x.js';`, 'no-restricted-imports', new RegExp(`${from} imports only`));
      });
    }
  }

  it('nothing in src/ imports server/, whatever the depth', async () => {
    await expectRefused('src/main.ts', `import '../server/store.js';`, 'no-restricted-imports', /Nothing in src\/ imports server\//);
    await expectRefused('src/main.ts', `export const m = () => import('../server/store.js');`, 'no-restricted-syntax', /Nothing in src\/ imports server\//);
    await expectAllowed('src/main.ts', `import './ui/mutual-sheets-app.js';\nimport { initLocale } from './ui/i18n/locale.js';\ninitLocale();`);
    for (const layer of ALL.filter((l) => l.startsWith('src/'))) {
      await expectRefused(`${layer}/a/b/probe.ts`, `import '../../../../server/store.js';`, 'no-restricted-imports', /Nothing in src\/ imports server\//);
    }
  });
});

describe('eslint.config.js: a file too deep for its globs', () => {
  it('is reported, not left unchecked', async () => {
    await expectRefused(`src/model/${'d/'.repeat(7)}probe.ts`, `import * as Y from 'yjs';\nexport { Y };`, 'no-restricted-syntax', /raise MAX_DEPTH/);
    await expectRefused(`server/${'d/'.repeat(9)}probe.ts`, `export const x = 1;`, 'no-restricted-syntax', /raise MAX_DEPTH/);
    await expectAllowed(`src/model/${'d/'.repeat(6)}probe.ts`, `import * as Y from 'yjs';\nexport { Y };`);
  });
});

describe('eslint.config.js: packages per layer', () => {
  const cases: Record<string, { allowed: string[]; refused: string[] }> = {
    'src/model': {
      allowed: ['yjs', 'lib0', 'lib0/encoding'],
      refused: ['y-protocols/sync', 'fflate', 'papaparse', 'lit', 'node:fs', '@noble/hashes/sha2', 'yjs-extra'],
    },
    'src/protocol': {
      allowed: ['yjs', 'lib0/decoding', 'y-protocols/sync', '@noble/curves/ed25519', '@noble/hashes/sha2', '@noble/ciphers/chacha', 'fflate'],
      refused: ['y-websocket', 'papaparse', 'lit', 'node:crypto', '@noble/curves'],
    },
    'src/io': {
      allowed: ['yjs', 'lib0', 'papaparse', 'exceljs', 'fflate'],
      refused: ['y-indexeddb', 'y-protocols/sync', '@noble/hashes/sha2', 'lit', 'node:fs'],
    },
    'src/sync': {
      allowed: ['yjs', 'lib0/observable', 'y-websocket', 'y-indexeddb', 'y-protocols/awareness', '@noble/hashes/sha2'],
      refused: ['@noble/curves/ed25519', '@noble/ciphers/chacha', 'papaparse', 'exceljs', 'lit', 'node:fs'],
    },
    'src/ui': { allowed: ['lit', 'lit/decorators.js', 'uqr', 'virtual:pwa-register', 'yjs'], refused: ['node:fs', 'node:path'] },
    server: { allowed: ['node:fs', 'ws', 'better-sqlite3', 'yjs', 'lit'], refused: [] },
  };
  for (const [layer, { allowed, refused }] of Object.entries(cases)) {
    it(`${layer}: ${allowed.join(', ')} allowed${refused.length ? `; ${refused.join(', ')} refused` : ''}`, async () => {
      for (const depth of [0, 1]) {
        const file = `${layer}/${'sub/'.repeat(depth)}probe.ts`;
        for (const pkg of allowed) {
          await expectAllowed(file, `import * as m from '${pkg}';\nexport { m };`);
          await expectAllowed(file, `export const load = () => import('${pkg}');`);
        }
        for (const pkg of refused) {
          await expectRefused(file, `import * as m from '${pkg}';\nexport { m };`, 'no-restricted-imports', new RegExp(`${layer} imports only these packages`));
          await expectRefused(file, `export const load = () => import('${pkg}');`, 'no-restricted-syntax', new RegExp(`${layer} imports only these packages`));
        }
      }
    });
  }
});

describe('eslint.config.js: only src/ui touches the DOM', () => {
  const snippets: [string, string][] = [
    ['window', `export const w = window.innerWidth;`],
    ['document', `export const b = document.body;`],
    ['localStorage', `export const v = localStorage.getItem('k');`],
    ['sessionStorage', `sessionStorage.clear();`],
    ['indexedDB', `export const r = indexedDB.open('db');`],
    ['navigator', `export const online = navigator.onLine;`],
    ['HTMLElement', `export class C extends HTMLElement {}`],
    ['customElements', `customElements.define('x-y', class {} as never);`],
    ['location', `export const here = location.href;`],
  ];
  for (const layer of ['src/model', 'src/protocol', 'src/io', 'src/sync']) {
    it(`${layer} reaches no browser global`, async () => {
      for (const file of [`${layer}/probe.ts`, `${layer}/sub/probe.ts`]) {
        for (const [name, code] of snippets) {
          await expectRefused(file, code, 'no-restricted-globals', new RegExp(`^Unexpected use of '${name}'.*only src/ui touches the DOM`));
        }
        await expectRefused(file, `export const d = globalThis.document;`, 'no-restricted-properties', /only src\/ui touches the DOM/);
        for (const type of ['HTMLElement', 'HTMLInputElement', 'Element', 'Document', 'Window']) {
          await expectRefused(file, `export function f(el: ${type}) { return el; }`, 'no-restricted-syntax', /A DOM type: only src\/ui touches the DOM/);
        }
        // Node's and the language's own globals are everyone's; a local of the same name is not the global
        await expectAllowed(file, `export const t = setTimeout(() => globalThis.fetch('/x'), 1);\nexport const u = new URL('/x', 'http://h');`);
        await expectAllowed(file, `export function f(window: number, document: string) { return [window, document]; }`);
      }
    });
  }

  it('the UI and the hub are not held to it (the hub has no DOM to reach)', async () => {
    for (const [, code] of snippets) await expectAllowed('src/ui/probe.ts', code);
    await expectAllowed('src/ui/grid/probe.ts', `export const b = document.body;`);
    await expectAllowed('src/ui/grid/probe.ts', `export function f(el: HTMLInputElement, d: Document) { return [el, d]; }`);
    await expectAllowed('server/probe.ts', `export function f(window: number) { return window; }`);
  });

  it('the sync sessions may listen to the page (window, document, indexedDB) and nothing more', async () => {
    for (const file of ['src/sync/session.ts', 'src/sync/sealed/session.ts']) {
      await expectAllowed(file, `if (typeof window !== 'undefined') window.addEventListener('online', () => {});`);
      await expectAllowed(file, `document.addEventListener('visibilitychange', () => {});\nindexedDB.deleteDatabase('x');`);
      await expectRefused(file, `export const v = localStorage.getItem('k');`, 'no-restricted-globals', /only src\/ui/);
      await expectRefused(file, `export const n = navigator.onLine;`, 'no-restricted-globals', /only src\/ui/);
    }
    await expectRefused('src/sync/other.ts', `window.addEventListener('online', () => {});`, 'no-restricted-globals', /only src\/ui/);
  });

  it('the import worker may use its worker scope (self) and nothing more', async () => {
    await expectAllowed('src/io/import-worker.ts', `export const scope = self;`);
    await expectRefused('src/io/import-worker.ts', `export const b = document.body;`, 'no-restricted-globals', /only src\/ui/);
    await expectRefused('src/io/other.ts', `export const scope = self;`, 'no-restricted-globals', /only src\/ui/);
  });
});

describe('eslint.config.js: the repository as it is', () => {
  it('src and server pass', async () => {
    const results = await eslint.lintFiles(['src', 'server']);
    expect(results.length).toBeGreaterThan(100);
    const found = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId}: ${m.message}`));
    expect(found).toEqual([]);
  }, 60_000);
});
