import { COLUMN_TYPES, type ColumnType } from '../model/types.js';
import { isValidId } from '../model/ids.js';
import {
  CARDS_KIND,
  MAX_NAME_CHARS,
  MAX_TABS,
  WORKBOOK_ID,
  closeEntry,
  count,
  isObject,
  loadEntry,
  openEntry,
  parseJson,
  parseTabs,
  px,
  saveEntry,
  text,
  type CachePolicy,
} from './first-screen-cache.js';

/**
 * A phone's first screen, kept from last time (issue 18): the cards `<row-cards>` showed, so a
 * returning phone paints them at once (`<first-cards>`) while the doc is read. The grid's first
 * screen's store and policies (first-screen-cache.ts), as a kind of its own: its own keys, version
 * tag and encryption domain, so a device that has been both widths never reads one for the other.
 *
 *   `mutual-sheets:first-cards:<id>`  "1:p:" ‖ JSON, or "1:x:" ‖ b64u(nonce ‖ XChaCha20-Poly1305(the
 *                                     first-screen key, nonce, JSON padded, AAD = "mutual-sheets/first-cards v1\0" ‖ id))
 *   `mutual-sheets:first-cards`       the ids, newest first, at most 20
 */

/** Cards kept: those on screen and about a screen of margin. */
export const MAX_CARDS = 40;
/** Fields a card shows at most (the card-fields dialog picks a handful). */
export const MAX_FIELDS = 12;
/** A field's text is one line on a card: longer text is cut to this. */
export const MAX_FIELD_CHARS = 120;
export const MAX_CARDS_BYTES = CARDS_KIND.maxBytes;
const ROLES = ['title', 'status', 'line', 'claim', 'counter'] as const;
export type FieldRole = (typeof ROLES)[number];
/** A status chip's colour, as the card shows it (safe-style.ts `safeColor`'s form). */
const COLOR = /^#[0-9a-fA-F]{6}$/;

export interface CardField {
  /** the column's id in the doc */
  id: string;
  name: string;
  type: ColumnType;
  /** where it goes on the card (phone/card-list.ts `cardLayout`) */
  role: FieldRole;
}

export interface CachedCard {
  /** the row's id in the doc: a tap on its card opens this row's form once the cards are live */
  id: string;
  /** the row's number, as the card shows it */
  n: number;
  /** where the card is in the list, and its height, in px: a card with a conflict is taller */
  top: number;
  height: number;
  /** each field's text, in the order of `fields` */
  values: string[];
  /** the fields (indices) shown as a formula's result */
  computed: number[];
  /** the counter fields (indices) flagged low in stock */
  low: number[];
  /** the status chip's colour, '' when it has none */
  chip: string;
}

export interface FirstCards {
  sheetId: string;
  sheetName: string;
  title: string;
  tabs: { id: string; name: string }[];
  fields: CardField[];
  /** cards in the list (after the phone's filters), for the count */
  total: number;
  /** the list's scroll height in px, so it scrolls to where it was */
  height: number;
  cards: CachedCard[];
  scrollTop: number;
  /** the cards' bar (Mine, Filters, search) in px, so the list lands where the live one is */
  bar: number;
}

const TYPES: ReadonlySet<string> = new Set(COLUMN_TYPES);
const ROLE_SET: ReadonlySet<string> = new Set(ROLES);
/** Ascending indices into `fields`, each once. */
const indices = (x: unknown, fields: number): x is number[] =>
  Array.isArray(x) && x.length <= fields && x.every((j, k) => count(j, fields - 1) && (k === 0 || j > (x[k - 1] as number)));

