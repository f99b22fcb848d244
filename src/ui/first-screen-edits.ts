import { isValidId } from '../model/ids.js';
import { MAX_TEXT_LENGTH } from '../model/values.js';
import type { Credential } from '../protocol/access.js';
import type { LockState } from './device-profile.js';
import { WORKBOOK_ID, cachePolicy, firstScreenKey, openSealed, seal, type CachePolicy } from './first-screen-cache.js';

/**
 * Edits typed in the first screen (issue 18), kept until the doc is in and they can be written
 * as ordinary edits (workbook-view.ts at the handover, through grid/editing.ts `writeTyped`).
 * The queue is the only copy of what was typed until then, so every commit writes it to
 * localStorage synchronously, and an edit storage refuses is not taken (the editor stays open).
 *
 * localStorage: `mutual-sheets:first-screen-edits:<id>:<page>`, one queue per page load that typed
 * (`newPageQueue`), so two tabs typing at once never write the same entry: localStorage has no lock
 * across tabs, and each tab's read of it can lag another's write by a moment, so one shared entry
 * read, appended and written by both would keep only the last. `…:<id>` alone is the single queue
 * of earlier versions, still read and taken. Each entry is
 * "1:p:" ‖ JSON, or "1:x:" ‖ b64u(nonce ‖ box),
 * under the same policy as the first screen kept for the workbook (first-screen-cache.ts): plain
 * for a standard workbook, sealed under the first-screen key (HKDF of its content or view key)
 * with AAD = "mutual-sheets/first-screen-edits v1\0" ‖ id for a sealed workbook or on a device
 * with a lock, and none at all (editing refused) when there is no key to seal under.
 * JSON = {v: 1, edits: [{sheetId, rowId, colId, cell, text, at}]}, at most MAX_EDITS edits and
 * MAX_QUEUE_BYTES bytes.
 */

export const EDITS_VERSION = 1;
/** Edits that may wait at once: past it the next one is refused, in words. */
export const MAX_EDITS = 500;
/** The queue's JSON at most (before sealing): well inside localStorage's few megabytes. */
export const MAX_QUEUE_BYTES = 256 * 1024;
const MAX_CELL_LABEL = 20;
const PAD = 256;

const PREFIX = 'mutual-sheets:first-screen-edits:';
/** A page's queue of a workbook, or (no page) the single queue earlier versions kept. */
export const editsKey = (id: string, page?: string) => (page ? `${PREFIX}${id}:${page}` : `${PREFIX}${id}`);
const PAGE = /^[A-Za-z0-9_-]{1,32}$/;

/** A new page load's own queue name: random, so no two tabs (or reloads) share one. */
export function newPageQueue(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Where a stored key's queue belongs: its workbook, and its page ('' for the older single queue); null when it is no queue's key. */
function queueOf(key: string | null): { id: string; page: string } | null {
  if (!key?.startsWith(PREFIX)) return null;
  const [id, page, ...rest] = key.slice(PREFIX.length).split(':');
  if (rest.length || !WORKBOOK_ID.test(id) || (page !== undefined && !PAGE.test(page))) return null;
  return { id, page: page ?? '' };
}

/** Every queue of `workbookId` in storage, each page's and the older single one ([] when storage cannot be listed). */
function queueKeys(storage: Storage, workbookId: string): { key: string; page: string }[] {
  const keys: { key: string; page: string }[] = [];
  try {
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      const queue = queueOf(key);
      if (key && queue?.id === workbookId) keys.push({ key, page: queue.page });
    }
  } catch {
    return [];
  }
  return keys;
}
const PLAIN = `${EDITS_VERSION}:p:`;
const SEALED = `${EDITS_VERSION}:x:`;
const utf8 = new TextEncoder();
const AD_DOMAIN = utf8.encode('mutual-sheets/first-screen-edits v1\0');
/** The sealed form of MAX_QUEUE_BYTES (padded, nonce and tag), in base64url, and the prefix. */
const MAX_STORED_CHARS = Math.ceil(((MAX_QUEUE_BYTES + 2 * PAD + 40) * 4) / 3) + 8;

export interface PendingEdit {
  sheetId: string;
  rowId: string;
  colId: string;
  /** where it was typed, as the first screen named it ("B12"): said if it cannot be applied */
  cell: string;
  /** what was typed, exactly; '' clears the cell */
  text: string;
  /** when it was typed (ms since the epoch) */
  at: number;
}

/**
 * How a workbook's queue is kept (`policy`, as its first screen is), and the key it may have been
 * sealed under before (a lock removed since leaves a sealed queue that must still open).
 */
export interface EditsAccess {
  policy: CachePolicy;
  key: Uint8Array | null;
}

export function editsAccess(workbookId: string, credential: Credential | null, lock: LockState): EditsAccess {
  const policy = cachePolicy(workbookId, credential, lock);
  return { policy, key: policy.kind === 'sealed' ? policy.key : lock === 'locked' ? null : firstScreenKey(workbookId, credential) };
}

