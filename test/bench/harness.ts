/**
 * Benchmark harness contract. A scenario measures one path of ours and its baseline (the stock
 * automerge-repo stack) in the same run, and reports figures; the runner turns them into ratios.
 */

export interface Measurement {
  /** Name of the figure, e.g. "save throughput". */
  readonly metric: string;
  /** Unit of `ours`/`baseline`, e.g. "ops/s", "ms". */
  readonly unit: string;
  /** Whether a bigger number is better (throughput) or worse (latency). */
  readonly higherIsBetter: boolean;
  /** Median over repetitions, with min and max. */
  readonly ours: Stat;
  readonly baseline?: Stat;
  /** Name of the baseline, e.g. "automerge-repo NodeFS adapter". */
  readonly baselineName?: string;
  /** Goal in the issue, e.g. ">= 100000 ops/s" — checked by the runner when set. */
  readonly goal?: { readonly value: number; readonly kind: 'absolute' | 'ratio' };
  readonly note?: string;
}

export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
}

export interface BenchContext {
  readonly quick: boolean;
  /** Scratch directory for this scenario (deleted afterwards). */
  readonly dir: string;
  /** Postgres URL when available (benchmarks do not require it; they say so when absent). */
  readonly databaseUrl: string | undefined;
  /** Advances the progress bar: fraction in [0,1] of this scenario done. */
  progress(fraction: number, label?: string): void;
}

export interface BenchScenario {
  readonly name: string;
  readonly description: string;
  run(ctx: BenchContext): Promise<Measurement[]>;
}

/** Median/min/max of numbers. */
export function stat(values: readonly number[]): Stat {
  if (values.length === 0) throw new Error('stat of no samples');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number, samples: s.length };
}

/** p-quantile (0..1) of numbers, nearest-rank. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('quantile of no samples');
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number;
}
