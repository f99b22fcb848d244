import { parseView, type ViewSpec } from '../model/view.js';

/** Personal views, per device, per workbook and sheet, in localStorage: never shared. */
export class ViewStore {
  constructor(
    private readonly storage: Storage,
    private readonly workbookId: string,
  ) {}

  private key(sheetId: string): string {
    return `mutual-sheets:view:${this.workbookId}:${sheetId}`;
  }

  load(sheetId: string): ViewSpec {
    try {
      const raw = this.storage.getItem(this.key(sheetId));
      return parseView(raw ? JSON.parse(raw) : null);
    } catch {
      // Not JSON: read as no view, a fresh one nobody else holds.
      return parseView(null);
    }
  }

  /** Forgets this workbook's views of every sheet (removing it from this device). */
  forgetAll(): void {
    // The ':' after the id keeps another workbook whose id starts with this one out of it.
    const prefix = `mutual-sheets:view:${this.workbookId}:`;
    try {
      const doomed: string[] = [];
      for (let i = 0; i < this.storage.length; i++) {
        const key = this.storage.key(i);
        if (key?.startsWith(prefix)) doomed.push(key);
      }
      for (const key of doomed) this.storage.removeItem(key);
    } catch {
      // storage refused: nothing more this device can do
    }
  }

  save(sheetId: string, view: ViewSpec): void {
    try {
      this.storage.setItem(this.key(sheetId), JSON.stringify(view));
    } catch {
      // Storage full: the view still applies for this page.
    }
  }
}