export type KeepResult = { ok: true; edits: PendingEdit[] } | { ok: false; reason: 'no-key' | 'full' | 'too-long' | 'unreadable' | 'storage' };

const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

/** One edit exactly as this module writes it, or null. */
function parseEdit(x: unknown): PendingEdit | null {
  if (!isObject(x)) return null;
  const { sheetId, rowId, colId, cell, text, at } = x;
  if (!isValidId(sheetId) || !isValidId(rowId) || !isValidId(colId)) return null;
  if (typeof cell !== 'string' || cell.length > MAX_CELL_LABEL || typeof text !== 'string' || text.length > MAX_TEXT_LENGTH) return null;
  if (!Number.isSafeInteger(at) || (at as number) < 0) return null;
  return { sheetId, rowId, colId, cell, text, at: at as number };
}

/** A decoded queue, or null when it is not exactly what encodeEdits writes. */
export function parseEdits(value: unknown): PendingEdit[] | null {
  if (!isObject(value) || value.v !== EDITS_VERSION || !Array.isArray(value.edits) || value.edits.length > MAX_EDITS) return null;
  const out: PendingEdit[] = [];
  for (const e of value.edits) {
    const edit = parseEdit(e);
    if (!edit) return null;
    out.push(edit);
  }
  return out;
}

const encodeEdits = (edits: PendingEdit[]) =>
  JSON.stringify({ v: EDITS_VERSION, edits: edits.map((e) => ({ sheetId: e.sheetId, rowId: e.rowId, colId: e.colId, cell: e.cell, text: e.text, at: e.at })) });

/**
 * A stored queue, or null: malformed, of another version, too big, or not opening. A plain queue
 * is read under any policy that has a key: it was typed on this device before a lock was set,
 * and applying it is how its text leaves storage.
 */
export function decodeEdits(raw: string | null, workbookId: string, access: EditsAccess): PendingEdit[] | null {
  if (typeof raw !== 'string' || raw.length > MAX_STORED_CHARS || access.policy.kind === 'none') return null;
  let json: string | null;
  if (raw.startsWith(PLAIN)) json = raw.slice(PLAIN.length);
  else if (raw.startsWith(SEALED) && access.key) json = openSealed(access.key, AD_DOMAIN, workbookId, raw.slice(SEALED.length));
  else return null;
  if (json === null || utf8.encode(json).length > MAX_QUEUE_BYTES + PAD) return null;
  try {
    return parseEdits(JSON.parse(json));
  } catch {
    return null;
  }
}

/** The stored form of a queue under a policy, or null when none may be kept. */
export function encodeEntry(edits: PendingEdit[], workbookId: string, policy: CachePolicy): string | null {
  if (policy.kind === 'none') return null;
  const json = encodeEdits(edits);
  if (utf8.encode(json).length > MAX_QUEUE_BYTES) return null;
  return policy.kind === 'plain' ? PLAIN + json : SEALED + seal(policy.key, AD_DOMAIN, workbookId, json);
}

/** One stored queue ([] when there is none), or null when it is there but cannot be read. Never throws. */
function readQueue(storage: Storage, key: string, workbookId: string, access: EditsAccess): PendingEdit[] | null {
  let raw: string | null;
  try {
    raw = storage.getItem(key);
  } catch {
    return null;
  }
  if (raw === null) return [];
  return decodeEdits(raw, workbookId, access);
}

/**
 * Queues merged in the order typed: each queue's own order kept as it was written (a clock stepped
 * back must not put a page's later edit of a cell before its earlier one), the queues interleaved
 * by when each next edit was typed.
 */
function merge(queues: PendingEdit[][]): PendingEdit[] {
  const at = queues.map(() => 0);
  const out: PendingEdit[] = [];
  for (;;) {
    let pick = -1;
    for (let q = 0; q < queues.length; q++) {
      if (at[q] < queues[q].length && (pick < 0 || queues[q][at[q]].at < queues[pick][at[pick]].at)) pick = q;
    }
    if (pick < 0) return out;
    out.push(queues[pick][at[pick]++]);
  }
}

/** Every queue of a workbook with what it holds: null for one that does not read back. */
function queuesOf(storage: Storage, workbookId: string, access: EditsAccess): { key: string; page: string; edits: PendingEdit[] | null }[] {
  return queueKeys(storage, workbookId).map((q) => ({ ...q, edits: readQueue(storage, q.key, workbookId, access) }));
}

/**
 * The edits waiting for a workbook, every page's queue together in the order they were typed ([]
 * when none). A queue that does not read back is not among them (it hides no other). Never throws.
 */
export function readEdits(storage: Storage, workbookId: string, access: EditsAccess): PendingEdit[] {
  if (!WORKBOOK_ID.test(workbookId)) return [];
  return merge(queuesOf(storage, workbookId, access).flatMap((q) => (q.edits ? [q.edits] : [])));
}

