/**
 * `npm run bench` (sealed workbooks, issue 14): what sealing costs. Printed, never asserted;
 * each figure next to a peer measured in the same run, interleaved with it.
 *  1. Seal and open per blob (a ~200-byte cell edit) and per MiB (1 MiB of cell-edit updates
 *     merged into one blob, and 1 MiB of random bytes); peer: the same update applied with
 *     Y.applyUpdate alone. The parts alone (deflate, XChaCha20-Poly1305, Ed25519) under it.
 *  2. Open time of a 10k × 10 workbook: unsealed (Y.applyUpdate + Workbook, as run.ts), sealed and
 *     compacted (one full-state blob through a SealedBridge), sealed and uncompacted (the same
 *     content as ~1,000 change blobs, a 10-row paste each); then where the sealed time goes.
 *  3. The real relay (child process, SQLite on disk), one per scale, holding two rooms at once: a
 *     standard one (signed `s…` workbook, plain edits) and a sealed one (`e…`, an envelope of
 *     blobs through SealedSession). Each room: N raw receiver connections (authenticated with the
 *     view link; they only count update frames, in a worker thread of their own), one writing
 *     device and one observing device (full clients; the sealed one opens every blob). Edits
 *     alternate between the rooms, so both see the same machine. Per edit: edit → durable ack at
 *     the writer, → the last of N receivers has it (fan-out), → the observer's model shows it.
 *
 * This machine is shared and noisy: wall-clock figures are printed as in the other benches, and
 * parts 1 and 2 add the median CPU time of this process (what the work costs, without waiting for
 * a core).
 */
import { readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { deflateSync, inflateSync } from 'fflate';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { Workbook } from '../../src/model/index.js';
import { concatBytes, newWorkbookKeys, proverFor, type Credential, type Prover } from '../../src/protocol/access.js';
import { MESSAGE_CHALLENGE, decodeChallenge, encodeProof, prove, syncProofMessage } from '../../src/protocol/challenge.js';
import { openBlob, sealBlob } from '../../src/protocol/blob.js';
import { newSealedWorkbookKeys, sealedKeysFor } from '../../src/protocol/sealed-keys.js';
import { BLOB_CHANGES, DOC_WORKBOOK, ENVELOPE_BLOBS, type BlobBody, type SealedKeys } from '../../src/protocol/sealed.js';
import { SealedBridge } from '../../src/sync/sealed/bridge.js';
import { wellFramedUpdate } from '../../src/sync/sealed/update-check.js';
import { allOnHub, allSealedOnHub, makeClient, makeSealedClient, untilDoc, untilSealed, untilStatus, type SealedTestClient, type TestClient } from '../support/clients.js';
import { startRelay } from '../support/relay-process.js';
import { row, summarize } from './stats.js';

const SMALL_RUNS = Number(process.env.BENCH_SEALED_SMALL_RUNS ?? 500);
const MB_RUNS = Number(process.env.BENCH_SEALED_MB_RUNS ?? 20);
const OPEN_RUNS = Number(process.env.BENCH_SEALED_OPEN_RUNS ?? process.env.BENCH_LOAD_RUNS ?? 10);
const ROWS = 10_000;
const COLS = 10;
/** rows per change blob in the uncompacted workbook: ROWS / BATCH_ROWS blobs (a 10-row paste each) */
const BATCH_ROWS = Number(process.env.BENCH_SEALED_BATCH_ROWS ?? 10);
const SCALES = (process.env.BENCH_SEALED_SCALES ?? '100,1000').split(',').map(Number);
/** edits per room at each scale */
const EDITS = Number(process.env.BENCH_SEALED_EDITS ?? 200);
/** BENCH_SEALED_PARTS=1,2,3 (default all): which of the three parts to run */
const PARTS = (process.env.BENCH_SEALED_PARTS ?? '1,2,3').split(',');
const WARMUP = 10;
const MIB = 1024 * 1024;

const meta = { kind: BLOB_CHANGES, doc: DOC_WORKBOOK, epoch: 1 } as const;
const peakRss = () => `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`;
const fmt = (x: number) => x.toFixed(x < 10 ? 2 : 1);
const median = (xs: number[]) => summarize(xs).median;

/** Wall-clock and CPU time (this process, ms) of each run of a step. */
class Samples {
  readonly wall: number[] = [];
  readonly cpu: number[] = [];
  run<T>(fn: () => T): T {
    const c = process.cpuUsage();
    const t = performance.now();
    const out = fn();
    this.wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    this.cpu.push((d.user + d.system) / 1000);
    return out;
  }
  /** a row as stats.ts prints it, divided by `per`, and the CPU median */
  row(label: string, per = 1): string {
    return `${row(label, this.wall.map((x) => x / per))}  cpu median ${fmt(median(this.cpu) / per)} ms`;
  }
}

function sealedKeys(): { edit: SealedKeys; view: SealedKeys } {
  const k = newSealedWorkbookKeys();
  return { edit: sealedKeysFor(k.id, k.edit)!, view: sealedKeysFor(k.id, k.view)! };
}

const body = (update: Uint8Array, seq = 1): BlobBody => ({ deviceId: 'bench-device', stream: 'bench-stream', seq, changes: 1, covers: [], update });

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65_536) globalThis.crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65_536)));
  return out;
}

