// One simulator run from a seed: draw the schedule (planner.ts), run it (run-schedule.ts).
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import { type PlanOptions, planSchedule } from './planner.ts';
import { type RunOptions, type SimResult, runSchedule } from './run-schedule.ts';

export { ALL_FAULTS, type Fault } from './schedule.ts';
export type { SimResult } from './run-schedule.ts';
export type { Invariant } from './invariants.ts';

export interface SimOptions extends PlanOptions, Omit<RunOptions, 'sql'> {
  /** A fresh, empty database for this run. */
  readonly sql: SqlClient;
}

/** Plans the seed's schedule and runs it; the same options give the same schedule and verdict. */
export function simulate(o: SimOptions): Promise<SimResult> {
  const { sql, onStep, sampleEvery, ...plan } = o;
  return runSchedule(planSchedule(plan), {
    sql,
    ...(onStep ? { onStep } : {}),
    ...(sampleEvery ? { sampleEvery } : {}),
  });
}
