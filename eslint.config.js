// Architecture rules only (no style): the layers of docs/architecture.md point one way, and only
// src/ui touches the DOM. The table below is the one test/unit/layers.test.ts checks (ALLOWED);
// test/unit/eslint-layers.test.ts proves each rule reports a break.
import tsParser from '@typescript-eslint/parser';

/** layer → the layers it may import and the packages it may import (a regex source, anchored). */
const LAYERS = {
  'src/model': { layers: ['src/model'], packages: 'yjs|lib0(?:/.*)?' },
  'src/protocol': {
    layers: ['src/protocol'],
    packages: 'yjs|lib0(?:/.*)?|y-protocols(?:/.*)?|@noble/(?:curves|hashes|ciphers)/.*|fflate',
  },
  'src/io': { layers: ['src/io', 'src/model'], packages: 'yjs|lib0(?:/.*)?|papaparse|exceljs|@e965/xlsx|fflate' },
  'src/sync': {
    layers: ['src/sync', 'src/protocol', 'src/model'],
    packages: 'yjs|lib0(?:/.*)?|y-websocket|y-indexeddb|y-protocols(?:/.*)?|@noble/hashes/.*',
  },
  // any package but Node's own (node:*): the UI runs in the browser
  'src/ui': { layers: ['src/ui', 'src/model', 'src/io', 'src/sync', 'src/protocol'], packages: '(?!node:).*' },
  // the CLI opens sealed workbooks as a device would (src/sync/sealed), and signs API requests
  server: { layers: ['server', 'src/protocol', 'src/model', 'src/io', 'src/sync'], packages: '.*' },
};

/** Files this many folders below a layer's root get their own globs (the climb to a sibling differs). */
const MAX_DEPTH = 6;

const up = (n) => '(?:\\.\\./)'.repeat(n);
const names = (list) => list.map((l) => l.replace(/\./g, '\\.')).join('|');

/**
 * The relative specifiers a file `depth` folders below `layer` may write, as one anchored regex
 * source: inside its own layer, a sibling layer it may import (../model/x), or the same from the
 * repository root (../../src/model/x).
 */
function relativeAllowed(layer, depth, allowed) {
  const inside = [`\\.(?:/.*)?`];
  if (depth > 0) inside.push(`(?:\\.\\./){1,${depth}}(?!\\.\\.(?:/|$)).*`, `(?:\\.\\./){0,${depth - 1}}\\.\\.`);
  const fromRoot = `${up(depth + layer.split('/').length)}(?:${names(allowed)})(?:/.*)?`;
  const alternatives = [...inside, fromRoot];
  if (layer.startsWith('src/')) {
    const siblings = allowed.filter((l) => l.startsWith('src/')).map((l) => l.slice('src/'.length));
    alternatives.push(`${up(depth + 1)}(?:${names(siblings)})(?:/.*)?`);
  }
  return alternatives.join('|');
}

const SERVER_FROM_SRC = '^(?:\\./)?(?:\\.\\./)+server(?:/|$)';
const SERVER_MESSAGE = 'Nothing in src/ imports server/: the hub is not part of the app.';

/**
 * no-restricted-imports sees import/export … from; import('x') and the type import('x').T are
 * checked by the same regexes, as selectors.
 */
function dynamicImport(regex, message) {
  // esquery reads /…/ literals: a slash inside the pattern is written as \x2F
  const literal = `/${regex.replace(/\//g, '\\x2F')}/u`;
  return { selector: `:matches(ImportExpression, TSImportType)[source.value=${literal}]`, message };
}

/** The layers that run in Node as well as the browser: no DOM. */
const BELOW_UI = ['src/model', 'src/protocol', 'src/io', 'src/sync'];
const DOM_TYPES = {
  selector: 'TSTypeReference > Identifier.typeName[name=/^(?:HTML[A-Za-z]*Element|Element|Document|Window|DOMParser|MutationObserver)$/u]',
  message: "A DOM type: only src/ui touches the DOM (docs/architecture.md).",
};