/** What a request list holds: names, phone numbers, cross streets, needs. */
const FIRST = ['Maria', 'José', 'Aisha', 'Nguyen', 'Fatima', 'Dmitri', 'Grace', 'Kwame', 'Lucía', 'Omar'];
const LAST = ['Lopez', 'Okafor', 'Hernández', 'Tran', 'Haddad', 'Petrov', 'Kim', 'Mensah', 'García', 'Rahman'];
const NEEDS = ['groceries for 4, no pork', 'ride to clinic Tue 9am', 'insulin pickup', 'diapers size 3', 'rent help — call after 6', 'Spanish interpreter'];
function realistic(i: number, c: number): string {
  switch (c % 4) {
    case 0:
      return `${FIRST[i % 10]} ${LAST[(i * 7) % 10]}`;
    case 1:
      return `555-${String(1000 + ((i * 37) % 9000)).padStart(4, '0')}`;
    case 2:
      return `${(i * 13) % 200} St & ${['Main', 'Oak', '3rd Ave', 'Elm', 'Broadway'][i % 5]}`;
    default:
      return NEEDS[(i + c) % NEEDS.length];
  }
}

// ── 1. seal and open, per blob and per MiB ─────────────────────────────────────────────────────

function benchBlobs(): void {
  const keys = sealedKeys();
  const doc = new Y.Doc();
  const wb = new Workbook(doc, { actor: { name: 'Bench', deviceId: 'bench' } });
  const sheet = wb.initialize({ columns: COLS, rows: 2_000 });
  const rows = wb.rowIds(sheet);
  const cols = wb.columns(sheet);
  const base = Y.encodeStateAsUpdate(doc);
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));

  // A small edit: a form's two fields (who and where; what is needed) in one transaction.
  for (let i = 0; i < SMALL_RUNS; i++) {
    const r = rows[i % rows.length];
    wb.setCells(sheet, [
      { rowId: r, colId: cols[0].id, value: `${realistic(i, 0)}, ${realistic(i, 1)}, ${realistic(i, 2)}` },
      { rowId: r, colId: cols[3].id, value: `${realistic(i, 3)}; ${realistic(i + 1, 3)}` },
    ]);
  }
  const small = updates.splice(0);
  const smallBytes = median(small.map((u) => u.length));
  console.log(`\n# Seal / open one blob (deflate + XChaCha20-Poly1305 + Ed25519, @noble): ${SMALL_RUNS} two-cell edits, median update ${smallBytes.toFixed(0)} bytes (runs interleaved)`);
  const seal = new Samples();
  const open = new Samples();
  const openApply = new Samples();
  const peer = new Samples();
  const sizes: number[] = [];
  const opened = new Y.Doc();
  const plain = new Y.Doc();
  Y.applyUpdate(opened, base);
  Y.applyUpdate(plain, base);
  for (let i = 0; i < small.length; i++) {
    const blob = seal.run(() => sealBlob(keys.edit, meta, body(small[i], i + 1)));
    sizes.push(blob.length);
    open.run(() => openBlob(keys.view, blob, DOC_WORKBOOK));
    openApply.run(() => {
      const o = openBlob(keys.view, blob, DOC_WORKBOOK);
      if (!o.ok) throw new Error(`blob did not open: ${o.failure}`);
      Y.applyUpdate(opened, o.body.update);
    });
    peer.run(() => Y.applyUpdate(plain, small[i]));
  }
  console.log(seal.row('seal (deflate, encrypt, sign)'));
  console.log(open.row('open (verify, decrypt, inflate, decode)'));
  console.log(openApply.row('open + Y.applyUpdate'));
  console.log(peer.row('peer: Y.applyUpdate alone'));
  console.log(`  blob ${median(sizes).toFixed(0)} bytes for a ${smallBytes.toFixed(0)}-byte update; open + apply / apply alone: ${(median(openApply.wall) / median(peer.wall)).toFixed(0)}× wall, ${(median(openApply.cpu) / median(peer.cpu)).toFixed(0)}× cpu`);

  // 1 MiB of cell edits, merged into one update (a long offline session's blob, or a big paste).
  const chunks: Uint8Array[] = [];
  let merged: Uint8Array = new Uint8Array();
  for (let i = 0; merged.length < MIB; ) {
    for (let k = 0; k < 2_000; k++, i++) {
      const c = i % COLS;
      wb.setCell(sheet, rows[(i * 7) % rows.length], cols[c].id, `${realistic(i, c)} (${i})`);
    }
    chunks.push(Y.mergeUpdates(updates.splice(0)));
    merged = Y.mergeUpdates(chunks);
  }
  const edits = chunks.length * 2_000;
  const random = randomBytes(MIB);
  const mib = merged.length / MIB;
  console.log(`\n# Seal / open 1 MiB (${MB_RUNS} runs, interleaved): ${edits.toLocaleString('en')} cell edits merged into one ${mib.toFixed(2)} MiB update, and 1 MiB of random bytes; per MiB`);
  const r = { seal: new Samples(), open: new Samples(), openApply: new Samples(), peer: new Samples(), rseal: new Samples(), ropen: new Samples() };
  let blobBytes = 0;
  let randomBlobBytes = 0;
  for (let i = 0; i < MB_RUNS; i++) {
    const blob = r.seal.run(() => sealBlob(keys.edit, meta, body(merged)));
    blobBytes = blob.length;
    r.open.run(() => openBlob(keys.view, blob, DOC_WORKBOOK));
    const into = new Y.Doc();
    Y.applyUpdate(into, base);
    r.openApply.run(() => {
      const o = openBlob(keys.view, blob, DOC_WORKBOOK);
      if (!o.ok) throw new Error(`blob did not open: ${o.failure}`);
      Y.applyUpdate(into, o.body.update);
    });
    const plainInto = new Y.Doc();
    Y.applyUpdate(plainInto, base);
    r.peer.run(() => Y.applyUpdate(plainInto, merged));
    into.destroy();
    plainInto.destroy();
    const rblob = r.rseal.run(() => sealBlob(keys.edit, meta, body(random)));
    randomBlobBytes = rblob.length;
    r.ropen.run(() => openBlob(keys.view, rblob, DOC_WORKBOOK));
  }
  console.log(r.seal.row('cell edits: seal', mib));
  console.log(r.open.row('cell edits: open', mib));
  console.log(r.openApply.row('cell edits: open + Y.applyUpdate', mib));
  console.log(r.peer.row('peer: Y.applyUpdate alone', mib));
  console.log(r.rseal.row('random bytes: seal', 1));
  console.log(r.ropen.row('random bytes: open', 1));
  console.log(`  deflate: ${mib.toFixed(2)} MiB of cell edits → ${(blobBytes / MIB).toFixed(2)} MiB blob; 1 MiB random → ${(randomBlobBytes / MIB).toFixed(2)} MiB`);

  // The parts alone, so the totals above can be read.
  const parts = { deflate: new Samples(), inflate: new Samples(), enc: new Samples(), dec: new Samples(), sign: new Samples(), verify: new Samples(), signSmall: new Samples(), verifySmall: new Samples() };
  const secret = ed25519.utils.randomSecretKey();
  const pub = ed25519.getPublicKey(secret);
  const key = randomBytes(32);
  const nonce = randomBytes(24);
  const tiny = randomBytes(200);
  const edits1 = merged.subarray(0, MIB);
  const deflated = deflateSync(edits1);
  const ct = xchacha20poly1305(key, nonce).encrypt(random);
  const sig = ed25519.sign(random, secret);
  const tinySig = ed25519.sign(tiny, secret);
  for (let i = 0; i < MB_RUNS; i++) {
    parts.deflate.run(() => deflateSync(edits1));
    parts.inflate.run(() => inflateSync(deflated));
    parts.enc.run(() => xchacha20poly1305(key, nonce).encrypt(random));
    parts.dec.run(() => xchacha20poly1305(key, nonce).decrypt(ct));
    parts.sign.run(() => ed25519.sign(random, secret));
    parts.verify.run(() => ed25519.verify(sig, random, pub));
  }
  for (let i = 0; i < 200; i++) {
    parts.signSmall.run(() => ed25519.sign(tiny, secret));
    parts.verifySmall.run(() => ed25519.verify(tinySig, tiny, pub));
  }
  console.log('  the parts alone (1 MiB: of cell edits for deflate, random for the rest):');
  console.log(parts.deflate.row('  deflateSync 1 MiB (level 6)'));
  console.log(parts.inflate.row('  inflate it back'));
  console.log(parts.enc.row('  XChaCha20-Poly1305 encrypt 1 MiB'));
  console.log(parts.dec.row('  XChaCha20-Poly1305 decrypt 1 MiB'));
  console.log(parts.sign.row('  Ed25519 sign 1 MiB'));
  console.log(parts.verify.row('  Ed25519 verify 1 MiB'));
  console.log(parts.signSmall.row('  Ed25519 sign 200 B (the per-blob cost)'));
  console.log(parts.verifySmall.row('  Ed25519 verify 200 B (the per-blob cost)'));
  console.log(`  ${peakRss()}`);
  wb.destroy();
  doc.destroy();
}

