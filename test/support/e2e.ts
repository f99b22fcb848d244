import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from './browser.js';
import { startRelay, type RelayProcess } from './relay-process.js';

/**
 * The set-up every e2e file shares: one Chromium and one real relay for the
 * file, and the browser contexts a test opens closed after it.
 */
export function e2eEnvironment() {
  const env = {
    browser: undefined as unknown as Browser,
    relay: undefined as unknown as RelayProcess,
    contexts: [] as BrowserContext[],
  };
  beforeAll(async () => {
    env.browser = await launchChromium();
    env.relay = await startRelay();
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.relay?.stop('SIGKILL');
  });
  afterEach(async () => {
    await Promise.all(env.contexts.splice(0).map((c) => c.close()));
  });
  return env;
}
