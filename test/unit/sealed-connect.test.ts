import { describe, expect, it } from 'vitest';
import { newSealedWorkbookKeys } from '../../src/protocol/access.js';
import { makeSealedClient } from '../support/clients.js';

describe('a sealed session connects only once its bridge is made', () => {
  it('neither the hub nor other tabs are reached while the stored envelope is still being opened', async () => {
    const keys = newSealedWorkbookKeys();
    // no hub on port 9: only whether it tries is looked at
    const c = makeSealedClient('ws://127.0.0.1:9/sync', keys.id, 'Ana', keys.edit);
    try {
      const seen: { bridge: boolean; connecting: boolean }[] = [];
      // runs after the envelope is loaded, while the sealed session still awaits its pre-open
      void c.session.sync.whenLoaded.then(() => seen.push({ bridge: c.session.bridge !== null, connecting: c.session.sync.provider.shouldConnect }));
      await c.session.whenLoaded;
      expect(seen).toEqual([{ bridge: false, connecting: false }]);
      expect(c.session.bridge).not.toBeNull();
      expect(c.session.sync.provider.shouldConnect).toBe(true);
    } finally {
      await c.destroy();
    }
  });
});
