import { describe, expect, it } from 'vitest';
import { startCloud } from './cloud-node.ts';

describe('cloud node on embedded PGlite', () => {
  it('starts with no DATABASE_URL and reports ready', async () => {
    const node = await startCloud({ databaseUrl: undefined, dataDir: undefined });
    try {
      const r = await fetch(`${node.url}/readyz`);
      expect(await r.json()).toEqual({ ok: true, database: 'pglite' });
      expect((await fetch(`${node.url}/nope`)).status).toBe(404);
    } finally {
      await node.close();
    }
  });
});
