/**
 * `npm run bench` (issue 18): open-to-interactive through the real UI in headless Chromium, from
 * navigation start to the first screen of data in the grid (the first cell's text on screen and
 * the page answering script), for a 10k × 10 and a 100k × 10 workbook, standard (sealed: 10k only,
 * unless BENCH_OPEN_SEALED_MAX_ROWS=100000).
 *  - new device: a fresh browser context; the workbook comes from the hub.
 *  - returning: the same context after its first open (IndexedDB holds the copy, the service
 *    worker serves the app).
 * Each at CPU ×1 and ×4 (Chrome's CPU throttling, a cheap phone's pace). Printed, never asserted.
 * The kind `phone` opens the standard 10k × 10 workbook as a cheap phone (412×860, touch, CPU ÷4
 * by default, BENCH_OPEN_PHONE_RATES): the first screen is its first cards (first-cards.ts) and
 * live is the live cards' first card (row-cards.ts). 10k only, so the default run stays bounded.
 * BENCH_OPEN_PROFILE=1 also takes a CPU profile of one returning open per case and prints where
 * its time went (self time by function), which is how the work here was chosen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { Workbook } from '../../src/model/index.js';
import { credentialText, newSealedWorkbookKeys } from '../../src/protocol/access.js';
import { SqliteStore } from '../../server/store.js';
import { launchChromium } from '../support/browser.js';
import { allSealedOnHub, makeSealedClient } from '../support/clients.js';
import { startRelay } from '../support/relay-process.js';
import { summarize } from './stats.js';

const COLS = 10;
const RUNS = Number(process.env.BENCH_OPEN_RUNS ?? 3);
/** a 100k-row open takes 10–40 s a run here: fewer of them by default, so the bench stays bounded */
const RUNS_100K = Number(process.env.BENCH_OPEN_RUNS_100K ?? 1);
const RATES = (process.env.BENCH_OPEN_RATES ?? '1,4').split(',').map(Number);
const SIZES = (process.env.BENCH_OPEN_ROWS ?? '10000,100000').split(',').map(Number);
const KINDS = (process.env.BENCH_OPEN_KINDS ?? 'standard,sealed,phone').split(',');
/** the sealed case's largest size by default (building a sealed 100k workbook seals it batch by batch): BENCH_OPEN_SEALED_MAX_ROWS=100000 for it */
const SEALED_MAX_ROWS = Number(process.env.BENCH_OPEN_SEALED_MAX_ROWS ?? 10_000);
const PHONE_RATES = (process.env.BENCH_OPEN_PHONE_RATES ?? '4').split(',').map(Number);
const PHONE_ROWS = 10_000;
/** BENCH_OPEN_PROFILE=1: profile a returning open; =new: a new device's */
const PROFILE = process.env.BENCH_OPEN_PROFILE ?? '';
const FIRST = 'r0 A';

function fill(wb: Workbook, rows: number): void {
  const sheet = wb.initialize({ columns: COLS, rows: 0, title: `Open ${rows}` });
  const ids = wb.insertRows(sheet, 0, rows);
  const cols = wb.columns(sheet);
  const chunk = 10_000;
  for (let start = 0; start < rows; start += chunk) {
    const writes = [];
    for (let r = start; r < Math.min(rows, start + chunk); r++) {
      for (const c of cols) writes.push({ rowId: ids[r], colId: c.id, value: `r${r} ${c.name}` });
    }
    wb.setCells(sheet, writes);
  }
}

interface Case {
  label: string;
  rows: number;
  /** the hash route that opens it, credential included */
  route: string;
  /** opened as a cheap phone: cards, not the grid */
  phone?: boolean;
}

/** What the first screen of data is on each: its first cell's text, in whichever view draws it, and in the live one. */
const SHOWN = {
  grid: { first: '[role="gridcell"]', live: 'sheet-grid [role="gridcell"]' },
  phone: { first: '[role="listitem"]', live: 'row-cards [role="listitem"]' },
};
const PHONE_CONTEXT = { viewport: { width: 412, height: 860 }, isMobile: true, hasTouch: true };

function buildStandard(store: SqliteStore, rows: number): Case {
  const doc = new Y.Doc();
  fill(new Workbook(doc, { actor: { name: 'Bench', deviceId: 'bench' } }), rows);
  const room = `bench-open-${rows}`;
  store.compact(room, Y.encodeStateAsUpdate(doc), 0);
  return { label: `standard ${rows / 1000}k × ${COLS}`, rows, route: `#/w/${room}` };
}

async function buildSealed(syncUrl: string, rows: number): Promise<Case> {
  const keys = newSealedWorkbookKeys();
  const c = makeSealedClient(syncUrl, keys.id, 'Bench', keys.edit, { batchMs: 20 });
  fill(c.wb, rows);
  await allSealedOnHub(c);
  await c.destroy();
  return { label: `sealed ${rows / 1000}k × ${COLS}`, rows, route: `#/w/${keys.id}/${credentialText(keys.edit)}` };
}

