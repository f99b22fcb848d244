/**
 * What the UI reads and writes of presence: y-protocols' Awareness has exactly this shape, and a
 * sealed workbook's presence (src/sync/sealed/presence.ts) offers the same over encrypted states.
 */
export interface PresenceSource {
  /** this device's presence id (follows the doc's client id when that moves) */
  readonly clientID: number;
  getStates(): Map<number, Record<string, any>>;
  getLocalState(): Record<string, any> | null;
  setLocalStateField(field: string, value: unknown): void;
  on(event: 'change', listener: (...args: any[]) => void): void;
  off(event: 'change', listener: (...args: any[]) => void): void;
}