/**
 * Appends an edit to this page's queue of a workbook (`page`, from `newPageQueue`), in storage at
 * once. Only this page writes that entry, so another tab typing at the same moment keeps its own.
 * The limits are the workbook's, every page's queue counted: refused, with storage as it was, when
 * there is no key to keep it under, past MAX_EDITS or MAX_QUEUE_BYTES, when the page's queue there
 * cannot be read (it is not overwritten), or when storage refuses (quota).
 */
export function keepEdit(storage: Storage, workbookId: string, access: EditsAccess, edit: PendingEdit, page: string): KeepResult {
  if (access.policy.kind === 'none' || !WORKBOOK_ID.test(workbookId) || !PAGE.test(page)) return { ok: false, reason: 'no-key' };
  if (edit.text.length > MAX_TEXT_LENGTH || !parseEdit(edit)) return { ok: false, reason: 'too-long' };
  const key = editsKey(workbookId, page);
  const queues = queuesOf(storage, workbookId, access);
  const own = queues.find((q) => q.key === key);
  if (own && own.edits === null) return { ok: false, reason: 'unreadable' };
  const next = [...(own?.edits ?? []), { ...edit }];
  const others = queues.flatMap((q) => (q.key !== key && q.edits ? q.edits : []));
  if (others.length + next.length > MAX_EDITS) return { ok: false, reason: 'full' };
  if (others.length && utf8.encode(encodeEdits([...others, ...next])).length > MAX_QUEUE_BYTES) return { ok: false, reason: 'full' };
  const entry = encodeEntry(next, workbookId, access.policy);
  if (entry === null) return { ok: false, reason: 'full' };
  try {
    storage.setItem(key, entry);
  } catch {
    // setItem that throws leaves the old value: the queue is as it was
    return { ok: false, reason: 'storage' };
  }
  return { ok: true, edits: next };
}

/**
 * Takes a workbook's queues that `mayTake` allows (by page, '' for the older single queue, and
 * what it holds: null when it does not read back), each
 * read and removed in one synchronous step, so of two opens handing over only the first gets a
 * queue, and returns them merged in the order typed. An open takes its own queue and those of
 * pages no longer open (first-screen-pages.ts says which): a page still in its first screen may
 * be writing its queue that moment, and its own handover takes it. [] when there is no key to read
 * them (they stay for an open that has one). A queue that does not read back though there is a key
 * (tampered, or another version's) is removed and nothing of it applied, as it would otherwise
 * stay for good.
 */
export function takeEdits(
  storage: Storage,
  workbookId: string,
  access: EditsAccess,
  mayTake: (page: string, edits: PendingEdit[] | null) => boolean,
): PendingEdit[] {
  if (access.policy.kind === 'none' || !WORKBOOK_ID.test(workbookId)) return [];
  const taken: PendingEdit[][] = [];
  for (const { key, page, edits } of queuesOf(storage, workbookId, access)) {
    if (!mayTake(page, edits)) continue;
    try {
      storage.removeItem(key);
    } catch {
      // storage refused: the edits are applied now all the same, and a later take finds them unchanged (each writes nothing twice)
    }
    if (edits) taken.push(edits);
  }
  return merge(taken);
}

/** Forgets a workbook's queues, every page's ("Remove from this device"). */
export function forgetEdits(storage: Storage, workbookId: string): void {
  for (const { key } of queueKeys(storage, workbookId)) {
    try {
      storage.removeItem(key);
    } catch {
      // storage refused: nothing more this device can do
    }
  }
}

/**
 * A device lock was set: no typed text may stay readable. Each plain queue is sealed under its
 * workbook's key (`accessFor`, with the lock now set); one whose workbook has no key to seal under
 * (or that does not read) is removed, as its first screen is.
 */
export function sealPlainEdits(storage: Storage, accessFor: (workbookId: string) => EditsAccess): void {
  const queues: { key: string; id: string }[] = [];
  try {
    for (let i = 0; i < storage.length; i++) {
      const k = storage.key(i);
      if (!k?.startsWith(PREFIX)) continue;
      // A key under the prefix that names no queue is removed too: it may hold typed text all the same.
      queues.push({ key: k, id: queueOf(k)?.id ?? '' });
    }
  } catch {
    return;
  }
  for (const { key, id } of queues) {
    try {
      const raw = storage.getItem(key);
      if (!raw?.startsWith(PLAIN)) continue;
      const access = WORKBOOK_ID.test(id) ? accessFor(id) : null;
      const edits = access && decodeEdits(raw, id, access);
      const sealed = access && edits && access.policy.kind === 'sealed' ? encodeEntry(edits, id, access.policy) : null;
      if (sealed) storage.setItem(key, sealed);
      else storage.removeItem(key);
    } catch {
      // storage refused: the next take or removal tidies it
      try {
        storage.removeItem(key);
      } catch {
        // nothing more this device can do
      }
    }
  }
}
