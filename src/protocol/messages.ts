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
};

/** Room (workbook) ids the relay accepts in `/sync/<id>`. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;
