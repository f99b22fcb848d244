import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './postgres.js';

const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

export interface RedisServer {
  port: number;
  url: string;
  log: () => string;
  /** stops it (SIGTERM; nothing is saved, so a restart starts empty, as a Redis restart can) */
  stop: () => Promise<void>;
  /** starts it again on the same port (after `stop`) */
  start: () => Promise<void>;
  destroy: () => Promise<void>;
}

/**
 * Starts a throwaway redis-server on a free loopback port, working directory in a temp dir, with
 * no persistence. Ready when it logs "Ready to accept connections" (no polling, no sleeps).
 */
export async function startRedis(): Promise<RedisServer> {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} not found: apt-get install -y redis-server, or set REDIS_SERVER`);
  const dir = mkdtempSync(join(tmpdir(), 'ms-redis-'));
  const port = await freePort();
  let log = '';
  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(
        REDIS_SERVER,
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'no'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      proc = child;
      exited = new Promise<void>((res) => child.once('exit', () => res()));
      const startAt = log.length;
      let ready = false;
      const onData = (d: Buffer) => {
        log += d;
        if (!ready && log.indexOf('Ready to accept connections', startAt) >= 0) {
          ready = true;
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        if (!ready) reject(new Error(`redis-server exited with ${code} before accepting connections:\n${log}`));
      });
    });

  const stop = async () => {
    const child = proc;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
    proc = null;
  };

  try {
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    log: () => log,
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