// ── 2. open a 10k × 10 workbook ────────────────────────────────────────────────────────────────

interface Built {
  sheet: string;
  plain: Uint8Array;
  compacted: Uint8Array;
  uncompacted: Uint8Array;
  blobs: number;
  keys: { edit: SealedKeys; view: SealedKeys };
}

/** One workbook, three forms: its plain state, and its envelope before and after a compaction. */
function buildWorkbook(): Built {
  const keys = sealedKeys();
  const doc = new Y.Doc();
  const envelope = new Y.Doc();
  const wb = new Workbook(doc, { actor: { name: 'Bench', deviceId: 'bench' } });
  // Sealed only on flush(): one blob per paste.
  const bridge = new SealedBridge({ envelope, doc, keys: keys.edit, docTag: DOC_WORKBOOK, deviceId: 'bench', batchMs: 1e9, maxBatchBytes: 1e12 });
  const sheet = wb.initialize({ columns: COLS, rows: 0 });
  bridge.flush();
  const cols = wb.columns(sheet);
  for (let at = 0; at < ROWS; at += BATCH_ROWS) {
    const ids = wb.insertRows(sheet, at, BATCH_ROWS);
    const writes = [];
    for (let r = 0; r < BATCH_ROWS; r++) for (const c of cols) writes.push({ rowId: ids[r], colId: c.id, value: `item ${at + r} ${c.name}` });
    wb.setCells(sheet, writes);
    bridge.flush();
  }
  const blobs = bridge.envelopeSize().blobs;
  const uncompacted = Y.encodeStateAsUpdate(envelope);
  if (!bridge.compact()) throw new Error('compaction wrote nothing');
  const compacted = Y.encodeStateAsUpdate(envelope);
  const plain = Y.encodeStateAsUpdate(doc);
  bridge.destroy();
  wb.destroy();
  return { sheet, plain, compacted, uncompacted, blobs, keys };
}

