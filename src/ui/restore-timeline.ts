import type { Timeline, TimelineEntry } from '../protocol/retained.js';
import { translate, translatePlural, type Locale } from './i18n/locale.js';

/**
 * The hub's retained log of a workbook, for people choosing a moment to go back to: the
 * timelines of its two rooms (the sheets, `<id>`, and the history journal, `<id>.h`) merged
 * into one list, newest first, grouped by minute and said in words ("14:32 — a large change
 * (12 KB)"). Pure functions, so they are tested in Node without a DOM or a hub.
 */

export type ChangeRoom = 'sheets' | 'history';

export interface Change {
  /** when the hub stored it (ms, the hub's clock; no two changes of one room share a time) */
  at: number;
  bytes: number;
  room: ChangeRoom;
}

/** What the hub listed so far for one room; older entries are fetched on demand. */
export interface RoomLog {
  /** newest first */
  entries: TimelineEntry[];
  /** the hub listed only the newest changes: older ones are still to be asked for */
  truncated: boolean;
  /** the earliest moment the hub can rebuild this room at */
  earliest: number;
}

export interface CombinedTimeline {
  /** newest first: every change of both rooms stored at or after `completeFrom` */
  changes: Change[];
  /** the list holds every change from this moment on (a room listed only partly stops it earlier) */
  completeFrom: number;
  /** older changes exist that are not listed yet */
  more: boolean;
  /** the earliest moment the sheets can be rebuilt at: earlier ones are past the hub's window */
  earliest: number;
}

export function roomLog(t: Timeline): RoomLog {
  return { entries: t.entries.slice(), truncated: t.truncated, earliest: t.earliest };
}

/**
 * Both rooms in one list. A room the hub listed only partly is complete only down to its
 * oldest listed change, so nothing older (of either room) is shown until it is fetched:
 * otherwise a gap would look like a quiet hour. `history` is null for a workbook whose
 * journal the hub has never seen.
 */
export function combineTimelines(sheets: RoomLog, history: RoomLog | null): CombinedTimeline {
  const logs: [ChangeRoom, RoomLog][] = history ? [['sheets', sheets], ['history', history]] : [['sheets', sheets]];
  let completeFrom = 0;
  for (const [, log] of logs) {
    if (log.truncated && log.entries.length) completeFrom = Math.max(completeFrom, log.entries[log.entries.length - 1].at);
  }
  const changes: Change[] = [];
  for (const [room, log] of logs) for (const e of log.entries) if (e.at >= completeFrom) changes.push({ at: e.at, bytes: e.bytes, room });
  // Ties across rooms are possible (each room's times are unique only within it): sheets first, as they are listed first.
  changes.sort((a, b) => b.at - a.at);
  return { changes, completeFrom, more: logs.some(([, l]) => l.truncated), earliest: sheets.earliest };
}

/** Where to continue a partly listed room (the `to` of the next timeline request), or null once it is complete. */
export function olderQuery(log: RoomLog): { to: number } | null {
  if (!log.truncated || !log.entries.length) return null;
  const oldest = log.entries[log.entries.length - 1].at;
  return oldest > 0 ? { to: oldest - 1 } : null;
}

/** A room's log with the next, older page the hub sent appended (anything not older than what is listed is ignored). */
export function extendLog(log: RoomLog, older: Timeline): RoomLog {
  const oldest = log.entries.length ? log.entries[log.entries.length - 1].at : Number.MAX_SAFE_INTEGER;
  const added = older.entries.filter((e) => e.at < oldest);
  return { entries: [...log.entries, ...added], truncated: older.truncated && added.length > 0, earliest: older.earliest };
}

export type SizeClass = 'small' | 'medium' | 'large';

/** A cell edit is ~100 bytes; a paste of a few hundred cells, a template or an import is over 10 KB. */
export const SMALL_BELOW = 1024;
export const LARGE_FROM = 10 * 1024;

export function sizeClass(bytes: number): SizeClass {
  return bytes < SMALL_BELOW ? 'small' : bytes < LARGE_FROM ? 'medium' : 'large';
}

export function sizeText(locale: Locale, bytes: number): string {
  if (bytes < 1024) return translate(locale, 'restore.size.underKb');
  const [n, key] = bytes < 1024 * 1024 ? [bytes / 1024, 'restore.size.kb' as const] : [bytes / (1024 * 1024), 'restore.size.mb' as const];
  return translate(locale, key, { n: new Intl.NumberFormat(locale, { maximumFractionDigits: n < 10 ? 1 : 0 }).format(n) });
}