/** A decoded value exactly as encodeFirstCards writes it, or null. */
export function parseFirstCards(value: unknown): FirstCards | null {
  if (!isObject(value) || value.v !== CARDS_KIND.version || value.kind !== 'cards') return null;
  const { sheetId, sheetName, title, tabs, fields, total, height, cards, scrollTop, bar } = value;
  if (!text(sheetId, MAX_NAME_CHARS) || !sheetId || !text(sheetName, MAX_NAME_CHARS) || !text(title, MAX_NAME_CHARS)) return null;
  if (!count(total) || !px(height) || !px(scrollTop) || !px(bar) || bar > 1000) return null;
  const outTabs = parseTabs(tabs);
  if (!outTabs || !Array.isArray(fields) || fields.length > MAX_FIELDS || !Array.isArray(cards) || cards.length > MAX_CARDS) return null;
  const outFields: CardField[] = [];
  for (const f of fields) {
    if (!isObject(f) || !isValidId(f.id) || !text(f.name, MAX_NAME_CHARS) || typeof f.type !== 'string' || !TYPES.has(f.type) || typeof f.role !== 'string' || !ROLE_SET.has(f.role)) return null;
    outFields.push({ id: f.id, name: f.name, type: f.type as ColumnType, role: f.role as FieldRole });
  }
  // A card has one title and one status at most, as cardLayout makes it.
  if (outFields.filter((f) => f.role === 'title').length > 1 || outFields.filter((f) => f.role === 'status').length > 1) return null;
  const outCards: CachedCard[] = [];
  for (const c of cards) {
    if (!isObject(c) || !isValidId(c.id) || !count(c.n) || !px(c.top) || !px(c.height) || c.top + c.height > height) return null;
    if (!Array.isArray(c.values) || c.values.length !== outFields.length || !c.values.every((v) => text(v, MAX_FIELD_CHARS))) return null;
    if (!indices(c.computed, outFields.length) || !indices(c.low, outFields.length) || typeof c.chip !== 'string' || (c.chip !== '' && !COLOR.test(c.chip))) return null;
    outCards.push({ id: c.id, n: c.n, top: c.top, height: c.height, values: [...(c.values as string[])], computed: [...c.computed], low: [...c.low], chip: c.chip });
  }
  // A row twice would open one card's form for a tap on another.
  if (new Set(outFields.map((f) => f.id)).size !== outFields.length || new Set(outCards.map((c) => c.id)).size !== outCards.length) return null;
  if (outCards.length > total) return null;
  return { sheetId, sheetName, title, tabs: outTabs, fields: outFields, total, height, cards: outCards, scrollTop, bar };
}

const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);
const utf8 = new TextEncoder();

/**
 * The JSON kept for a phone's first cards: names and texts clipped, at most MAX_CARDS cards of
 * MAX_FIELDS fields, and cards dropped from the far ends of the margin (those from card `onScreen`
 * on last) until it fits in MAX_CARDS_BYTES. Null when even one card does not fit.
 */
export function encodeFirstCards(screen: FirstCards, onScreen = 0): string | null {
  const fields = screen.fields.slice(0, MAX_FIELDS);
  const cards = screen.cards.slice(0, MAX_CARDS).map((c) => ({
    id: c.id,
    n: c.n,
    top: c.top,
    height: c.height,
    values: c.values.slice(0, fields.length).map((v) => clip(v, MAX_FIELD_CHARS)),
    computed: c.computed.filter((j) => j < fields.length),
    low: c.low.filter((j) => j < fields.length),
    chip: c.chip,
  }));
  let first = 0;
  for (;;) {
    const json = JSON.stringify({
      v: CARDS_KIND.version,
      kind: 'cards',
      sheetId: screen.sheetId,
      sheetName: clip(screen.sheetName, MAX_NAME_CHARS),
      title: clip(screen.title, MAX_NAME_CHARS),
      tabs: screen.tabs.slice(0, MAX_TABS).map((t) => ({ id: t.id, name: clip(t.name, MAX_NAME_CHARS) })),
      fields: fields.map((f) => ({ id: f.id, name: clip(f.name, MAX_NAME_CHARS), type: f.type, role: f.role })),
      total: screen.total,
      height: screen.height,
      cards,
      scrollTop: screen.scrollTop,
      bar: screen.bar,
    });
    if (utf8.encode(json).length <= MAX_CARDS_BYTES) return json;
    if (cards.length <= 1) return null;
    // The cards on screen stay longest: the margin above them goes only as far as the margin below.
    if (cards.length - (onScreen - first) > onScreen - first) cards.pop();
    else {
      cards.shift();
      first++;
    }
  }
}

/** A stored entry's first cards, or null: another kind or version, malformed, too big, or not opening with this policy's key. */
export function decodeCardsEntry(raw: string | null, workbookId: string, policy: CachePolicy): FirstCards | null {
  return parseJson(openEntry(CARDS_KIND, raw, workbookId, policy), parseFirstCards);
}

/** The first cards kept for a workbook, or null. Never throws. */
export function loadFirstCards(storage: Storage, workbookId: string, policy: CachePolicy): FirstCards | null {
  return decodeCardsEntry(loadEntry(storage, CARDS_KIND, workbookId), workbookId, policy);
}

/** Keeps a workbook's first cards (first-screen-cache.ts `saveEntry`): false, storage as it was, when not kept. */
export function saveFirstCards(storage: Storage, workbookId: string, screen: FirstCards, policy: CachePolicy, onScreen?: number): boolean {
  if (!WORKBOOK_ID.test(workbookId)) return false;
  const json = policy.kind === 'none' ? null : encodeFirstCards(screen, onScreen);
  return saveEntry(storage, CARDS_KIND, workbookId, json === null ? null : closeEntry(CARDS_KIND, json, workbookId, policy), policy);
}