/** What opening does before the first paint (as run.ts): the model, the order, the visible cells. */
function firstPaint(doc: Y.Doc, sheet: string, readOnly: boolean): Workbook {
  const wb = new Workbook(doc, { actor: { name: 'r', deviceId: 'r' }, readOnly });
  const ids = wb.rowIds(sheet);
  const cols = wb.columns(sheet);
  for (let r = 0; r < 40; r++) for (const c of cols) wb.getCell(sheet, ids[r], c.id);
  return wb;
}

function openPlain(b: Built): Workbook {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, b.plain);
  return firstPaint(doc, b.sheet, false);
}

/** A device opening its envelope (from IndexedDB or the hub's sync step 2): the bridge opens every blob. */
function openSealed(b: Built, state: Uint8Array): { wb: Workbook; bridge: SealedBridge } {
  const envelope = new Y.Doc();
  Y.applyUpdate(envelope, state);
  const doc = new Y.Doc();
  const bridge = new SealedBridge({ envelope, doc, keys: b.keys.view, docTag: DOC_WORKBOOK, deviceId: 'reader' });
  return { wb: firstPaint(doc, b.sheet, true), bridge };
}

/** What blob.ts signs (its format comment): "mutual-sheets/e1 sig\0" ‖ ad ‖ nonce ‖ ciphertext, ad = "mutual-sheets/e1 blob\0" ‖ id ‖ 0 ‖ doc ‖ epoch (u32 BE) ‖ hdr. */
function signedMessageOf(id: string, blob: Uint8Array): Uint8Array {
  const utf8 = (t: string) => new TextEncoder().encode(t);
  const hdr = blob.subarray(0, 4);
  const ad = concatBytes(utf8('mutual-sheets/e1 blob\0'), utf8(id), new Uint8Array([0, hdr[2], 0, 0, 0, 1]), hdr);
  return concatBytes(utf8('mutual-sheets/e1 sig\0'), ad, blob.subarray(4, blob.length - 64));
}

/** CPU ms of each step of an envelope's open, as the bridge does it (without its bookkeeping). */
interface OpenParts {
  envelope: number;
  verify: number;
  /** openBlob without its signature check: decrypt, inflate, decode the body */
  decrypt: number;
  /** the bridge's framing check of each body before it applies it (src/sync/sealed/update-check.ts) */
  check: number;
  apply: number;
}

