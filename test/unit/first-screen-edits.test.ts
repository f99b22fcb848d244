import { describe, expect, it } from 'vitest';
import { newSealedWorkbookKeys, newWorkbookKeys } from '../../src/protocol/access.js';
import { MAX_TEXT_LENGTH } from '../../src/model/values.js';
import {
  MAX_EDITS,
  MAX_QUEUE_BYTES,
  decodeEdits,
  editsAccess,
  editsKey,
  encodeEntry,
  forgetEdits,
  keepEdit,
  newPageQueue,
  readEdits,
  sealPlainEdits,
  takeEdits,
  type PendingEdit,
} from '../../src/ui/first-screen-edits.js';
import { applyEdits, refusedText } from '../../src/ui/first-screen-apply.js';
import { DeviceProfile } from '../../src/ui/device-profile.js';
import { newWorkbook } from '../support/model.js';
import { memoryStorage, storageKeys } from '../support/memory-storage.js';

const STANDARD = 'standard-room-1';
/** the page load typing (first-screen-controller.ts makes one per open) */
const PAGE = 'page0001';
/** a take as an open with no other page still open makes it */
const ALL = () => true;

const edit = (over: Partial<PendingEdit> = {}): PendingEdit => ({
  sheetId: 'sheet00001',
  rowId: 'row0000011',
  colId: 'colCount',
  cell: 'B11',
  text: 'Canary-typed-text',
  at: 1_764_000_000_000,
  ...over,
});

/** A storage that refuses every write (a full quota), as browsers do: by throwing. */
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
const everything = (s: Storage) => storageKeys(s).map((k) => `${k}=${s.getItem(k)}`).join('\n');

