// Draws a schedule from a seed: the same seed and options always give the same schedule.
import { Rng } from './rng.ts';
import { type Fault, type Inject, type Op, SCHEDULE_FORMAT, SESSIONS, type Schedule } from './schedule.ts';

export interface PlanOptions {
  readonly seed: number;
  readonly sites: number;
  readonly appliances: number;
  readonly steps: number;
  readonly faults: readonly Fault[];
  readonly inject?: Inject;
}

export const SIGNATURES = ['00000000000000a1', '00000000000000b2', '00000000000000c3'];

/** The exception id a site's k-th exception gets (valid per schemas: EXC- and 12 hex digits). */
export function exceptionIdFor(site: number, k: number): string {
  return `EXC-${(site * 256 + k).toString(16).toUpperCase().padStart(12, '0')}`;
}

export function planSchedule(o: PlanOptions): Schedule {
  const rng = new Rng(o.seed).fork('schedule');
  const has = (f: Fault) => o.faults.includes(f);
  const ops: Op[] = [];
  const up = Array.from({ length: o.appliances }, () => true);
  const exceptions = Array.from({ length: o.sites }, () => [] as string[]);
  if (has('drop') || has('duplicate') || has('reorder') || has('delay'))
    for (let app = 0; app < o.appliances; app++)
      ops.push({
        step: 0,
        kind: 'link',
        app,
        drop: has('drop') ? 0.02 : 0,
        duplicate: has('duplicate') ? 0.05 : 0,
        reorder: has('reorder') ? 0.1 : 0,
        delayRounds: has('delay') ? 3 : 0,
      });
  for (let step = 0; step < o.steps; step++) {
    const app = rng.int(0, o.appliances - 1);
    const site = app % o.sites;
    const roll = rng.next();
    if (roll < 0.5) {
      const resolved = rng.chance(0.5);
      ops.push({
        step,
        kind: 'record',
        app,
        sig: rng.pick(SIGNATURES),
        n: rng.int(1, 20),
        resolved,
        flush: rng.chance(0.3),
      });
    } else if (roll < 0.56) ops.push({ step, kind: 'evidence', app, n: rng.int(1, 5) });
    else if (roll < 0.64 && has('partition')) {
      ops.push({ step, kind: up[app] ? 'partition' : 'heal', app });
      up[app] = !up[app];
    } else if (roll < 0.67 && has('crash')) ops.push({ step, kind: 'crash', app });
    else if (roll < 0.69 && has('outage'))
      ops.push({ step, kind: 'outage', app, steps: rng.int(Math.ceil(o.steps / 5), Math.ceil(o.steps / 2)) });
    else if (roll < 0.7 && has('cloud-restart')) ops.push({ step, kind: 'cloud-restart' });
    else if (roll < 0.72 && has('clock-skew'))
      ops.push({ step, kind: 'skew', app, ms: rng.int(-3 * 3_600_000, 60_000) });
    else if (roll < 0.8)
      ops.push({
        step,
        kind: 'partner-edit',
        site,
        session: rng.int(0, SESSIONS.length - 1),
        value: `v${step}`,
      });
    else if (roll < 0.84) {
      const known = exceptions[site] as string[];
      const session = rng.int(0, SESSIONS.length - 1);
      if (known.length === 0 || (known.length < 4 && rng.chance(0.4))) {
        const id = exceptionIdFor(site, known.length);
        known.push(id);
        ops.push({ step, kind: 'exception', site, session, id, event: 'request' });
      } else
        ops.push({
          step,
          kind: 'exception',
          site,
          session,
          id: rng.pick(known),
          event: rng.chance(0.7) ? 'approve' : 'revoke',
        });
    } else if (roll < 0.9) ops.push({ step, kind: 'admin-edit', app, value: `v${step}` });
    else if (roll < 0.92) ops.push({ step, kind: 'promote' });
  }
  return {
    format: SCHEDULE_FORMAT,
    seed: o.seed,
    sites: o.sites,
    appliances: o.appliances,
    steps: o.steps,
    ops,
    ...(o.inject ? { inject: o.inject } : {}),
  };
}
