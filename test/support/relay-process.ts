import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

export interface RelayProcess {
  port: number;
  httpUrl: string;
  syncUrl: string;
  dataDir: string;
  proc: ChildProcess;
  /** everything the relay wrote to stderr so far (its JSON log) */
  stderr: () => string;
  /** sends a signal and resolves with the exit code once the process is gone */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * Starts the real relay (server/main.ts) as a child process on port 0 and waits for it to listen.
 * Many tests write to plain room names (open workbooks), so open workbooks are writable here
 * (OPEN_WORKBOOKS_WRITABLE=1) unless `openWorkbooksWritable: false` asks for the hub's default.
 */
export async function startRelay(options: { dataDir?: string; env?: Record<string, string>; openWorkbooksWritable?: boolean } = {}): Promise<RelayProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ms-relay-'));
  const open = { OPEN_WORKBOOKS_WRITABLE: options.openWorkbooksWritable === false ? '0' : '1' };
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ROOM_GRACE_MS: '200', ...open, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  const port = await new Promise<number>((res, rej) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        proc.stdout!.off('data', onData);
        res(Number(m[1]));
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => rej(new Error(`relay exited with ${code} before listening:\n${stderr}`)));
  });
  return {
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    syncUrl: `ws://127.0.0.1:${port}/sync`,
    dataDir,
    proc,
    stderr: () => stderr,
    stop: (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}