/** Changes stored within one clock minute, consecutive in the list. */
export interface MinuteGroup {
  /** the minute's start (ms) */
  minute: number;
  /** newest first */
  changes: Change[];
  bytes: number;
  /** the group's oldest change: "just before these" is one millisecond before it */
  oldest: number;
}

/**
 * Consecutive changes in the same minute, newest first. Every time zone in use is a whole
 * number of minutes from UTC, so a UTC minute is a local one too.
 */
export function groupByMinute(changes: readonly Change[]): MinuteGroup[] {
  const groups: MinuteGroup[] = [];
  for (const c of changes) {
    const minute = Math.floor(c.at / 60_000) * 60_000;
    const last = groups[groups.length - 1];
    if (last && last.minute === minute) {
      last.changes.push(c);
      last.bytes += c.bytes;
      last.oldest = Math.min(last.oldest, c.at);
    } else {
      groups.push({ minute, changes: [c], bytes: c.bytes, oldest: c.at });
    }
  }
  return groups;
}

/** The moment "just before" a change: the hub's times are whole ms and unique per room, so this excludes it and nothing earlier. */
export function justBefore(at: number): number {
  return Math.max(0, at - 1);
}

export interface TimeOptions {
  /** for tests; the reader's own zone otherwise */
  timeZone?: string;
  /** today, for deciding whether a time needs its date */
  now?: number;
}

function sameDay(locale: Locale, a: number, b: number, timeZone?: string): boolean {
  const f = new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
  return f.format(a) === f.format(b);
}

/** "14:32" today, "3 Mar, 14:32" on another day; `seconds` for telling apart changes within one minute. */
export function timeText(locale: Locale, at: number, options: TimeOptions & { seconds?: boolean } = {}): string {
  const time: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit', ...(options.seconds ? { second: '2-digit' } : {}) };
  const today = sameDay(locale, at, options.now ?? Date.now(), options.timeZone);
  const year = new Intl.DateTimeFormat('en', { timeZone: options.timeZone, year: 'numeric' });
  const thisYear = year.format(at) === year.format(options.now ?? Date.now());
  const date: Intl.DateTimeFormatOptions = today ? {} : { day: 'numeric', month: 'short', ...(thisYear ? {} : { year: 'numeric' }) };
  return new Intl.DateTimeFormat(locale, { timeZone: options.timeZone, ...date, ...time }).format(at);
}

/** One minute's changes in a line: "14:32 — a large change (12 KB)", "14:33 — 25 changes (3 KB)". */
export function groupText(locale: Locale, g: MinuteGroup, options: TimeOptions = {}): string {
  const n = g.changes.length;
  const largest = Math.max(...g.changes.map((c) => c.bytes));
  const what =
    n === 1
      ? translate(locale, `restore.what.${sizeClass(largest)}`)
      : translatePlural(locale, sizeClass(largest) === 'large' ? 'restore.what.manyLarge' : 'restore.what.many', n);
  return translate(locale, 'restore.line', { time: timeText(locale, g.minute, options), what, size: sizeText(locale, g.bytes) });
}

/** One change in a line, with its seconds and what it touched: "14:32:05 — a small change to the sheets (under 1 KB)". */
export function changeText(locale: Locale, c: Change, options: TimeOptions = {}): string {
  const what = translate(locale, `restore.what.${c.room}.${sizeClass(c.bytes)}`);
  return translate(locale, 'restore.line', { time: timeText(locale, c.at, { ...options, seconds: true }), what, size: sizeText(locale, c.bytes) });
}

/** The accessible name of a change's "Just before" button: which change, unambiguously. */
export function justBeforeLabel(locale: Locale, c: Change, options: TimeOptions = {}): string {
  const time = timeText(locale, c.at, { ...options, seconds: true });
  return translate(locale, c.room === 'sheets' ? 'restore.justBeforeSheets' : 'restore.justBeforeHistory', { time });
}

export function justBeforeGroupLabel(locale: Locale, g: MinuteGroup, options: TimeOptions = {}): string {
  return translate(locale, 'restore.justBeforeGroup', { time: timeText(locale, g.minute, options) });
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A moment as an `<input type="datetime-local" step="1">` value, in this device's time zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * What a datetime-local input holds, as ms; null when it is empty or not a moment. It means the
 * instant the clock shows that time: a quick choice shown as 14:32:05 and looked at again from
 * the input moves earlier, never past the change it was chosen to be before.
 */
export function fromLocalInput(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m;
  // Date() reads years below 100 as 19xx; no such moment is in any hub's history.
  if (Number(y) < 1970) return null;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), Number((ms ?? '0').padEnd(3, '0')));
  if (Number.isNaN(date.getTime()) || date.getMonth() !== Number(mo) - 1 || date.getDate() !== Number(d)) return null;
  return date.getTime();
}
