import { afterEach, describe, expect, it } from 'vitest';
import { lanAddresses } from '../../server/network.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

const relays: RelayProcess[] = [];
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop('SIGKILL')));
});

describe('LAN hub', () => {
  it('tells the app its addresses on the local network when it listens on all of them, and none when bound to loopback', async () => {
    const all = await startRelay({ env: { HOST: '0.0.0.0' } });
    relays.push(all);
    const info = await (await fetch(`${all.httpUrl}/api/hub`)).json();
    expect(info.lanUrls).toEqual(lanAddresses().map((ip) => `http://${ip}:${all.port}/`));
    const local = await startRelay();
    relays.push(local);
    expect((await (await fetch(`${local.httpUrl}/api/hub`)).json()).lanUrls).toEqual([]);
  });
});
