/**
 * What crosses the wire between the app and the relay, beyond the stock
 * y-websocket messages (sync = 0, awareness = 1, auth = 2, query-awareness = 3).
 * Shared by src/sync and server/ so the two can never disagree.
 */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;
/**
 * Relay → client, after an update is committed to disk (synchronous=FULL):
 * payload is a Yjs state vector (varUint8Array) listing, for each client id the
 * committed update touched, the clock the relay now holds durably. Sent once
 * with the relay's full state vector when a connection opens.
 */
export const MESSAGE_DURABLE_ACK = 100;
/** Client → relay: one piece of a message too big for one frame (src/protocol/fragments.ts). */
export { MESSAGE_FRAGMENT } from './fragments.js';

/** Close codes the relay uses; 4000–4999 are ours per RFC 6455. */
export const CloseCode = {
  SHUTDOWN: 1001,
  FRAME_TOO_LARGE: 1009,
  /** a fragmented message over MAX_MESSAGE_BYTES: retrying cannot help */
  MESSAGE_TOO_LARGE: 4413,
  MALFORMED_FRAME: 4400,
  BAD_ROOM: 4404,
  STORAGE_FAILED: 4500,
  ROOM_LOAD_FAILED: 4501,
  /** the link's key does not open this workbook (or it needs one): retrying cannot help */
  UNAUTHORIZED: 4401,
  /** a view link sent a change: refused, the document is unchanged */
  READ_ONLY: 4403,
  /** no first message within the handshake timeout */
  HANDSHAKE_TIMEOUT: 4408,
  /** nothing received for the idle timeout */
  IDLE: 4409,
  /** over the per-connection message rate, or setting its own presence too often (echoes of others' do not count) */
  RATE_LIMITED: 4429,
  /** the workbook would grow past the hub's maximum document size */
  DOC_TOO_LARGE: 4414,
  /** one presence state over the size limit */
  AWARENESS_TOO_LARGE: 4415,
  /** a sync request (step 1) whose state vector lists more client ids than the hub allows: retrying cannot help */
  STATE_VECTOR_TOO_LARGE: 4416,
  /** an update with more structs or delete ranges than MAX_UPDATE_STRUCTS: retrying cannot help (the change stays on the device) */
  TOO_MANY_STRUCTS: 4417,
  /**
   * an update claiming clocks past what the hub holds for their client (a gap, or deletes of what
   * does not exist yet); a fresh sync sends what the hub lacks, so this is in the 45xx range that
   * y-websocket reconnects after (it stops for every 44xx)
   */
  CLOCK_GAP: 4509,
  /**
   * the device read slower than its room wrote, past MAX_BUFFERED_BYTES unread: dropped (its socket
   * ended at once, so an unread close frame holds nothing); reconnecting syncs what it lacks
   */
  SLOW_READER: 4508,
  /** the hub is unloading this workbook to free memory; reconnecting loads it again */
  TRY_AGAIN: 1013,
  /** the workbook's links were replaced (server/retire-api.ts): the hub refuses it for good and holds nothing of it */
  RETIRED: 4460,
} as const;
export type CloseCodeName = keyof typeof CloseCode;

export const CLOSE_REASONS: Record<number, string> = {
  [CloseCode.SHUTDOWN]: 'relay shutting down',
  [CloseCode.FRAME_TOO_LARGE]: 'frame too large',
  [CloseCode.MALFORMED_FRAME]: 'malformed frame',
  [CloseCode.MESSAGE_TOO_LARGE]: 'change too large for this hub',
  [CloseCode.BAD_ROOM]: 'no such workbook',
  [CloseCode.STORAGE_FAILED]: 'relay could not save; your changes are kept on this device',
  [CloseCode.ROOM_LOAD_FAILED]: 'relay could not load this workbook',
  [CloseCode.UNAUTHORIZED]: 'this link does not open this workbook',
  [CloseCode.READ_ONLY]: 'view-only link: changes are not accepted',
  [CloseCode.HANDSHAKE_TIMEOUT]: 'no hello in time',
  [CloseCode.IDLE]: 'idle too long',
  [CloseCode.RATE_LIMITED]: 'too many messages',
  [CloseCode.DOC_TOO_LARGE]: 'workbook too large for this hub',
  [CloseCode.AWARENESS_TOO_LARGE]: 'presence state too large',
  [CloseCode.STATE_VECTOR_TOO_LARGE]: 'sync request lists too many clients',
  [CloseCode.TOO_MANY_STRUCTS]: 'change has too many parts for this hub',
  [CloseCode.CLOCK_GAP]: 'change refers to clocks the hub does not hold',
  [CloseCode.SLOW_READER]: 'reading too slowly for this workbook: reconnect to catch up',
  [CloseCode.TRY_AGAIN]: 'hub busy, try again',
  [CloseCode.RETIRED]: 'this workbook has moved: ask your coordinator for the new link',
};

/** Close codes after which reconnecting with the same link cannot succeed. */
export const FINAL_CLOSE_CODES: readonly number[] = [
  CloseCode.MALFORMED_FRAME,
  CloseCode.BAD_ROOM,
  CloseCode.UNAUTHORIZED,
  CloseCode.READ_ONLY,
  CloseCode.MESSAGE_TOO_LARGE,
  CloseCode.DOC_TOO_LARGE,
  CloseCode.STATE_VECTOR_TOO_LARGE,
  CloseCode.TOO_MANY_STRUCTS,
  CloseCode.RETIRED,
];

/** Workbook ids the relay accepts in `/sync/<id>` (a workbook's own room). */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;

/**
 * Each workbook has a companion room, its history journal, synced as `/sync/<id>.h`. A dot never
 * occurs in an id, so the two names cannot clash; the same link opens both.
 */
export const HISTORY_ROOM_SUFFIX = '.h';

export function historyRoom(workbookId: string): string {
  return `${workbookId}${HISTORY_ROOM_SUFFIX}`;
}

/** The workbook a room belongs to (its own id, or the id its journal is for); null for a name the relay does not serve. */
export function baseWorkbookId(roomName: string): string | null {
  const base = roomName.endsWith(HISTORY_ROOM_SUFFIX) ? roomName.slice(0, -HISTORY_ROOM_SUFFIX.length) : roomName;
  return ROOM_ID_PATTERN.test(base) ? base : null;
}
