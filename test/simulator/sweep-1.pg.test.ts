import { describe, expect, it } from 'vitest';
import { sweep } from './sweep.ts';

describe('simulator CI sweep, part 1 of 4 (real Postgres, every fault)', () => {
  it('seeds 1–50 converge with every invariant held', async () => {
    expect(await sweep(1, 50)).toHaveLength(50);
  }, 300_000);
});
