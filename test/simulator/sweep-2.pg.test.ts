import { describe, expect, it } from 'vitest';
import { sweep } from './sweep.ts';

describe('simulator CI sweep, part 2 of 4 (real Postgres, every fault)', () => {
  it('seeds 51–100 converge with every invariant held', async () => {
    expect(await sweep(51, 50)).toHaveLength(50);
  }, 300_000);
});
