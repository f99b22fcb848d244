import { connect, createServer, type Socket } from 'node:net';

export interface Balancer {
  port: number;
  syncUrl: string;
  /** connections handed to each backend port so far */
  served: Map<number, number>;
  close: () => Promise<void>;
}

/**
 * A TCP load balancer in front of several hub processes, as a hosted hub has one: each new
 * connection goes to the next backend in turn, and past one that refuses it (a killed process) to
 * the one after. Bytes are passed through untouched, so WebSockets work as they would behind
 * haproxy or nginx's stream module.
 */
export function startBalancer(backends: () => number[]): Promise<Balancer> {
  let next = 0;
  const open = new Set<Socket>();
  const served = new Map<number, number>();
  const server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const ports = backends();
    let tries = 0;
    const tryNext = () => {
      if (tries++ >= ports.length || client.destroyed) {
        client.destroy();
        return;
      }
      const port = ports[next++ % ports.length];
      const up = connect(port, '127.0.0.1');
      const refused = () => tryNext();
      up.once('error', refused);
      up.once('connect', () => {
        up.off('error', refused);
        served.set(port, (served.get(port) ?? 0) + 1);
        open.add(up);
        up.on('close', () => {
          open.delete(up);
          client.destroy();
        });
        up.on('error', () => up.destroy());
        client.on('close', () => up.destroy());
        client.pipe(up);
        up.pipe(client);
        client.resume();
      });
    };
    tryNext();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        port,
        syncUrl: `ws://127.0.0.1:${port}/sync`,
        served,
        close: () =>
          new Promise<void>((res) => {
            for (const s of open) s.destroy();
            server.close(() => res());
          }),
      });
    });
  });
}
