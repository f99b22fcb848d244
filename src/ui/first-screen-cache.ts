import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64url, concatBytes, fromBase64url, sealedContentKey, sealedViewKey, signedViewKey, type Credential } from '../protocol/access.js';
import { SEALED_ID } from '../protocol/sealed.js';
import { COLUMN_TYPES, type ColumnType } from '../model/types.js';
import { MAX_COLUMN_WIDTH, MIN_COLUMN_WIDTH } from '../model/workbook.js';
import { isValidId } from '../model/ids.js';
import type { LockState } from './device-profile.js';

/**
 * The first screen of a workbook, kept from last time (issue 18): what the grid showed, so a
 * returning device paints it at once while the whole doc is still being read and applied, and
 * the live grid replaces it when the doc is in. It is only a cache: anything that does not read
 * back exactly as this module writes it is ignored (the ordinary "Opening…" shows instead).
 *
 * localStorage (read synchronously at startup, which is the point):
 *   `mutual-sheets:first-screen:<id>`  one entry, "2:p:" ‖ JSON, or "2:x:" ‖ b64u(nonce ‖ box)
 *   `mutual-sheets:first-screen`       JSON array of ids, the newest first, at most MAX_WORKBOOKS
 * and, a kind of its own with the same store and policies (KeptKind), a phone's first cards
 * (first-cards-cache.ts) under `mutual-sheets:first-cards:<id>` / `mutual-sheets:first-cards`.
 *
 * Sealed workbooks (and every workbook once a device lock is set) never store plain text:
 *   key = HKDF-SHA256(ikm, salt "mutual-sheets/first-screen v1", info "first screen key", 32)
 *         ikm = the sealed content key (sealedContentKey), or for a signed `s…` workbook the
 *         UTF-8 of its view key: the same for its edit and view links
 *   box = XChaCha20-Poly1305(key, nonce (24 random bytes, fresh per save),
 *         JSON padded with spaces to a multiple of 256 bytes, AAD = "mutual-sheets/first-screen v1\0" ‖ id)
 */

/** 2: rows and columns carry their ids, columns whether they are computed, rows which cells hold a formula (editing, first-screen-edits.ts). */
export const FIRST_SCREEN_VERSION = 2;
/** Rows and columns kept: the window on screen and about a screen of margin, no more. */
export const MAX_ROWS = 80;
export const MAX_COLUMNS = 30;
/** The encoded entry (JSON before encryption) is at most this many bytes. */
export const MAX_ENCODED_BYTES = 64 * 1024;
/** Workbooks whose first screen is kept; the least recently saved goes first. */
export const MAX_WORKBOOKS = 20;
/** A cell's text is clipped on screen anyway: longer text is cut to this. */
export const MAX_CELL_CHARS = 200;
export const MAX_NAME_CHARS = 200;
export const MAX_TABS = 50;
const MAX_COUNT = 10_000_000;
const MAX_PX = 1e9;
const PAD = 256;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;

const PREFIX = 'mutual-sheets:first-screen';
/** Workbook ids as the app makes them (and the hub's room names): anything else is not one of ours. */
export const WORKBOOK_ID = /^[A-Za-z0-9_.-]{1,100}$/;

const utf8 = new TextEncoder();
const KEY_SALT = utf8.encode('mutual-sheets/first-screen v1');
const KEY_INFO = utf8.encode('first screen key');
const AD_DOMAIN = utf8.encode('mutual-sheets/first-screen v1\0');

export interface CachedColumn {
  /** the column's id in the doc: an edit typed here names it */
  id: string;
  name: string;
  width: number;
  type: ColumnType;
  /** every row shows the column formula's result: nothing can be typed in it */
  computed: boolean;
}

export interface CachedRow {
  /** the row's id in the doc: an edit typed here names it */
  id: string;
  /** the row's number as the grid shows it (a filtered view keeps each row's own number) */
  n: number;
  /** the shown text of each cached column, in order */
  cells: string[];
  /** the cached columns (indices into `cells`) whose cell holds a formula of its own: shown as its result, edited only once open */
  f: number[];
}

