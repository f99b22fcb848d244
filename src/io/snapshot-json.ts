import * as Y from 'yjs';
import type { CellValue } from '../model/types.js';
import { Workbook } from '../model/workbook.js';
import { IoError } from './errors.js';

export const SNAPSHOT_FORMAT = 'mutual-sheets-snapshot';
export const SNAPSHOT_VERSION = 1;

/**
 * A JSON snapshot of a whole workbook (docs/snapshot-format.md): a readable
 * copy of every sheet for people and other tools, plus the exact Yjs state so
 * importing it rebuilds the workbook exactly — history, trash and authorship included.
 */
export interface WorkbookSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  exportedAt: string;
  title: string;
  schemaVersion: number | null;
  sheets: {
    id: string;
    name: string;
    columns: { id: string; name: string; type: string; options?: { id: string; label: string; color: string }[] }[];
    rows: { id: string; cells: Record<string, CellValue> }[];
  }[];
  /** base64 of Y.encodeStateAsUpdate(doc) */
  yjs: string;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function exportSnapshot(wb: Workbook, now = new Date()): WorkbookSnapshot {
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    exportedAt: now.toISOString(),
    title: wb.title(),
    schemaVersion: wb.schemaVersion(),
    sheets: wb.sheets().map((s) => {
      const columns = wb.columns(s.id);
      return {
        id: s.id,
        name: s.name,
        columns: columns.map((c) => ({ id: c.id, name: c.name, type: c.type, ...(c.options.length ? { options: c.options } : {}) })),
        rows: wb.rowIds(s.id).map((id) => ({
          id,
          cells: Object.fromEntries(columns.map((c) => [c.id, wb.getValue(s.id, id, c.id)])),
        })),
      };
    }),
    yjs: toBase64(Y.encodeStateAsUpdate(wb.doc)),
  };
}

/** Rebuilds a workbook's doc from a snapshot; throws an IoError (SNAPSHOT_… codes) for anything that is not one. */
export function importSnapshot(json: string, doc = new Y.Doc()): Y.Doc {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new IoError('SNAPSHOT_NOT_JSON', 'This file is not JSON.');
  }
  const snap = parsed as Partial<WorkbookSnapshot>;
  if (!snap || snap.format !== SNAPSHOT_FORMAT) throw new IoError('NOT_A_SNAPSHOT', 'This file is not a Mutual Sheets snapshot.');
  if (typeof snap.version !== 'number' || snap.version > SNAPSHOT_VERSION) {
    throw new IoError('SNAPSHOT_TOO_NEW', `This snapshot was made by a newer Mutual Sheets (format ${String(snap.version)}).`, { version: String(snap.version) });
  }
  if (typeof snap.yjs !== 'string') throw new IoError('SNAPSHOT_NO_DATA', 'This snapshot has no workbook data.');
  let update: Uint8Array;
  try {
    update = fromBase64(snap.yjs);
    Y.decodeUpdate(update);
  } catch {
    throw new IoError('SNAPSHOT_DAMAGED', 'This snapshot is damaged: its workbook data cannot be read.');
  }
  Y.applyUpdate(doc, update);
  return doc;
}
