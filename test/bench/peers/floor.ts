/**
 * A floor for the load bench, not a server anyone could use: it answers a sync step 1 with an
 * empty step 2, forwards each document update's bytes unread to the room's other members, and
 * drops presence. No doc, no validation, no storage. What the generators measure against it is
 * what this machine's loopback, `ws` and the generators themselves cost (LOAD_KINDS=…,floor).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const EMPTY_STEP2 = Buffer.from([0, 1, 2, 0, 0]);
const rooms = new Map<string, Set<WebSocket>>();
const server = createServer((_req, res) => res.writeHead(200).end('ok'));
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws) => {
    const name = req.url ?? '/';
    const members = rooms.get(name) ?? new Set<WebSocket>();
    rooms.set(name, members);
    members.add(ws);
    ws.on('close', () => members.delete(ws));
    ws.on('message', (data: Buffer) => {
      if (data[0] !== 0) return;
      if (data[1] === 0) ws.send(EMPTY_STEP2);
      else if (data[1] === 2) for (const m of members) if (m !== ws) m.send(data);
    });
  }),
);
server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`));