function openParts(b: Built, state: Uint8Array): OpenParts {
  const cpu = (fn: () => void) => {
    const c = process.cpuUsage();
    fn();
    const d = process.cpuUsage(c);
    return (d.user + d.system) / 1000;
  };
  const envelope = new Y.Doc();
  const t: OpenParts = { envelope: 0, verify: 0, decrypt: 0, check: 0, apply: 0 };
  t.envelope = cpu(() => Y.applyUpdate(envelope, state));
  const doc = new Y.Doc();
  for (const blob of envelope.getArray<Uint8Array>(ENVELOPE_BLOBS).toArray()) {
    let opened!: ReturnType<typeof openBlob>;
    const total = cpu(() => (opened = openBlob(b.keys.view, blob, DOC_WORKBOOK)));
    if (!opened.ok) throw new Error(`blob did not open: ${opened.failure}`);
    const message = signedMessageOf(b.keys.view.id, blob);
    let valid = false;
    const sigOnly = cpu(() => (valid = ed25519.verify(blob.subarray(blob.length - 64), message, b.keys.view.writerPublic, { zip215: false })));
    if (!valid) throw new Error('the bench rebuilt the signed message wrongly');
    t.verify += sigOnly;
    t.decrypt += Math.max(0, total - sigOnly);
    const update = opened.body.update;
    t.check += cpu(() => {
      if (!wellFramedUpdate(update)) throw new Error('an honest blob failed the framing check');
    });
    t.apply += cpu(() => Y.applyUpdate(doc, update));
  }
  return t;
}

function printParts(label: string, b: Built, state: Uint8Array, blobs: number): void {
  const parts = [openParts(b, state), openParts(b, state), openParts(b, state)];
  const m = (k: keyof OpenParts) => median(parts.map((p) => p[k]));
  console.log(
    `  ${label}: envelope Y.applyUpdate ${fmt(m('envelope'))} · Ed25519 verify ${fmt(m('verify'))} (${fmt((m('verify') / blobs) * 1000)} µs/blob) · decrypt+inflate+decode ${fmt(m('decrypt'))} · bridge's framing check ${fmt(m('check'))} · Y.applyUpdate ${fmt(m('apply'))} ms`,
  );
}

