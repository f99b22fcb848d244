import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';

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

/**
 * Which names a request may give in its Host header (DNS rebinding: a page on an attacker's name,
 * re-resolved to this computer, would otherwise be served as if it were the hub's own, Origin and
 * all). Allowed: localhost and *.localhost, any IP address literal (a rebinding attack needs a
 * name; an address is what it is — this also keeps working when the laptop's LAN address changes,
 * or the hub runs in a container whose addresses are not the ones phones use), this computer's
 * hostname (and hostname.local), the name the hub is bound to, and ALLOWED_HOSTS. A request with no
 * Host at all (HTTP/1.0) is not from a browser, and is allowed.
 */
export function createHostCheck(options: { bindHost: string; allowedHosts: readonly string[]; hostname?: string }): (host: string | undefined) => boolean {
  const names = new Set<string>(['localhost', ...options.allowedHosts.map(normalizeName)]);
  const own = normalizeName(options.hostname ?? safeHostname());
  if (own) {
    names.add(own);
    const short = own.split('.')[0];
    names.add(short);
    names.add(`${short}.local`);
  }
  if (options.bindHost && !isIP(options.bindHost)) names.add(normalizeName(options.bindHost));
  return (host) => {
    if (host === undefined) return true;
    const name = hostName(host);
    if (name === null) return false;
    if (isIP(name)) return true;
    return names.has(name) || name.endsWith('.localhost');
  };
}

/** What a refused request is told (421). */
export function misdirectedText(host: string | undefined): string {
  const name = hostName(host ?? '') ?? 'that name';
  return `This hub does not answer to the name "${name.slice(0, 100)}". If that name is yours, start the hub with ALLOWED_HOSTS=${name.slice(0, 100)}.`;
}

/** The name in a Host header, without its port, lower case; null when it is not a host at all. */
export function hostName(host: string): string | null {
  let name: string;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return null;
    name = host.slice(1, end);
    const rest = host.slice(end + 1);
    if (rest && !/^:\d{1,5}$/.test(rest)) return null;
    return isIP(name) === 6 ? name.toLowerCase() : null;
  }
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(host);
  if (!m) return null;
  name = normalizeName(m[1]);
  return /^[a-z0-9_.-]+$/.test(name) ? name : null;
}

function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

function safeHostname(): string {
  try {
    return hostname();
  } catch {
    return '';
  }
}
