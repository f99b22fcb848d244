import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { COLUMN_TYPES, isModelError, type CellValue, type Column, type Workbook } from '../../src/model/index.js';
import { winningRecount } from '../../src/model/counter.js';
import { Network, observable, prng, type Prng } from '../support/peers.js';

const PEERS = 5;
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const STEPS = Number(process.env.FUZZ_STEPS ?? 250);
const FIRST_SEED = Number(process.env.FUZZ_SEED ?? 1);

function valueFor(col: Column, r: Prng): CellValue {
  if (r.chance(0.1)) return null;
  switch (col.type) {
    case 'text':
      return r.pick(['Rice', 'Water 5L', 'Ana | Ben', '', 'needs call back', 'x'.repeat(r.int(40))]);
    case 'number':
      return r.int(200) - 50;
    case 'date':
      return `2026-${String(1 + r.int(12)).padStart(2, '0')}-${String(1 + r.int(28)).padStart(2, '0')}`;
    case 'checkbox':
      return r.chance(0.5);
    case 'select':
      return col.options.length ? r.pick(col.options).id : null;
    case 'counter':
      return r.int(100);
    case 'claim':
      return null;
    case 'longtext':
      return r.pick(['long\nnote', 'a'.repeat(r.int(200))]);
    case 'datetime':
      return `2026-0${1 + r.int(9)}-1${r.int(9)}T${String(r.int(24)).padStart(2, '0')}:${String(r.int(60)).padStart(2, '0')}`;
    case 'multiselect':
      return col.options.length ? col.options.slice(0, 1 + r.int(col.options.length)).map((o) => o.id).join(',') : null;
    case 'phone':
      return r.pick(['+1 555 0100', '(212) 555-0199', '07700 900123']);
    case 'link':
      return r.pick(['https://example.org/a', 'mailto:ops@example.org', 'javascript:alert(1)', 'plain words']);
  }
}

/** What the test saw done to counters and claims, to check the merge rules against at the end. */
interface Ledger {
  deltas: Map<string, number>;
  recounted: Set<string>;
  claimed: Set<string>;
  released: Set<string>;
}

function typedOp(wb: Workbook, r: Prng, ledger: Ledger): string | null {
  const sheets = wb.sheets();
  // Two people deleting the last two sheets at once can leave none visible: everything is in the trash.
  if (!sheets.length) return null;
  const sheet = r.pick(sheets).id;
  const rows = wb.rowIds(sheet);
  const cols = wb.columns(sheet);
  const counters = cols.filter((c) => c.type === 'counter');
  const claims = cols.filter((c) => c.type === 'claim');
  if (!rows.length) return null;
  const row = r.pick(rows);
  const op = r.int(6);
  if (op <= 2 && counters.length) {
    const col = r.pick(counters).id;
    const key = `${sheet}:${row}:${col}`;
    if (op < 2) {
      const d = r.pick([-1, -1, -2, 1, 3]);
      wb.adjustCounter(sheet, row, col, d);
      ledger.deltas.set(key, (ledger.deltas.get(key) ?? 0) + d);
      return 'adjustCounter';
    }
    wb.recount(sheet, row, col, r.int(60));
    ledger.recounted.add(key);
    return 'recount';
  }
  if (claims.length) {
    const col = r.pick(claims).id;
    const cell = `${sheet}:${row}:${col}`;
    const entries = wb.claims(sheet, row, col);
    if (op === 3 || op === 4) {
      wb.claim(sheet, row, col);
      ledger.claimed.add(`${cell}:${wb.getActor().name}`);
      return 'claim';
    }
    if (r.chance(0.5)) {
      wb.release(sheet, row, col);
      ledger.released.add(`${cell}:${wb.getActor().name}`);
      return 'release';
    }
    const held = entries.filter((e) => e.held);
    const keep = held.length ? r.pick(held).person : null;
    for (const e of held) if (e.person !== keep) ledger.released.add(`${cell}:${e.name}`);
    wb.resolveClaim(sheet, row, col, keep);
    return 'resolveClaim';
  }
  return null;
}

