import type { ReactiveController } from 'lit';
import type { CellPos } from '../../model/range.js';
import type { GridHost } from './host.js';
import { HEADER_HEIGHT, ROW_HEIGHT_COARSE, ROW_HEIGHT_FINE, ROW_NUMBER_WIDTH, SUMMARY_HEIGHT } from './metrics.js';
import { pageRows, revealTarget, rowWindow, type RowWindow } from './window.js';

/**
 * The grid's one scroll container: its size (followed with a ResizeObserver),
 * its scroll offsets (which pick the rows and columns in the DOM), the row
 * height for the pointer in use, and scrolling a cell into view clear of the
 * sticky header, row numbers and column figures.
 */
export class ViewportController implements ReactiveController {
  rowHeight = ROW_HEIGHT_FINE;
  scrollTop = 0;
  scrollLeft = 0;
  height = 600;
  width = 1000;
  private observer: ResizeObserver | null = null;
  private largestPool = 0;
  private measured = false;

  constructor(private readonly host: GridHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.rowHeight = matchMedia('(pointer: coarse)').matches ? ROW_HEIGHT_COARSE : ROW_HEIGHT_FINE;
    this.observer = new ResizeObserver((entries) => {
      for (const e of entries) {
        this.height = e.contentRect.height;
        this.width = e.contentRect.width;
        this.measured = true;
      }
      this.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = null;
  }

  /** Starts following the scroller's size (once it is rendered). */
  watch(scroller: Element | null): void {
    if (scroller) this.observer?.observe(scroller);
  }

  /**
   * The rows in the DOM now. The pool of row slots only grows: a pool of another size puts every
   * row in another slot (row i is in slot i % pool), so a viewport that shrinks for a moment (the
   * header re-fitting itself, a notice shown) would re-render every row; a few spare slots cost less.
   */
  rows(rowCount: number): RowWindow {
    const w = rowWindow(this.scrollTop, this.height, this.rowHeight, rowCount, undefined, this.largestPool);
    // The size assumed before the scroller is first measured is a guess: it does not set the floor.
    if (this.measured) this.largestPool = w.pool;
    return w;
  }

  /** Rows a PageUp / PageDown moves. */
  page(): number {
    return pageRows(this.height, this.rowHeight);
  }

  private scroller(): HTMLElement | null {
    return this.host.renderRoot.querySelector<HTMLElement>('.scroller');
  }

  readonly onScroll = (e: Event): void => {
    const el = e.target as HTMLElement;
    if (el.scrollTop === this.scrollTop && el.scrollLeft === this.scrollLeft) return;
    this.scrollTop = el.scrollTop;
    this.scrollLeft = el.scrollLeft;
    this.host.pointer.scrolled();
    this.host.requestUpdate();
  };

  /** Scrolls (as little as possible) so cell `p` is fully in view. */
  reveal(p: CellPos): void {
    const scroller = this.scroller();
    if (!scroller || !this.host.workbook) return;
    const target = revealTarget({
      row: p.row,
      col: p.col,
      rowHeight: this.rowHeight,
      widths: this.host.data.shown().columns.map((c) => c.width),
      scrollTop: scroller.scrollTop,
      scrollLeft: scroller.scrollLeft,
      viewHeight: scroller.clientHeight,
      viewWidth: scroller.clientWidth,
      headerHeight: HEADER_HEIGHT,
      rowNumberWidth: ROW_NUMBER_WIDTH,
      // The column figures stick to the bottom once read: a cell under them is not in view.
      footerHeight: this.host.data.aggregates?.ready ? SUMMARY_HEIGHT : 0,
    });
    if (target.scrollTop !== scroller.scrollTop) scroller.scrollTop = target.scrollTop;
    if (target.scrollLeft !== scroller.scrollLeft) scroller.scrollLeft = target.scrollLeft;
    this.scrollTop = scroller.scrollTop;
    this.scrollLeft = scroller.scrollLeft;
    this.host.requestUpdate();
  }
}