function benchOpen(): void {
  const t0 = performance.now();
  const b = buildWorkbook();
  console.log(
    `\n# Open a ${ROWS.toLocaleString('en')}×${COLS} workbook (${OPEN_RUNS} runs each, interleaved; built as ${b.blobs.toLocaleString('en')} blobs: the first sheet, then pastes of ${BATCH_ROWS} rows, in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  // Each form opens to the same workbook, every blob opening.
  const last = `item ${ROWS - 1} `;
  for (const [form, opened] of [
    ['unsealed', { wb: openPlain(b), bridge: null }],
    ['compacted', openSealed(b, b.compacted)],
    ['uncompacted', openSealed(b, b.uncompacted)],
  ] as const) {
    const cols = opened.wb.columns(b.sheet);
    const value = opened.wb.getValue(b.sheet, opened.wb.rowIds(b.sheet)[ROWS - 1], cols[COLS - 1].id);
    if (opened.wb.rowCount(b.sheet) !== ROWS || value !== `${last}${cols[COLS - 1].name}` || (opened.bridge?.failures.length ?? 0) > 0) throw new Error(`the ${form} form did not open to the workbook`);
  }
  const plain = new Samples();
  const compacted = new Samples();
  const uncompacted = new Samples();
  for (let i = 0; i < OPEN_RUNS; i++) {
    plain.run(() => openPlain(b));
    compacted.run(() => openSealed(b, b.compacted));
    uncompacted.run(() => openSealed(b, b.uncompacted));
  }
  const ratio = (s: Samples) =>
    `  ${(median(s.wall) / median(plain.wall)).toFixed(2)}× unsealed (p95 ${(summarize(s.wall).p95 / summarize(plain.wall).p95).toFixed(2)}×, cpu ${(median(s.cpu) / median(plain.cpu)).toFixed(2)}×)`;
  console.log(plain.row(`unsealed: Y.applyUpdate + Workbook, ${(b.plain.length / MIB).toFixed(1)} MiB`));
  console.log(compacted.row(`sealed, compacted: 1 blob, ${(b.compacted.length / MIB).toFixed(1)} MiB envelope`) + ratio(compacted));
  console.log(uncompacted.row(`sealed, uncompacted: ${b.blobs} blobs, ${(b.uncompacted.length / MIB).toFixed(1)} MiB`) + ratio(uncompacted));
  console.log('  where the sealed open goes, CPU ms (median of 3, each step timed alone):');
  printParts('compacted  ', b, b.compacted, 1);
  printParts('uncompacted', b, b.uncompacted, b.blobs);
  console.log(`  ${peakRss()}`);
}

// ── 3. the relay: fan-out and acks, sealed vs standard rooms ───────────────────────────────────

type RoomKind = 'standard' | 'sealed';

/**
 * One room's N receivers, in a worker thread on its own event loop: the writer's ack and the
 * observer's frames are not queued behind 1,000 receivers' frames (nor the reverse). Each is a
 * bare connection, authenticated with the view link's proof, that only counts the sync updates it
 * is sent (no Yjs); when the last of them has had its k-th update the worker posts that moment
 * (performance.timeOrigin + now(): comparable across threads).
 */
interface ReceiversInit {
  syncUrl: string;
  room: string;
  credential: Credential;
  n: number;
}
type FromReceivers = { type: 'ready'; connectS: number } | { type: 'update'; k: number; at: number } | { type: 'counts'; counts: number[] } | { type: 'error'; message: string };

const now = () => performance.timeOrigin + performance.now();

async function receiversWorker(init: ReceiversInit): Promise<void> {
  const port = parentPort!;
  const prover: Prover = proverFor(init.room, init.credential)!;
  const sockets: WebSocket[] = [];
  const counts: number[] = [];
  /** how many receivers have had their k-th update */
  const reached: number[] = [];
  const connect = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`${init.syncUrl}/${init.room}`);
      sockets.push(ws);
      counts[index] = 0;
      ws.on('message', (d: Buffer) => {
        if (d[0] === 0 && d[1] === 2) {
          const k = ++counts[index];
          reached[k] = (reached[k] ?? 0) + 1;
          if (reached[k] === init.n) port.postMessage({ type: 'update', k, at: now() } satisfies FromReceivers);
        } else if (d[0] === MESSAGE_CHALLENGE) {
          const nonce = decodeChallenge(new Uint8Array(d));
          if (nonce) ws.send(encodeProof(prove(prover, syncProofMessage(nonce, init.room, prover.role))));
        } else if (d[0] === 0 && d[1] === 0) {
          // joined (the hub's sync step 1): ask for everything, as a new device does
          ws.send(new Uint8Array([0, 0, 1, 0]));
        } else if (d[0] === 0 && d[1] === 1) resolve();
      });
      ws.on('close', (code) => reject(new Error(`receiver closed ${code}`)));
      ws.on('error', (e) => reject(e));
    });
  port.on('message', (m: string) => {
    if (m === 'counts') port.postMessage({ type: 'counts', counts } satisfies FromReceivers);
    if (m === 'close') {
      for (const ws of sockets) ws.terminate();
      port.close();
    }
  });
  try {
    const t0 = performance.now();
    // in waves, so the handshakes are not the measurement
    for (let i = 0; i < init.n; i += 50) {
      const wave: Promise<void>[] = [];
      for (let j = i; j < Math.min(init.n, i + 50); j++) wave.push(connect(j));
      await Promise.all(wave);
    }
    port.postMessage({ type: 'ready', connectS: (performance.now() - t0) / 1000 } satisfies FromReceivers);
  } catch (e) {
    port.postMessage({ type: 'error', message: String(e) } satisfies FromReceivers);
  }
}

class Receivers {
  readonly worker: Worker;
  private readonly waiting = new Map<number, (at: number) => void>();
  private readonly arrived = new Map<number, number>();
  private readonly ready: Promise<number>;
  private countsWaiter: ((c: number[]) => void) | null = null;

  constructor(init: ReceiversInit) {
    // This file again, through tsx's loader registered in the worker itself (Node 20 does not pass it on).
    const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    this.worker = new Worker(bootstrap, { eval: true, workerData: init });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (m: FromReceivers) => {
        if (m.type === 'ready') resolve(m.connectS);
        else if (m.type === 'error') reject(new Error(m.message));
        else if (m.type === 'counts') this.countsWaiter?.(m.counts);
        else {
          const w = this.waiting.get(m.k);
          if (w) {
            this.waiting.delete(m.k);
            w(m.at);
          } else this.arrived.set(m.k, m.at);
        }
      });
      this.worker.on('error', reject);
    });
    this.ready.catch(() => {});
  }

  whenReady(): Promise<number> {
    return this.ready;
  }

  /** The moment (absolute ms) the last receiver had its k-th update. */
  last(k: number): Promise<number> {
    const at = this.arrived.get(k);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve) => this.waiting.set(k, resolve));
  }

  counts(): Promise<number[]> {
    return new Promise((resolve) => {
      this.countsWaiter = resolve;
      this.worker.postMessage('counts');
    });
  }

  async close(): Promise<void> {
    this.worker.postMessage('close');
    await new Promise((r) => setTimeout(r, 50));
    await this.worker.terminate();
  }
}

function relayUsage(pid: number): { hwm: number; cpu: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { hwm: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024, cpu: (Number(stat[11]) + Number(stat[12])) / 100 };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<T>((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out: ${what}`)), ms)))]).finally(() => clearTimeout(timer));
}

