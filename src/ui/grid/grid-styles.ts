import { css, unsafeCSS } from 'lit';
import { HEADER_HEIGHT, ROW_NUMBER_WIDTH, SUMMARY_HEIGHT } from './metrics.js';

/** `<sheet-grid>`'s styles; its sizes come from metrics.ts, which its scrolling maths uses too. */
export const gridStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    flex: 1;
    font-size: 0.95rem;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.25rem;
    padding: 0.25rem 0.5rem;
    border-bottom: 1px solid #d0d7de;
    background: #f6f8fa;
  }
  button {
    min-height: 44px;
    min-width: 44px;
    padding: 0 0.75rem;
    font: inherit;
    border: 1px solid #d0d7de;
    border-radius: 6px;
    background: white;
    cursor: pointer;
  }
  button:focus-visible {
    outline: 3px solid #0969da;
    outline-offset: 1px;
  }
  .viewinfo {
    font-size: 0.85rem;
    color: #57606a;
    /* a long view description stays on one line; its title has all of it */
    max-width: 40ch;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .scroller {
    flex: 1;
    overflow: auto;
    position: relative;
    min-height: 0;
    overscroll-behavior: contain;
  }
  [role='grid'] {
    position: relative;
    outline: none;
    background: white;
  }
  .row {
    display: flex;
    position: absolute;
    left: 0;
    top: 0;
    /* Each row lays out on its own: re-filling a row does not relayout the sheet. */
    contain: layout style;
  }
  .header {
    position: sticky;
    top: 0;
    z-index: 3;
    display: flex;
    height: ${unsafeCSS(HEADER_HEIGHT)}px;
    background: #f6f8fa;
    border-bottom: 1px solid #d0d7de;
  }
  .cell,
  .colhead,
  .rowhead,
  .corner {
    box-sizing: border-box;
    border-right: 1px solid #eaeef2;
    border-bottom: 1px solid #eaeef2;
    padding: 0 0.5rem;
    display: flex;
    align-items: center;
    overflow: hidden;
    white-space: nowrap;
    flex: none;
    position: relative;
  }
  /* Cells are plain blocks (cheaper to lay out than flex boxes): the text sits right in them,
     clipped with an ellipsis (the tooltip and the editor show all of it). */
  .cell {
    display: block;
    line-height: var(--row-h);
    height: 100%;
    text-overflow: ellipsis;
  }
  .gap {
    flex: none;
  }
  .colhead {
    font-weight: 600;
    gap: 0.25rem;
    cursor: pointer;
    user-select: none;
    /* the resize handle straddles the right edge; the name clips on its own */
    overflow: visible;
  }
  .colhead .name {
    overflow: hidden;
    text-overflow: ellipsis;
    flex: 1;
  }
  .colhead .sort {
    color: #0969da;
  }
  .colhead .menu {
    min-height: 32px;
    min-width: 32px;
    padding: 0;
    border: none;
    background: transparent;
  }
  .resizer {
    position: absolute;
    right: -5px;
    top: 0;
    bottom: 0;
    width: 10px;
    cursor: col-resize;
    z-index: 5;
    touch-action: none;
  }
  .resizer:hover,
  .resizer.active {
    background: #0969da55;
  }
  .rowhead,
  .corner {
    position: sticky;
    left: 0;
    z-index: 2;
    width: ${unsafeCSS(ROW_NUMBER_WIDTH)}px;
    justify-content: flex-end;
    background: #f6f8fa;
    color: #57606a;
    user-select: none;
  }
  .rowhead {
    cursor: grab;
    touch-action: none;
  }
  .corner {
    z-index: 4;
  }
  .row.drop-before {
    box-shadow: 0 -3px 0 #0969da;
    z-index: 1;
  }
  .cell {
    cursor: cell;
    outline: none;
  }
  .cell.number {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .cell[aria-selected='true'] {
    background: #ddf4ff;
  }
  .cell.active {
    box-shadow: inset 0 0 0 2px #0969da;
    background: white;
  }
  .cell.misfit {
    background: #fff8c5;
  }
  .cell.peer {
    box-shadow: inset 0 0 0 2px var(--peer);
  }
  /* Find's matches, green as in Sheets (yellow is a value that does not fit); the one gone to stronger, even when active. */
  .cell.found {
    background: #dafbe1;
  }
  .cell.found-current {
    background: #8ddb8c;
  }
  .peer-tag {
    position: absolute;
    top: 0;
    right: 0;
    font-size: 0.65rem;
    line-height: 1;
    padding: 1px 3px;
    color: white;
    background: var(--peer);
    border-bottom-left-radius: 3px;
    pointer-events: none;
  }
  .idle {
    opacity: 0.45;
  }
  /* The multi-line editor for long text: over the grid, at the active cell, big enough to read. */
  textarea.long-editor {
    position: absolute;
    z-index: 6;
    box-sizing: border-box;
    height: 12rem;
    max-height: 60vh;
    padding: 0.5rem;
    font: inherit;
    line-height: 1.4;
    white-space: pre-wrap;
    overflow: auto;
    resize: both;
    border: 2px solid #0969da;
    border-radius: 4px;
    background: white;
    box-shadow: 0 4px 16px #0003;
    outline: none;
  }
  /* The options and the calendar, under the cell being edited, above the rows and figures. */
  option-list.below,
  date-picker.below {
    position: absolute;
    z-index: 7;
    min-width: 14rem;
    max-height: 16rem;
    overflow: auto;
    background: white;
    border: 1px solid #d0d7de;
    border-radius: 6px;
    box-shadow: 0 4px 16px #0003;
  }
  date-picker.below {
    max-height: none;
  }
  .cell .pick {
    position: absolute;
    right: 2px;
    top: 50%;
    transform: translateY(-50%);
    min-height: 28px;
    min-width: 28px;
    padding: 0;
    border: none;
    background: transparent;
  }
  .summaries {
    position: sticky;
    bottom: 0;
    z-index: 3;
    display: flex;
    height: ${unsafeCSS(SUMMARY_HEIGHT)}px;
    background: #f6f8fa;
    border-top: 1px solid #d0d7de;
    font-size: 0.8rem;
    color: #57606a;
  }
  .summaries .corner {
    height: ${unsafeCSS(SUMMARY_HEIGHT)}px;
  }
  .figure {
    box-sizing: border-box;
    flex: none;
    padding: 0 0.5rem;
    line-height: ${unsafeCSS(SUMMARY_HEIGHT)}px;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    border-right: 1px solid #eaeef2;
  }
  .figure.alert {
    color: #bc4c00;
    font-weight: 600;
  }
  .cell.low {
    background: #ffebe9;
    color: #a40e26;
    font-weight: 600;
  }
  .cell.stale {
    color: #bc4c00;
    font-style: italic;
  }
  .lowinfo {
    color: #a40e26;
    font-weight: 600;
    font-size: 0.9rem;
  }
  .steppers {
    float: left;
    display: inline-flex;
    gap: 2px;
    margin-right: 0.25rem;
  }
  .steppers button {
    min-height: 26px;
    min-width: 26px;
    padding: 0;
    line-height: 1;
    margin-top: 4px;
  }
  .cell.claim .conflict {
    color: #bc4c00;
  }
  .chip {
    border-radius: 999px;
    padding: 0.1rem 0.6rem;
    font-size: 0.85em;
  }
  .cell textarea {
    width: 100%;
    height: 100%;
    box-sizing: border-box;
    border: none;
    font: inherit;
    padding: 0;
    outline: none;
    resize: none;
    line-height: inherit;
    overflow: hidden;
    white-space: pre;
  }
  .cell input {
    width: 100%;
    height: 100%;
    box-sizing: border-box;
    border: none;
    font: inherit;
    padding: 0;
    outline: none;
    background: #fff;
  }
  .footer {
    display: flex;
    gap: 1rem;
    justify-content: space-between;
    padding: 0.25rem 0.75rem;
    border-top: 1px solid #d0d7de;
    background: #f6f8fa;
    min-height: 1.75rem;
    align-items: center;
    font-size: 0.85rem;
    color: #57606a;
  }
  .error {
    color: #cf222e;
    font-weight: 600;
  }
  .notice {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    padding: 0.25rem 0.75rem;
    background: #fff8c5;
    border-bottom: 1px solid #d4a72c;
    font-size: 0.9rem;
  }
  .empty {
    padding: 2rem;
    color: #57606a;
  }
  /* A formula's references while it is edited: a box in each one's colour over its cells (the
     clicks go through to the cells, to point at them), under the sticky header. */
  .formula-outline {
    position: absolute;
    z-index: 1;
    box-sizing: border-box;
    border: 2px solid var(--ref);
    background: color-mix(in srgb, var(--ref) 8%, transparent);
    pointer-events: none;
  }
  /* The reference arrows and clicks are moving now: dashed, as the pointer in Sheets and Excel. */
  .formula-outline.pointed {
    border-style: dashed;
  }
  /* The same references as chips under the editor, their text in their colour. */
  .formula-refs {
    position: absolute;
    z-index: 7;
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
    max-width: 28rem;
    margin-top: 2px;
    padding: 0.25rem;
    background: white;
    border: 1px solid #d0d7de;
    border-radius: 6px;
    box-shadow: 0 2px 8px #0002;
    pointer-events: none;
  }
  .formula-refs.above {
    transform: translateY(-100%);
    margin-top: -2px;
  }
  .formula-refs .ref {
    padding: 0 0.375rem;
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.85rem;
    line-height: 1.5;
    color: var(--ref);
    border: 1px solid var(--ref);
    border-radius: 4px;
    background: white;
  }
  @media (forced-colors: active) {
    .formula-outline {
      border-color: Highlight;
      background: none;
    }
  }
`;