export interface FirstScreen {
  sheetId: string;
  sheetName: string;
  title: string;
  tabs: { id: string; name: string }[];
  /** the sheet's size as shown (rows after the person's filter), for the scroll extent and the footer */
  totalRows: number;
  totalCols: number;
  /** the cached columns are [colFrom, colFrom + columns.length); `left` / `right` px are the widths outside them */
  colFrom: number;
  left: number;
  right: number;
  columns: CachedColumn[];
  /** the cached rows are [rowFrom, rowFrom + rows.length) */
  rowFrom: number;
  rows: CachedRow[];
  scrollTop: number;
  scrollLeft: number;
  /** the grid's toolbar height in px, so the rows land where the live grid puts them */
  bar: number;
  active: { row: number; col: number };
}

/** How a workbook's first screen may be kept: in the clear, encrypted under `key`, or not at all. */
export type CachePolicy = { kind: 'plain' } | { kind: 'sealed'; key: Uint8Array } | { kind: 'none' };

function keyFrom(ikm: Uint8Array): Uint8Array {
  return hkdf(sha256, ikm, KEY_SALT, KEY_INFO, 32);
}

/** The cache key a credential gives for a workbook, or null (no credential, or an id kind with no view key). */
export function firstScreenKey(workbookId: string, credential: Credential | null): Uint8Array | null {
  if (!credential) return null;
  try {
    if (SEALED_ID.test(workbookId)) {
      const viewKey = credential.role === 'edit' ? sealedViewKey(credential.editKey) : credential.viewKey;
      return keyFrom(sealedContentKey(viewKey));
    }
    if (/^s[A-Za-z0-9_-]{43}$/.test(workbookId)) {
      const viewKey = credential.role === 'edit' ? signedViewKey(credential.editKey) : credential.viewKey;
      return keyFrom(utf8.encode(viewKey));
    }
  } catch {
    // a credential that derives nothing: no cache for it
  }
  return null;
}

/**
 * Sealed workbooks are encrypted, always; with a device lock set (locked or not) every
 * workbook is, and one with no key to encrypt under is not kept; a locked device keeps and
 * shows none (its keys cannot be read). A standard workbook on a device without a lock is
 * kept in the clear: its IndexedDB copy is plain anyway.
 */
export function cachePolicy(workbookId: string, credential: Credential | null, lock: LockState): CachePolicy {
  if (lock === 'locked') return { kind: 'none' };
  if (SEALED_ID.test(workbookId) || lock === 'unlocked') {
    const key = firstScreenKey(workbookId, credential);
    return key ? { kind: 'sealed', key } : { kind: 'none' };
  }
  return { kind: 'plain' };
}

// ── the codec ───────────────────────────────────────────────────────────────

// The readers' checks, shared with the phone's first cards (first-cards-cache.ts).
export const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
export const count = (x: unknown, max = MAX_COUNT): x is number => Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) <= max;
export const px = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= MAX_PX;
export const text = (x: unknown, max: number): x is string => typeof x === 'string' && x.length <= max;
/**
 * An object with exactly these keys: the writer writes all of them and nothing else. A field
 * added later comes with a new version (the entry's tag and `v`), so an older reader never meets
 * one in an entry it would read: an extra key is a hand-edited or foreign entry, ignored.
 */
export const exactly = (x: unknown, keys: readonly string[]): x is Record<string, unknown> => {
  if (!isObject(x)) return false;
  const own = Object.keys(x);
  return own.length === keys.length && keys.every((k) => own.includes(k));
};
const SCREEN_KEYS = ['v', 'sheetId', 'sheetName', 'title', 'tabs', 'totalRows', 'totalCols', 'colFrom', 'left', 'right', 'columns', 'rowFrom', 'rows', 'scrollTop', 'scrollLeft', 'bar', 'active'] as const;
const COLUMN_KEYS = ['id', 'name', 'width', 'type', 'computed'] as const;
const ROW_KEYS = ['id', 'n', 'cells', 'f'] as const;
/** A sheet's tabs as kept: each an id and a name, at most MAX_TABS; null when not. */
export function parseTabs(tabs: unknown): { id: string; name: string }[] | null {
  if (!Array.isArray(tabs) || tabs.length > MAX_TABS) return null;
  const out: { id: string; name: string }[] = [];
  for (const tab of tabs) {
    if (!exactly(tab, ['id', 'name']) || !text(tab.id, MAX_NAME_CHARS) || !text(tab.name, MAX_NAME_CHARS)) return null;
    out.push({ id: tab.id, name: tab.name });
  }
  return out;
}
const TYPES: ReadonlySet<string> = new Set(COLUMN_TYPES);

