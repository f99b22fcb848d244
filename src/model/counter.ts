/**
 * Counter cells (supply counts) merge as operations, not values:
 *
 *   - a **delta** (+3, −1) is recorded by the device that made it and always adds up:
 *     two phones each taking one box offline make −2 after sync, never −1;
 *   - a **recount** ("set to 40") records the value counted *and* which deltas the
 *     counting device had seen. Value = the winning recount's value + every delta
 *     that recount had not seen.
 *   - recounts that saw each other: the later one (which saw the earlier) wins.
 *     Concurrent recounts (neither saw the other): the one with the later
 *     timestamp wins, ties broken by session id — the same winner on every replica.
 *
 * Each op is its own key in the row's map (`colId#session#seq`), so concurrent
 * ops never overwrite one another. `session` is random per open workbook, `seq`
 * counts that session's ops for this cell; a recount's `seen` maps session →
 * highest seq it had seen.
 */

export interface CounterDelta {
  kind: 'delta';
  session: string;
  seq: number;
  delta: number;
  ref: string;
  at: number;
}

export interface CounterRecount {
  kind: 'recount';
  session: string;
  seq: number;
  value: number;
  seen: Record<string, number>;
  ref: string;
  at: number;
}

export type CounterOp = CounterDelta | CounterRecount;

export const OP_SEPARATOR = '#';

export function opKey(colId: string, session: string, seq: number): string {
  return `${colId}${OP_SEPARATOR}${session}${OP_SEPARATOR}${seq}`;
}

/** Splits an op key; null for an ordinary cell key. */
export function parseOpKey(key: string): { colId: string; session: string; seq: number } | null {
  const parts = key.split(OP_SEPARATOR);
  if (parts.length !== 3) return null;
  const seq = Number(parts[2]);
  if (!Number.isInteger(seq) || seq < 1) return null;
  return { colId: parts[0], session: parts[1], seq };
}

export function encodeOp(op: CounterOp): string {
  return op.kind === 'delta'
    ? JSON.stringify(['d', op.delta, op.ref, op.at])
    : JSON.stringify(['r', op.value, op.ref, op.at, op.seen]);
}

export function decodeOp(key: string, raw: unknown): CounterOp | null {
  const k = parseOpKey(key);
  if (!k || typeof raw !== 'string') return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!Array.isArray(v) || typeof v[1] !== 'number' || !Number.isFinite(v[1]) || typeof v[2] !== 'string' || typeof v[3] !== 'number') {
    return null;
  }
  if (v[0] === 'd') return { kind: 'delta', session: k.session, seq: k.seq, delta: v[1], ref: v[2], at: v[3] };
  if (v[0] === 'r' && v[4] && typeof v[4] === 'object' && !Array.isArray(v[4])) {
    const seen: Record<string, number> = {};
    for (const [s, n] of Object.entries(v[4] as Record<string, unknown>)) if (typeof n === 'number') seen[s] = n;
    return { kind: 'recount', session: k.session, seq: k.seq, value: v[1], seen, ref: v[2], at: v[3] };
  }
  return null;
}

function saw(r: CounterRecount, op: CounterOp): boolean {
  return (r.seen[op.session] ?? 0) >= op.seq;
}

/** The recount that counts: one no other recount has seen; among concurrent ones, the latest. */
export function winningRecount(ops: readonly CounterOp[]): CounterRecount | null {
  const recounts = ops.filter((o): o is CounterRecount => o.kind === 'recount');
  const undominated = recounts.filter((r) => !recounts.some((other) => other !== r && saw(other, r)));
  let best: CounterRecount | null = null;
  for (const r of undominated) {
    if (!best || r.at > best.at || (r.at === best.at && (r.session > best.session || (r.session === best.session && r.seq > best.seq)))) best = r;
  }
  return best;
}

export function counterValue(ops: readonly CounterOp[]): number {
  const base = winningRecount(ops);
  let value = base ? base.value : 0;
  for (const op of ops) if (op.kind === 'delta' && (!base || !saw(base, op))) value += op.delta;
  return value;
}

/** What a recount made now would record as seen: the highest seq per session among these ops. */
export function seenVector(ops: readonly CounterOp[]): Record<string, number> {
  const seen: Record<string, number> = {};
  for (const op of ops) seen[op.session] = Math.max(seen[op.session] ?? 0, op.seq);
  return seen;
}