interface Opened {
  /** the first screen of data, from the cache of last time or the live grid, whichever came first */
  first: number;
  /** the live grid (the doc in, editable) showing the first cell */
  live: number;
  /** the app's own performance marks (src/main.ts, src/sync/session.ts): where the time went */
  marks: Record<string, number>;
}

/** Navigates and waits for the first cell; ms since the page's navigation start. */
async function openOnce(page: Page, url: string, shown = SHOWN.grid): Promise<Opened> {
  await page.goto(url);
  // Each read is evaluated once its cell is there: the page has run a task since, so it answers script.
  await page.locator(shown.first, { hasText: FIRST }).first().waitFor({ timeout: 300_000 });
  const first = (await page.evaluate('performance.now()')) as number;
  await page.locator(shown.live, { hasText: FIRST }).first().waitFor({ timeout: 300_000 });
  const live = (await page.evaluate('performance.now()')) as number;
  const marks = (await page.evaluate(`performance.getEntriesByType('mark').map((m) => [m.name.split(' ')[0], m.startTime])`)) as [string, number][];
  if (process.env.BENCH_OPEN_RESOURCES === '1') {
    const res = (await page.evaluate(`performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.js')).map((r) => [r.name.split('/').pop(), Math.round(r.startTime), Math.round(r.responseEnd)])`)) as [string, number, number][];
    console.log(`  scripts (start → loaded, ms): ${res.map(([n, a, b]) => `${n} ${a}→${b}`).join(', ')}`);
  }
  // the first of each: the workbook's own, not its history journal's (`<id>.h`, opened after the sheet)
  const byName: Record<string, number> = Object.fromEntries(marks.reverse());
  // Drawn is not shown: the first screen is on screen at the first frame after it was drawn, which
  // a long task right after it (the doc being applied) would hold back. The locator above cannot
  // tell: it waits for the page to answer, which is after that task.
  const drawn = byName['ms:first-screen'];
  if (drawn !== undefined) {
    const frames = (await page.evaluate('globalThis.__benchFrames')) as number[];
    const shown = frames.find((t) => t >= drawn);
    if (shown !== undefined) return { first: Math.min(first, shown), live, marks: byName };
  }
  return { first, live, marks: byName };
}

async function throttled(page: Page, rate: number): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  return cdp;
}

/** Every frame's start time, from the page's first script on (see openOnce). */
const RECORD_FRAMES = `globalThis.__benchFrames = [];
  const tick = (t) => { globalThis.__benchFrames.push(t); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);`;

/** The first open of a context, then until its copy is on disk and the service worker controls pages. */
async function firstOpen(context: BrowserContext, url: string, rate: number, profile?: string[], shown = SHOWN.grid): Promise<Opened> {
  const page = await context.newPage();
  const cdp = await throttled(page, rate);
  if (profile) await startProfile(cdp);
  const ms = await openOnce(page, url, shown);
  if (profile) profile.push(...(await stopProfile(cdp)));
  await page.getByTestId('local-status').getByText('Saved on this device').waitFor({ timeout: 300_000 });
  await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
  await page.close();
  return ms;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

function topSelfTime(profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }, n = 14): string[] {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  // BENCH_OPEN_WINDOW=from,to: only samples that far (ms) into the profile
  const [from, to] = (process.env.BENCH_OPEN_WINDOW ?? '0,1e9').split(',').map(Number);
  const allSamples = profile.samples ?? [];
  const allDeltas = profile.timeDeltas ?? [];
  const samples: number[] = [];
  const deltas: number[] = [];
  let at = 0;
  for (let i = 0; i < allSamples.length; i++) {
    at += (allDeltas[i] ?? 0) / 1000;
    if (at >= from && at <= to) {
      samples.push(allSamples[i]);
      deltas.push(allDeltas[i] ?? 0);
    }
  }
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]);
    if (!node) continue;
    const f = node.callFrame;
    const file = f.url.split('/').pop() ?? '';
    const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  const parent = new Map<number, number>();
  for (const x of profile.nodes as (ProfileNode & { children?: number[] })[]) for (const c of x.children ?? []) parent.set(c, x.id);
  // inclusive time: each sample counts once for every distinct function on its stack
  const total = new Map<string, number>();
  for (let i = 0; i < samples.length; i++) {
    const seen = new Set<string>();
    for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      seen.add(`${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`);
    }
    for (const key of seen) total.set(key, (total.get(key) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  const list = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n * 5)
      .map(([k, ms]) => `    ${ms.toFixed(0).padStart(6)} ms  ${k}`);
  // BENCH_OPEN_CALLERS=name,name: who calls these (the stacks above them, inclusive time)
  const callers: string[] = [];
  for (const name of (process.env.BENCH_OPEN_CALLERS ?? '').split(',').filter(Boolean)) {
    const chains = new Map<string, number>();
    for (let i = 0; i < samples.length; i++) {
      const stack: string[] = [];
      for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id)) stack.push(byId.get(id)!.callFrame.functionName || '(anon)');
      const at = stack.indexOf(name);
      if (at < 0) continue;
      const chain = stack.slice(at, at + 9).join(' < ');
      chains.set(chain, (chains.get(chain) ?? 0) + (deltas[i] ?? 0) / 1000);
    }
    callers.push(`  callers of ${name}:`, ...list(chains).slice(0, 6));
  }
  return [...list(self), '  inclusive:', ...list(total).slice(0, n * 5), ...callers];
}

