import * as Y from 'yjs';
import * as bc from 'lib0/broadcastchannel';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import type { WebsocketProvider } from 'y-websocket';
import { MESSAGE_AWARENESS, MESSAGE_QUERY_AWARENESS, MESSAGE_SYNC } from '../protocol/messages.js';
import { MESSAGE_TAB_HELLO, decodeTabHello, encodeTabHello } from '../protocol/tab-hello.js';

type Handler = (encoder: encoding.Encoder, decoder: import('lib0/decoding').Decoder, provider: WebsocketProvider, emitSynced: boolean, type: number) => void;

function frame(type: number, write: (enc: encoding.Encoder) => void): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, type);
  write(enc);
  return encoding.toUint8Array(enc);
}

/**
 * Replaces y-websocket's greeting to this browser's other tabs (src/protocol/tab-hello.ts says
 * why): the same subscription and presence messages, with a hello in place of its step 1 and
 * its unasked-for copy of the whole doc.
 */
export function greetTabsByStateVector(provider: WebsocketProvider): void {
  const p = provider as WebsocketProvider & { disableBc: boolean; _bcSubscriber: (data: ArrayBuffer, origin: unknown) => void };
  (p.messageHandlers as unknown as Handler[])[MESSAGE_TAB_HELLO] = (encoder, decoder) => {
    const sv = decodeTabHello(decoder);
    if (!sv) return;
    let lacking: Uint8Array;
    try {
      lacking = Y.encodeStateAsUpdate(p.doc, sv);
    } catch {
      // not a state vector: nothing is answered (y-websocket sends the reply only if one was written)
      return;
    }
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
    encoding.writeVarUint8Array(encoder, lacking);
    if (p.bcconnected) bc.publish(p.bcChannel, frame(MESSAGE_SYNC, (enc) => syncProtocol.writeSyncStep1(enc, p.doc)), p);
  };
  p.connectBc = () => {
    if (p.disableBc) return;
    if (!p.bcconnected) {
      bc.subscribe(p.bcChannel, p._bcSubscriber);
      p.bcconnected = true;
    }
    bc.publish(p.bcChannel, encodeTabHello(Y.encodeStateVector(p.doc)), p);
    bc.publish(p.bcChannel, frame(MESSAGE_QUERY_AWARENESS, () => {}), p);
    bc.publish(p.bcChannel, frame(MESSAGE_AWARENESS, (enc) => encoding.writeVarUint8Array(enc, awarenessProtocol.encodeAwarenessUpdate(p.awareness, [p.doc.clientID]))), p);
  };
}
