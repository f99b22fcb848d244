/**
 * The references of the formula being edited, shown: each outlined on the grid in its colour, and
 * listed as chips of the same colour under the editor (the A1 text in the chip tells the outlines
 * apart without the colours). Only references to this sheet are outlined; another sheet's are
 * listed. Positions follow the reader's view: a range of the sheet's order can fall on several
 * runs of rows when the view is sorted or filtered, each outlined.
 */
import { html, nothing } from 'lit';
import { foldName } from '../../model/formula/layout.js';
import { referenceKey, scanTyped, type TypedToken } from '../../model/formula/typed-refs.js';
import type { GridHost, Shown } from './host.js';
import type { Frame } from './grid-rows.js';
import { referenceColor } from './formula-colors.js';
import { HEADER_HEIGHT, ROW_NUMBER_WIDTH } from './metrics.js';
import { t } from '../i18n/locale.js';

/** More boxes than this for one reference (a sorted view scattering a range) are not drawn. */
const MAX_BOXES = 200;

export interface ShownReference {
  /** The reference as typed (the first time, when typed twice). */
  text: string;
  color: string;
  token: Extract<TypedToken, { k: 'ref' } | { k: 'name' }>;
  /** It names a cell of this sheet (so it can be outlined). */
  here: boolean;
  /** Where each time it is typed starts in the draft. */
  starts: number[];
}

/** The distinct references of `draft`, in the order they first appear, each with its colour. */
export function formulaReferences(draft: string, sheetName: string, decimal: '.' | ','): ShownReference[] {
  const seen = new Map<string, ShownReference>();
  for (const tk of scanTyped(draft, decimal)) {
    if (tk.k !== 'ref' && tk.k !== 'name') continue;
    const key = referenceKey(tk, sheetName);
    const known = seen.get(key);
    if (known) {
      known.starts.push(tk.from);
      continue;
    }
    // `[Name]` means "this row" only in a column formula, which the cell editor does not write: listed, not outlined.
    const here = tk.k === 'ref' && (tk.sheet === null || foldName(tk.sheet) === foldName(sheetName));
    seen.set(key, { text: draft.slice(tk.from, tk.to), color: referenceColor(seen.size), token: tk, here, starts: [tk.from] });
  }
  return [...seen.values()];
}

/** Runs of consecutive indices in `ids`, as [first, last] pairs (both inclusive). */
function runs(ids: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const i of ids) {
    const last = out[out.length - 1];
    if (last && last[1] === i - 1) last[1] = i;
    else out.push([i, i]);
  }
  return out;
}

/** For one view: each shown row's index in the sheet's order, and whether the two are the same. */
interface RowMap {
  shown: Shown;
  base: number[];
  identity: boolean;
}

let rowMap: RowMap | null = null;

function rowMapOf(g: GridHost): RowMap {
  const shown = g.data.shown();
  if (rowMap?.shown === shown) return rowMap;
  const base = shown.rows.map((_, i) => g.data.rowNumber(i) - 1);
  rowMap = { shown, base, identity: base.every((b, i) => b === i) };
  return rowMap;
}

/** The view rows from `top` to `bottom` in the sheet's order (null: every row), as runs. */
function rowRuns(g: GridHost, top: number | null, bottom: number | null): [number, number][] {
  const map = rowMapOf(g);
  const n = map.base.length;
  if (top === null || bottom === null) return n ? [[0, n - 1]] : [];
  if (map.identity) return top < n ? [[top, Math.min(bottom, n - 1)]] : [];
  const ids: number[] = [];
  map.base.forEach((b, i) => {
    if (b >= top && b <= bottom) ids.push(i);
  });
  return runs(ids);
}

type RefToken = Extract<TypedToken, { k: 'ref' }>;

/** The view columns a reference covers, as runs (a column the view hides has none). */
function colRuns(g: GridHost, f: Frame, tk: RefToken): [number, number][] {
  const all = g.workbook?.columns(g.sheetId) ?? [];
  const end = tk.end ?? tk.start;
  const [left, right] = [Math.min(tk.start.col, end.col), Math.max(tk.start.col, end.col)];
  const ids: number[] = [];
  f.columns.forEach((c, i) => {
    const at = all.findIndex((x) => x.id === c.id);
    if (at >= left && at <= right) ids.push(i);
  });
  return runs(ids);
}

/**
 * Boxes on the grid, one per run of rows and columns a reference of this sheet covers; the one
 * being pointed at (starting at `pointedFrom` in the draft) dashed, as the moving pointer.
 */
export function renderOutlines(g: GridHost, f: Frame, refs: ShownReference[], pointedFrom: number | null) {
  const h = g.viewport.rowHeight;
  return refs.map((r) => {
    const tk = r.token;
    if (!r.here || tk.k !== 'ref') return nothing;
    const end = tk.end ?? tk.start;
    const [top, bottom] = [tk.start.row, end.row];
    const rowsIn = top === null || bottom === null ? rowRuns(g, null, null) : rowRuns(g, Math.min(top, bottom), Math.max(top, bottom));
    const colsIn = colRuns(g, f, tk);
    const pointed = pointedFrom !== null && r.starts.includes(pointedFrom);
    const boxes: ReturnType<typeof html>[] = [];
    for (const [r1, r2] of rowsIn) {
      for (const [c1, c2] of colsIn) {
        if (boxes.length >= MAX_BOXES) break;
        const box = `--ref:${r.color};left:${ROW_NUMBER_WIDTH + f.offsets[c1]}px;top:${HEADER_HEIGHT + r1 * h}px;width:${f.offsets[c2 + 1] - f.offsets[c1]}px;height:${(r2 - r1 + 1) * h}px`;
        boxes.push(html`<div class="formula-outline ${pointed ? 'pointed' : ''}" aria-hidden="true" data-ref=${r.text} data-cells=${`${r1}:${c1}-${r2}:${c2}`} style=${box}></div>`);
      }
    }
    return boxes;
  });
}

/**
 * The chips under the editor: every reference in its colour. Kept out of the grid's tree for
 * screen readers (a list among the rows), it is the editor's description instead (aria-describedby).
 */
export function renderChips(refs: ShownReference[], id: string, left: number, top: number, above: boolean) {
  if (!refs.length) return nothing;
  return html`<div id=${id} class="formula-refs ${above ? 'above' : ''}" aria-hidden="true" style="left:${left}px;top:${top}px">
    <span class="sr">${t('formula.references')}:</span>
    ${refs.map((r) => html`<span class="ref" style="--ref:${r.color}">${r.text}</span>`)}
  </div>`;
}