/** One random model operation; each returns its name for the failure report. */
function randomOp(wb: Workbook, r: Prng): string {
  const sheets = wb.sheets();
  if (sheets.length === 0) return 'none';
  const sheet = r.pick(sheets).id;
  const cols = wb.columns(sheet);
  const rows = wb.rowIds(sheet);
  const op = r.int(100);
  // Counter and claim cells change only through typedOp, which keeps the ledger the rules are checked against.
  const writable = cols.filter((c) => c.type !== 'claim' && c.type !== 'counter');
  if (op < 40 && rows.length && writable.length) {
    const writes = Array.from({ length: 1 + r.int(4) }, () => {
      const col = r.pick(writable);
      return { rowId: r.pick(rows), colId: col.id, value: valueFor(col, r) };
    });
    // A peer may write a type the column no longer has (a concurrent retype): that is refused, not coerced.
    wb.setCells(sheet, writes);
    return 'setCells';
  }
  if (op < 52) {
    wb.insertRows(sheet, r.int(rows.length + 1), 1 + r.int(3));
    return 'insertRows';
  }
  if (op < 58 && rows.length) {
    wb.moveRow(sheet, r.pick(rows), r.int(rows.length));
    return 'moveRow';
  }
  if (op < 63 && rows.length) {
    wb.deleteRows(sheet, [r.pick(rows)]);
    return 'deleteRows';
  }
  if (op < 66) {
    const trash = wb.deletedRows(sheet);
    if (trash.length) wb.restoreRows(sheet, [r.pick(trash).id]);
    return 'restoreRows';
  }
  if (op < 71) {
    const type = r.pick(COLUMN_TYPES);
    wb.addColumn(
      sheet,
      {
        name: `col ${r.int(100)}`,
        type,
        options: type === 'select' || type === 'multiselect' ? [{ id: 'o1', label: 'Open', color: '#1f6feb' }] : [],
      },
      r.int(cols.length + 1),
    );
    return 'addColumn';
  }
  if (op < 78 && cols.length) {
    const col = r.pick(cols);
    const which = r.int(4);
    if (which === 0) wb.updateColumn(sheet, col.id, { name: `renamed ${r.int(100)}` });
    if (which === 1) wb.updateColumn(sheet, col.id, { width: 40 + r.int(400) });
    if (which === 2) wb.updateColumn(sheet, col.id, { type: r.pick(COLUMN_TYPES) });
    if (which === 3) {
      wb.updateColumn(sheet, col.id, {
        options: [
          { id: 'o1', label: 'Open', color: '#1f6feb' },
          { id: `o${2 + r.int(3)}`, label: `Done ${r.int(9)}`, color: '#1a7f37' },
        ],
      });
    }
    return 'updateColumn';
  }
  if (op < 82 && cols.length) {
    wb.moveColumn(sheet, r.pick(cols).id, r.int(cols.length));
    return 'moveColumn';
  }
  if (op < 85 && cols.length > 1) {
    wb.deleteColumn(sheet, r.pick(cols).id);
    return 'deleteColumn';
  }
  if (op < 87) {
    const trash = wb.deletedColumns(sheet);
    if (trash.length) wb.restoreColumn(sheet, r.pick(trash).id);
    return 'restoreColumn';
  }
  if (op < 90) {
    wb.addSheet(`Sheet ${r.int(50)}`, r.int(sheets.length + 1));
    return 'addSheet';
  }
  if (op < 92) {
    wb.renameSheet(sheet, `Renamed ${r.int(50)}`);
    return 'renameSheet';
  }
  if (op < 94) {
    wb.moveSheet(sheet, r.int(sheets.length));
    return 'moveSheet';
  }
  if (op < 96) {
    wb.deleteSheet(sheet);
    return 'deleteSheet';
  }
  if (op < 97) {
    const trash = wb.deletedSheets();
    if (trash.length) wb.restoreSheet(r.pick(trash).id);
    return 'restoreSheet';
  }
  if (op < 98) {
    wb.setTitle(`Workbook ${r.int(10)}`);
    return 'setTitle';
  }
  wb.transact(() => {
    const [id] = wb.insertRows(sheet, 0, 1);
    if (writable.length) wb.setCell(sheet, id, writable[0].id, valueFor(writable[0], r));
  });
  return 'batch';
}

function runSeed(seed: number): { ops: Record<string, number>; refused: number } {
  const r = prng(seed);
  const net = new Network(PEERS, r);
  const first = net.peers[0].wb;
  const s0 = first.initialize({ columns: 3, rows: 4 });
  first.addColumn(s0, { name: 'Stock', type: 'counter' });
  first.addColumn(s0, { name: 'Taken by', type: 'claim' });
  net.settle();
  const ledger: Ledger = { deltas: new Map(), recounted: new Set(), claimed: new Set(), released: new Set() };
  const ops: Record<string, number> = {};
  let refused = 0;
  for (let step = 0; step < STEPS; step++) {
    const action = r.int(100);
    if (action < 45) {
      const peer = r.pick(net.peers);
      try {
        const name = (r.chance(0.35) && typedOp(peer.wb, r, ledger)) || randomOp(peer.wb, r);
        ops[name] = (ops[name] ?? 0) + 1;
      } catch (e) {
        // Refusals are the model working (e.g. LAST_SHEET, a write racing a retype); anything else is a bug.
        if (!isModelError(e)) throw e;
        refused++;
      }
    } else if (action < 85) {
      for (let k = r.int(4); k >= 0; k--) net.deliverOne();
    } else if (action < 93) {
      const i = r.int(PEERS);
      if (net.peers[i].online) net.disconnect(i);
    } else {
      const i = r.int(PEERS);
      if (!net.peers[i].online) net.reconnect(i);
    }
  }
  net.settle();
  const [head, ...rest] = net.peers;
  const expected = observable(head.wb);
  const sv = Array.from(Y.encodeStateVector(head.doc));
  for (const p of net.peers) checkTypedRules(p.wb, ledger, p.name);
  for (const p of net.peers) {
    expect(p.wb.checkInvariants(), `${p.name} invariants`).toEqual([]);
  }
  for (const p of rest) {
    expect(Array.from(Y.encodeStateVector(p.doc)), `${p.name} state vector`).toEqual(sv);
    expect(typedState(p.wb), `${p.name} counters and claims`).toEqual(typedState(head.wb));
    expect(observable(p.wb), `${p.name} content`).toEqual(expected);
    expect(p.wb.journal.rawEntries().sort(), `${p.name} history`).toEqual(head.wb.journal.rawEntries().sort());
    for (const s of head.wb.sheets()) expect(p.wb.conflicts(s.id), `${p.name} conflicts`).toEqual(head.wb.conflicts(s.id));
  }
  return { ops, refused };
}

