import { networkInterfaces } from 'node:os';

/** This computer's IPv4 addresses on its local networks (what a phone on the same Wi-Fi can reach). */
export function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
}

/** The app's addresses on the local network, when the hub listens on every interface. */
export function lanUrls(host: string, port: number, tls: boolean): string[] {
  const wildcard = host === '0.0.0.0' || host === '::';
  return wildcard ? lanAddresses().map((ip) => `${tls ? 'https' : 'http'}://${ip}:${port}/`) : [];
}