describe('first-screen edits: the queue', () => {
  it('keeps each committed edit at once, in order, and one take reads and removes them', () => {
    const storage = memoryStorage();
    const access = editsAccess(STANDARD, null, 'none');
    expect(access.policy.kind).toBe('plain');
    expect(keepEdit(storage, STANDARD, access, edit({ text: 'one' }), PAGE)).toMatchObject({ ok: true });
    const kept = keepEdit(storage, STANDARD, access, edit({ text: 'two', colId: 'colItem1', cell: 'A11' }), PAGE);
    expect(kept.ok && kept.edits.map((e) => e.text)).toEqual(['one', 'two']);
    expect(readEdits(storage, STANDARD, access)).toEqual([edit({ text: 'one' }), edit({ text: 'two', colId: 'colItem1', cell: 'A11' })]);
    expect(takeEdits(storage, STANDARD, access, ALL).map((e) => e.text)).toEqual(['one', 'two']);
    // the second tab to hand over finds none
    expect(takeEdits(storage, STANDARD, access, ALL)).toEqual([]);
    expect(storage.getItem(editsKey(STANDARD, PAGE))).toBeNull();
  });

  it('a sealed workbook’s queue holds no typed text, opens under its edit or view link, and only under its own id and key', () => {
    const storage = memoryStorage();
    const a = newSealedWorkbookKeys();
    const b = newSealedWorkbookKeys();
    const access = editsAccess(a.id, a.edit, 'none');
    expect(access.policy.kind).toBe('sealed');
    expect(keepEdit(storage, a.id, access, edit(), PAGE).ok).toBe(true);
    const raw = storage.getItem(editsKey(a.id, PAGE))!;
    expect(everything(storage)).not.toContain('Canary-typed-text');
    expect(everything(storage)).not.toContain('colCount');
    expect(raw.startsWith('1:x:')).toBe(true);
    expect(decodeEdits(raw, a.id, editsAccess(a.id, a.view, 'none'))).toEqual([edit()]);
    expect(decodeEdits(raw, a.id, editsAccess(b.id, b.edit, 'none'))).toBeNull();
    expect(decodeEdits(raw, b.id, access)).toBeNull();
    // not a first-screen entry either: the queue's AAD domain is its own
    expect(storage.getItem(`mutual-sheets:first-screen:${a.id}`)).toBeNull();
    // and without a key there is no queue at all: the first screen says "Still opening"
    expect(editsAccess(a.id, null, 'none').policy.kind).toBe('none');
    expect(keepEdit(storage, a.id, editsAccess(a.id, null, 'none'), edit({ text: 'x' }), PAGE)).toEqual({ ok: false, reason: 'no-key' });
    expect(keepEdit(storage, STANDARD, editsAccess(STANDARD, null, 'locked'), edit(), PAGE)).toEqual({ ok: false, reason: 'no-key' });
    expect(storage.getItem(editsKey(STANDARD, PAGE))).toBeNull();
    // a locked device cannot read it, and leaves it for an open that can
    expect(takeEdits(storage, a.id, editsAccess(a.id, a.edit, 'locked'), ALL)).toEqual([]);
    expect(storage.getItem(editsKey(a.id, PAGE))).toBe(raw);
  });

  it('a fresh nonce each write, and the sealed form padded', () => {
    const a = newSealedWorkbookKeys();
    const { policy } = editsAccess(a.id, a.edit, 'none');
    const once = encodeEntry([edit()], a.id, policy)!;
    const twice = encodeEntry([edit()], a.id, policy)!;
    expect(once).not.toBe(twice);
    expect(encodeEntry([edit({ text: 'x' })], a.id, policy)!.length).toBe(once.length);
  });

  it('refuses an edit storage refuses (quota): storage and the queue exactly as they were', () => {
    const base = memoryStorage();
    const access = editsAccess(STANDARD, null, 'none');
    keepEdit(base, STANDARD, access, edit({ text: 'before' }), PAGE);
    base.setItem('other-app', 'kept');
    const before = snapshot(base);
    expect(keepEdit(fullStorage(base), STANDARD, access, edit({ text: 'refused' }), PAGE)).toEqual({ ok: false, reason: 'storage' });
    expect(snapshot(base)).toEqual(before);
    expect(readEdits(base, STANDARD, access)!.map((e) => e.text)).toEqual(['before']);
  });

  it(`holds at most ${MAX_EDITS} edits and the model's longest text; past either it refuses and changes nothing`, () => {
    const storage = memoryStorage();
    const access = editsAccess(STANDARD, null, 'none');
    for (let i = 0; i < MAX_EDITS; i++) expect(keepEdit(storage, STANDARD, access, edit({ text: String(i) }), PAGE).ok).toBe(true);
    const before = snapshot(storage);
    expect(keepEdit(storage, STANDARD, access, edit({ text: 'one too many' }), PAGE)).toEqual({ ok: false, reason: 'full' });
    expect(snapshot(storage)).toEqual(before);
    const other = 'room-2';
    expect(keepEdit(storage, other, access, edit({ text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }), PAGE)).toEqual({ ok: false, reason: 'too-long' });
    expect(storage.getItem(editsKey(other, PAGE))).toBeNull();
    // the queue's whole size is bounded too: a few edits of the longest text, then a refusal
    let kept = 0;
    while (keepEdit(storage, other, access, edit({ text: 'y'.repeat(MAX_TEXT_LENGTH) }), PAGE).ok) kept++;
    expect(kept).toBeGreaterThan(0);
    expect(readEdits(storage, other, access)!.length).toBe(kept);
  });

  it('ignores malformed, tampered and other-version queues: read as unreadable, never a throw, never overwritten', () => {
    const access = editsAccess(STANDARD, null, 'none');
    const json = { v: 1, edits: [edit()] };
    const variant = (e: Record<string, unknown>) => `1:p:${JSON.stringify({ v: 1, edits: [{ ...edit(), ...e }] })}`;
    const bad = [
      '',
      'garbage',
      '1:p:{',
      '1:p:null',
      `1:p:${JSON.stringify({ ...json, v: 2 })}`,
      `2:p:${JSON.stringify(json)}`,
      `1:p:${JSON.stringify({ v: 1, edits: 'x' })}`,
      `1:p:${JSON.stringify({ v: 1, edits: Array.from({ length: MAX_EDITS + 1 }, () => edit()) })}`,
      variant({ rowId: '' }),
      variant({ rowId: 'a b' }),
      variant({ colId: 7 }),
      variant({ sheetId: undefined }),
      variant({ text: 5 }),
      variant({ text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }),
      variant({ at: -1 }),
      variant({ at: 1.5 }),
      variant({ cell: 'x'.repeat(21) }),
      '1:x:not base64!',
      '1:x:AAAA',
    ];
    for (const raw of bad) expect(decodeEdits(raw, STANDARD, access), raw.slice(0, 80)).toBeNull();
    const keys = newSealedWorkbookKeys();
    const sealed = editsAccess(keys.id, keys.edit, 'none');
    const entry = encodeEntry([edit()], keys.id, sealed.policy)!;
    const body = entry.slice(4);
    const flipped = `1:x:${body.slice(0, 30)}${body[30] === 'A' ? 'B' : 'A'}${body.slice(31)}`;
    expect(decodeEdits(flipped, keys.id, sealed)).toBeNull();
    // a sealed queue where the workbook has no key: unreadable
    expect(decodeEdits(entry, keys.id, editsAccess(keys.id, null, 'none'))).toBeNull();

    // what cannot be read is not written over by the next edit
    const storage = memoryStorage();
    storage.setItem(editsKey(STANDARD, PAGE), variant({ rowId: '' }));
    const before = snapshot(storage);
    // it hides no other queue: what reads is still shown waiting
    expect(readEdits(storage, STANDARD, access)).toEqual([]);
    expect(keepEdit(storage, STANDARD, access, edit(), PAGE)).toEqual({ ok: false, reason: 'unreadable' });
    expect(snapshot(storage)).toEqual(before);
    // and it blocks no other page: the next open types into a queue of its own
    expect(keepEdit(storage, STANDARD, access, edit({ text: 'next open' }), 'page0002')).toMatchObject({ ok: true });
    expect(readEdits(storage, STANDARD, access).map((e) => e.text)).toEqual(['next open']);
    // the take at the handover removes it, applying nothing of it (it would otherwise stay for good)
    expect(takeEdits(storage, STANDARD, access, ALL).map((e) => e.text)).toEqual(['next open']);
    expect(storageKeys(storage)).toEqual([]);
  });

  it('a plain queue written before a lock still reads (applying it is how it leaves), and setting a lock seals it under the workbook’s key', async () => {
    const storage = memoryStorage();
    const signed = await newWorkbookKeys();
    keepEdit(storage, signed.id, editsAccess(signed.id, signed.edit, 'none'), edit({ text: 'typed before the lock' }), PAGE);
    keepEdit(storage, STANDARD, editsAccess(STANDARD, null, 'none'), edit({ text: 'no key to seal under' }), PAGE);
    storage.setItem('other-app', 'kept');
    expect(storage.getItem(editsKey(signed.id, PAGE))!.startsWith('1:p:')).toBe(true);
    const locked = editsAccess(signed.id, signed.edit, 'unlocked');
    expect(readEdits(storage, signed.id, locked)!.map((e) => e.text)).toEqual(['typed before the lock']);

    sealPlainEdits(storage, (id) => editsAccess(id, id === signed.id ? signed.edit : null, 'unlocked'));
    expect(everything(storage)).not.toContain('typed before the lock');
    expect(everything(storage)).not.toContain('no key to seal under');
    expect(storage.getItem(editsKey(STANDARD, PAGE))).toBeNull();
    expect(storage.getItem('other-app')).toBe('kept');
    expect(readEdits(storage, signed.id, editsAccess(signed.id, signed.view, 'unlocked'))!.map((e) => e.text)).toEqual(['typed before the lock']);
    // the lock removed later: the signed workbook's queue is plain again, and the sealed one still opens
    expect(readEdits(storage, signed.id, editsAccess(signed.id, signed.edit, 'none'))!.map((e) => e.text)).toEqual(['typed before the lock']);
  });

  it('setting a device lock (DeviceProfile.setLock) leaves no typed text readable: the signed workbook’s queue sealed, the keyless one gone', async () => {
    const storage = memoryStorage();
    const signed = await newWorkbookKeys();
    const profile = new DeviceProfile(storage);
    profile.keepCredential(signed.id, signed.edit);
    keepEdit(storage, signed.id, editsAccess(signed.id, signed.edit, 'none'), edit({ text: 'Canary-before-lock' }), PAGE);
    keepEdit(storage, STANDARD, editsAccess(STANDARD, null, 'none'), edit({ text: 'Canary-keyless' }), PAGE);
    await profile.setLock('a long passphrase for the test');
    expect(everything(storage)).not.toContain('Canary-');
    expect(storage.getItem(editsKey(STANDARD, PAGE))).toBeNull();
    expect(readEdits(storage, signed.id, editsAccess(signed.id, profile.credential(signed.id), profile.lockState))!.map((e) => e.text)).toEqual(['Canary-before-lock']);
  });

  it('"Remove from this device" forgets the queue', () => {
    const storage = memoryStorage();
    const access = editsAccess(STANDARD, null, 'none');
    keepEdit(storage, STANDARD, access, edit(), PAGE);
    keepEdit(storage, 'room-2', access, edit(), PAGE);
    forgetEdits(storage, STANDARD);
    expect(storage.getItem(editsKey(STANDARD, PAGE))).toBeNull();
    expect(readEdits(storage, 'room-2', access)).toHaveLength(1);
  });
});