/** A decoded value exactly as encodeFirstScreen writes it, or null. */
export function parseFirstScreen(value: unknown): FirstScreen | null {
  if (!exactly(value, SCREEN_KEYS) || value.v !== FIRST_SCREEN_VERSION) return null;
  const { sheetId, sheetName, title, tabs, totalRows, totalCols, colFrom, left, right, columns, rowFrom, rows, scrollTop, scrollLeft, bar, active } = value;
  if (!text(sheetId, MAX_NAME_CHARS) || !sheetId || !text(sheetName, MAX_NAME_CHARS) || !text(title, MAX_NAME_CHARS)) return null;
  if (!count(totalRows) || !count(totalCols) || !count(colFrom) || !count(rowFrom) || !px(left) || !px(right)) return null;
  if (!px(scrollTop) || !px(scrollLeft) || !px(bar) || bar > 1000) return null;
  const outTabs = parseTabs(tabs);
  if (!outTabs || !Array.isArray(columns) || columns.length > MAX_COLUMNS || !Array.isArray(rows) || rows.length > MAX_ROWS) return null;
  const outCols: CachedColumn[] = [];
  for (const c of columns) {
    if (!exactly(c, COLUMN_KEYS) || !isValidId(c.id) || !text(c.name, MAX_NAME_CHARS) || typeof c.type !== 'string' || !TYPES.has(c.type) || typeof c.computed !== 'boolean') return null;
    if (typeof c.width !== 'number' || !(c.width >= MIN_COLUMN_WIDTH && c.width <= MAX_COLUMN_WIDTH)) return null;
    outCols.push({ id: c.id, name: c.name, width: c.width, type: c.type as ColumnType, computed: c.computed });
  }
  const outRows: CachedRow[] = [];
  for (const r of rows) {
    // A row's number is its own in the sheet (a filtered view keeps it): at least 1, not bounded by the rows shown.
    if (!exactly(r, ROW_KEYS) || !isValidId(r.id) || !count(r.n) || r.n < 1 || !Array.isArray(r.cells) || r.cells.length !== outCols.length) return null;
    if (!r.cells.every((c) => text(c, MAX_CELL_CHARS))) return null;
    const f = r.f;
    if (!Array.isArray(f) || f.length > outCols.length || !f.every((j, k) => count(j, outCols.length - 1) && (k === 0 || j > (f[k - 1] as number)))) return null;
    outRows.push({ id: r.id, n: r.n, cells: [...(r.cells as string[])], f: [...(f as number[])] });
  }
  // An id twice would make an edit typed in one cell land in another's.
  if (new Set(outCols.map((c) => c.id)).size !== outCols.length || new Set(outRows.map((r) => r.id)).size !== outRows.length) return null;
  if (colFrom + outCols.length > totalCols || rowFrom + outRows.length > totalRows) return null;
  // The chosen cell is one of the sheet's (row 0, column 0 in an empty one), kept or not.
  if (!exactly(active, ['row', 'col']) || !count(active.row, Math.max(0, totalRows - 1)) || !count(active.col, Math.max(0, totalCols - 1))) return null;
  return {
    sheetId,
    sheetName,
    title,
    tabs: outTabs,
    totalRows,
    totalCols,
    colFrom,
    left,
    right,
    columns: outCols,
    rowFrom,
    rows: outRows,
    scrollTop,
    scrollLeft,
    bar,
    active: { row: active.row, col: active.col },
  };
}

const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);

/**
 * The JSON kept for a first screen: names and texts clipped, at most MAX_ROWS × MAX_COLUMNS, and
 * rows dropped from the far ends of the margin (those from row `onScreen` on last) until it fits
 * in MAX_ENCODED_BYTES. Null when even one row does not fit.
 */
