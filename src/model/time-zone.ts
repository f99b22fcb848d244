/**
 * The workbook's time zone: what TODAY() and NOW() read, so one formula gives the same result on
 * every device whatever zone each device is in (docs/schema.md, docs/formulas.md). An IANA name,
 * checked with Intl, the one authority every browser and Node agree on for which names exist.
 */

/** What a doc with no (or an unreadable) setting uses: docs from before the setting had none, and UTC is nobody's guess. */
export const DEFAULT_TIME_ZONE = 'UTC';

/** Longer than any IANA name (the longest is 32): anything past it is junk, refused before Intl sees it. */
const MAX_NAME = 64;
const NAME_SHAPE = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

const known = new Map<string, string | null>();

/**
 * The canonical spelling of a zone name (`america/new_york` → `America/New_York`), or null when it
 * names no zone. Remembered per text: the setting is read on every formula evaluation of TODAY().
 */
export function canonicalTimeZone(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME || !NAME_SHAPE.test(name)) return null;
  const hit = known.get(name);
  if (hit !== undefined) return hit;
  let out: string | null;
  try {
    out = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    out = null;
  }
  if (known.size > 1000) known.clear();
  known.set(name, out);
  return out;
}

/** The zone this device is set to, or UTC when the runtime cannot say (what a new workbook starts with). */
export function deviceTimeZone(): string {
  try {
    return canonicalTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone) ?? DEFAULT_TIME_ZONE;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}

/** Every zone name this runtime knows, for a picker; UTC always among them. */
export function timeZoneNames(): string[] {
  const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  const names = supported ? supported('timeZone') : [];
  return names.includes(DEFAULT_TIME_ZONE) ? names : [DEFAULT_TIME_ZONE, ...names];
}
