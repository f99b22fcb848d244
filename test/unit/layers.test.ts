import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import rule of docs/architecture.md, checked rather than remembered:
 * src/model is pure (Yjs only), src/protocol is shared by both ends, io reads
 * the model, sync speaks the protocol, the UI sits on top, and the hub never
 * reaches into the browser's layers.
 */
const ALLOWED: Record<string, { layers: string[]; packages: RegExp }> = {
  'src/model': { layers: ['src/model'], packages: /^(yjs|lib0(\/.*)?)$/ },
  'src/protocol': { layers: ['src/protocol'], packages: /^(yjs|lib0(\/.*)?|y-protocols(\/.*)?|@noble\/(curves|hashes|ciphers)\/.*|fflate)$/ },
  'src/io': { layers: ['src/io', 'src/model'], packages: /^(yjs|lib0(\/.*)?|papaparse|exceljs|@e965\/xlsx|fflate)$/ },
  'src/sync': { layers: ['src/sync', 'src/protocol', 'src/model'], packages: /^(yjs|lib0(\/.*)?|y-websocket|y-indexeddb|y-protocols(\/.*)?|@noble\/hashes\/.*)$/ },
  'src/ui': { layers: ['src/ui', 'src/model', 'src/io', 'src/sync', 'src/protocol'], packages: /.*/ },
  // the CLI opens sealed workbooks as a device would (src/sync/sealed), and signs API requests
  server: { layers: ['server', 'src/protocol', 'src/model', 'src/io', 'src/sync'], packages: /.*/ },
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function layerOf(path: string): string | undefined {
  return Object.keys(ALLOWED).find((layer) => path === layer || path.startsWith(`${layer}/`));
}

describe('imports point one way', () => {
  for (const [layer, rule] of Object.entries(ALLOWED)) {
    it(`${layer} imports only ${rule.layers.join(', ')}`, () => {
      const wrong: string[] = [];
      for (const file of files(layer)) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
          const spec = m[1] ?? m[2];
          if (spec.startsWith('.')) {
            const target = relative('.', join(file, '..', spec));
            const to = layerOf(target);
            if (!to || !rule.layers.includes(to)) wrong.push(`${file} → ${target}`);
          } else if (spec.startsWith('node:') ? layer !== 'server' : !rule.packages.test(spec)) {
            wrong.push(`${file} → ${spec}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    });
  }
});