export function encodeFirstScreen(screen: FirstScreen, onScreen = screen.rowFrom): string | null {
  const cols = screen.columns.slice(0, MAX_COLUMNS);
  const rows = screen.rows
    .slice(0, MAX_ROWS)
    .map((r) => ({ id: r.id, n: r.n, cells: r.cells.slice(0, cols.length).map((c) => clip(c, MAX_CELL_CHARS)), f: r.f.filter((j) => j < cols.length) }));
  let rowFrom = screen.rowFrom;
  for (;;) {
    const json = JSON.stringify({
      v: FIRST_SCREEN_VERSION,
      sheetId: screen.sheetId,
      sheetName: clip(screen.sheetName, MAX_NAME_CHARS),
      title: clip(screen.title, MAX_NAME_CHARS),
      tabs: screen.tabs.slice(0, MAX_TABS).map((t) => ({ id: t.id, name: clip(t.name, MAX_NAME_CHARS) })),
      totalRows: screen.totalRows,
      totalCols: screen.totalCols,
      colFrom: screen.colFrom,
      left: screen.left,
      right: screen.right,
      columns: cols.map((c) => ({ id: c.id, name: clip(c.name, MAX_NAME_CHARS), width: c.width, type: c.type, computed: c.computed })),
      rowFrom,
      rows,
      scrollTop: screen.scrollTop,
      scrollLeft: screen.scrollLeft,
      bar: screen.bar,
      active: screen.active,
    });
    if (utf8.encode(json).length <= MAX_ENCODED_BYTES) return json;
    if (rows.length <= 1) return null;
    // The rows on screen stay longest: the margin above them goes only as far as the margin below.
    if (rowFrom + rows.length - onScreen > onScreen - rowFrom) rows.pop();
    else {
      rows.shift();
      rowFrom++;
    }
  }
}

/**
 * One kind of entry kept from last time: the grid's first screen here, the phone's first cards
 * (first-cards-cache.ts). Each has its keys, its version tag and its encryption domain, so an
 * entry of one kind is never read as the other (a device can be both widths), and the same
 * policies, store, list and eviction.
 */
export interface KeptKind {
  /** `<prefix>:<id>` holds an entry, `<prefix>` the list of ids, newest first */
  prefix: string;
  /** the entry's version, its first characters: "<version>:p:" plain, "<version>:x:" sealed */
  version: number;
  /** the AAD's domain when sealed */
  domain: Uint8Array;
  /** the JSON, before padding and encryption, is at most this many bytes */
  maxBytes: number;
}

const GRID: KeptKind = { prefix: PREFIX, version: FIRST_SCREEN_VERSION, domain: AD_DOMAIN, maxBytes: MAX_ENCODED_BYTES };

/** The phone's first cards (first-cards-cache.ts): their own keys and domain, the same first-screen key. */
export const CARDS_KIND: KeptKind = { prefix: 'mutual-sheets:first-cards', version: 1, domain: utf8.encode('mutual-sheets/first-cards v1\0'), maxBytes: 32 * 1024 };

const plainTag = (kind: KeptKind) => `${kind.version}:p:`;
const sealedTag = (kind: KeptKind) => `${kind.version}:x:`;
/** What a stored entry can be at most: the sealed form of maxBytes (padded), in base64url. */
const maxStored = (kind: KeptKind) => Math.ceil(((kind.maxBytes + PAD + NONCE_BYTES + TAG_BYTES) * 4) / 3) + 8;

/** A stored entry's JSON text, or null: another kind or version, too big, or not opening with this policy's key. */
export function openEntry(kind: KeptKind, raw: string | null, workbookId: string, policy: CachePolicy): string | null {
  if (typeof raw !== 'string' || raw.length > maxStored(kind) || policy.kind === 'none') return null;
  let json: string;
  if (raw.startsWith(plainTag(kind))) {
    // With a key to use, a plain entry is one written before the lock was set: not shown.
    if (policy.kind !== 'plain') return null;
    json = raw.slice(plainTag(kind).length);
  } else if (raw.startsWith(sealedTag(kind))) {
    if (policy.kind !== 'sealed') return null;
    const opened = openSealed(policy.key, kind.domain, workbookId, raw.slice(sealedTag(kind).length));
    if (opened === null) return null;
    json = opened;
  } else {
    return null;
  }
  return utf8.encode(json).length > kind.maxBytes + PAD ? null : json;
}

