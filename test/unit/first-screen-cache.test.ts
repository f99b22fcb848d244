import { describe, expect, it } from 'vitest';
import { credentialText, newSealedWorkbookKeys, newWorkbookKeys } from '../../src/protocol/access.js';
import {
  MAX_ENCODED_BYTES,
  MAX_ROWS,
  MAX_WORKBOOKS,
  cachePolicy,
  decodeEntry,
  encodeEntry,
  forgetFirstScreen,
  forgetPlainFirstScreens,
  loadFirstScreen,
  saveFirstScreen,
  type FirstScreen,
} from '../../src/ui/first-screen-cache.js';
import { DeviceProfile } from '../../src/ui/device-profile.js';
import { memoryStorage, storageKeys } from '../support/memory-storage.js';

const STANDARD = 'standard-room-1';

function screen(over: Partial<FirstScreen> = {}): FirstScreen {
  return {
    sheetId: 'sheet00001',
    sheetName: 'Needs',
    title: 'Food bank',
    tabs: [
      { id: 'sheet00001', name: 'Needs' },
      { id: 'sheet00002', name: 'Shifts' },
    ],
    totalRows: 500,
    totalCols: 4,
    colFrom: 0,
    left: 0,
    right: 120,
    columns: [
      { id: 'colItem1', name: 'Item', width: 160, type: 'text', computed: false },
      { id: 'colCount', name: 'Count', width: 90, type: 'number', computed: false },
      { id: 'colDone1', name: 'Done', width: 60, type: 'checkbox', computed: true },
    ],
    rowFrom: 10,
    rows: [
      { id: 'row0000011', n: 11, cells: ['Rice', '40', '☐'], f: [] },
      { id: 'row0000012', n: 12, cells: ['Water bottles', '1,200', '☑'], f: [1] },
    ],
    scrollTop: 360,
    scrollLeft: 0,
    bar: 53,
    active: { row: 11, col: 1 },
    ...over,
  };
}

/** A storage that refuses every write (a full quota, or private mode), as browsers do: by throwing. */
function fullStorage(base: Storage): Storage {
  return {
    get length() {
      return base.length;
    },
    key: (i) => base.key(i),
    getItem: (k) => base.getItem(k),
    removeItem: (k) => base.removeItem(k),
    clear: () => base.clear(),
    setItem: () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    },
  };
}

const snapshot = (s: Storage) => Object.fromEntries(storageKeys(s).map((k) => [k, s.getItem(k)]));

