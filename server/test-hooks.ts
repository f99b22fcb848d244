import { ConfigError } from './config.js';

/**
 * Switches only tests may turn on, read from the environment when the relay is created. Each one
 * weakens a promise the hub makes (TEST_HOLD_COMMITS delays every durable ack until released),
 * so a hub not started by a test runner (NODE_ENV=test, which vitest sets and its child processes
 * inherit) refuses to start with one set.
 */
export interface TestHooks {
  /**
   * TEST_HOLD_COMMITS=1: updates are validated and forwarded as usual but none reaches the disk
   * (nor is acked) until the process gets SIGUSR2; from then on it commits as usual.
   */
  holdCommits: boolean;
}

export const NO_TEST_HOOKS: TestHooks = { holdCommits: false };

export function testHooksFromEnv(env: NodeJS.ProcessEnv): TestHooks {
  const raw = env.TEST_HOLD_COMMITS;
  if (raw === undefined || raw === '' || raw === '0') return NO_TEST_HOOKS;
  if (raw !== '1') throw new ConfigError(`TEST_HOLD_COMMITS must be 0 or 1, got ${raw}`);
  if (env.NODE_ENV !== 'test') {
    throw new ConfigError('TEST_HOLD_COMMITS is for tests only (it holds back every durable ack); it is refused unless NODE_ENV=test');
  }
  return { holdCommits: true };
}
