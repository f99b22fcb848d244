import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Workbook, WorkbookChange } from '../model/workbook.js';

/**
 * Bridges a Workbook (and so the Y.Doc) into a Lit component: the host
 * re-renders when a change it cares about happens, and stops listening when
 * it leaves the page.
 */
export class WorkbookController implements ReactiveController {
  private unsubscribe: (() => void) | null = null;
  private current: Workbook | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly relevant: (change: WorkbookChange) => boolean = () => true,
  ) {
    host.addController(this);
  }

  /** Call from the host's willUpdate with its current workbook. */
  bind(workbook: Workbook | null): void {
    if (workbook === this.current) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.current = workbook;
    if (workbook && this.connected) this.listen(workbook);
  }

  private connected = false;

  hostConnected(): void {
    this.connected = true;
    if (this.current && !this.unsubscribe) this.listen(this.current);
  }

  hostDisconnected(): void {
    this.connected = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private listen(workbook: Workbook): void {
    this.unsubscribe = workbook.observe((change) => {
      if (this.relevant(change)) this.host.requestUpdate();
    });
  }
}
