import { describe, expect, it } from 'vitest';
import type { PresenceSource } from '../../src/sync/presence-source.js';
import { IDLE_AFTER_MS, people, samePeople } from '../../src/ui/presence.js';

/** An awareness-shaped source over a plain map: enough for the pure presence readers. */
function source(states: Map<number, Record<string, unknown>>, clientID = 1): PresenceSource {
  return { clientID, getStates: () => states } as unknown as PresenceSource;
}

describe('who is here, for the header', () => {
  const now = 1_000_000;
  const states = new Map<number, Record<string, unknown>>([
    [1, { user: { name: 'Me', color: '#111' }, active: now }],
    [2, { user: { name: 'Ana', color: '#cf222e' }, active: now, cursor: { sheetId: 's', rowId: 'r1', colId: 'c1' } }],
    [3, { user: { name: 'Luis', color: '#1f6feb' }, active: now - IDLE_AFTER_MS - 1 }],
  ]);

  it('a colleague moving the cursor gives the same list (the header is not re-measured)', () => {
    const before = people(source(states), now);
    states.set(2, { ...states.get(2), active: now + 500, cursor: { sheetId: 's', rowId: 'r2', colId: 'c1' } });
    const after = people(source(states), now + 500);
    expect(after.map((p) => p.name)).toEqual(['Ana', 'Luis']);
    expect(samePeople(before, after)).toBe(true);
  });

  it('an arrival, a departure, a rename, a change of colour or going idle is a new list', () => {
    const base = people(source(states), now);
    const variants = [
      new Map([...states, [4, { user: { name: 'Eva', color: '#1a7f37' }, active: now }]]),
      new Map([...states].filter(([id]) => id !== 3)),
      new Map([...states, [2, { ...states.get(2), user: { name: 'Ana M', color: '#cf222e' } }]]),
      new Map([...states, [2, { ...states.get(2), user: { name: 'Ana', color: '#000000' } }]]),
    ];
    for (const v of variants) expect(samePeople(base, people(source(v), now))).toBe(false);
    expect(samePeople(base, people(source(states), now + IDLE_AFTER_MS + 1_000))).toBe(false);
  });
});