describe('first-screen cache', () => {
  it('round-trips a first screen in the clear for a standard workbook on a device without a lock', () => {
    const storage = memoryStorage();
    const policy = cachePolicy(STANDARD, null, 'none');
    expect(policy.kind).toBe('plain');
    expect(saveFirstScreen(storage, STANDARD, screen(), policy)).toBe(true);
    expect(loadFirstScreen(storage, STANDARD, policy)).toEqual(screen());
  });

  it('v2 keeps each row’s and column’s id, which columns are computed and which cells hold a formula', () => {
    const policy = cachePolicy(STANDARD, null, 'none');
    const entry = encodeEntry(screen(), STANDARD, policy)!;
    expect(entry.startsWith('2:p:')).toBe(true);
    const back = decodeEntry(entry, STANDARD, policy)!;
    expect(back.columns.map((c) => [c.id, c.computed])).toEqual([
      ['colItem1', false],
      ['colCount', false],
      ['colDone1', true],
    ]);
    expect(back.rows.map((r) => [r.id, r.f])).toEqual([
      ['row0000011', []],
      ['row0000012', [1]],
    ]);
  });

  it('a sealed entry changed by one byte is ignored', () => {
    const keys = newSealedWorkbookKeys();
    const policy = cachePolicy(keys.id, keys.edit, 'none');
    const entry = encodeEntry(screen(), keys.id, policy)!;
    const body = entry.slice(4);
    const k = 40;
    const flipped = `${entry.slice(0, 4)}${body.slice(0, k)}${body[k] === 'A' ? 'B' : 'A'}${body.slice(k + 1)}`;
    expect(decodeEntry(flipped, keys.id, policy)).toBeNull();
    expect(decodeEntry(entry, keys.id, policy)).toEqual(screen());
  });

  it('setting a lock also drops a plain entry of the older version', () => {
    const storage = memoryStorage();
    saveFirstScreen(storage, STANDARD, screen(), cachePolicy(STANDARD, null, 'none'));
    storage.setItem(`mutual-sheets:first-screen:${STANDARD}`, `1:p:${JSON.stringify({ v: 1, title: 'Food bank' })}`);
    forgetPlainFirstScreens(storage);
    expect(storage.getItem(`mutual-sheets:first-screen:${STANDARD}`)).toBeNull();
  });

  it('setting a device lock (DeviceProfile.setLock) drops plain entries the lists do not name, and keeps sealed ones', async () => {
    const storage = memoryStorage();
    const keys = newSealedWorkbookKeys();
    const sealed = cachePolicy(keys.id, keys.edit, 'none');
    saveFirstScreen(storage, keys.id, screen(), sealed);
    // unlisted: an eviction storage refused, a rollback that failed, an id the list never held
    storage.setItem(`mutual-sheets:first-screen:${STANDARD}`, encodeEntry(screen({ title: 'Canary-grid' }), STANDARD, { kind: 'plain' })!);
    storage.setItem('mutual-sheets:first-cards:unlisted-room', '1:p:{"title":"Canary-cards"}');
    storage.setItem('mutual-sheets:first-screen:not an id!', '2:p:{"title":"Canary-odd-key"}');
    storage.setItem('mutual-sheets:first-screen-edits-other', 'another module’s, kept');
    await new DeviceProfile(storage).setLock('a long passphrase for the test');
    expect(JSON.stringify(snapshot(storage))).not.toContain('Canary-');
    expect(storage.getItem('mutual-sheets:first-screen-edits-other')).toBe('another module’s, kept');
    expect(loadFirstScreen(storage, keys.id, sealed)).toEqual(screen());
  });

  it('reads a chosen cell on the sheet’s last row and column, and a filtered view’s row numbers past the rows shown', () => {
    const policy = cachePolicy(STANDARD, null, 'none');
    const s = screen({ active: { row: 499, col: 3 }, rows: [{ id: 'row0000900', n: 900, cells: ['Rice', '40', '☐'], f: [] }] });
    expect(decodeEntry(encodeEntry(s, STANDARD, policy), STANDARD, policy)).toEqual(s);
  });

  it('round-trips a sealed workbook under its edit key, and its view link opens the same cache', () => {
    const storage = memoryStorage();
    const keys = newSealedWorkbookKeys();
    const edit = cachePolicy(keys.id, keys.edit, 'none');
    expect(edit.kind).toBe('sealed');
    expect(saveFirstScreen(storage, keys.id, screen(), edit)).toBe(true);
    expect(loadFirstScreen(storage, keys.id, edit)).toEqual(screen());
    expect(loadFirstScreen(storage, keys.id, cachePolicy(keys.id, keys.view, 'none'))).toEqual(screen());
  });

  it('keeps none of a sealed workbook’s cell text, names or title in what it stores, and a fresh nonce each save', () => {
    const storage = memoryStorage();
    const keys = newSealedWorkbookKeys();
    const policy = cachePolicy(keys.id, keys.edit, 'none');
    saveFirstScreen(storage, keys.id, screen(), policy);
    const stored = storageKeys(storage).map((k) => storage.getItem(k)!).join('\n');
    for (const secret of ['Water bottles', 'Rice', 'Food bank', 'Needs', 'Shifts', 'Item', 'Count']) expect(stored).not.toContain(secret);
    const once = encodeEntry(screen(), keys.id, policy);
    const twice = encodeEntry(screen(), keys.id, policy);
    expect(once).not.toBe(twice);
  });

  it('does not open a sealed cache with another workbook’s key, nor under another workbook’s id', () => {
    const storage = memoryStorage();
    const a = newSealedWorkbookKeys();
    const b = newSealedWorkbookKeys();
    saveFirstScreen(storage, a.id, screen(), cachePolicy(a.id, a.edit, 'none'));
    const raw = storage.getItem(`mutual-sheets:first-screen:${a.id}`);
    expect(decodeEntry(raw, a.id, cachePolicy(b.id, b.edit, 'none'))).toBeNull();
    // a's entry copied under b's id, opened with a's own key: the id is bound in (AAD)
    expect(decodeEntry(raw, b.id, cachePolicy(a.id, a.edit, 'none'))).toBeNull();
    expect(decodeEntry(raw, a.id, cachePolicy(a.id, a.edit, 'none'))).toEqual(screen());
  });

  it('keeps nothing for a sealed workbook without a key, nor for any workbook while the device is locked', () => {
    const storage = memoryStorage();
    const keys = newSealedWorkbookKeys();
    expect(cachePolicy(keys.id, null, 'none').kind).toBe('none');
    expect(cachePolicy(keys.id, keys.edit, 'locked').kind).toBe('none');
    expect(cachePolicy(STANDARD, null, 'locked').kind).toBe('none');
    expect(saveFirstScreen(storage, keys.id, screen(), cachePolicy(keys.id, null, 'none'))).toBe(false);
    expect(storageKeys(storage)).toEqual([]);
  });

  it('with a device lock set, a signed workbook is kept encrypted, one with no key is not kept, and plain entries are not shown', async () => {
    const storage = memoryStorage();
    const signed = await newWorkbookKeys();
    const locked = cachePolicy(signed.id, signed.edit, 'unlocked');
    expect(locked.kind).toBe('sealed');
    saveFirstScreen(storage, signed.id, screen(), locked);
    expect(storage.getItem(`mutual-sheets:first-screen:${signed.id}`)).not.toContain('Water bottles');
    expect(loadFirstScreen(storage, signed.id, cachePolicy(signed.id, signed.view, 'unlocked'))).toEqual(screen());
    expect(cachePolicy(STANDARD, null, 'unlocked').kind).toBe('none');

    saveFirstScreen(storage, STANDARD, screen(), cachePolicy(STANDARD, null, 'none'));
    expect(loadFirstScreen(storage, STANDARD, { kind: 'sealed', key: new Uint8Array(32) })).toBeNull();
    forgetPlainFirstScreens(storage);
    expect(storage.getItem(`mutual-sheets:first-screen:${STANDARD}`)).toBeNull();
    expect(loadFirstScreen(storage, signed.id, locked)).toEqual(screen());
  });

  it('ignores malformed, oversized and other-version entries: null, never a throw', () => {
    const policy = cachePolicy(STANDARD, null, 'none');
    const plain = encodeEntry(screen(), STANDARD, policy)!;
    const json = JSON.parse(plain.slice(4)) as Record<string, unknown>;
    const variant = (over: Record<string, unknown>) => `2:p:${JSON.stringify({ ...json, ...over })}`;
    const row = (over: Record<string, unknown>) => variant({ rows: [{ ...(json.rows as Record<string, unknown>[])[0], ...over }] });
    const col = (over: Record<string, unknown>) => variant({ columns: [{ ...(json.columns as Record<string, unknown>[])[0], ...over }, ...(json.columns as unknown[]).slice(1)] });
    const bad = [
      null,
      '',
      'garbage',
      '2:p:{',
      '2:p:null',
      '2:p:[]',
      // a version 1 entry (no ids): written by the app before edits could be typed here
      `1:p:${JSON.stringify({ ...json, v: 1 })}`,
      `3:p:${plain.slice(4)}`,
      variant({ v: 1 }),
      variant({ v: 3 }),
      variant({ v: '2' }),
      row({ id: undefined }),
      row({ id: '' }),
      row({ id: 'has space' }),
      row({ id: 'x'.repeat(65) }),
      row({ id: 7 }),
      row({ f: undefined }),
      row({ f: [3] }),
      row({ f: [1, 1] }),
      row({ f: [2, 0] }),
      row({ f: ['0'] }),
      variant({ rows: [(json.rows as unknown[])[0], (json.rows as unknown[])[0]] }),
      col({ id: undefined }),
      col({ id: 'a/b' }),
      col({ id: 'colCount' }),
      col({ computed: undefined }),
      col({ computed: 'no' }),
      variant({ sheetId: '' }),
      variant({ sheetName: 7 }),
      variant({ totalRows: -1 }),
      variant({ totalRows: 1.5 }),
      variant({ scrollTop: Number.NaN }),
      variant({ scrollTop: 'x' }),
      variant({ bar: 5000 }),
      col({ width: 5 }),
      col({ type: 'formula-bomb' }),
      row({ cells: ['only one'] }),
      row({ cells: [1, 2, 3] }),
      variant({ rows: Array.from({ length: MAX_ROWS + 1 }, (_, i) => ({ id: `r${i}`, n: i, cells: ['a', 'b', 'c'], f: [] })) }),
      variant({ rowFrom: 499 }),
      variant({ tabs: 'Needs' }),
      variant({ active: null }),
      // extra keys: the writer writes exactly these, and a new field comes with a new version
      variant({ extra: 1 }),
      row({ extra: 'hidden text' }),
      col({ hint: 'x' }),
      variant({ tabs: [{ id: 'sheet00001', name: 'Needs', colour: 'red' }] }),
      variant({ active: { row: 11, col: 1, x: 0 } }),
      // the chosen cell past the sheet's size, and a row number of 0
      variant({ active: { row: 500, col: 1 } }),
      variant({ active: { row: 11, col: 4 } }),
      row({ n: 0 }),
      `2:p:${' '.repeat(MAX_ENCODED_BYTES * 2)}{}`,
      '2:x:not base64!',
      '2:x:AAAA',
    ];
    for (const raw of bad) expect(decodeEntry(raw as string | null, STANDARD, policy), String(raw).slice(0, 80)).toBeNull();
    // a sealed entry where a plain one is expected, and the reverse
    const keys = newSealedWorkbookKeys();
    const sealed = cachePolicy(keys.id, keys.edit, 'none');
    expect(decodeEntry(encodeEntry(screen(), keys.id, sealed), keys.id, { kind: 'plain' })).toBeNull();
    expect(decodeEntry(plain, keys.id, sealed)).toBeNull();
    // the stored entry is under this module's name: junk in its place reads as none
    const storage = memoryStorage();
    storage.setItem(`mutual-sheets:first-screen:${STANDARD}`, variant({ rows: 'x' }));
    expect(loadFirstScreen(storage, STANDARD, policy)).toBeNull();
  });

  it('encodes within 64 KB: long texts are clipped and the margin rows go before the rows on screen', () => {
    const big = 'x'.repeat(5000);
    const rows = Array.from({ length: MAX_ROWS }, (_, i) => ({ id: `row${i}`, n: i + 1, cells: Array.from({ length: 30 }, (_, c) => `${i}:${c}:${big}`), f: [] }));
    const columns = Array.from({ length: 30 }, (_, c) => ({ id: `col${c}`, name: `C${c}`, width: 100, type: 'text' as const, computed: false }));
    const s = screen({ rows, columns, rowFrom: 0, totalRows: 1000, totalCols: 30, right: 0, active: { row: 0, col: 0 } });
    const policy = cachePolicy(STANDARD, null, 'none');
    const entry = encodeEntry(s, STANDARD, policy, 30)!;
    expect(new TextEncoder().encode(entry).length).toBeLessThanOrEqual(MAX_ENCODED_BYTES + 4);
    const back = decodeEntry(entry, STANDARD, policy)!;
    expect(back.rows.length).toBeGreaterThan(0);
    expect(back.rows.length).toBeLessThan(MAX_ROWS);
    // the rows kept are those around row 30, where the screen was
    expect(back.rowFrom).toBeLessThanOrEqual(30);
    expect(back.rowFrom + back.rows.length).toBeGreaterThan(30);
    expect(back.rows[0].cells[0].length).toBeLessThanOrEqual(200);
  });

  it(`keeps at most ${MAX_WORKBOOKS} workbooks, dropping the least recently saved`, () => {
    const storage = memoryStorage();
    const policy = cachePolicy(STANDARD, null, 'none');
    const ids = Array.from({ length: MAX_WORKBOOKS + 2 }, (_, i) => `room-${i}`);
    for (const id of ids.slice(0, MAX_WORKBOOKS)) saveFirstScreen(storage, id, screen({ title: id }), policy);
    // the oldest saved again is the newest now: the next oldest go in its place
    saveFirstScreen(storage, 'room-0', screen({ title: 'room-0 again' }), policy);
    for (const id of ids.slice(MAX_WORKBOOKS)) saveFirstScreen(storage, id, screen({ title: id }), policy);
    const kept = ids.filter((id) => loadFirstScreen(storage, id, policy) !== null);
    expect(kept.length).toBe(MAX_WORKBOOKS);
    expect(kept).not.toContain('room-1');
    expect(kept).not.toContain('room-2');
    expect(kept).toContain('room-0');
    expect(kept).toContain(`room-${MAX_WORKBOOKS + 1}`);
    expect(loadFirstScreen(storage, 'room-0', policy)?.title).toBe('room-0 again');
    expect(storageKeys(storage).filter((k) => k.startsWith('mutual-sheets:first-screen:')).length).toBe(MAX_WORKBOOKS);
  });

  it('skips a save that storage refuses (quota): no throw, storage as it was, the older entry still read', () => {
    const base = memoryStorage();
    const policy = cachePolicy(STANDARD, null, 'none');
    saveFirstScreen(base, STANDARD, screen(), policy);
    base.setItem('other-app', 'kept');
    const before = snapshot(base);
    const full = fullStorage(base);
    expect(saveFirstScreen(full, STANDARD, screen({ title: 'newer' }), policy)).toBe(false);
    expect(saveFirstScreen(full, 'room-new', screen(), policy)).toBe(false);
    expect(snapshot(base)).toEqual(before);
    expect(loadFirstScreen(base, STANDARD, policy)).toEqual(screen());
  });

  it('puts the entry back when the list cannot be written after it', () => {
    const base = memoryStorage();
    const policy = cachePolicy(STANDARD, null, 'none');
    saveFirstScreen(base, STANDARD, screen(), policy);
    const before = snapshot(base);
    const listRefused: Storage = { ...base, getItem: (k) => base.getItem(k), removeItem: (k) => base.removeItem(k), setItem: (k, v) => {
      if (k === 'mutual-sheets:first-screen') throw new DOMException('full', 'QuotaExceededError');
      base.setItem(k, v);
    } };
    expect(saveFirstScreen(listRefused, STANDARD, screen({ title: 'newer' }), policy)).toBe(false);
    expect(snapshot(base)).toEqual(before);
  });

  it('forgets a workbook’s first screen and its place in the list, leaving others', () => {
    const storage = memoryStorage();
    const policy = cachePolicy(STANDARD, null, 'none');
    saveFirstScreen(storage, 'room-a', screen(), policy);
    saveFirstScreen(storage, 'room-b', screen(), policy);
    forgetFirstScreen(storage, 'room-a');
    expect(loadFirstScreen(storage, 'room-a', policy)).toBeNull();
    expect(loadFirstScreen(storage, 'room-b', policy)).toEqual(screen());
    expect(JSON.parse(storage.getItem('mutual-sheets:first-screen')!)).toEqual(['room-b']);
  });

  it('a credential text is never part of what is stored', () => {
    const storage = memoryStorage();
    const keys = newSealedWorkbookKeys();
    saveFirstScreen(storage, keys.id, screen(), cachePolicy(keys.id, keys.edit, 'none'));
    const stored = storageKeys(storage).map((k) => storage.getItem(k)!).join('\n');
    if (keys.edit.role !== 'edit') throw new Error('an edit credential');
    expect(stored).not.toContain(keys.edit.editKey);
    expect(stored).not.toContain(credentialText(keys.edit));
  });
});
