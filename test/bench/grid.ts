/**
 * Grid benchmarks in headless Chromium (part of `npm run bench`): open-to-
 * interactive, scroll frame times (also under 4× CPU throttling) and DOM size,
 * for sheets the bench builds and writes straight into the relay's store.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import type { Page } from 'playwright-core';
import { Workbook } from '../../src/model/index.js';
import { SqliteStore } from '../../server/store.js';
import { launchChromium } from '../support/browser.js';
import { startRelay } from '../support/relay-process.js';
import { summarize } from './stats.js';

const COLS = 20;

interface Case {
  rows: number;
  filledCols: number;
  room: string;
}

function buildSnapshot(rows: number, filledCols: number): Uint8Array {
  const doc = new Y.Doc();
  const wb = new Workbook(doc, { actor: { name: 'Bench', deviceId: 'bench' } });
  const sheet = wb.initialize({ columns: COLS, rows: 0, title: `Bench ${rows}` });
  const ids = wb.insertRows(sheet, 0, rows);
  const cols = wb.columns(sheet).slice(0, filledCols);
  const chunk = 20_000;
  for (let start = 0; start < rows; start += chunk) {
    const writes = [];
    for (let r = start; r < Math.min(rows, start + chunk); r++) {
      for (const c of cols) writes.push({ rowId: ids[r], colId: c.id, value: `r${r} ${c.name}` });
    }
    wb.setCells(sheet, writes);
  }
  return Y.encodeStateAsUpdate(doc);
}

/**
 * Counts elements in the document and in every shadow root. Passed as a string:
 * tsx would wrap a named inner function in a helper the page does not have.
 */
const countNodes = (page: Page) =>
  page.evaluate(`(() => {
    const walk = (root) => {
      let n = 0;
      for (const el of root.querySelectorAll('*')) {
        n++;
        if (el.shadowRoot) n += walk(el.shadowRoot);
      }
      return n;
    };
    return walk(document);
  })()`) as Promise<number>;

const GRID = `document.querySelector('mutual-sheets-app').shadowRoot.querySelector('workbook-view').shadowRoot.querySelector('sheet-grid').shadowRoot`;

/** Scrolls `frames` frames by `px` per frame (0: the whole sheet in `frames` frames) and returns frame times. */
async function scrollFrames(page: Page, frames: number, px = 0): Promise<number[]> {
  return page.evaluate(`new Promise((resolve) => {
    const scroller = ${GRID}.querySelector('.scroller');
    const step = ${px} || (scroller.scrollHeight - scroller.clientHeight) / ${frames};
    const deltas = [];
    let last = performance.now();
    let i = 0;
    const tick = () => {
      const now = performance.now();
      if (i > 0) deltas.push(now - last);
      last = now;
      if (i++ >= ${frames}) return resolve(deltas);
      scroller.scrollTop = Math.round(step * i);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })`) as Promise<number[]>;
}

function frameRow(label: string, deltas: number[]): string {
  const s = summarize(deltas);
  const over16 = deltas.filter((d) => d > 16.7).length;
  const over33 = deltas.filter((d) => d > 33.4).length;
  return `${label.padEnd(50)} frames ${deltas.length}  p50 ${s.median.toFixed(1)} ms  p95 ${s.p95.toFixed(1)}  p99 ${s.p99.toFixed(1)}  >16.7ms ${over16}  >33ms ${over33}`;
}

async function main() {
  console.log('\n# Grid in headless Chromium (20 columns)');
  const dataDir = mkdtempSync(join(tmpdir(), 'ms-bench-grid-'));
  const cases: Case[] = [
    { rows: 1_000, filledCols: 20, room: 'bench-grid-1k' },
    { rows: 10_000, filledCols: 20, room: 'bench-grid-10k' },
    { rows: 100_000, filledCols: Number(process.env.BENCH_100K_FILLED ?? 5), room: 'bench-grid-100k' },
  ];
  const store = new SqliteStore(dataDir);
  for (const c of cases) {
    const t = performance.now();
    const snap = buildSnapshot(c.rows, c.filledCols);
    store.compact(c.room, snap, 0);
    console.log(`built ${c.rows} rows × ${COLS} columns (${c.filledCols} filled): ${(snap.length / 1e6).toFixed(1)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  store.close();
  const relay = await startRelay({ dataDir, env: { ROOM_GRACE_MS: '600000' } });
  const browser = await launchChromium();
  try {
    for (const c of cases) {
      const runs: number[] = [];
      let nodes = 0;
      for (let k = 0; k < 3; k++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const page = await context.newPage();
        const t0 = Date.now();
        await page.goto(`${relay.httpUrl}/#/w/${c.room}`);
        await page.locator('[role="gridcell"]', { hasText: 'r0 A' }).first().waitFor({ timeout: 120_000 });
        runs.push(Date.now() - t0);
        nodes = await countNodes(page);
        if (k === 0 && c.rows >= 10_000) {
          const top = () => page.evaluate(`${GRID}.querySelector('.scroller').scrollTop = 0`);
          const cdp = await context.newCDPSession(page);
          for (const rate of [1, 4]) {
            await cdp.send('Emulation.setCPUThrottlingRate', { rate });
            const label = rate === 1 ? '' : ', CPU ÷4';
            await top();
            console.log(frameRow(`steady scroll 120px/frame, ${c.rows} rows${label}`, await scrollFrames(page, 300, 120)));
            await top();
            console.log(frameRow(`fling through all ${c.rows} rows${label}`, await scrollFrames(page, 300)));
          }
          await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
        }
        await context.close();
      }
      const s = summarize(runs);
      console.log(`open-to-interactive ${String(c.rows).padStart(6)} rows: median ${s.median} ms (runs ${runs.join(', ')}); DOM elements ${nodes}`);
    }
  } finally {
    await browser.close();
    await relay.stop('SIGTERM');
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
