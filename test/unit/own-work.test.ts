import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { compareWithHub, reissue, type ClockRanges } from '../../src/sync/own-work.js';
import { rawUpdate } from '../support/vandal.js';

/**
 * The device side of the forged-clock defence, on plain docs: a device's unacknowledged structs
 * compared with what a hub holds at the same clocks, and the lost ones written again so that the
 * hub, the device and a third device end up with the same workbook.
 */

function sv(doc: Y.Doc): Map<number, number> {
  return Y.decodeStateVector(Y.encodeStateVector(doc));
}

/** A device that synced with the hub, then worked offline: lists, maps, nested maps, text. */
function offlineDevice() {
  const hub = new Y.Doc();
  const dev = new Y.Doc();
  const log = dev.getArray<string>('log');
  const cells = dev.getMap<unknown>('cells');
  log.push(['before']);
  cells.set('a', 'before');
  Y.applyUpdate(hub, Y.encodeStateAsUpdate(dev));
  const acked = Y.getState(dev.store, dev.clientID);
  log.push(['offline 1', 'offline 2']);
  cells.set('a', 'offline a');
  const row = new Y.Map<unknown>();
  row.set('x', 'offline x');
  cells.set('row', row);
  dev.getText('note').insert(0, 'offline note');
  log.push(['offline 3']);
  return { hub, dev, id: dev.clientID, acked };
}

/** What the guard does on a reconnect: ask from the acked clock, compare, apply, write again, send. */
function reconnect(hub: Y.Doc, dev: Y.Doc, ranges: ClockRanges) {
  const asked = sv(dev);
  for (const [client, [from]] of ranges) asked.set(client, from);
  const answer = Y.encodeStateAsUpdate(hub, Y.encodeStateVector(asked));
  const verdict = compareWithHub(dev, answer, ranges);
  Y.applyUpdate(dev, Y.encodeStateAsUpdate(hub, Y.encodeStateVector(dev)), 'hub');
  Y.applyUpdate(dev, answer, 'hub');
  const written = reissue(dev, verdict, {});
  Y.applyUpdate(hub, Y.encodeStateAsUpdate(dev, Y.encodeStateVector(hub)));
  Y.applyUpdate(dev, Y.encodeStateAsUpdate(hub, Y.encodeStateVector(dev)));
  const third = new Y.Doc();
  Y.applyUpdate(third, Y.encodeStateAsUpdate(hub));
  return { verdict, written, third };
}

function workbookOf(doc: Y.Doc) {
  return { log: doc.getArray('log').toJSON(), cells: doc.getMap('cells').toJSON(), note: doc.getText('note').toString() };
}

const offlineWork = {
  log: ['before', 'offline 1', 'offline 2', 'offline 3'],
  cells: { a: 'offline a', row: { x: 'offline x' } },
  note: 'offline note',
};

describe('own work against forged clocks', () => {
  it('a GC over every offline clock: all of it is written again, in place, and the hub, the device and a third device agree', () => {
    const { hub, dev, id, acked } = offlineDevice();
    const held = Y.getState(dev.store, id);
    Y.applyUpdate(hub, rawUpdate([{ client: id, clock: acked, structs: [100_000] }]));
    const { verdict, written, third } = reconnect(hub, dev, new Map([[id, [acked, held]]]));
    expect([...verdict.taken.keys()]).toEqual([id]);
    expect(written).toBeGreaterThan(0);
    expect(dev.clientID).not.toBe(id);
    expect(workbookOf(dev)).toEqual(offlineWork);
    expect(workbookOf(hub)).toEqual(offlineWork);
    expect(workbookOf(third)).toEqual(offlineWork);
  });

  it('forged content under the device’s id at its first offline clock: the device’s value wins everywhere, the forged one is deleted', () => {
    const { hub, dev, id, acked } = offlineDevice();
    const held = Y.getState(dev.store, id);
    const forger = new Y.Doc();
    Y.applyUpdate(forger, Y.encodeStateAsUpdate(hub));
    forger.clientID = id;
    forger.getArray<string>('log').push(['forged']);
    forger.getMap('cells').set('a', 'forged');
    Y.applyUpdate(hub, Y.encodeStateAsUpdate(forger, Y.encodeStateVector(hub)));
    const { verdict, third } = reconnect(hub, dev, new Map([[id, [acked, held]]]));
    expect(verdict.lost.length).toBeGreaterThan(0);
    for (const doc of [dev, hub, third]) {
      expect(doc.getMap('cells').get('a')).toBe('offline a');
      expect(doc.getArray('log').toJSON()).not.toContain('forged');
      expect(doc.getArray('log').toJSON()).toEqual(expect.arrayContaining(offlineWork.log));
    }
    expect(workbookOf(hub)).toEqual(workbookOf(dev));
    expect(workbookOf(third)).toEqual(workbookOf(dev));
  });

  it('nothing forged (the hub got the edits before the ack was lost): nothing is lost, nothing written again', () => {
    const { hub, dev, id, acked } = offlineDevice();
    const held = Y.getState(dev.store, id);
    Y.applyUpdate(hub, Y.encodeStateAsUpdate(dev));
    const { verdict, written } = reconnect(hub, dev, new Map([[id, [acked, held]]]));
    expect(verdict.lost).toEqual([]);
    expect(written).toBe(0);
    expect(dev.clientID).toBe(id);
    expect(workbookOf(hub)).toEqual(offlineWork);
  });

  it('a colleague deleted what the hub had of the device’s edits: an ordinary delete, not a loss', () => {
    const { hub, dev, id, acked } = offlineDevice();
    const held = Y.getState(dev.store, id);
    Y.applyUpdate(hub, Y.encodeStateAsUpdate(dev));
    const colleague = new Y.Doc();
    Y.applyUpdate(colleague, Y.encodeStateAsUpdate(hub));
    colleague.getArray('log').delete(1, 2);
    colleague.getMap('cells').delete('row');
    Y.applyUpdate(hub, Y.encodeStateAsUpdate(colleague, Y.encodeStateVector(hub)));
    const { verdict, written } = reconnect(hub, dev, new Map([[id, [acked, held]]]));
    expect(verdict.lost).toEqual([]);
    expect(written).toBe(0);
    expect(dev.getArray('log').toJSON()).toEqual(['before', 'offline 3']);
    expect(dev.getMap('cells').has('row')).toBe(false);
  });
});
