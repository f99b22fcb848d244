/**
 * Part of `npm run bench`: how much JavaScript a first visit downloads before
 * the app runs (the entry and every chunk it imports statically), gzip-compressed,
 * against the 120 KB budget; and the largest chunks, which load on demand.
 * Reads the production build in dist/ (npm run build).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const DIST = resolve(process.env.DIST_DIR ?? resolve(fileURLToPath(import.meta.url), '../../../dist'));
/** Issue 18's budget for what a first visit downloads before the app runs. */
const BUDGET_KB = 110;

if (!existsSync(join(DIST, 'index.html'))) {
  console.log('\n# Bundle size: no build in dist/ — run `npm run build` first');
  process.exit(0);
}
const gz = (file: string) => gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length;
const html = readFileSync(join(DIST, 'index.html'), 'utf8');
const entries = Array.from(html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g), (m) => m[1]);

/** Static imports only: `import … from "./x.js"` and bare `import "./x.js"`, not `import(…)`. */
function staticImports(file: string): string[] {
  const code = readFileSync(join(DIST, file), 'utf8');
  const out = new Set<string>();
  for (const m of code.matchAll(/(?:^|[;}\n])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g)) out.add(`assets/${m[1]}`);
  return Array.from(out);
}

/** A chunk and everything it imports statically, into `into`. */
const closure = (f: string, into: Set<string>): Set<string> => {
  if (into.has(f)) return into;
  into.add(f);
  for (const dep of staticImports(f)) closure(dep, into);
  return into;
};
const initial = new Set<string>();
entries.forEach((f) => closure(f, initial));
const initialKb = Array.from(initial).reduce((n, f) => n + gz(f), 0) / 1024;
console.log(`\n# Bundle size (production build, gzip -9)`);
console.log(`initial JavaScript: ${initialKb.toFixed(1)} KB in ${initial.size} file(s) — budget ${BUDGET_KB} KB: ${initialKb <= BUDGET_KB ? 'within' : 'OVER'}`);

/**
 * The workbook page is a chunk of its own (loaded when a workbook is opened): what opening one
 * costs is the initial set plus that chunk and everything it imports statically. Its dialogs and
 * the phone's cards load after the sheet is drawn and are not counted here.
 */
const assets = readdirSync(join(DIST, 'assets'));
const pageChunk = assets.find((f) => f.startsWith('workbook-view-') && f.endsWith('.js'));
if (pageChunk) {
  const page = Array.from(closure(`assets/${pageChunk}`, new Set())).filter((f) => !initial.has(f));
  const pageKb = page.reduce((n, f) => n + gz(f), 0) / 1024;
  console.log(`opening a workbook adds: ${pageKb.toFixed(1)} KB in ${page.length} file(s) — ${(initialKb + pageKb).toFixed(1)} KB in all before the sheet is drawn`);
}
const chunks = readdirSync(join(DIST, 'assets'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => ({ f: `assets/${f}`, raw: readFileSync(join(DIST, 'assets', f)).length, gz: gz(`assets/${f}`) }))
  .sort((a, b) => b.gz - a.gz);
console.log('largest chunks:');
for (const c of chunks.slice(0, 6)) {
  console.log(`  ${c.f.padEnd(48)} ${(c.gz / 1024).toFixed(1).padStart(7)} KB gzip  ${(c.raw / 1024).toFixed(0).padStart(6)} KB raw  ${initial.has(c.f) ? 'initial' : 'on demand'}`);
}
