import type pg from 'pg';

/**
 * The Postgres store's schema, as numbered steps applied in order at open. A step is never edited
 * once released: a change is a new step. `schema_version` holds how many have been applied; the
 * steps run under an advisory lock so two hub processes starting together apply each once.
 */
const MIGRATIONS: readonly string[] = [
  `
  -- Rooms by number: a secured id is 44 characters, and the logs hold every edit for months.
  -- last_room_seq is the per-workbook sequence (1, 2, 3 …, no gaps) every process agrees on: the
  -- row is locked by each append, so updates of one room are numbered in the order they commit.
  -- last_at is the newest retained stamp, so stamps keep increasing whichever process writes.
  CREATE TABLE rooms (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    last_room_seq BIGINT NOT NULL DEFAULT 0,
    last_at BIGINT
  );
  CREATE SEQUENCE update_seq;
  CREATE TABLE updates (
    seq BIGINT PRIMARY KEY,
    room BIGINT NOT NULL REFERENCES rooms (id),
    room_seq BIGINT NOT NULL,
    data BYTEA NOT NULL,
    UNIQUE (room, room_seq)
  );
  CREATE INDEX updates_room_seq ON updates (room, seq);
  CREATE TABLE snapshots (
    room BIGINT PRIMARY KEY REFERENCES rooms (id),
    data BYTEA NOT NULL,
    through_seq BIGINT NOT NULL
  );
  CREATE TABLE saved_snapshots (
    id BIGSERIAL PRIMARY KEY,
    room BIGINT NOT NULL REFERENCES rooms (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('named', 'auto')),
    by TEXT NOT NULL,
    at BIGINT NOT NULL,
    data BYTEA NOT NULL
  );
  CREATE INDEX saved_snapshots_room ON saved_snapshots (room, id);
  CREATE TABLE retained (
    seq BIGINT PRIMARY KEY,
    room BIGINT NOT NULL REFERENCES rooms (id),
    at BIGINT NOT NULL,
    data BYTEA NOT NULL
  );
  CREATE INDEX retained_room_at ON retained (room, at, seq);
  CREATE TABLE retained_base (
    room BIGINT PRIMARY KEY REFERENCES rooms (id),
    data BYTEA NOT NULL,
    through_at BIGINT NOT NULL,
    through_seq BIGINT NOT NULL
  );
  -- Workbooks whose links were replaced: only the id and when; nothing else of them is kept.
  CREATE TABLE retired (
    workbook TEXT PRIMARY KEY,
    at BIGINT NOT NULL
  );
  `,
];

/**
 * Advisory locks of this hub are (LOCK_CLASS, key): 'MS' in the first half, so another program
 * sharing the database is unlikely to collide. Key 0 is the schema; rooms use hashtext(name).
 */
export const LOCK_CLASS = 0x4d53;
export const ROOM_LOCK_CLASS = LOCK_CLASS + 1;

export async function migrate(client: pg.PoolClient): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${LOCK_CLASS}, 0)`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const r = await client.query<{ version: number }>('SELECT version FROM schema_version');
    let version = r.rows[0]?.version ?? 0;
    if (!r.rows.length) await client.query('INSERT INTO schema_version (version) VALUES (0)');
    if (version > MIGRATIONS.length) throw new Error(`the database's schema (${version}) is newer than this hub's (${MIGRATIONS.length}): upgrade the hub`);
    for (; version < MIGRATIONS.length; version++) await client.query(MIGRATIONS[version]);
    await client.query('UPDATE schema_version SET version = $1', [version]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
