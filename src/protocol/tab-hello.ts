import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * A tab of this browser opening a doc says hello to its other tabs (BroadcastChannel only; the
 * hub never sees it and refuses the type). y-websocket would instead post the doc's whole state
 * on every connect, an encode of the entire workbook (~0.3 s for 10k × 10) on the way to the
 * first screen. The hello carries only the newcomer's state vector; each tab that hears it
 * answers with what the newcomer lacks (a sync step 2) and asks, with its own step 1, for what
 * it lacks in turn, so both end up with everything, as before, for the cost of the difference.
 */
export const MESSAGE_TAB_HELLO = 106;

export function encodeTabHello(stateVector: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_TAB_HELLO);
  encoding.writeVarUint8Array(enc, stateVector);
  return encoding.toUint8Array(enc);
}

/**
 * Reads a hello's state vector, the message type already read: null unless the message is exactly
 * one state vector (a count, then that many client and clock varuints, nothing after either).
 */
export function decodeTabHello(decoder: decoding.Decoder): Uint8Array | null {
  try {
    const sv = decoding.readVarUint8Array(decoder);
    if (decoding.hasContent(decoder)) return null;
    const entries = decoding.createDecoder(sv);
    // each entry takes at least two bytes: a made-up count runs out of bytes, it cannot run long
    for (let n = decoding.readVarUint(entries); n > 0; n--) {
      decoding.readVarUint(entries);
      decoding.readVarUint(entries);
    }
    return decoding.hasContent(entries) ? null : sv;
  } catch {
    return null;
  }
}