/** A writing or observing device, standard or sealed, behind one shape. */
interface Device {
  wb: Workbook;
  /** the doc the hub sees: the workbook doc, or a sealed workbook's envelope */
  wire: Y.Doc;
  /** the hub's own updates arrive with this origin */
  remoteOrigin: unknown;
  /** sealed: seal what is buffered now */
  flush(): void;
  allOnHub(): Promise<void>;
  pending(): number;
  pendingZero(): Promise<void>;
  loaded(): Promise<void>;
  client: TestClient | SealedTestClient;
}

function device(kind: RoomKind, syncUrl: string, id: string, name: string, credential: Credential): Device {
  if (kind === 'sealed') {
    // Sealed on flush(), right after each edit: the app's 150 ms batching is not timed.
    const c = makeSealedClient(syncUrl, id, name, credential, { batchMs: 3_600_000 });
    return {
      wb: c.wb,
      wire: c.session.envelope,
      remoteOrigin: c.session.sync.provider,
      flush: () => c.session.bridge?.flush(),
      allOnHub: () => allSealedOnHub(c),
      pending: () => c.session.getStatus().pending,
      pendingZero: () => untilSealed(c, (s) => s.pending === 0, 'durable ack'),
      loaded: () => c.session.whenLoaded,
      client: c,
    };
  }
  const c = makeClient(syncUrl, id, name, new Y.Doc(), credential);
  return {
    wb: c.wb,
    wire: c.doc,
    remoteOrigin: c.session.provider,
    flush: () => {},
    allOnHub: () => allOnHub(c),
    pending: () => c.session.getStatus().pending,
    pendingZero: () => untilStatus(c, (s) => s.pending === 0, 'durable ack'),
    loaded: () => Promise.resolve(),
    client: c,
  };
}

interface Room {
  kind: RoomKind;
  writer: Device;
  observer: Device;
  receivers: Receivers;
  sheet: string;
  connectS: number;
  frameSizes: number[];
  ack: number[];
  fanout: number[];
  seen: number[];
  edits: number;
}

async function openRoom(kind: RoomKind, syncUrl: string, n: number, opened: { devices: Device[]; receivers: Receivers[] }): Promise<Room> {
  const keys: { id: string; edit: Credential; view: Credential } = kind === 'sealed' ? newSealedWorkbookKeys() : await newWorkbookKeys();
  const writer = device(kind, syncUrl, keys.id, `${kind}-writer`, keys.edit);
  opened.devices.push(writer);
  await writer.loaded();
  const sheet = writer.wb.initialize({ rows: 50, columns: 5 });
  writer.flush();
  await writer.allOnHub();
  const observer = device(kind, syncUrl, keys.id, `${kind}-observer`, keys.view);
  opened.devices.push(observer);
  await untilDoc(observer.client, () => observer.wb.isInitialized() && observer.wb.rowCount(sheet) === 50, 'observer loaded');
  const receivers = new Receivers({ syncUrl, room: keys.id, credential: keys.view, n });
  opened.receivers.push(receivers);
  const connectS = await withTimeout(receivers.whenReady(), 90_000, `${kind} receivers connect`);
  // What the writer sends per edit (the Yjs update on the wire; a sealed one carries one blob).
  const frameSizes: number[] = [];
  writer.wire.on('update', (u: Uint8Array, origin: unknown) => {
    if (origin !== writer.remoteOrigin) frameSizes.push(u.length);
  });
  return { kind, writer, observer, receivers, sheet, connectS, frameSizes, ack: [], fanout: [], seen: [], edits: 0 };
}

