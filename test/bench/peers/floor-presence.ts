/**
 * A second floor for the load bench (LOAD_KINDS=…,floor-presence), no more usable than the first:
 * it forwards each document update's bytes unread, as test/bench/peers/floor.ts does, and also
 * does the least any relay must do with presence: an awareness frame goes on to the room's other
 * members when it carries a state newer than the newest this room has seen for that id, and is
 * dropped when it is only an echo. No doc, no validation of states, no storage, no acks. The
 * reference server does this much and more, so this floor's p99 over the reference's bounds the
 * ratio any server doing the reference's job could reach on this machine with these generators.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as decoding from 'lib0/decoding';
import { WebSocketServer, type WebSocket } from 'ws';

const EMPTY_STEP2 = Buffer.from([0, 1, 2, 0, 0]);
interface Room {
  members: Set<WebSocket>;
  /** newest presence clock per awareness id */
  clocks: Map<number, number>;
}
const rooms = new Map<string, Room>();

function newer(room: Room, data: Buffer): boolean {
  const dec = decoding.createDecoder(data);
  decoding.readVarUint(dec);
  const inner = decoding.createDecoder(decoding.readVarUint8Array(dec));
  const n = decoding.readVarUint(inner);
  let any = false;
  for (let i = 0; i < n; i++) {
    const id = decoding.readVarUint(inner);
    const clock = decoding.readVarUint(inner);
    decoding.readVarString(inner);
    if (clock > (room.clocks.get(id) ?? -1)) {
      room.clocks.set(id, clock);
      any = true;
    }
  }
  return any;
}

const server = createServer((_req, res) => res.writeHead(200).end('ok'));
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws) => {
    const name = req.url ?? '/';
    const room = rooms.get(name) ?? { members: new Set<WebSocket>(), clocks: new Map<number, number>() };
    rooms.set(name, room);
    room.members.add(ws);
    ws.on('close', () => room.members.delete(ws));
    ws.on('message', (data: Buffer) => {
      if (data[0] === 0) {
        if (data[1] === 0) ws.send(EMPTY_STEP2);
        else if (data[1] === 2) for (const m of room.members) if (m !== ws) m.send(data);
      } else if (data[0] === 1 && newer(room, data)) {
        for (const m of room.members) if (m !== ws) m.send(data);
      }
    });
  }),
);
server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`));
