import { css } from 'lit';

/**
 * The look shared by the app's modal dialogs (column settings, my view, claims,
 * trash, activity): a native <dialog> and controls big enough to tap (44 px).
 */
export const dialogStyles = css`
  dialog {
    border: 1px solid #d0d7de;
    border-radius: 8px;
    padding: 1rem 1.25rem;
    width: 100%;
    box-sizing: border-box;
  }
  h2 {
    margin: 0 0 0.5rem;
    font-size: 1.1rem;
  }
  button,
  select,
  input {
    min-height: 44px;
    min-width: 44px;
    padding: 0 0.75rem;
    font: inherit;
    border: 1px solid #d0d7de;
    border-radius: 6px;
    background: white;
  }
  .error {
    color: #cf222e;
  }
`;

/** A dialog's list of records (deleted rows, snapshots): one line each, its action at the end, who/when in grey. */
export const recordListStyles = css`
  ul {
    list-style: none;
    padding: 0;
  }
  li {
    display: flex;
    gap: 0.75rem;
    align-items: center;
    justify-content: space-between;
    border-bottom: 1px solid #eaeef2;
    padding: 0.25rem 0;
  }
  .who {
    color: #57606a;
    font-size: 0.85rem;
  }
`;

/** Opens a component's <dialog> once it has rendered. */
export function showDialog(host: { updateComplete: Promise<unknown>; renderRoot: HTMLElement | DocumentFragment }): void {
  void host.updateComplete.then(() => {
    const d = host.renderRoot.querySelector('dialog');
    if (d && !d.open) d.showModal();
  });
}
