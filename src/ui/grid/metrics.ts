/** The grid's fixed sizes in CSS pixels, shared by its styles, its window maths and its scrolling. */
export const ROW_HEIGHT_FINE = 36;
/** Where the pointer is a finger, every row is a 44px tap target. */
export const ROW_HEIGHT_COARSE = 44;
export const HEADER_HEIGHT = 40;
export const ROW_NUMBER_WIDTH = 56;
/** The sticky column figures along the bottom. */
export const SUMMARY_HEIGHT = 30;
/** How far a drag of a column's edge may go (stored widths are clamped by the model on read). */
export const MIN_DRAG_WIDTH = 40;
export const MAX_DRAG_WIDTH = 1000;
/** Text longer than this opens in the multi-line editor, whatever the text column. */
export const LONG_TEXT_CHARS = 60;
