import { describe, expect, it } from 'vitest';
import { newSealedWorkbookKeys } from '../../src/protocol/access.js';
import { cachePolicy, forgetFirstScreen, forgetPlainFirstScreens, loadFirstScreen, saveFirstScreen, type FirstScreen } from '../../src/ui/first-screen-cache.js';
import {
  MAX_CARDS,
  MAX_CARDS_BYTES,
  MAX_FIELD_CHARS,
  MAX_FIELDS,
  decodeCardsEntry,
  encodeFirstCards,
  loadFirstCards,
  parseFirstCards,
  saveFirstCards,
  type CachedCard,
  type FirstCards,
} from '../../src/ui/first-cards-cache.js';
import { memoryStorage, storageKeys } from '../support/memory-storage.js';

const STANDARD = 'standard-room-1';
const CARD_H = 120;

function card(i: number, over: Partial<CachedCard> = {}): CachedCard {
  return { id: `row${String(i).padStart(7, '0')}`, n: i + 1, top: i * CARD_H, height: CARD_H, values: [`Item ${i}`, 'Open', `Street ${i}`, '3'], computed: [], low: [3], chip: '#1a7f37', ...over };
}

function cards(over: Partial<FirstCards> = {}): FirstCards {
  return {
    sheetId: 'sheet00001',
    sheetName: 'Needs',
    title: 'Food bank',
    tabs: [
      { id: 'sheet00001', name: 'Needs' },
      { id: 'sheet00002', name: 'Shifts' },
    ],
    fields: [
      { id: 'colItem1', name: 'Item', type: 'text', role: 'title' },
      { id: 'colStat1', name: 'Status', type: 'select', role: 'status' },
      { id: 'colStrt1', name: 'Cross streets', type: 'text', role: 'line' },
      { id: 'colCount', name: 'Count', type: 'counter', role: 'counter' },
    ],
    total: 200,
    height: 200 * CARD_H,
    cards: [card(10), card(11, { values: ['Water bottles', '', '', '0'], computed: [2], low: [], chip: '' })],
    scrollTop: 10 * CARD_H,
    bar: 106,
    ...over,
  };
}

/** A grid first screen for the same workbook: the other kind, kept beside it. */
function gridScreen(): FirstScreen {
  return {
    sheetId: 'sheet00001',
    sheetName: 'Needs',
    title: 'Food bank',
    tabs: [{ id: 'sheet00001', name: 'Needs' }],
    totalRows: 10,
    totalCols: 1,
    colFrom: 0,
    left: 0,
    right: 0,
    columns: [{ id: 'colItem1', name: 'Item', width: 160, type: 'text', computed: false }],
    rowFrom: 0,
    rows: [{ id: 'row0000001', n: 1, cells: ['Rice'], f: [] }],
    scrollTop: 0,
    scrollLeft: 0,
    bar: 53,
    active: { row: 0, col: 0 },
  };
}

const plain = cachePolicy(STANDARD, null, 'none');
const json = (over: Record<string, unknown>) => ({ ...JSON.parse(encodeFirstCards(cards())!), ...over });

