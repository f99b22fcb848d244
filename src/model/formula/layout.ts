/**
 * What formulas need to know about a workbook's shape: its sheets, and each sheet's visible rows
 * and columns in their current order. The Workbook provides it (sheets(), rowIds(), columns());
 * tests and the benchmark provide plain arrays. Rows and columns in the trash are not listed, so a
 * reference to one reads as #REF! until it is restored.
 */
export interface Layout {
  sheets(): readonly { id: string; name: string }[];
  rowIds(sheetId: string): readonly string[];
  columns(sheetId: string): readonly { id: string; name: string }[];
}

interface SheetIndex {
  rows: readonly string[];
  rowAt: Map<string, number>;
  cols: readonly { id: string; name: string }[];
  colAt: Map<string, number>;
  colByName: Map<string, string>;
}

/** Folds a name the way people expect a lookup by name to: case and surrounding spaces do not matter. */
export function foldName(name: string): string {
  return name.trim().toLocaleLowerCase('en-US');
}

/**
 * Lookups by id and by position over a Layout, built once per sheet and kept until told the
 * sheet's structure changed: resolving 30,000 references must not rebuild a 10,000-row map each time.
 */
export class LayoutIndex {
  private readonly sheetsIndex = new Map<string, SheetIndex>();
  private sheetList: { byId: Map<string, string>; byName: Map<string, string> } | null = null;

  constructor(readonly layout: Layout) {}

  /** The sheet's rows or columns moved, were inserted, deleted or restored (or renamed: column names). */
  invalidate(sheetId?: string): void {
    if (sheetId === undefined) this.sheetsIndex.clear();
    else this.sheetsIndex.delete(sheetId);
  }

  /** Sheets were added, renamed, deleted or restored. */
  invalidateSheets(): void {
    this.sheetList = null;
  }

  private sheets() {
    if (!this.sheetList) {
      const byId = new Map<string, string>();
      const byName = new Map<string, string>();
      for (const s of this.layout.sheets()) {
        byId.set(s.id, s.name);
        if (!byName.has(foldName(s.name))) byName.set(foldName(s.name), s.id);
      }
      this.sheetList = { byId, byName };
    }
    return this.sheetList;
  }

  sheetName(sheetId: string): string | undefined {
    return this.sheets().byId.get(sheetId);
  }

  sheetByName(name: string): string | undefined {
    return this.sheets().byName.get(foldName(name));
  }

  private sheet(sheetId: string): SheetIndex {
    let s = this.sheetsIndex.get(sheetId);
    if (!s) {
      const rows = this.sheetName(sheetId) === undefined ? [] : this.layout.rowIds(sheetId);
      const cols = this.sheetName(sheetId) === undefined ? [] : this.layout.columns(sheetId);
      const rowAt = new Map<string, number>();
      rows.forEach((id, i) => rowAt.set(id, i));
      const colAt = new Map<string, number>();
      const colByName = new Map<string, string>();
      cols.forEach((c, i) => {
        colAt.set(c.id, i);
        if (!colByName.has(foldName(c.name))) colByName.set(foldName(c.name), c.id);
      });
      s = { rows, rowAt, cols, colAt, colByName };
      this.sheetsIndex.set(sheetId, s);
    }
    return s;
  }

  rows(sheetId: string): readonly string[] {
    return this.sheet(sheetId).rows;
  }

  columns(sheetId: string): readonly { id: string; name: string }[] {
    return this.sheet(sheetId).cols;
  }

  rowIndex(sheetId: string, rowId: string): number | undefined {
    return this.sheet(sheetId).rowAt.get(rowId);
  }

  colIndex(sheetId: string, colId: string): number | undefined {
    return this.sheet(sheetId).colAt.get(colId);
  }

  rowAt(sheetId: string, index: number): string | undefined {
    return this.sheet(sheetId).rows[index];
  }

  colAt(sheetId: string, index: number): string | undefined {
    return this.sheet(sheetId).cols[index]?.id;
  }

  columnByName(sheetId: string, name: string): string | undefined {
    return this.sheet(sheetId).colByName.get(foldName(name));
  }

  columnName(sheetId: string, colId: string): string | undefined {
    const at = this.colIndex(sheetId, colId);
    return at === undefined ? undefined : this.sheet(sheetId).cols[at].name;
  }
}
