import { afterEach, describe, expect, it } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import * as Y from 'yjs';
import { isModelError } from '../../src/model/errors.js';
import { restoreTo } from '../../src/model/restore-to.js';
import { DEFAULT_TIME_ZONE, canonicalTimeZone, deviceTimeZone, timeZoneNames } from '../../src/model/time-zone.js';
import { Workbook } from '../../src/model/workbook.js';
import { FormulaResults } from '../../src/ui/formula-results.js';
import { newWorkbook, syncWorkbooks } from '../support/model.js';

const PROCESS_ZONE = process.env.TZ;

afterEach(() => {
  if (PROCESS_ZONE === undefined) delete process.env.TZ;
  else process.env.TZ = PROCESS_ZONE;
});

/** Sets this process's zone, as a device set to it would be: Date and Intl follow at once in Node. */
function deviceIn(zone: string): void {
  process.env.TZ = zone;
  expect(deviceTimeZone()).toBe(zone);
}

function host(): ReactiveControllerHost {
  return { addController() {}, removeController() {}, requestUpdate() {}, updateComplete: Promise.resolve(true) };
}

const load = () => import('../../src/model/formula/index.js');
/** 2026-12-02 12:00 UTC: already the 3rd in Kiritimati (UTC+14), still the 2nd in Pago Pago (UTC−11). */
const NOON_UTC = Date.UTC(2026, 11, 2, 12, 0);
/** Excel serials of those days (1899-12-30 is day 0). */
const DEC_2 = Math.round((Date.UTC(2026, 11, 2) - Date.UTC(1899, 11, 30)) / 86_400_000);
const DEC_3 = DEC_2 + 1;

async function today(wb: Workbook, sheetId: string, rowId: string, colId: string): Promise<unknown> {
  const results = new FormulaResults(host(), { load, now: () => NOON_UTC });
  results.watch(wb);
  await results.ready();
  return results.result(sheetId, rowId, colId);
}

describe('the workbook time zone', () => {
  it('names are checked with Intl: canonical spelling, junk refused', () => {
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    for (const bad of ['Mars/Olympus_Mons', '', 'UTC; drop', 'A'.repeat(65), 42, null, {}]) expect(canonicalTimeZone(bad)).toBeNull();
    const names = timeZoneNames();
    expect(names).toContain('UTC');
    expect(names).toContain('Europe/Madrid');
    expect(names.every((n) => canonicalTimeZone(n) !== null)).toBe(true);
  });

  it('starts as the creator’s zone; a doc from before the setting, or with junk in it, reads as UTC', () => {
    deviceIn('Europe/Madrid');
    const { wb } = newWorkbook('Ana');
    wb.initialize();
    expect(wb.timeZone()).toBe('Europe/Madrid');

    const old = newWorkbook('Luis').wb;
    old.initialize();
    old.doc.getMap('meta').delete('timeZone');
    expect(old.timeZone()).toBe(DEFAULT_TIME_ZONE);
    for (const junk of ['Nowhere/Land', 7, ['UTC'], { zone: 'UTC' }]) {
      old.doc.getMap('meta').set('timeZone', junk);
      expect(old.timeZone()).toBe(DEFAULT_TIME_ZONE);
    }
  });

  it('setTimeZone stores the canonical name, refuses an unknown one (nothing written) and a view link', () => {
    const { wb } = newWorkbook('Ana');
    wb.initialize();
    wb.setTimeZone(' europe/madrid ');
    expect(wb.timeZone()).toBe('Europe/Madrid');
    let refused: unknown = null;
    try {
      wb.setTimeZone('Europe/Atlantis');
    } catch (err) {
      refused = err;
    }
    expect(isModelError(refused, 'INVALID_TIME_ZONE')).toBe(true);
    expect(wb.timeZone()).toBe('Europe/Madrid');

    const viewer = new Workbook(new Y.Doc(), { actor: { name: 'V', deviceId: 'v' }, readOnly: true });
    syncWorkbooks(wb, viewer);
    expect(viewer.timeZone()).toBe('Europe/Madrid');
    expect(() => viewer.setTimeZone('UTC')).toThrow();
  });

  it('two devices in different zones compute the same TODAY(); a change of the setting moves both', async () => {
    deviceIn('Pacific/Kiritimati');
    const ana = newWorkbook('Ana').wb;
    const sheetId = ana.initialize({ columns: 1, rows: 1 });
    const colId = ana.columns(sheetId)[0].id;
    const rowId = ana.rowIds(sheetId)[0];
    ana.setFormula(sheetId, rowId, colId, '=TODAY()');
    expect(await today(ana, sheetId, rowId, colId)).toBe(DEC_3);

    deviceIn('Pacific/Pago_Pago');
    const luis = newWorkbook('Luis').wb;
    syncWorkbooks(ana, luis);
    // the device's own date is the 2nd; the workbook's is the 3rd, on both devices
    expect(new Date(NOON_UTC).getDate()).toBe(2);
    expect(await today(luis, sheetId, rowId, colId)).toBe(DEC_3);

    const results = new FormulaResults(host(), { load, now: () => NOON_UTC });
    results.watch(luis);
    await results.ready();
    luis.setTimeZone('Pacific/Pago_Pago');
    expect(results.result(sheetId, rowId, colId)).toBe(DEC_2);
    syncWorkbooks(ana, luis);
    deviceIn('Pacific/Kiritimati');
    expect(await today(ana, sheetId, rowId, colId)).toBe(DEC_2);
  });

  it('Restore to a moment puts the zone back with the title', () => {
    const { wb } = newWorkbook('Ana');
    wb.initialize();
    wb.setTimeZone('Asia/Tokyo');
    const then = new Workbook(new Y.Doc(), { actor: { name: 'T', deviceId: 't' }, readOnly: true });
    Y.applyUpdate(then.doc, Y.encodeStateAsUpdate(wb.doc));
    wb.setTimeZone('Africa/Nairobi');
    restoreTo(then, wb, { at: 1 });
    expect(wb.timeZone()).toBe('Asia/Tokyo');
  });
});
