import { describe, expect, it } from 'vitest';
import { sweep } from './sweep.ts';

describe('simulator CI sweep, part 4 of 4 (real Postgres, every fault)', () => {
  it('seeds 151–200 converge with every invariant held', async () => {
    expect(await sweep(151, 50)).toHaveLength(50);
  }, 300_000);
});
