import { NO_FILTER, parsePhoneFilter, type PhoneFilter } from './card-list.js';

/**
 * The phone's search and filters, per device, per workbook and sheet, in
 * localStorage: a volunteer who looked at "Mine" yesterday finds it so today.
 * Kept under the personal views' prefix (view-store.ts), so forgetting a
 * workbook on this device forgets these with its views.
 */
export class PhoneFilterStore {
  constructor(
    private readonly storage: Storage,
    private readonly workbookId: string,
  ) {}

  key(sheetId: string): string {
    return `mutual-sheets:view:${this.workbookId}:${sheetId}:phone`;
  }

  /** What was stored, each field checked; anything unreadable is the default (no filter). */
  load(sheetId: string): PhoneFilter {
    try {
      const raw = this.storage.getItem(this.key(sheetId));
      return raw ? parsePhoneFilter(JSON.parse(raw)) : { ...NO_FILTER };
    } catch {
      return { ...NO_FILTER };
    }
  }

  save(sheetId: string, filter: PhoneFilter): void {
    try {
      this.storage.setItem(this.key(sheetId), JSON.stringify(filter));
    } catch {
      // Storage full or refused: the filter still applies in this page.
    }
  }
}
