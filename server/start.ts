import { renderUnicodeCompact } from 'uqr';
import { ConfigError, configFromEnv } from './config.js';
import { jsonLogger } from './log.js';
import { lanUrls } from './network.js';
import { createRelay } from './relay.js';
import { SqliteStore } from './store.js';

async function main(): Promise<void> {
  let config;
  try {
    config = configFromEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = jsonLogger();
  // DATABASE_URL and REDIS_URL: one of several processes on Postgres and Redis; else the hub's own SQLite file.
  const backend = config.hosted ? await (await import('./hosted.js')).HostedHub.open(config.hosted, config, log) : new SqliteStore(config.dataDir);
  const relay = createRelay(config, backend, log);
  const address = await relay.listen();
  const scheme = config.tls ? 'https' : 'http';
  const lines = [`Mutual Sheets ${config.version} is running.`, `  On this computer: ${scheme}://localhost:${address.port}/`];
  const lan = lanUrls(config.host, address.port, !!config.tls);
  for (const url of lan) lines.push(`  On your network:  ${url}`);
  lines.push(config.hosted ? `  Data: Postgres (DATABASE_URL), fan-out through Redis (REDIS_URL)` : `  Data: ${config.dataDir}`);
  if (lan.length && process.stdout.isTTY) {
    // A phone on the same Wi-Fi can scan this to open the app from this hub.
    lines.push('', `Scan to open ${lan[0]} on a phone on this network:`, renderUnicodeCompact(lan[0], { border: 1 }));
  }
  process.stdout.write(lines.join('\n') + '\n');
  // Machine-readable line for tests and scripts that start the relay on port 0.
  process.stdout.write(`LISTENING ${address.port}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    relay.close().then(
      () => process.exit(0),
      (err) => {
        log.error('shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`Mutual Sheets could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
