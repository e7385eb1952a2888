// Shrinking: delta debugging (Zeller's ddmin) over a failing schedule's fault operations. The workload
// stays; faults are removed while the run still breaks one of the invariants the original broke.
import { writeFileSync } from 'node:fs';
import type { SimResult } from './run-schedule.ts';
import { type Op, type Schedule, isFault } from './schedule.ts';

export interface ShrinkOptions {
  /** Runs a candidate schedule (on a fresh database each time). */
  readonly run: (s: Schedule) => Promise<SimResult>;
  /** Stop after this many runs and keep the smallest failing schedule so far (default 40). */
  readonly maxRuns?: number;
  readonly onRun?: (runs: number, faults: number) => void;
}

export interface Shrunk {
  readonly schedule: Schedule;
  readonly result: SimResult;
  readonly runs: number;
  readonly faultsBefore: number;
  readonly faultsAfter: number;
}

const failedNames = (r: SimResult) => Object.keys(r.invariants).filter((k) => !r.invariants[k]?.ok);

/** Shrinks `schedule` (whose run `failing` broke invariants) to a smaller fault list that still fails. */
export async function shrinkSchedule(
  schedule: Schedule,
  failing: SimResult,
  o: ShrinkOptions,
): Promise<Shrunk> {
  const target = new Set(failedNames(failing));
  const indexed = schedule.ops.map((op, i) => ({ op, i }));
  const workload = indexed.filter((x) => !isFault(x.op));
  let faults = indexed.filter((x) => isFault(x.op));
  const faultsBefore = faults.length;
  const maxRuns = o.maxRuns ?? 40;
  let runs = 0;
  let best = { schedule, result: failing };
  const build = (keep: typeof faults): Schedule => ({
    ...schedule,
    ops: [...workload, ...keep].sort((a, b) => a.op.step - b.op.step || a.i - b.i).map((x): Op => x.op),
  });
  const fails = async (keep: typeof faults): Promise<boolean> => {
    if (runs >= maxRuns) return false;
    runs++;
    const s = build(keep);
    const r = await o.run(s);
    o.onRun?.(runs, keep.length);
    if (!r.ok && failedNames(r).some((n) => target.has(n))) {
      best = { schedule: s, result: r };
      return true;
    }
    return false;
  };
  if (faults.length > 0 && (await fails([]))) faults = [];
  let n = 2;
  while (faults.length > 1 && runs < maxRuns) {
    const size = Math.ceil(faults.length / n);
    const chunks = Array.from({ length: Math.ceil(faults.length / size) }, (_, k) =>
      faults.slice(k * size, (k + 1) * size),
    );
    let reduced = false;
    for (const c of chunks)
      if (await fails(c)) {
        faults = c;
        n = 2;
        reduced = true;
        break;
      }
    if (!reduced && chunks.length > 2)
      for (const c of chunks) {
        const complement = faults.filter((x) => !c.includes(x));
        if (await fails(complement)) {
          faults = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    if (!reduced) {
      if (n >= faults.length) break;
      n = Math.min(faults.length, n * 2);
    }
  }
  // One last single-fault pass: drop each remaining fault alone if the run still fails without it.
  for (const f of [...faults])
    if (faults.length > 0 && (await fails(faults.filter((x) => x !== f))))
      faults = faults.filter((x) => x !== f);
  return { ...best, runs, faultsBefore, faultsAfter: best.schedule.ops.filter(isFault).length };
}

export const REPLAY_FORMAT = 'osiris-sim-replay/1';

/** Writes a replay file: `osiris simulate --replay FILE` runs its schedule exactly. */
export function writeReplay(path: string, s: Shrunk): void {
  const body = {
    format: REPLAY_FORMAT,
    seed: s.schedule.seed,
    failed: failedNames(s.result),
    faults: { before: s.faultsBefore, after: s.faultsAfter },
    schedule: s.schedule,
  };
  writeFileSync(path, `${JSON.stringify(body, null, 1)}\n`);
}
