/** The partition-and-merge simulator, for testers: `import { simulate, scenario } from 'osiris-sync/simulator'`. */
export { Rng } from './rng.ts';
export { type LinkFaults, NO_FAULTS, SimNetwork } from './sim-network.ts';
export {
  ALL_FAULTS,
  type Fault,
  type FaultOp,
  type Inject,
  type Op,
  SESSIONS,
  type Schedule,
  type WorkloadOp,
  isFault,
  parseSchedule,
} from './schedule.ts';
export { type PlanOptions, planSchedule } from './planner.ts';
export { type RunOptions, type SimResult, runSchedule } from './run-schedule.ts';
export { type Invariant } from './invariants.ts';
export { type SimOptions, simulate } from './simulate.ts';
export { type Shrunk, REPLAY_FORMAT, shrinkSchedule, writeReplay } from './shrink.ts';
export { htmlReport } from './html-report.ts';
export { summaryTable } from './summary-table.ts';
export { type Scenario, ScenarioBuilder, scenario } from './scenario.ts';
export { SimWorld } from '../helpers/sim-world.ts';