async function startProfile(cdp: CDPSession): Promise<void> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
}

async function stopProfile(cdp: CDPSession): Promise<string[]> {
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
  return topSelfTime(profile);
}

async function profiledReturn(context: BrowserContext, url: string, rate: number, shown = SHOWN.grid): Promise<string[]> {
  const page = await context.newPage();
  const cdp = await throttled(page, rate);
  await startProfile(cdp);
  await openOnce(page, url, shown);
  const out = await stopProfile(cdp);
  await page.close();
  return out;
}

const fmt = (xs: number[]) => {
  const s = summarize(xs);
  return `median ${s.median.toFixed(0).padStart(5)} ms  p95 ${s.p95.toFixed(0).padStart(5)}  (runs ${xs.map((x) => x.toFixed(0)).join(', ')})`;
};

async function main() {
  console.log(`\n# Open to the first screen through the real UI (headless Chromium, ${COLS} columns, ${RUNS} runs each, ${RUNS_100K} at 100k; from navigation start)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'ms-bench-open-'));
  const store = new SqliteStore(dataDir);
  const cases: Case[] = [];
  if (KINDS.includes('standard')) for (const rows of SIZES) cases.push(buildStandard(store, rows));
  // the phone opens the standard workbook of its size (built here if the standard kind is not run)
  if (KINDS.includes('phone')) {
    const std = cases.find((c) => c.rows === PHONE_ROWS) ?? buildStandard(store, PHONE_ROWS);
    cases.push({ ...std, label: `phone ${PHONE_ROWS / 1000}k × ${COLS}`, phone: true });
  }
  store.close();
  const relay = await startRelay({ dataDir, env: { ROOM_GRACE_MS: '600000' } });
  const browser = await launchChromium();
  try {
    if (KINDS.includes('sealed')) for (const rows of SIZES.filter((r) => r <= SEALED_MAX_ROWS)) cases.push(await buildSealed(relay.syncUrl, rows));
    for (const c of cases) {
      const url = `${relay.httpUrl}/${c.route}`;
      const shown = c.phone ? SHOWN.phone : SHOWN.grid;
      for (const rate of c.phone ? PHONE_RATES : RATES) {
        const fresh: Opened[] = [];
        const back: Opened[] = [];
        let profile: string[] = [];
        const runs = c.rows >= 100_000 ? RUNS_100K : RUNS;
        for (let k = 0; k < runs; k++) {
          const context = await browser.newContext(c.phone ? PHONE_CONTEXT : { viewport: { width: 1280, height: 800 } });
          await context.addInitScript(RECORD_FRAMES);
          const freshProfile = PROFILE === 'new' && k === 0 ? profile : undefined;
          fresh.push(await firstOpen(context, url, rate, freshProfile, shown));
          const page = await context.newPage();
          await throttled(page, rate);
          back.push(await openOnce(page, url, shown));
          await page.close();
          if (PROFILE === '1' && k === 0) profile = await profiledReturn(context, url, rate, shown);
          await context.close();
        }
        const tag = `${c.label}${rate === 1 ? '' : `, CPU ÷${rate}`}`;
        console.log(`${`${tag}: new device`.padEnd(44)} ${fmt(fresh.map((o) => o.live))}`);
        console.log(`${`${tag}: returning, first screen`.padEnd(44)} ${fmt(back.map((o) => o.first))}`);
        console.log(`${`${tag}: returning, live ${c.phone ? 'cards' : 'grid'}`.padEnd(44)} ${fmt(back.map((o) => o.live))}`);
        const marks = (xs: Opened[]) => ['ms:app-defined', 'ms:first-screen', 'ms:session', 'ms:local-open', 'ms:local-loaded', 'ms:hub-open', 'ms:hub-synced'].map((m) => `${m.slice(3)} ${summarize(xs.map((o) => o.marks[m] ?? NaN)).median.toFixed(0)}`).join(', ');
        console.log(`  median ms from navigation start, new device: ${marks(fresh)}`);
        console.log(`  median ms from navigation start, returning: ${marks(back)}`);
        if (profile.length) console.log(`  where ${PROFILE === 'new' ? 'a new device' : 'a returning'} open's time goes (self time):\n${profile.join('\n')}`);
      }
    }
  } finally {
    await browser.close();
    await relay.stop('SIGTERM');
    // a 100k-row case leaves hundreds of MB of SQLite behind otherwise
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
