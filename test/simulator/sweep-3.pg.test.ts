import { describe, expect, it } from 'vitest';
import { sweep } from './sweep.ts';

describe('simulator CI sweep, part 3 of 4 (real Postgres, every fault)', () => {
  it('seeds 101–150 converge with every invariant held', async () => {
    expect(await sweep(101, 50)).toHaveLength(50);
  }, 300_000);
});