/** Every counter value and claim holder list, for comparing peers. */
function typedState(wb: Workbook) {
  const out: Record<string, unknown> = {};
  for (const s of [...wb.sheets(), ...wb.deletedSheets()]) {
    for (const c of [...wb.columns(s.id), ...wb.deletedColumns(s.id)]) {
      if (c.type !== 'counter' && c.type !== 'claim') continue;
      for (const row of [...wb.rowIds(s.id), ...wb.deletedRows(s.id).map((d) => d.id)]) {
        out[`${s.id}:${row}:${c.id}`] = [wb.getValue(s.id, row, c.id), wb.claims(s.id, row, c.id).map((e) => [e.person, e.held]).sort()];
      }
    }
  }
  return out;
}

/**
 * The merge rules, checked on one peer after everything is delivered:
 * - a counter nobody recounted is exactly the sum of every delta ever made;
 * - any counter is its winning recount plus the deltas that recount had not seen;
 * - a claim is only ever not held if someone released or resolved it.
 */
function checkTypedRules(wb: Workbook, ledger: Ledger, who: string): void {
  for (const s of wb.sheets()) {
    for (const c of wb.columns(s.id)) {
      for (const row of wb.rowIds(s.id)) {
        const key = `${s.id}:${row}:${c.id}`;
        if (c.type === 'counter') {
          const ops = wb.counterOps(s.id, row, c.id);
          const base = winningRecount(ops);
          let expected = base ? base.value : 0;
          for (const op of ops) if (op.kind === 'delta' && !(base && (base.seen[op.session] ?? 0) >= op.seq)) expected += op.delta;
          const value = wb.getValue(s.id, row, c.id) ?? 0;
          expect(value, `${who}: counter ${key} = recount base + unseen deltas`).toBe(expected);
          if (!ledger.recounted.has(key)) expect(value, `${who}: counter ${key} = sum of all deltas`).toBe(ledger.deltas.get(key) ?? 0);
        }
        if (c.type === 'claim') {
          for (const e of wb.claims(s.id, row, c.id)) {
            if (!e.held) expect(ledger.released.has(`${key}:${e.name}`), `${who}: claim by ${e.name} on ${key} ended only by a release`).toBe(true);
          }
          for (const name of new Set(wb.claims(s.id, row, c.id).map((e) => e.name))) {
            const everClaimed = ledger.claimed.has(`${key}:${name}`);
            const held = wb.claims(s.id, row, c.id).some((e) => e.name === name && e.held);
            if (everClaimed && !ledger.released.has(`${key}:${name}`)) expect(held, `${who}: ${name} still holds ${key}`).toBe(true);
          }
        }
      }
    }
  }
}

describe(`convergence: ${PEERS} peers, random ops, drops, reordering, duplicates`, () => {
  it(`converges for ${RUNS} seeds from ${FIRST_SEED}, with every invariant holding`, () => {
    const totals: Record<string, number> = {};
    for (let seed = FIRST_SEED; seed < FIRST_SEED + RUNS; seed++) {
      try {
        const { ops } = runSeed(seed);
        for (const [k, v] of Object.entries(ops)) totals[k] = (totals[k] ?? 0) + v;
      } catch (e) {
        const msg = `convergence failed for seed ${seed} (replay: FUZZ_SEED=${seed} FUZZ_RUNS=1 npx vitest run test/convergence)`;
        console.error(msg);
        throw new Error(`${msg}\n${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    }
    // Every kind of operation was exercised, so a pass means something.
    for (const op of [
      'setCells',
      'insertRows',
      'moveRow',
      'deleteRows',
      'restoreRows',
      'addColumn',
      'updateColumn',
      'moveColumn',
      'deleteColumn',
      'restoreColumn',
      'addSheet',
      'renameSheet',
      'moveSheet',
      'deleteSheet',
      'setTitle',
      'batch',
      'adjustCounter',
      'recount',
      'claim',
      'release',
      'resolveClaim',
    ]) {
      expect(totals[op] ?? 0, `${op} was exercised`).toBeGreaterThan(0);
    }
  });
});
