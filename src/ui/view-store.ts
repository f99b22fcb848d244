import { EMPTY_VIEW, parseView, type ViewSpec } from '../model/view.js';

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
      return raw ? parseView(JSON.parse(raw)) : { ...EMPTY_VIEW };
    } catch {
      return { ...EMPTY_VIEW };
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