/**
 * Two tabs share one localStorage with no lock between them, and each tab's read can lag another's
 * write: this view reads what storage held when it was made and writes through, which is what a
 * tab sees in that moment.
 */
function laggingView(base: Storage): Storage {
  const seen = new Map(storageKeys(base).map((k) => [k, base.getItem(k)!]));
  const keys = () => [...new Set([...seen.keys()])];
  return {
    get length() {
      return keys().length;
    },
    key: (i) => keys()[i] ?? null,
    getItem: (k) => seen.get(k) ?? null,
    setItem: (k, v) => base.setItem(k, v),
    removeItem: (k) => base.removeItem(k),
    clear: () => base.clear(),
  };
}

describe('first-screen edits: one queue per page', () => {
  it('two tabs typing at the same moment, each reading storage as it was, both keep their edit', () => {
    const storage = memoryStorage();
    const access = editsAccess(STANDARD, null, 'none');
    expect(keepEdit(storage, STANDARD, access, edit({ text: 'earlier', at: 1 }), 'tabA').ok).toBe(true);
    const tabA = laggingView(storage);
    const tabB = laggingView(storage);
    expect(keepEdit(tabA, STANDARD, access, edit({ text: 'from A', at: 2 }), 'tabA').ok).toBe(true);
    expect(keepEdit(tabB, STANDARD, access, edit({ text: 'from B', at: 3, rowId: 'row0000012', cell: 'B12' }), 'tabB').ok).toBe(true);
    expect(readEdits(storage, STANDARD, access)!.map((e) => e.text)).toEqual(['earlier', 'from A', 'from B']);
    expect(takeEdits(storage, STANDARD, access, ALL).map((e) => e.text)).toEqual(['earlier', 'from A', 'from B']);
    expect(storageKeys(storage)).toEqual([]);
  });

  it('one take gets every page’s queue and the older single queue, in the order typed, and leaves other workbooks’', () => {
    const storage = memoryStorage();
    const access = editsAccess(STANDARD, null, 'none');
    // the single queue an earlier version kept, under the workbook's id alone
    storage.setItem(editsKey(STANDARD), encodeEntry([edit({ text: 'old version', at: 5 })], STANDARD, access.policy)!);
    keepEdit(storage, STANDARD, access, edit({ text: 'page 1, first', at: 2 }), 'page1');
    keepEdit(storage, STANDARD, access, edit({ text: 'page 2', at: 4 }), 'page2');
    keepEdit(storage, STANDARD, access, edit({ text: 'page 1, second', at: 6 }), 'page1');
    // ids that share a beginning with this one are other workbooks
    keepEdit(storage, `${STANDARD}0`, access, edit({ text: 'another workbook' }), 'page1');
    keepEdit(storage, 'standard-room', access, edit({ text: 'a shorter id' }), 'page1');
    storage.setItem('mutual-sheets:first-screen-edits-other', 'another module’s');
    // an open takes what its predicate allows (its own, and pages that are gone: first-screen-pages.ts), the rest stays
    expect(takeEdits(storage, STANDARD, access, (page) => page === 'page2').map((e) => e.text)).toEqual(['page 2']);
    keepEdit(storage, STANDARD, access, edit({ text: 'page 2', at: 4 }), 'page2');
    const taken = takeEdits(storage, STANDARD, access, ALL).map((e) => e.text);
    expect(taken).toEqual(['page 1, first', 'page 2', 'old version', 'page 1, second']);
    expect(storageKeys(storage).sort()).toEqual([editsKey(`${STANDARD}0`, 'page1'), editsKey('standard-room', 'page1'), 'mutual-sheets:first-screen-edits-other'].sort());
    expect(readEdits(storage, `${STANDARD}0`, access)!.map((e) => e.text)).toEqual(['another workbook']);
    // Remove from this device forgets every page's queue of the workbook, and only them
    keepEdit(storage, STANDARD, access, edit(), 'page3');
    storage.setItem(editsKey(STANDARD), encodeEntry([edit()], STANDARD, access.policy)!);
    forgetEdits(storage, STANDARD);
    expect(readEdits(storage, STANDARD, access)).toEqual([]);
    expect(readEdits(storage, 'standard-room', access)).toHaveLength(1);
  });

  it('each page’s own order is kept when merged, even where its clock stepped back', () => {
    const storage = memoryStorage();
    const access = editsAccess(STANDARD, null, 'none');
    keepEdit(storage, STANDARD, access, edit({ text: 'first', at: 100 }), 'page1');
    // the device's clock was set back between two edits of the same cell
    keepEdit(storage, STANDARD, access, edit({ text: 'second, clock set back', at: 10 }), 'page1');
    keepEdit(storage, STANDARD, access, edit({ text: 'other page', at: 50 }), 'page2');
    expect(readEdits(storage, STANDARD, access).map((e) => e.text)).toEqual(['other page', 'first', 'second, clock set back']);
    expect(takeEdits(storage, STANDARD, access, ALL).map((e) => e.text)).toEqual(['other page', 'first', 'second, clock set back']);
  });

  it(`the limits are the workbook’s: ${MAX_EDITS} edits over every page’s queue, then refused with storage as it was`, () => {
    const storage = memoryStorage();
    const access = editsAccess(STANDARD, null, 'none');
    for (let i = 0; i < MAX_EDITS; i++) expect(keepEdit(storage, STANDARD, access, edit({ text: String(i) }), `page${i % 7}`).ok).toBe(true);
    const before = snapshot(storage);
    expect(keepEdit(storage, STANDARD, access, edit({ text: 'one too many' }), 'page9')).toEqual({ ok: false, reason: 'full' });
    expect(keepEdit(storage, STANDARD, access, edit({ text: 'one too many' }), 'page1')).toEqual({ ok: false, reason: 'full' });
    expect(snapshot(storage)).toEqual(before);
    const bytes = memoryStorage();
    let kept = 0;
    while (keepEdit(bytes, STANDARD, access, edit({ text: 'y'.repeat(MAX_TEXT_LENGTH) }), `p${kept}`).ok) kept++;
    expect(kept).toBeGreaterThan(0);
    expect(readEdits(bytes, STANDARD, access).length).toBe(kept);
    expect(kept * MAX_TEXT_LENGTH).toBeLessThanOrEqual(MAX_QUEUE_BYTES);
  });

  it('page names are fresh per open and a malformed one is refused', () => {
    const names = new Set(Array.from({ length: 100 }, () => newPageQueue()));
    expect(names.size).toBe(100);
    for (const name of names) expect(name).toMatch(/^[0-9a-f]{24}$/);
    const storage = memoryStorage();
    const access = editsAccess(STANDARD, null, 'none');
    for (const bad of ['', 'a:b', 'x'.repeat(33), 'a b']) expect(keepEdit(storage, STANDARD, access, edit(), bad)).toEqual({ ok: false, reason: 'no-key' });
    expect(storageKeys(storage)).toEqual([]);
  });

  it('a lock seals every page’s plain queue and removes what names no queue', async () => {
    const storage = memoryStorage();
    const signed = await newWorkbookKeys();
    const plain = editsAccess(signed.id, signed.edit, 'none');
    keepEdit(storage, signed.id, plain, edit({ text: 'Canary-page-1', at: 1 }), 'page1');
    keepEdit(storage, signed.id, plain, edit({ text: 'Canary-page-2', at: 2 }), 'page2');
    storage.setItem(`mutual-sheets:first-screen-edits:${signed.id}:a:b`, '1:p:Canary-odd-key');
    sealPlainEdits(storage, (id) => editsAccess(id, id === signed.id ? signed.edit : null, 'unlocked'));
    expect(everything(storage)).not.toContain('Canary-');
    expect(readEdits(storage, signed.id, editsAccess(signed.id, signed.edit, 'unlocked'))!.map((e) => e.text)).toEqual(['Canary-page-1', 'Canary-page-2']);
  });
});

