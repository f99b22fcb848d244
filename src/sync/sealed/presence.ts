import type { Awareness } from 'y-protocols/awareness';
import { openPresence, sealPresence } from '../../protocol/blob.js';
import type { SealedKeys } from '../../protocol/sealed.js';
import type { PresenceSource } from '../presence-source.js';

/**
 * A sealed workbook's presence: what the hub forwards is `{ s: <sealed string> }` per client id,
 * so it learns nothing of names, colours or cursors. The UI reads and writes plain states here.
 * A state that does not open for this workbook and that client id is left out (never shown).
 */
export class SealedPresence implements PresenceSource {
  private local: Record<string, unknown> | null = {};
  /** the client id the current sealed state was bound to: re-sealed when the id moves */
  private sealedFor = -1;
  private readonly opened = new Map<number, { sealed: unknown; state: Record<string, any> | null }>();
  private readonly listeners = new Set<(...args: any[]) => void>();
  private readonly onChange = (...args: unknown[]) => {
    if (this.local && this.awareness.clientID !== this.sealedFor) this.reseal();
    for (const l of this.listeners) l(...args);
  };

  constructor(
    private readonly awareness: Awareness,
    /** null: the link opens nothing here, so nothing of this device's presence is sent */
    private readonly keys: SealedKeys | null,
  ) {
    awareness.on('change', this.onChange);
  }

  get clientID(): number {
    return this.awareness.clientID;
  }

  getStates(): Map<number, Record<string, any>> {
    const out = new Map<number, Record<string, any>>();
    this.awareness.getStates().forEach((state, id) => {
      if (id === this.awareness.clientID) {
        if (this.local) out.set(id, this.local);
        return;
      }
      const sealed = (state as { s?: unknown } | null)?.s;
      if (!this.keys) return;
      let cached = this.opened.get(id);
      if (!cached || cached.sealed !== sealed) {
        const opened = openPresence(this.keys!, id, sealed);
        cached = { sealed, state: opened && typeof opened === 'object' && !Array.isArray(opened) ? (opened as Record<string, any>) : null };
        this.opened.set(id, cached);
      }
      if (cached.state) out.set(id, cached.state);
    });
    for (const id of this.opened.keys()) if (!this.awareness.getStates().has(id)) this.opened.delete(id);
    return out;
  }

  getLocalState(): Record<string, any> | null {
    return this.local;
  }

  setLocalStateField(field: string, value: unknown): void {
    this.local = { ...(this.local ?? {}), [field]: value };
    this.reseal();
  }

  on(_event: 'change', listener: (...args: any[]) => void): void {
    this.listeners.add(listener);
  }

  off(_event: 'change', listener: (...args: any[]) => void): void {
    this.listeners.delete(listener);
  }

  destroy(): void {
    this.awareness.off('change', this.onChange);
    this.listeners.clear();
  }

  private reseal(): void {
    this.sealedFor = this.awareness.clientID;
    if (!this.keys) return;
    this.awareness.setLocalState(this.local ? { s: sealPresence(this.keys, this.sealedFor, this.local) } : null);
  }
}
