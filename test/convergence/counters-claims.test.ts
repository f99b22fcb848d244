import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Workbook, isModelError } from '../../src/model/index.js';

/** Three devices on one workbook; `sync` exchanges everything among the ones online. */
function trio() {
  let t = 1_764_000_000_000;
  const names = ['Ana', 'Luis', 'Coord'];
  const docs = names.map((_, i) => {
    const d = new Y.Doc();
    d.clientID = i + 1;
    return d;
  });
  const wbs = docs.map((d, i) => new Workbook(d, { actor: { name: names[i], deviceId: `${names[i]}-phone` }, now: () => (t += 1000) }));
  const [ana, luis, coord] = wbs;
  const sheet = coord.initialize({ rows: 2, columns: 1 });
  const stock = coord.addColumn(sheet, { name: 'Water (boxes)', type: 'counter' });
  const taken = coord.addColumn(sheet, { name: 'Taken by', type: 'claim' });
  const sync = (...who: Workbook[]) => {
    const group = who.length ? who : wbs;
    for (const a of group) for (const b of group) if (a !== b) Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)));
  };
  sync();
  const row = coord.rowIds(sheet)[0];
  return { ana, luis, coord, sheet, stock, taken, row, sync };
}

describe('counter cells', () => {
  it('two phones each taking one box offline make −2, never −1', () => {
    const { ana, luis, coord, sheet, stock, row, sync } = trio();
    coord.recount(sheet, row, stock, 40);
    sync();
    ana.adjustCounter(sheet, row, stock, -1);
    luis.adjustCounter(sheet, row, stock, -1);
    expect(ana.getValue(sheet, row, stock)).toBe(39);
    sync();
    for (const w of [ana, luis, coord]) expect(w.getValue(sheet, row, stock)).toBe(38);
  });

  it('a recount supersedes the deltas it saw; deltas it had not seen still apply', () => {
    const { ana, luis, coord, sheet, stock, row, sync } = trio();
    ana.adjustCounter(sheet, row, stock, 10);
    sync();
    luis.adjustCounter(sheet, row, stock, -3); // Luis is offline: the coordinator's recount cannot see this
    coord.recount(sheet, row, stock, 25); // counted 25 on the shelf, having seen Ana's +10
    sync();
    for (const w of [ana, luis, coord]) expect(w.getValue(sheet, row, stock)).toBe(22);
    // A recount that has seen everything is the count.
    luis.recount(sheet, row, stock, 30);
    sync();
    for (const w of [ana, luis, coord]) expect(w.getValue(sheet, row, stock)).toBe(30);
  });

  it('concurrent recounts: the later one wins, on every device, and unseen deltas still apply', () => {
    const { ana, luis, coord, sheet, stock, row, sync } = trio();
    ana.recount(sheet, row, stock, 12); // earlier
    luis.recount(sheet, row, stock, 15); // later, neither saw the other
    coord.adjustCounter(sheet, row, stock, 2); // seen by neither
    sync();
    for (const w of [ana, luis, coord]) expect(w.getValue(sheet, row, stock)).toBe(17);
  });

  it('typing a number into a counter is a recount; words are refused', () => {
    const { ana, sheet, stock, row } = trio();
    ana.setCell(sheet, row, stock, 8);
    expect(ana.getValue(sheet, row, stock)).toBe(8);
    expect(ana.counterOps(sheet, row, stock)).toMatchObject([{ kind: 'recount', value: 8 }]);
    try {
      ana.setCell(sheet, row, stock, 'eight' as never);
      throw new Error('not refused');
    } catch (e) {
      expect(isModelError(e, 'NOT_A_COUNTER')).toBe(true);
    }
    expect(() => ana.adjustCounter(sheet, row, stock, Number.NaN)).toThrow();
    expect(ana.getValue(sheet, row, stock)).toBe(8);
  });
});

describe('claim cells', () => {
  it('concurrent claims are both kept and shown as a conflict until resolved', () => {
    const { ana, luis, coord, sheet, taken, row, sync } = trio();
    ana.claim(sheet, row, taken);
    luis.claim(sheet, row, taken);
    sync();
    for (const w of [ana, luis, coord]) {
      expect(w.getValue(sheet, row, taken)).toBe('Ana, Luis');
      expect(w.claims(sheet, row, taken).filter((e) => e.held)).toHaveLength(2);
    }
    const keep = coord.claims(sheet, row, taken).find((e) => e.name === 'Luis')!.person;
    coord.resolveClaim(sheet, row, taken, keep);
    sync();
    for (const w of [ana, luis, coord]) expect(w.getValue(sheet, row, taken)).toBe('Luis');
  });

  it('a claim made while a coordinator resolves (unseen by them) survives the resolution', () => {
    const { ana, luis, coord, sheet, taken, row, sync } = trio();
    ana.claim(sheet, row, taken);
    sync();
    coord.resolveClaim(sheet, row, taken, null); // releases Ana, the only holder it can see
    luis.claim(sheet, row, taken); // offline, concurrently
    sync();
    for (const w of [ana, luis, coord]) expect(w.getValue(sheet, row, taken)).toBe('Luis');
  });

  it('releasing gives it back; reassigning moves it; clearing the cell releases everyone', () => {
    const { ana, luis, coord, sheet, taken, row, sync } = trio();
    ana.claim(sheet, row, taken);
    ana.release(sheet, row, taken);
    expect(ana.getValue(sheet, row, taken)).toBe(null);
    luis.claim(sheet, row, taken);
    sync();
    coord.setCell(sheet, row, taken, null);
    sync();
    for (const w of [ana, luis, coord]) expect(w.getValue(sheet, row, taken)).toBe(null);
    expect(() => coord.setCell(sheet, row, taken, 'Ana' as never)).toThrow();
  });
});