function importRules(layer, depth) {
  const rule = LAYERS[layer];
  const relative = `^(?=\\.)(?!(?:${relativeAllowed(layer, depth, rule.layers)})$)`;
  const packages = `^(?!\\.)(?!(?:${rule.packages})$)`;
  const relativeMessage = `${layer} imports only ${rule.layers.join(', ')} (docs/architecture.md).`;
  const packageMessage = `${layer} imports only these packages: ${rule.packages} (docs/architecture.md).`;
  const patterns = [
    { regex: relative, message: relativeMessage },
    { regex: packages, message: packageMessage },
  ];
  if (layer.startsWith('src/')) patterns.unshift({ regex: SERVER_FROM_SRC, message: SERVER_MESSAGE });
  const selectors = patterns.map((p) => dynamicImport(p.regex, p.message));
  // no-restricted-globals sees values; a DOM type (el: HTMLElement) is a type reference
  if (BELOW_UI.includes(layer)) selectors.push(DOM_TYPES);
  return {
    'no-restricted-imports': ['error', { patterns }],
    'no-restricted-syntax': ['error', ...selectors],
  };
}

const layerConfigs = Object.keys(LAYERS).flatMap((layer) => [
  ...Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => ({
    name: `layers/${layer}/depth-${depth}`,
    files: [`${layer}/${'*/'.repeat(depth)}*.ts`],
    rules: importRules(layer, depth),
  })),
  {
    // deeper than the globs above reach: said, rather than left unchecked
    name: `layers/${layer}/too-deep`,
    files: [`${layer}/${'*/'.repeat(MAX_DEPTH + 1)}**/*.ts`],
    rules: {
      'no-restricted-imports': 'off',
      'no-restricted-syntax': ['error', { selector: 'Program', message: `More than ${MAX_DEPTH} folders below ${layer}: raise MAX_DEPTH in eslint.config.js so its imports are checked.` }],
    },
  },
]);

/** Browser-only globals: only src/ui (and src/main.ts, which starts it) may reach them. */
const DOM_GLOBALS = [
  'window',
  'document',
  'self',
  'location',
  'localStorage',
  'sessionStorage',
  'indexedDB',
  'navigator',
  'HTMLElement',
  'Element',
  'customElements',
  'DOMParser',
  'MutationObserver',
  'requestAnimationFrame',
];
const domMessage = (name) => `${name} is the browser's: only src/ui touches the DOM (docs/architecture.md).`;
const domRules = (globals) => ({
  'no-restricted-globals': ['error', ...globals.map((name) => ({ name, message: domMessage(name) }))],
  'no-restricted-properties': [
    'error',
    ...globals.map((property) => ({ object: 'globalThis', property, message: domMessage(property) })),
  ],
});

export default [
  { name: 'layers/ignores', ignores: ['dist/**', 'node_modules/**'] },
  {
    name: 'layers/typescript',
    files: ['**/*.ts'],
    languageOptions: { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    name: 'layers/src-main',
    files: ['src/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: SERVER_FROM_SRC, message: SERVER_MESSAGE }] }],
      'no-restricted-syntax': ['error', dynamicImport(SERVER_FROM_SRC, SERVER_MESSAGE)],
    },
  },
  ...layerConfigs,
  {
    name: 'layers/no-dom-below-ui',
    files: BELOW_UI.map((layer) => `${layer}/**/*.ts`),
    rules: domRules(DOM_GLOBALS),
  },
  {
    // A worker's global scope is `self` (a DedicatedWorkerGlobalScope, not a page): the import
    // worker listens and posts on it. The page's globals stay the UI's.
    name: 'layers/import-worker-has-a-worker-scope',
    files: ['src/io/import-worker.ts'],
    rules: domRules(DOM_GLOBALS.filter((name) => name !== 'self')),
  },
  {
    // The two sessions run in the browser and in Node (tests, the CLI): each checks
    // `typeof window !== 'undefined'` before listening for online/offline (session.ts) or for
    // pagehide/visibilitychange to flush what is unsaved (sealed/session.ts), and session.ts probes
    // and deletes the device's IndexedDB copy. Those three names only; the rest stay the UI's.
    name: 'layers/sync-sessions-may-listen-to-the-page',
    files: ['src/sync/session.ts', 'src/sync/sealed/session.ts'],
    rules: domRules(DOM_GLOBALS.filter((name) => !['window', 'document', 'indexedDB'].includes(name))),
  },
];
