/**
 * The hub's retained log, read through the workbook API (server/retained-api.ts): every update
 * the hub acknowledged is kept for its retention window (RETAIN_MS), so the state at any moment in
 * it can be rebuilt — whatever was deleted since. A room is a workbook id or its journal's
 * (`<id>.h`); the credential is the workbook's, in the X-Workbook-Key header, and a view link may
 * read.
 *
 *   GET /api/w/<room>/state?at=<ms>              one Yjs update: the room as it was at `at`
 *   GET /api/w/<room>/timeline?from=<ms>&to=<ms> when changes were stored, newest first
 *
 * Encoders (what the app sends, what the hub answers) sit next to their decoders so the two
 * sides cannot drift.
 */
import { SNAPSHOT_API_PREFIX, SnapshotApiError, type SnapshotApiErrorCode } from './snapshots.js';

/** A timeline answer lists at most this many changes (the newest); `truncated` says there were more. */
export const MAX_TIMELINE_ENTRIES = 2000;

/** One stored change: when the hub stored it (ms since epoch, the hub's clock; no two in one room share a time) and its size. */
export interface TimelineEntry {
  at: number;
  bytes: number;
}

export interface Timeline {
  /** the earliest moment `state?at=` can answer for; earlier ones are past the retention window (410) */
  earliest: number;
  /** newest first */
  entries: TimelineEntry[];
  /** more changes matched than the answer lists: ask again with an earlier `to` */
  truncated: boolean;
}

/** The 410 answer's body. */
export interface BeforeRetentionBody {
  error: 'BEFORE_RETENTION';
  message: string;
  earliest: number;
}

/** A moment the hub no longer holds: `earliest` is the first it can rebuild. */
export class BeforeRetentionError extends SnapshotApiError {
  constructor(
    message: string,
    readonly earliest: number,
  ) {
    super('BEFORE_RETENTION', message);
    this.name = 'BeforeRetentionError';
  }
}

export function statePath(room: string, at: number): string {
  return `${SNAPSHOT_API_PREFIX}${encodeURIComponent(room)}/state?at=${encodeTime(at)}`;
}

export function timelinePath(room: string, range: { from?: number; to?: number } = {}): string {
  const query = new URLSearchParams();
  if (range.from !== undefined) query.set('from', encodeTime(range.from));
  if (range.to !== undefined) query.set('to', encodeTime(range.to));
  const q = query.toString();
  return `${SNAPSHOT_API_PREFIX}${encodeURIComponent(room)}/timeline${q ? `?${q}` : ''}`;
}

function encodeTime(t: number): string {
  if (readTime(String(t)) === null) throw new SnapshotApiError('BAD_TIME', `not a time: ${t}`);
  return String(t);
}

/** A time in a query: whole milliseconds since the epoch, written as digits; null for anything else. */
export function readTime(text: string | null): number | null {
  if (text === null || !/^\d{1,16}$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** The `state` query: null when `at` is missing or not a time. */
export function readStateQuery(query: URLSearchParams): { at: number } | null {
  const at = readTime(query.get('at'));
  return at === null ? null : { at };
}

/** The `timeline` query: both ends optional (from the start, up to now); null when one is not a time or they are backwards. */
export function readTimelineQuery(query: URLSearchParams): { from: number; to: number } | null {
  const from = query.has('from') ? readTime(query.get('from')) : 0;
  const to = query.has('to') ? readTime(query.get('to')) : Number.MAX_SAFE_INTEGER;
  if (from === null || to === null || from > to) return null;
  return { from, to };
}

export function encodeTimeline(t: Timeline): string {
  return JSON.stringify(t);
}

/** Reads a timeline answer, refusing anything not shaped like one (a proxy's page, an old hub). */
export function decodeTimeline(body: unknown): Timeline {
  const t = body as Partial<Timeline> | null;
  const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (
    !t ||
    !isTime(t.earliest) ||
    typeof t.truncated !== 'boolean' ||
    !Array.isArray(t.entries) ||
    !t.entries.every((e: Partial<TimelineEntry> | null) => !!e && isTime(e.at) && isTime(e.bytes))
  ) {
    throw new SnapshotApiError('BAD_REQUEST', 'the hub’s timeline could not be read');
  }
  return { earliest: t.earliest, entries: t.entries.map((e) => ({ at: e.at, bytes: e.bytes })), truncated: t.truncated };
}

export function encodeBeforeRetention(earliest: number): string {
  const body: BeforeRetentionBody = { error: 'BEFORE_RETENTION', message: 'the hub no longer holds that moment', earliest };
  return JSON.stringify(body);
}

/** The typed error for a refusal's JSON body (`{error, message}`, plus `earliest` for 410). */
export function decodeApiError(status: number, body: unknown): SnapshotApiError {
  const b = (body ?? {}) as { error?: unknown; message?: unknown; earliest?: unknown };
  const message = typeof b.message === 'string' ? b.message : `the hub answered ${status}`;
  if (b.error === 'BEFORE_RETENTION' && typeof b.earliest === 'number') return new BeforeRetentionError(message, b.earliest);
  const code = typeof b.error === 'string' ? (b.error as SnapshotApiErrorCode) : 'BAD_REQUEST';
  return new SnapshotApiError(code, message);
}