describe('first-cards cache (a phone’s first screen)', () => {
  it('round-trips a phone’s cards in the clear for a standard workbook, under keys of their own', () => {
    const storage = memoryStorage();
    expect(saveFirstCards(storage, STANDARD, cards(), plain)).toBe(true);
    expect(loadFirstCards(storage, STANDARD, plain)).toEqual(cards());
    expect(storageKeys(storage).sort()).toEqual(['mutual-sheets:first-cards', `mutual-sheets:first-cards:${STANDARD}`]);
    expect(storage.getItem(`mutual-sheets:first-cards:${STANDARD}`)!.startsWith('1:p:')).toBe(true);
  });

  it('a phone entry and a grid entry of the same workbook are each read as their own, never as the other', () => {
    const storage = memoryStorage();
    saveFirstCards(storage, STANDARD, cards(), plain);
    expect(loadFirstScreen(storage, STANDARD, plain)).toBeNull();
    saveFirstScreen(storage, STANDARD, gridScreen(), plain);
    expect(loadFirstScreen(storage, STANDARD, plain)).toEqual(gridScreen());
    expect(loadFirstCards(storage, STANDARD, plain)).toEqual(cards());
    // each entry put where the other kind is kept: ignored
    const cardsRaw = storage.getItem(`mutual-sheets:first-cards:${STANDARD}`);
    const gridRaw = storage.getItem(`mutual-sheets:first-screen:${STANDARD}`);
    expect(decodeCardsEntry(gridRaw, STANDARD, plain)).toBeNull();
    storage.setItem(`mutual-sheets:first-screen:${STANDARD}`, cardsRaw!);
    expect(loadFirstScreen(storage, STANDARD, plain)).toBeNull();
    // "Remove from this device" forgets both
    forgetFirstScreen(storage, STANDARD);
    expect(storageKeys(storage).filter((k) => k.endsWith(STANDARD))).toEqual([]);
  });

  it('a sealed workbook’s cards hold no plain text, open with its view link too, and not as a grid entry sealed under the same key', () => {
    const storage = memoryStorage();
    const keys = newSealedWorkbookKeys();
    const edit = cachePolicy(keys.id, keys.edit, 'none');
    expect(saveFirstCards(storage, keys.id, cards(), edit)).toBe(true);
    const raw = storage.getItem(`mutual-sheets:first-cards:${keys.id}`)!;
    expect(raw.startsWith('1:x:')).toBe(true);
    const stored = storageKeys(storage).map((k) => storage.getItem(k)!).join('\n');
    for (const secret of ['Water bottles', 'Item 10', 'Street', 'Food bank', 'Needs', 'Shifts', 'Cross streets', 'Status']) expect(stored).not.toContain(secret);
    expect(loadFirstCards(storage, keys.id, cachePolicy(keys.id, keys.view, 'none'))).toEqual(cards());
    // another workbook's key, or this entry under another id: nothing
    const other = newSealedWorkbookKeys();
    expect(decodeCardsEntry(raw, keys.id, cachePolicy(other.id, other.edit, 'none'))).toBeNull();
    expect(decodeCardsEntry(raw, other.id, edit)).toBeNull();
    // the grid's sealed entry (same key, its own domain) does not open as cards
    saveFirstScreen(storage, keys.id, gridScreen(), edit);
    const gridBody = storage.getItem(`mutual-sheets:first-screen:${keys.id}`)!.slice(4);
    expect(decodeCardsEntry(`1:x:${gridBody}`, keys.id, edit)).toBeNull();
  });

  it('keeps nothing without a key or on a locked device, and a plain entry is not shown (and is dropped) once a lock is set', () => {
    const storage = memoryStorage();
    const keys = newSealedWorkbookKeys();
    expect(saveFirstCards(storage, keys.id, cards(), cachePolicy(keys.id, null, 'none'))).toBe(false);
    expect(saveFirstCards(storage, STANDARD, cards(), cachePolicy(STANDARD, null, 'locked'))).toBe(false);
    expect(storageKeys(storage)).toEqual([]);
    saveFirstCards(storage, STANDARD, cards(), plain);
    expect(loadFirstCards(storage, STANDARD, { kind: 'sealed', key: new Uint8Array(32) })).toBeNull();
    forgetPlainFirstScreens(storage);
    expect(storage.getItem(`mutual-sheets:first-cards:${STANDARD}`)).toBeNull();
  });

  it('bounds what it keeps: cards, fields, characters, and bytes, dropping the margin before the cards on screen', () => {
    const many = Array.from({ length: 100 }, (_, i) => card(i));
    const wide = cards({
      fields: Array.from({ length: 20 }, (_, j) => ({ id: `colF${String(j).padStart(4, '0')}`, name: `F${j}`, type: 'text' as const, role: 'line' as const })),
      cards: many.map((c) => ({ ...c, values: Array.from({ length: 20 }, () => 'x'.repeat(500)), low: [], computed: [19] })),
    });
    const back = parseFirstCards(JSON.parse(encodeFirstCards(wide, 20)!))!;
    expect(back.fields).toHaveLength(MAX_FIELDS);
    expect(back.cards.length).toBeLessThanOrEqual(MAX_CARDS);
    expect(back.cards.every((c) => c.values.length === MAX_FIELDS && c.values.every((v) => v.length === MAX_FIELD_CHARS) && c.computed.length === 0)).toBe(true);
    expect(new TextEncoder().encode(encodeFirstCards(wide, 20)!).length).toBeLessThanOrEqual(MAX_CARDS_BYTES);
    // the card on screen (index 20) is still there, with margin on both sides
    const ids = back.cards.map((c) => c.id);
    expect(ids).toContain(card(20).id);
    expect(ids[0]).not.toBe(card(20).id);
    expect(ids.at(-1)).not.toBe(card(20).id);
    // names and texts of four-byte characters: cards go from the margin until it fits, and it saves
    const emoji = cards({
      tabs: Array.from({ length: 50 }, (_, i) => ({ id: `s${i}`, name: '🥫'.repeat(100) })),
      cards: many.map((c) => ({ ...c, values: c.values.map(() => '🥫'.repeat(60)) })),
    });
    const kept = encodeFirstCards(emoji, 20)!;
    expect(new TextEncoder().encode(kept).length).toBeLessThanOrEqual(MAX_CARDS_BYTES);
    const fit = parseFirstCards(JSON.parse(kept))!;
    expect(fit.cards.length).toBeLessThan(MAX_CARDS);
    expect(fit.cards.map((c) => c.id)).toContain(card(20).id);
    const storage = memoryStorage();
    expect(saveFirstCards(storage, STANDARD, emoji, plain, 20)).toBe(true);
    expect(loadFirstCards(storage, STANDARD, plain)).toEqual(fit);
  });

  it('ignores malformed, other-kind and other-version entries: null, never a throw', () => {
    const bad: unknown[] = [
      null,
      'cards',
      [],
      json({ v: 2 }),
      json({ kind: 'grid' }),
      json({ kind: undefined }),
      json({ sheetId: '' }),
      json({ total: -1 }),
      json({ bar: 5000 }),
      json({ scrollTop: 'top' }),
      json({ fields: [{ id: 'colItem1', name: 'Item', type: 'nope', role: 'title' }] }),
      json({ fields: [{ id: 'colItem1', name: 'Item', type: 'text', role: 'hero' }] }),
      json({ fields: [{ id: 'colItem1', name: 'A', type: 'text', role: 'title' }, { id: 'colItem2', name: 'B', type: 'text', role: 'title' }] }),
      json({ fields: cards().fields.map((f) => ({ ...f, id: 'colItem1' })) }),
      json({ cards: [{ ...card(10), values: ['only one'] }] }),
      json({ cards: [{ ...card(10), chip: 'red;background:url(x)' }] }),
      json({ cards: [{ ...card(10), low: [3, 1] }] }),
      json({ cards: [{ ...card(10), computed: [9] }] }),
      json({ cards: [card(10), card(10)] }),
      json({ cards: [{ ...card(10), id: '../x' }] }),
      json({ cards: [{ ...card(10), top: 1e12 }] }),
      json({ cards: [{ ...card(10), values: ['x'.repeat(MAX_FIELD_CHARS + 1), '', '', ''] }] }),
      json({ total: 1 }),
    ];
    for (const b of bad) expect(parseFirstCards(b), JSON.stringify(b)?.slice(0, 120)).toBeNull();
    for (const raw of ['', '1:p:', '1:p:{', '1:p:null', `1:p:${'x'.repeat(200_000)}`, '1:x:AAAA', '0:p:{}', `2:p:${encodeFirstCards(cards())}`]) {
      expect(decodeCardsEntry(raw, STANDARD, plain), raw.slice(0, 20)).toBeNull();
    }
    expect(decodeCardsEntry(`1:p:${encodeFirstCards(cards())}`, STANDARD, plain)).toEqual(cards());
    const storage = memoryStorage();
    storage.setItem('mutual-sheets:first-cards', '{not json');
    storage.setItem(`mutual-sheets:first-cards:${STANDARD}`, '1:p:{"v":1}');
    expect(loadFirstCards(storage, STANDARD, plain)).toBeNull();
    expect(loadFirstCards(storage, 'not an id!', plain)).toBeNull();
    // a list that does not read is replaced by a good one at the next save
    expect(saveFirstCards(storage, STANDARD, cards(), plain)).toBe(true);
    expect(JSON.parse(storage.getItem('mutual-sheets:first-cards')!)).toEqual([STANDARD]);
  });
});
