// A simulator run is a recorded schedule: workload and fault operations, each at a step. The planner
// draws one from a seed; scenarios write one by hand; shrinking removes fault operations from one;
// `--replay` runs one from a file. Appliances and sites are named by index, so a schedule is portable.

/** Fault kinds a planner may draw (`--faults`). */
export type Fault =
  | 'partition'
  | 'crash'
  | 'drop'
  | 'duplicate'
  | 'reorder'
  | 'delay'
  | 'clock-skew'
  | 'cloud-restart'
  | 'outage';
export const ALL_FAULTS: readonly Fault[] = [
  'partition',
  'crash',
  'drop',
  'duplicate',
  'reorder',
  'delay',
  'clock-skew',
  'cloud-restart',
  'outage',
];

/** A deliberately broken variant, to prove the invariants catch it. */
/**
 * Deliberate bugs, to prove the invariants catch them: `lose-one-batch` (an appliance acknowledges a
 * batch it never journals), `projector-skips-rule-outcomes` (incremental projection ignores changes to
 * per-rule outcome counters).
 */
export type Inject = 'lose-one-batch' | 'projector-skips-rule-outcomes';

/** Cloud sessions that edit site documents concurrently; each owns its own fields. */
export const SESSIONS = ['partner:alice', 'partner:bob', 'client:carol'] as const;

export type WorkloadOp =
  /** Incidents journaled on an appliance (resolved ones carry a runbook, feeding promotions). */
  | { kind: 'record'; app: number; sig: string; n: number; resolved: boolean; flush: boolean }
  /** Evidence bundles signed into the appliance's outbox. */
  | { kind: 'evidence'; app: number; n: number }
  /** A cloud session edits its own settings field (session 0: notes; others: their contact entry). */
  | { kind: 'partner-edit'; site: number; session: number; value: string }
  /** A cloud session requests, approves or revokes an exception. */
  | { kind: 'exception'; site: number; session: number; id: string; event: 'request' | 'approve' | 'revoke' }
  /** A local admin edits settings on an appliance (its own contact entry; the site's first: clinic_name). */
  | { kind: 'admin-edit'; app: number; value: string }
  /** One flywheel cycle: promote patterns over threshold into the sites' rule books. */
  | { kind: 'promote' };

export type FaultOp =
  | { kind: 'partition'; app: number }
  | { kind: 'heal'; app: number }
  /** Offline for a long stretch: cut now, healed `steps` later (one op, so shrinking keeps pairs). */
  | { kind: 'outage'; app: number; steps: number }
  /** Restart an appliance from its durable stores. */
  | { kind: 'crash'; app: number }
  /** Restart the cloud from Postgres. */
  | { kind: 'cloud-restart' }
  /** Message-level noise on one link from now on. */
  | { kind: 'link'; app: number; drop: number; duplicate: number; reorder: number; delayRounds: number }
  /** The appliance's clock runs this far off from now on. */
  | { kind: 'skew'; app: number; ms: number };

export type Op = { readonly step: number } & (WorkloadOp | FaultOp);

export const FAULT_KINDS: ReadonlySet<string> = new Set([
  'partition',
  'heal',
  'outage',
  'crash',
  'cloud-restart',
  'link',
  'skew',
]);

export function isFault(op: Op): boolean {
  return FAULT_KINDS.has(op.kind);
}

export const SCHEDULE_FORMAT = 'osiris-sim-schedule/1';

/** Everything a run needs besides a database: replaying the same schedule repeats the run. */
export interface Schedule {
  readonly format: typeof SCHEDULE_FORMAT;
  /** Seeds the network's message-level randomness (drop, duplicate, reorder, delay draws). */
  readonly seed: number;
  readonly sites: number;
  readonly appliances: number;
  readonly steps: number;
  readonly ops: readonly Op[];
  readonly inject?: Inject;
  readonly name?: string;
  /** Wait for the projection every N steps (a checkpoint), so incremental projection runs mid-run. */
  readonly checkpointEvery?: number;
}

/** Parses a schedule file's JSON (a replay file holds `{ schedule, … }` or a bare schedule). */
export function parseSchedule(text: string): Schedule {
  const v = JSON.parse(text) as { schedule?: unknown; format?: unknown };
  const s = (v.schedule ?? v) as Partial<Schedule>;
  if (s.format !== SCHEDULE_FORMAT) throw new Error(`not a simulator schedule (format ${String(s.format)})`);
  for (const k of ['seed', 'sites', 'appliances', 'steps'] as const)
    if (!Number.isInteger(s[k])) throw new Error(`schedule.${k} must be an integer`);
  if (!Array.isArray(s.ops)) throw new Error('schedule.ops must be a list');
  for (const op of s.ops as Op[]) {
    if (!Number.isInteger(op.step) || op.step < 0 || op.step >= (s.steps as number))
      throw new Error(`op at step ${String(op.step)} is outside the schedule`);
    if ('app' in op && (op.app < 0 || op.app >= (s.appliances as number)))
      throw new Error(`op names appliance ${op.app} of ${s.appliances}`);
    if ('site' in op && (op.site < 0 || op.site >= (s.sites as number)))
      throw new Error(`op names site ${op.site} of ${s.sites}`);
  }
  return s as Schedule;
}
