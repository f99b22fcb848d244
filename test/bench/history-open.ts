/**
 * `npm run bench` (history, through the real UI): a 10k-row × 10-column workbook opened in
 * headless Chromium with a 200k-entry history journal and with none, on a new device (everything
 * from the hub) and on a returning one (IndexedDB and the service worker), interleaved run by run.
 * Measured from navigation: the first cell on screen (what the journal must not delay), "Synced"
 * (both rooms in and on the hub: the journal loaded after first paint), and the longest main-thread
 * task from navigation to "Synced" (what applying the journal costs a person trying to type).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import * as Y from 'yjs';
import { historyRoom } from '../../src/protocol/messages.js';
import { SqliteStore } from '../../server/store.js';
import { launchChromium } from '../support/browser.js';
import { startRelay } from '../support/relay-process.js';
import { buildWithHistory } from './history-fixture.js';
import { row } from './stats.js';

const ROWS = 10_000;
const COLS = 10;
const HISTORY = Number(process.env.BENCH_HISTORY ?? 200_000);
const RUNS = Number(process.env.BENCH_HISTORY_OPEN_RUNS ?? 5);

interface Sample {
  firstCell: number;
  synced: number;
  longestTask: number;
}

/** Long tasks from navigation on, kept where the bench can read them. */
const WATCH_LONG_TASKS = `(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
})()`;

async function openOnce(page: Page, url: string, reload: boolean): Promise<Sample> {
  const t0 = Date.now();
  if (reload) await page.reload();
  else await page.goto(url);
  // A1 as the fixture left it (edits overwrote the fill there): the first screen of data is in.
  await page.locator('[role="row"][aria-rowindex="2"] [role="gridcell"][aria-colindex="2"]', { hasText: /(item|edit) \d+/ }).first().waitFor({ timeout: 120_000 });
  const firstCell = Date.now() - t0;
  await page.getByTestId('sync-status').getByText('Synced').waitFor({ timeout: 300_000 });
  const synced = Date.now() - t0;
  const tasks = (await page.evaluate('window.__longTasks ?? []')) as number[];
  return { firstCell, synced, longestTask: Math.max(0, ...tasks) };
}

async function measure(browser: Browser, url: string): Promise<{ fresh: Sample; back: Sample }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(WATCH_LONG_TASKS);
  const page = await context.newPage();
  try {
    const fresh = await openOnce(page, url, false);
    if (process.env.BENCH_VERBOSE) console.log(`    new device: ${JSON.stringify(fresh)}`);
    const back = await openOnce(page, url, true);
    return { fresh, back };
  } finally {
    await context.close();
  }
}

async function main() {
  console.log(`\n# Open ${ROWS.toLocaleString('en')} rows × ${COLS} in Chromium, with a ${HISTORY.toLocaleString('en')}-entry history vs none (${RUNS} runs each, interleaved)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'ms-bench-history-open-'));
  const built = buildWithHistory(ROWS, COLS, HISTORY);
  // No history at all: the same cells, the journal room empty (as a workbook from before the journal).
  const plain = { main: built.main, journal: Y.encodeStateAsUpdate(new Y.Doc()) };
  const store = new SqliteStore(dataDir);
  store.compact('bench-history-none', plain.main, 0);
  store.compact(historyRoom('bench-history-none'), plain.journal, 0);
  store.compact('bench-history-200k', built.main, 0);
  store.compact(historyRoom('bench-history-200k'), built.journal, 0);
  store.close();
  console.log(`workbook ${(built.main.length / 1e6).toFixed(1)} MB; journal ${(built.journal.length / 1e6).toFixed(1)} MB with ${built.entries.toLocaleString('en')} entries, or empty`);
  const relay = await startRelay({ dataDir, env: { ROOM_GRACE_MS: '600000' } });
  const browser = await launchChromium();
  const results: Record<string, { fresh: Sample[]; back: Sample[] }> = { none: { fresh: [], back: [] }, '200k': { fresh: [], back: [] } };
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const key of ['none', '200k'] as const) {
        const { fresh, back } = await measure(browser, `${relay.httpUrl}/#/w/bench-history-${key}`);
        console.log(`  run ${i + 1}, history ${key}: new device ${fresh.firstCell} / ${fresh.synced} ms, returning ${back.firstCell} / ${back.synced} ms`);
        results[key].fresh.push(fresh);
        results[key].back.push(back);
      }
    }
  } finally {
    await browser.close();
    await relay.stop('SIGTERM');
  }
  for (const device of ['fresh', 'back'] as const) {
    const where = device === 'fresh' ? 'new device' : 'returning';
    for (const key of ['none', '200k'] as const) {
      const s = results[key][device];
      const label = `${where}, history ${key}`;
      console.log(row(`${label}: first cell`, s.map((x) => x.firstCell)));
      console.log(row(`${label}: Synced (journal in)`, s.map((x) => x.synced)));
      console.log(row(`${label}: longest task`, s.map((x) => x.longestTask)));
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
