import { networkInterfaces } from 'node:os';
import { ConfigError, configFromEnv } from './config.js';
import { jsonLogger } from './log.js';
import { createRelay } from './relay.js';
import { SqliteStore } from './store.js';

function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
}

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
  const store = new SqliteStore(config.dataDir);
  const relay = createRelay(config, store, log);
  const address = await relay.listen();
  const scheme = config.tls ? 'https' : 'http';
  const lines = [`Mutual Sheets ${config.version} is running.`, `  On this computer: ${scheme}://localhost:${address.port}/`];
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  if (wildcard) for (const ip of lanAddresses()) lines.push(`  On your network:  ${scheme}://${ip}:${address.port}/`);
  lines.push(`  Data: ${config.dataDir}`);
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
