import * as Y from 'yjs';
import { ModelError } from './errors.js';

/** Bump when the layout in docs/schema.md changes; add a migration from the previous version. */
export const SCHEMA_VERSION = 3;

/**
 * Forward-only migrations: entry `n` upgrades a doc from version n to n+1.
 * Each must be idempotent, since two peers may run it concurrently on their copies.
 */
const MIGRATIONS: Record<number, (doc: Y.Doc) => void> = {
  // 2 adds counter and claim columns, whose ops live under `col#session#seq` and `col@person`
  // keys in a row's map. Nothing to convert; the bump keeps older apps (which would read those
  // keys as cells) from editing a doc that has them.
  1: () => {},
  // 3 adds formulas: a cell record tagged `=` holding the stored formula, and a column's `formula`
  // field. An app of version 2 reads such a record as no cell at all and a column formula not at
  // all, so it would show blanks and write values over formulas it cannot see; the bump makes it
  // refuse instead. Text typed as `=A1+A2` before formulas existed stays text: converting it would
  // mean choosing an order to read A1 in, and two peers migrating at once could choose different ones.
  2: () => {},
};

export function readSchemaVersion(doc: Y.Doc): number | null {
  const v = doc.getMap('meta').get('schemaVersion');
  return typeof v === 'number' ? v : null;
}

/**
 * Brings a doc up to this code's schema. A doc from a newer app is refused rather
 * than edited: writing old-shaped data into it could destroy what the newer app keeps.
 */
export function migrate(doc: Y.Doc, supported = SCHEMA_VERSION): void {
  const version = readSchemaVersion(doc);
  if (version === null) throw new ModelError('NOT_INITIALIZED', 'this workbook has no data yet');
  if (version > supported) {
    throw new ModelError('SCHEMA_TOO_NEW', `this workbook was made by a newer version of Mutual Sheets (schema ${version})`, {
      version,
      supported,
    });
  }
  for (let v = version; v < supported; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new ModelError('SCHEMA_TOO_NEW', `no migration from schema ${v}`, { version: v });
    doc.transact(() => {
      step(doc);
      doc.getMap('meta').set('schemaVersion', v + 1);
    });
  }
}