describe('first-screen edits: applied at the handover', () => {
  function sheet() {
    const { wb } = newWorkbook('Rosa');
    const sheetId = wb.initialize({ columns: 0, rows: 3 });
    const item = wb.addColumn(sheetId, { name: 'Item', type: 'text' });
    const count = wb.addColumn(sheetId, { name: 'Count', type: 'number' });
    const twice = wb.addColumn(sheetId, { name: 'Twice', type: 'number' });
    wb.setColumnFormula(sheetId, twice, '=[Count]*2');
    const rows = wb.rowIds(sheetId);
    return { wb, sheetId, item, count, twice, rows };
  }

  it('writes each in order as the grid’s editor would: text, numbers, formulas, later over earlier, with provenance', () => {
    const { wb, sheetId, item, count, rows } = sheet();
    const at = (rowId: string, colId: string, text: string, cell = 'A1') => ({ sheetId, rowId, colId, text, cell, at: 1 });
    const result = applyEdits(wb, [at(rows[0], item, 'Rice'), at(rows[0], count, '40'), at(rows[0], count, '41'), at(rows[1], count, '=B1+1'), at(rows[2], item, '')]);
    expect(result).toEqual({ applied: 5, refused: [] });
    expect(wb.getValue(sheetId, rows[0], item)).toBe('Rice');
    expect(wb.getValue(sheetId, rows[0], count)).toBe(41);
    expect(wb.getFormula(sheetId, rows[1], count)).not.toBeNull();
    expect(wb.getCell(sheetId, rows[0], count)?.by).toBe('Rosa');
  });

  it('says each one refused with its text and why, and still writes the rest', () => {
    const { wb, sheetId, item, count, twice, rows } = sheet();
    const gone = wb.addColumn(sheetId, { name: 'Gone', type: 'text' });
    wb.deleteColumn(sheetId, gone);
    wb.deleteRows(sheetId, [rows[2]]);
    const e = (rowId: string, colId: string, text: string, cell: string, s = sheetId) => ({ sheetId: s, rowId, colId, text, cell, at: 1 });
    const { applied, refused } = applyEdits(wb, [
      e(rows[0], count, 'abc', 'B1'),
      e(rows[0], item, 'kept', 'A1'),
      e(rows[2], item, 'row gone', 'A3'),
      e(rows[0], gone, 'column gone', 'D1'),
      e(rows[0], twice, '5', 'C1'),
      e(rows[0], item, 'sheet gone', 'A1', 'nosuchsheet'),
    ]);
    expect(applied).toBe(1);
    expect(wb.getValue(sheetId, rows[0], item)).toBe('kept');
    expect(wb.getValue(sheetId, rows[0], count)).toBeNull();
    const lines = refusedText(refused);
    expect(lines).toEqual([
      'B1: “abc” was not applied: “abc” is not a number (Count holds numbers).',
      'A3: “row gone” was not applied: its row was deleted.',
      'D1: “column gone” was not applied: its column was deleted.',
      'C1: “5” was not applied: its column is worked out by a formula.',
      'A1: “sheet gone” was not applied: its sheet was deleted.',
    ]);
  });
});
