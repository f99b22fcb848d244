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

/** Opens a component's <dialog> once it has rendered. */
export function showDialog(host: { updateComplete: Promise<unknown>; renderRoot: HTMLElement | DocumentFragment }): void {
  void host.updateComplete.then(() => {
    const d = host.renderRoot.querySelector('dialog');
    if (d && !d.open) d.showModal();
  });
}
