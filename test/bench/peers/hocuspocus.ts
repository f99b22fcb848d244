/** @hocuspocus/server 4 (in memory, no extensions) on a free port, for the load bench. */
import { createServer, type AddressInfo } from 'node:net';
import { Server } from '@hocuspocus/server';

const probe = createServer();
probe.listen(0, '127.0.0.1', async () => {
  const port = (probe.address() as AddressInfo).port;
  probe.close();
  const server = new Server({ port, address: '127.0.0.1', quiet: true });
  await server.listen();
  process.stdout.write(`LISTENING ${port}\n`);
});
