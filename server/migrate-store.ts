/**
 * Copies a hub's store between SQLite and Postgres, then checks the copy (issue 19):
 *   npm run migrate-store -- --from sqlite:<DATA_DIR> --to postgres://user@host/db
 *   npm run migrate-store -- --from postgres://user@host/db --to sqlite:<DATA_DIR>
 *   npm run migrate-store -- --from … --to … --verify      (compare only, copy nothing)
 * Every hub using either store must be stopped. The target must be empty: nothing is merged. After
 * copying, every room's updates, compaction snapshot, saved snapshots, retained log and retained
 * base, and the retired workbooks, are compared byte for byte; any difference is printed and the
 * exit code is 1. Exit 2: the command was not understood or a store could not be opened.
 */
import { resolve } from 'node:path';
import { compareSides, PostgresSide, SqliteSide, type StoreSide } from './pg-migrate.js';

export class MigrateError extends Error {}

async function open(spec: string, create: boolean): Promise<StoreSide> {
  if (spec.startsWith('sqlite:')) return new SqliteSide(resolve(spec.slice('sqlite:'.length)), create);
  if (/^postgres(ql)?:\/\//.test(spec)) return PostgresSide.open(spec);
  throw new MigrateError(`not a store: ${spec} (sqlite:<DATA_DIR> or postgres://…)`);
}

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Runs the command; resolves with the exit code, writing what it did to `out`. */
export async function migrateStore(args: string[], out: (line: string) => void): Promise<number> {
  const from = arg(args, 'from');
  const to = arg(args, 'to');
  if (!from || !to) throw new MigrateError('usage: migrate-store --from <store> --to <store> [--verify]');
  const verifyOnly = args.includes('--verify');
  const source = await open(from, false);
  let target: StoreSide | null = null;
  try {
    target = await open(to, !verifyOnly);
    if (!verifyOnly) {
      if (!(await target.empty())) throw new MigrateError(`${target.label} already holds workbooks: migrate only into an empty store`);
      const rooms = await target.write(source);
      out(`copied ${rooms} rooms from ${source.label} to ${target.label}`);
    }
    const differences = await compareSides(source, target);
    for (const d of differences) out(`DIFFERS ${d}`);
    out(differences.length ? `${differences.length} differences` : `verified: ${target.label} holds what ${source.label} holds, byte for byte`);
    return differences.length ? 1 : 0;
  } finally {
    await source.close();
    await target?.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]).endsWith('migrate-store.ts')) {
  migrateStore(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