/** The stored form of an entry's JSON under a policy, or null when it is not to be kept. */
export function closeEntry(kind: KeptKind, json: string, workbookId: string, policy: CachePolicy): string | null {
  if (policy.kind === 'none') return null;
  if (policy.kind === 'plain') return plainTag(kind) + json;
  return sealedTag(kind) + seal(policy.key, kind.domain, workbookId, json);
}

/** JSON text parsed by `parse`, or null when it is not JSON or not what `parse` accepts. */
export function parseJson<T>(json: string | null, parse: (value: unknown) => T | null): T | null {
  if (json === null) return null;
  try {
    return parse(JSON.parse(json));
  } catch {
    return null;
  }
}

/** A stored entry's first screen, or null: another version, malformed, too big, or not opening with this policy's key. */
export function decodeEntry(raw: string | null, workbookId: string, policy: CachePolicy): FirstScreen | null {
  return parseJson(openEntry(GRID, raw, workbookId, policy), parseFirstScreen);
}

/** The stored form of a first screen under a policy, or null when it is not to be kept. */
export function encodeEntry(screen: FirstScreen, workbookId: string, policy: CachePolicy, onScreen?: number): string | null {
  if (policy.kind === 'none') return null;
  const json = encodeFirstScreen(screen, onScreen);
  return json === null ? null : closeEntry(GRID, json, workbookId, policy);
}

/**
 * `json` sealed for a workbook: b64u(nonce ‖ XChaCha20-Poly1305(key, nonce, json padded with spaces
 * to a multiple of 256 bytes, AAD = domain ‖ id)). Padded, so its length says little about how much
 * text it holds. Shared with the queue of edits typed in the first screen (first-screen-edits.ts),
 * under a domain of its own, so neither can be passed off as the other.
 */
export function seal(key: Uint8Array, domain: Uint8Array, workbookId: string, json: string): string {
  const body = utf8.encode(json);
  const padded = new Uint8Array(Math.ceil((body.length + 1) / PAD) * PAD).fill(0x20);
  padded.set(body);
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const box = xchacha20poly1305(key, nonce, concatBytes(domain, utf8.encode(workbookId))).encrypt(padded);
  return base64url(concatBytes(nonce, box));
}

/** What `seal` sealed under this key, domain and id, or null (another key, id or domain, tampered, not UTF-8). */
export function openSealed(key: Uint8Array, domain: Uint8Array, workbookId: string, sealed: string): string | null {
  const bytes = fromBase64url(sealed);
  if (!bytes || bytes.length < NONCE_BYTES + TAG_BYTES) return null;
  try {
    const plain = xchacha20poly1305(key, bytes.subarray(0, NONCE_BYTES), concatBytes(domain, utf8.encode(workbookId))).decrypt(bytes.subarray(NONCE_BYTES));
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    return null;
  }
}

// ── the store ───────────────────────────────────────────────────────────────

const KINDS: readonly KeptKind[] = [GRID, CARDS_KIND];

function readIndex(storage: Storage, kind: KeptKind): string[] {
  try {
    const raw = storage.getItem(kind.prefix);
    const list: unknown = raw ? JSON.parse(raw) : [];
    if (!Array.isArray(list)) return [];
    return list.filter((x): x is string => typeof x === 'string' && WORKBOOK_ID.test(x)).slice(0, MAX_WORKBOOKS * 2);
  } catch {
    return [];
  }
}

/** A workbook's stored entry of this kind, as stored, or null. Never throws. */
export function loadEntry(storage: Storage, kind: KeptKind, workbookId: string): string | null {
  if (!WORKBOOK_ID.test(workbookId)) return null;
  try {
    return storage.getItem(`${kind.prefix}:${workbookId}`);
  } catch {
    return null;
  }
}

/** The first screen kept for a workbook, or null. Never throws. */
export function loadFirstScreen(storage: Storage, workbookId: string, policy: CachePolicy): FirstScreen | null {
  return decodeEntry(loadEntry(storage, GRID, workbookId), workbookId, policy);
}

