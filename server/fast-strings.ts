import { register } from 'node:module';

/**
 * Patches lib0/decoding.js for every module loaded after this call (server/lib0-hooks.ts): a
 * 100k-row room's load took 10–18 s in lib0's TextDecoder call per string, 3 s without it.
 * Hooks apply only to modules loaded after they are registered, so the caller imports yjs (and
 * whatever imports it) dynamically, afterwards.
 */
export function registerFastStrings(): void {
  register('./lib0-hooks.ts', import.meta.url);
}