/** One edit in a room, timed three ways. */
async function edit(room: Room, measured: boolean): Promise<void> {
  const { writer, observer, sheet } = room;
  const k = room.edits++;
  const rows = writer.wb.rowIds(sheet);
  const cols = writer.wb.columns(sheet);
  const rowId = rows[k % rows.length];
  const colId = cols[k % cols.length].id;
  const value = `${realistic(k, 0)} ${k}`;
  const t0 = performance.now();
  const t0abs = now();
  const fanned = room.receivers.last(k + 1).then((at) => at - t0abs);
  const seen = untilDoc(observer.client, () => observer.wb.getValue(sheet, rowId, colId) === value, 'observer sees the edit').then(() => performance.now() - t0);
  writer.wb.setCell(sheet, rowId, colId, value);
  writer.flush();
  // made after the edit: before it, "nothing pending" already holds
  if (writer.pending() === 0) throw new Error('the edit was not counted as pending');
  const acked = writer.pendingZero().then(() => performance.now() - t0);
  const [a, f, s] = await withTimeout(Promise.all([acked, fanned, seen]), 30_000, `${room.kind} edit ${k}`);
  if (!measured) return;
  room.ack.push(a);
  room.fanout.push(f);
  room.seen.push(s);
}

async function benchRelayAt(n: number): Promise<void> {
  const relay = await startRelay({
    openWorkbooksWritable: false,
    env: {
      // one load generator on one address opens every connection
      MAX_CONNECTIONS: '100000',
      MAX_CONNECTIONS_PER_IP: '100000',
      MAX_ROOM_LOADS_PER_IP: '100000',
      MAX_MESSAGES_PER_SECOND: '100000',
    },
  });
  const opened = { devices: [] as Device[], receivers: [] as Receivers[] };
  try {
    const rooms = [await openRoom('standard', relay.syncUrl, n, opened), await openRoom('sealed', relay.syncUrl, n, opened)];
    const start = relayUsage(relay.proc.pid!);
    const t0 = performance.now();
    for (let i = -WARMUP; i < EDITS; i++) {
      // alternate which room goes first, so neither always follows the other's work
      for (const room of i % 2 === 0 ? rooms : [...rooms].reverse()) {
        await edit(room, i >= 0);
        // edits one at a time, not a pipeline
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    const end = relayUsage(relay.proc.pid!);
    for (const room of rooms) {
      const short = (await room.receivers.counts()).filter((c) => c !== room.edits).length;
      if (short) throw new Error(`${short} ${room.kind} receivers did not get exactly one update frame per edit`);
    }
    const cpuPct = ((end.cpu - start.cpu) / ((performance.now() - t0) / 1000)) * 100;
    console.log(`  N=${n} per room (${2 * n + 4} connections): relay CPU ${cpuPct.toFixed(0)}% while editing, relay peak RSS ${(end.hwm / MIB).toFixed(0)} MB`);
    for (const room of rooms) {
      const label = `${room.kind.padEnd(8)} N=${String(n).padStart(4)}`;
      console.log(`  ${room.kind}: ${median(room.frameSizes.slice(-EDITS)).toFixed(0)} bytes per edit on the wire, ${n} receivers connected in ${room.connectS.toFixed(1)} s`);
      console.log(row(`${label}: edit → durable ack`, room.ack));
      console.log(row(`${label}: edit → last of N receivers`, room.fanout));
      console.log(row(`${label}: edit → observer's model`, room.seen));
    }
    const [std, sea] = rooms;
    const ratio = (a: number[], b: number[]) => `${(median(b) / median(a)).toFixed(2)}× (p99 ${(summarize(b).p99 / summarize(a).p99).toFixed(2)}×)`;
    console.log(`  sealed / standard at N=${n}: ack ${ratio(std.ack, sea.ack)}, fan-out ${ratio(std.fanout, sea.fanout)}, observer ${ratio(std.seen, sea.seen)}`);
  } finally {
    await Promise.allSettled(opened.receivers.map((r) => r.close()));
    await Promise.allSettled(opened.devices.map((d) => d.client.destroy()));
    await relay.stop();
  }
}

async function benchRelay(): Promise<void> {
  console.log(
    `\n# Relay (real hub, child process, SQLite on disk): a standard (s…) and a sealed (e…) room at once, each with N raw receivers + 1 writer + 1 observing device; ${EDITS} edits per room (after ${WARMUP} warm-up), one at a time, alternating rooms`,
  );
  console.log("  ack: at the writer (sealed: incl. sealing the blob, not the 150 ms batching) · last of N: the N-th receiver has the update frame · observer's model: a full device shows it (sealed: incl. opening the blob)");
  for (const n of SCALES) await benchRelayAt(n);
  console.log(`  load generator ${peakRss()}`);
}

async function main() {
  console.log(`\nSealed workbooks — node ${process.version}, ${new Date().toISOString()}`);
  if (PARTS.includes('1')) benchBlobs();
  if (PARTS.includes('2')) benchOpen();
  if (PARTS.includes('3')) await benchRelay();
}

if (!isMainThread) {
  void receiversWorker(workerData as ReceiversInit);
} else {
  // Every spawned relay adds exit listeners to this process.
  process.setMaxListeners(50);
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
