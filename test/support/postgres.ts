import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's postgresql package puts the server binaries (`.ci/run` installs it). */
const BIN_DIRS = [process.env.PG_BIN_DIR, '/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'].filter(
  (d): d is string => !!d,
);
/** initdb and postgres refuse to run as root: as root, the test runs them as this user. */
const PG_USER = 'postgres';

export interface PostgresServer {
  port: number;
  /** postgres://… for the database `postgres` as the superuser, over loopback TCP */
  url: string;
  /** everything the server logged so far */
  log: () => string;
  /** a fast shutdown (SIGINT); resolves once the server process is gone */
  stop: () => Promise<void>;
  /** starts it again on the same data directory and port (after `stop`) */
  start: () => Promise<void>;
  /** stops it (if running) and removes its temp directory */
  destroy: () => Promise<void>;
}

function binDir(): string {
  const dir = BIN_DIRS.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'postgres')));
  if (!dir) {
    throw new Error(
      `PostgreSQL server binaries not found (looked in ${BIN_DIRS.join(', ')}): apt-get install -y postgresql, or set PG_BIN_DIR`,
    );
  }
  return dir;
}

/** A port nobody listens on now (the kernel's pick; the server binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** argv run as the postgres user when we are root (runuser), as ourselves otherwise. */
function command(argv: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', PG_USER, '--', ...argv]] : [argv[0], argv.slice(1)];
}

/**
 * Starts a throwaway PostgreSQL on a free loopback port, data and socket in a fresh temp
 * directory. Ready when the server logs that it accepts connections (no polling, no sleeps).
 * `settings` are passed as `-c name=value` (a test can start one misconfigured on purpose).
 */
export async function startPostgres(options: { settings?: Record<string, string> } = {}): Promise<PostgresServer> {
  const bin = binDir();
  const root = mkdtempSync(join(tmpdir(), 'ms-pg-'));
  const data = join(root, 'data');
  const socket = join(root, 'sock');
  mkdirSync(socket);
  if (asRoot) {
    const ids = spawnSync('id', ['-u', PG_USER], { encoding: 'utf8' });
    const gids = spawnSync('id', ['-g', PG_USER], { encoding: 'utf8' });
    if (ids.status !== 0) throw new Error(`running as root needs a "${PG_USER}" user to run PostgreSQL as (the postgresql package creates it)`);
    for (const p of [root, socket]) chownSync(p, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
  }
  // --no-sync: the cluster is thrown away after the test; the server itself still fsyncs every commit.
  const [cmd, args] = command([join(bin, 'initdb'), '-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const init = spawnSync(cmd, args, { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}):\n${init.stdout}\n${init.stderr}`);
  }
  const port = await freePort();
  const settings = Object.entries(options.settings ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  let log = '';
  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const [c, a] = command([join(bin, 'postgres'), '-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', socket, ...settings]);
      const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = child;
      exited = new Promise<void>((res) => child.once('exit', () => res()));
      let ready = false;
      const onData = (d: Buffer) => {
        log += d;
        if (!ready && log.lastIndexOf('database system is ready to accept connections') > log.lastIndexOf('starting PostgreSQL')) {
          ready = true;
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        if (!ready) reject(new Error(`postgres exited with ${code} before accepting connections:\n${log}`));
      });
    });

  const stop = async () => {
    const child = proc;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // Signal the postmaster itself: runuser does not pass every signal on.
    const pid = postmasterPid(data);
    if (pid) process.kill(pid, 'SIGINT');
    else child.kill('SIGINT');
    await exited;
    proc = null;
  };

  try {
    await start();
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    log: () => log,
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The first line of postmaster.pid, the server's own pid (null once it is gone). */
function postmasterPid(data: string): number | null {
  const file = join(data, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0].trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}
