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
