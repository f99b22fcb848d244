import { css } from 'lit';

/** `<row-form>`'s look: big targets for a thumb, a computed field set apart from the inputs. */
export const rowFormStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    flex: 1;
    min-height: 0;
  }
  form {
    flex: 1;
    overflow-y: auto;
    padding: 0.75rem;
    display: grid;
    gap: 0.75rem;
    align-content: start;
  }
  .nav {
    display: flex;
    gap: 0.5rem;
    padding: 0.5rem;
    border-bottom: 1px solid #d0d7de;
    background: #f6f8fa;
    align-items: center;
  }
  .nav .where {
    flex: 1;
    text-align: center;
    font-weight: 600;
  }
  label {
    display: grid;
    gap: 0.25rem;
    font-weight: 600;
  }
  input,
  select,
  textarea,
  button {
    min-height: 48px;
    font: inherit;
    font-size: 1.05rem;
    padding: 0 0.75rem;
    border: 1px solid #d0d7de;
    border-radius: 8px;
    background: white;
    box-sizing: border-box;
    width: 100%;
  }
  .nav button {
    width: auto;
    min-width: 48px;
  }
  input[type='checkbox'] {
    width: 44px;
    min-height: 44px;
    height: 44px;
  }
  .error {
    color: #cf222e;
    font-weight: 400;
    font-size: 0.9rem;
  }
  .field {
    display: grid;
    gap: 0.35rem;
  }
  .label {
    font-weight: 600;
  }
  .counter {
    display: flex;
    align-items: center;
    gap: 0.75rem;
  }
  .counter output {
    font-size: 1.6rem;
    font-variant-numeric: tabular-nums;
    min-width: 3ch;
    text-align: center;
  }
  button.big {
    width: 64px;
    min-height: 56px;
    font-size: 1.6rem;
  }
  .recount {
    font-weight: 400;
  }
  .links a,
  a {
    display: inline-flex;
    align-items: center;
    min-height: 44px;
    padding: 0 0.75rem;
    font-weight: 400;
  }
  .choices {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    font-weight: 400;
  }
  label.choice {
    display: inline-flex;
    align-items: center;
    gap: 0.25rem;
  }
  .who {
    font-weight: 400;
    font-size: 0.8rem;
    color: #57606a;
  }
  .nav button.undo {
    padding: 0 0.75rem;
    font-size: 1rem;
  }
  .hint {
    margin: 0;
    padding: 0.35rem 0.75rem;
    font-size: 0.85rem;
    color: #57606a;
    border-bottom: 1px solid #eaeef2;
  }
  .state {
    display: grid;
    gap: 0.15rem;
    font-size: 0.85rem;
  }
  .state:empty {
    display: none;
  }
  .saved {
    color: #1a7f37;
  }
  .saved.away {
    color: #9a6700;
  }
  .kept {
    color: #57606a;
  }
  .conflict {
    display: grid;
    gap: 0.35rem;
    padding: 0.4rem 0.5rem;
    border: 1px solid #bc4c00;
    border-radius: 8px;
    background: #fff1e5;
    font-weight: 400;
  }
  .conflict .mark {
    color: #bc4c00;
    font-weight: 700;
  }
  .keeps {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem;
  }
  .keeps button,
  button.history {
    width: auto;
    min-height: 44px;
    font-size: 0.95rem;
  }
  .computed label {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0.4rem;
  }
  .computed output {
    display: flex;
    align-items: center;
    min-height: 48px;
    padding: 0 0.75rem;
    font-size: 1.05rem;
    font-variant-numeric: tabular-nums;
    border: 1px dashed #d0d7de;
    border-radius: 8px;
    background: #f6f8fa;
  }
  .computed output.error {
    color: #cf222e;
  }
  .tag {
    font-weight: 400;
    font-style: italic;
    font-size: 0.85rem;
    color: #57606a;
  }
  button.history {
    justify-self: start;
    border-color: transparent;
    background: transparent;
    color: #0969da;
    padding: 0 0.5rem;
  }
`;