/**
 * Keeps a workbook's first screen and moves it to the front of the list, dropping the least
 * recently saved past MAX_WORKBOOKS. False, with storage as it was, when it is not to be kept
 * or storage refuses (full, or disabled): only a cache, nothing is lost.
 */
export function saveFirstScreen(storage: Storage, workbookId: string, screen: FirstScreen, policy: CachePolicy, onScreen?: number): boolean {
  if (!WORKBOOK_ID.test(workbookId)) return false;
  return saveEntry(storage, GRID, workbookId, policy.kind === 'none' ? null : encodeEntry(screen, workbookId, policy, onScreen), policy);
}

/**
 * Stores an entry of this kind (`closeEntry`'s), as saveFirstScreen does; under a policy that
 * keeps none, forgets the workbook's entry of this kind instead.
 */
export function saveEntry(storage: Storage, kind: KeptKind, workbookId: string, entry: string | null, policy: CachePolicy): boolean {
  if (!WORKBOOK_ID.test(workbookId)) return false;
  if (policy.kind === 'none') {
    forgetEntry(storage, kind, workbookId);
    return false;
  }
  if (entry === null) return false;
  const key = `${kind.prefix}:${workbookId}`;
  const index = readIndex(storage, kind);
  const next = [workbookId, ...index.filter((id) => id !== workbookId)];
  const evicted = next.splice(MAX_WORKBOOKS);
  let before: string | null = null;
  let indexBefore: string | null = null;
  try {
    before = storage.getItem(key);
    indexBefore = storage.getItem(kind.prefix);
  } catch {
    return false;
  }
  try {
    storage.setItem(key, entry);
  } catch {
    return false;
  }
  try {
    storage.setItem(kind.prefix, JSON.stringify(next));
  } catch {
    // The entry went in but the list did not: put the entry back as it was, so nothing is kept unlisted.
    try {
      if (before === null) storage.removeItem(key);
      else storage.setItem(key, before);
      if (indexBefore !== null) storage.setItem(kind.prefix, indexBefore);
    } catch {
      // storage refuses even that: the next save or removal tidies it
    }
    return false;
  }
  for (const id of evicted) {
    try {
      storage.removeItem(`${kind.prefix}:${id}`);
    } catch {
      // refused: the entry is unlisted, and read again only if its workbook saves over it
    }
  }
  return true;
}

function forgetEntry(storage: Storage, kind: KeptKind, workbookId: string): void {
  try {
    storage.removeItem(`${kind.prefix}:${workbookId}`);
    const index = readIndex(storage, kind);
    if (index.includes(workbookId)) storage.setItem(kind.prefix, JSON.stringify(index.filter((id) => id !== workbookId)));
  } catch {
    // storage refused: nothing more this device can do
  }
}

/** Forgets a workbook's first screen and first cards (removing it from this device, or a policy that keeps none). */
export function forgetFirstScreen(storage: Storage, workbookId: string): void {
  for (const kind of KINDS) forgetEntry(storage, kind, workbookId);
}

/**
 * Forgets every first screen and first cards kept in the clear: a device lock was set, and no
 * workbook's text may stay readable. Every key of each kind is looked at, not only the listed ids:
 * an entry can be left unlisted (an eviction storage refused, a failed rollback, an id past the list).
 */
export function forgetPlainFirstScreens(storage: Storage): void {
  for (const kind of KINDS) {
    const entryPrefix = `${kind.prefix}:`;
    const plain: string[] = [];
    try {
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i);
        // an entry of an older version too: never shown, and its text must not stay readable
        if (key?.startsWith(entryPrefix) && storage.getItem(key)?.startsWith(sealedTag(kind)) !== true) plain.push(key.slice(entryPrefix.length));
      }
    } catch {
      // storage refused to be read: what was found so far still goes
    }
    for (const id of plain) {
      try {
        storage.removeItem(entryPrefix + id);
      } catch {
        // storage refused: nothing more this device can do
      }
    }
    const index = readIndex(storage, kind);
    const kept = index.filter((id) => !plain.includes(id));
    try {
      if (kept.length !== index.length) storage.setItem(kind.prefix, JSON.stringify(kept));
    } catch {
      // the list names an entry that is gone: it reads as absent
    }
  }
}
