import { css } from 'lit';

/**
 * `.sr`: words for screen readers only (a live region, a label the layout has no room for).
 * Off screen by size and clipping rather than `display: none`, which would hide it from them too.
 */
export const visuallyHidden = css`
  .sr {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
