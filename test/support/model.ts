import * as Y from 'yjs';
import { Workbook } from '../../src/model/index.js';

/** A workbook on a fresh doc with a deterministic clock, for unit tests. */
export function newWorkbook(name = 'Ana', options: { doc?: Y.Doc; start?: number } = {}) {
  const doc = options.doc ?? new Y.Doc();
  let clock = options.start ?? 1_764_000_000_000;
  const wb = new Workbook(doc, { actor: { name, deviceId: `${name}-phone` }, now: () => clock });
  return {
    doc,
    wb,
    tick(ms = 1000) {
      clock += ms;
    },
  };
}

/** Brings two workbooks (their docs and history journals) fully in step, both ways. */
export function syncWorkbooks(a: Workbook, b: Workbook): void {
  for (const [x, y] of [
    [a.doc, b.doc],
    [a.journal.doc, b.journal.doc],
  ]) {
    Y.applyUpdate(y, Y.encodeStateAsUpdate(x, Y.encodeStateVector(y)));
    Y.applyUpdate(x, Y.encodeStateAsUpdate(y, Y.encodeStateVector(x)));
  }
}
