// The scenario API: a tester writes a named schedule step by step (a cursor moves with `wait`), runs
// it over the real system, and gets the invariants' verdict. See docs/simulator.md.
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import { exceptionIdFor, planSchedule } from './planner.ts';
import { type RunOptions, type SimResult, runSchedule } from './run-schedule.ts';
import { type Fault, type Inject, type Op, SCHEDULE_FORMAT, type Schedule } from './schedule.ts';
import type { LinkFaults } from './sim-network.ts';

export interface ScenarioShape {
  readonly name: string;
  readonly sites: number;
  readonly appliances: number;
  /** Seeds the network's message-level randomness (default 1). */
  readonly seed?: number;
  readonly inject?: Inject;
}

type OpBody<K extends Op['kind']> = Omit<Extract<Op, { kind: K }>, 'step' | 'kind'>;

/** Builds a schedule; every method adds an operation at the cursor (`now`) and returns the builder. */
export class ScenarioBuilder {
  readonly ops: Op[] = [];
  now = 0;
  private end = 0;
  constructor(readonly shape: ScenarioShape) {}

  private add<K extends Op['kind']>(kind: K, body: OpBody<K>): this {
    this.ops.push({ step: this.now, kind, ...body } as Op);
    this.end = Math.max(this.end, this.now + 1);
    return this;
  }
  /** Moves the cursor `steps` forward (each step delivers one network round). */
  wait(steps = 1): this {
    this.now += steps;
    this.end = Math.max(this.end, this.now);
    return this;
  }
  /** Calls `fn(i)` `times` times, one step apart. */
  repeat(times: number, fn: (i: number) => void): this {
    for (let i = 0; i < times; i++) {
      fn(i);
      this.wait(1);
    }
    return this;
  }
  /** Mixes a seeded random workload (and the given faults) into the next `steps` steps. */
  background(steps: number, faults: readonly Fault[] = [], seed = this.shape.seed ?? 1): this {
    const s = planSchedule({ ...this.shape, seed, steps, faults });
    for (const op of s.ops) this.ops.push({ ...op, step: op.step + this.now });
    return this.wait(steps);
  }
  record(app: number, n = 5, o: { sig?: string; resolved?: boolean; flush?: boolean } = {}): this {
    return this.add('record', {
      app,
      n,
      sig: o.sig ?? '00000000000000a1',
      resolved: o.resolved ?? true,
      flush: o.flush ?? false,
    });
  }
  evidence(app: number, n = 1): this {
    return this.add('evidence', { app, n });
  }
  partnerEdit(site: number, session: number, value = `v${this.now}`): this {
    return this.add('partner-edit', { site, session, value });
  }
  exception(site: number, session: number, k: number, event: 'request' | 'approve' | 'revoke'): this {
    return this.add('exception', { site, session, id: exceptionIdFor(site, k), event });
  }
  adminEdit(app: number, value = `v${this.now}`): this {
    return this.add('admin-edit', { app, value });
  }
  promote(): this {
    return this.add('promote', {});
  }
  partition(app: number): this {
    return this.add('partition', { app });
  }
  heal(app: number): this {
    return this.add('heal', { app });
  }
  outage(app: number, steps: number): this {
    return this.add('outage', { app, steps });
  }
  crash(app: number): this {
    return this.add('crash', { app });
  }
  cloudRestart(): this {
    return this.add('cloud-restart', {});
  }
  link(app: number, f: Partial<LinkFaults>): this {
    return this.add('link', { app, drop: 0, duplicate: 0, reorder: 0, delayRounds: 0, ...f });
  }
  skew(app: number, ms: number): this {
    return this.add('skew', { app, ms });
  }
  /** Every appliance index (for storms). */
  get all(): number[] {
    return Array.from({ length: this.shape.appliances }, (_, i) => i);
  }

  schedule(): Schedule {
    return {
      format: SCHEDULE_FORMAT,
      seed: this.shape.seed ?? 1,
      sites: this.shape.sites,
      appliances: this.shape.appliances,
      steps: Math.max(1, this.end, ...this.ops.map((o) => o.step + 1)),
      ops: [...this.ops].sort((a, b) => a.step - b.step),
      name: this.shape.name,
      ...(this.shape.inject ? { inject: this.shape.inject } : {}),
    };
  }
}

export interface Scenario {
  readonly name: string;
  readonly schedule: () => Schedule;
  readonly run: (sql: SqlClient, o?: Omit<RunOptions, 'sql'>) => Promise<SimResult>;
}

/** Defines a named scenario: `scenario({ name, sites, appliances }, (s) => s.outage(0, 100).record(0))`. */
export function scenario(shape: ScenarioShape, build: (s: ScenarioBuilder) => void): Scenario {
  const schedule = () => {
    const b = new ScenarioBuilder(shape);
    build(b);
    return b.schedule();
  };
  return { name: shape.name, schedule, run: (sql, o = {}) => runSchedule(schedule(), { ...o, sql }) };
}
