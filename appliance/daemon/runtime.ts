// The appliance's healing loop, testable in-process: drift event → PHI scrub → L1 decision against
// the site's documents → runbook over SSH (per host, serialized) → verify → statistics, audit and
// evidence. Nothing here needs the cloud.
import type { JsonValue } from '../../sync/evidence/canonical-json.ts';
import { type Logger, silentLogger } from '../../sync/log.ts';
import type { EvidenceSink } from '../evidence/sink.ts';
import type { DriftEvent, HealCommand } from '../intake/index.ts';
import {
  type Decision,
  type EngineState,
  INITIAL_ENGINE_STATE,
  type Incident,
  decide,
  recordOutcome,
} from '../l1/index.ts';
import type { Scrubber } from '../phi/index.ts';
import { type CommandExecutor, RUNBOOKS, type RunbookExecution, runRunbook } from '../runbooks/index.ts';
import type { ApplianceSync } from '../sync/appliance-sync.ts';
import { EngineInputsReader, engineSettings } from './engine-inputs.ts';
import { loadEngineState, saveEngineState } from './engine-state-file.ts';
import { incidentOf } from './incident.ts';
import { type IncidentReport, type IncidentView, Recorder } from './recorder.ts';
import type { HealTarget } from './targets.ts';

export interface RuntimeOptions {
  readonly sync: ApplianceSync;
  readonly siteId: string;
  readonly evidence: EvidenceSink;
  readonly scrubber: Scrubber;
  /** Runs runbook commands (SshExecutor over a SshConnectionPool in the daemon). */
  readonly executor: CommandExecutor;
  /** The current SSH targets by lower-case hostname (a function: SIGHUP may replace them). */
  readonly targets: () => ReadonlyMap<string, HealTarget>;
  /** Where the L1 state (cooldowns, breakers, flap latches) survives restarts; absent = memory only. */
  readonly statePath?: string;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** Failures a second attempt cannot fix (a wrong key only locks the account). */
const FINAL_FAILURES = new Set(['auth_failed', 'detect_error']);

/** The runtime; `handleEvents` is the intake's `onEvents`. */
export class ApplianceRuntime {
  private state: EngineState;
  private readonly inputs: EngineInputsReader;
  readonly recorder: Recorder;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly hostQueues = new Map<string, Promise<unknown>>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly seen = new Map<string, true>();
  private draining = false;
  private counts = { events: 0, incidents: 0, healed: 0 };

  constructor(private readonly o: RuntimeOptions) {
    this.log = o.logger ?? silentLogger;
    this.now = o.now ?? Date.now;
    this.state = o.statePath ? loadEngineState(o.statePath, this.log) : INITIAL_ENGINE_STATE;
    this.inputs = new EngineInputsReader(o.sync, o.siteId, this.log);
    this.recorder = new Recorder(o.sync, o.evidence, o.scrubber);
  }

  /**
   * Handles a batch from the intake and resolves once every event is recorded (so the intake acks
   * only what is durable). Runbooks of different hosts run concurrently, of one host one at a time.
   * Returns a heal command for the agent where the rule's action runs on the endpoint itself.
   */
  async handleEvents(events: readonly DriftEvent[]): Promise<(HealCommand | undefined)[]> {
    if (this.draining) throw new Error('appliance is shutting down');
    const work = events.map((e) => this.track(this.handle(e)));
    return Promise.all(work);
  }

  /** Resolves when no event is being handled. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Refuses new events and waits for the ones in flight. */
  async drain(): Promise<void> {
    this.draining = true;
    await this.idle();
  }

  recent(limit: number): IncidentView[] {
    return this.recorder.recent(limit);
  }

  stats(): {
    events: number;
    incidents: number;
    healed: number;
    inflight: number;
    ruleBookFallback: boolean;
  } {
    return {
      ...this.counts,
      inflight: this.inflight.size,
      ruleBookFallback: this.inputs.read().builtinFallback,
    };
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => undefined);
    return p;
  }

  /** An agent resending an unacked event must not heal twice. */
  private duplicate(e: DriftEvent): boolean {
    if (e.event_id === '') return false;
    const key = `${e.agent_id}\u0000${e.event_id}`;
    if (this.seen.has(key)) return true;
    this.seen.set(key, true);
    if (this.seen.size > 10_000) this.seen.delete(this.seen.keys().next().value as string);
    return false;
  }

  private async handle(raw: DriftEvent): Promise<HealCommand | undefined> {
    if (this.duplicate(raw)) return undefined;
    this.counts.events += 1;
    // Scrub first: everything derived from the event (decision, stats, audit, evidence) may leave.
    const e = { ...raw, ...(this.o.scrubber.scrub(raw).value as DriftEvent), received_at: raw.received_at };
    const at = this.now();
    if (e.passed) {
      await this.recorder.checkPassed(e.hostname, e.check_type, at, e.hipaa_control ? [e.hipaa_control] : []);
      return undefined;
    }
    this.counts.incidents += 1;
    const incident = incidentOf(e);
    const inputs = this.inputs.read();
    const { decision, nextState } = decide(
      this.state,
      incident,
      inputs.rules,
      inputs.exceptions,
      engineSettings(inputs.settings, incident.check_type, at),
      at,
    );
    this.setState(nextState);
    this.log.info(
      { incident: incident.id, host: incident.hostname, check: incident.check_type, decision: decision.kind },
      'incident decided',
    );
    return this.act(incident, decision, raw.hostname, at);
  }

  private async act(
    incident: Incident,
    d: Decision,
    rawHostname: string,
    at: number,
  ): Promise<HealCommand | undefined> {
    const base = { incident, at };
    switch (d.kind) {
      case 'suppressed':
        await this.recorder.report({
          ...base,
          disposition: 'suppressed',
          reason: d.reason,
          ...(d.exceptionId ? { exceptionId: d.exceptionId } : {}),
          audit: { actor: 'l1', action: 'suppress', outcome: 'skipped' },
          evidence: {
            kind: 'check_result',
            detail: { reason: d.reason, ...(d.exceptionId ? { exception_id: d.exceptionId } : {}) },
          },
        });
        return undefined;
      case 'skip':
        await this.recorder.report({
          ...base,
          disposition: 'skipped',
          reason: d.reason,
          audit: { actor: 'l1', action: 'skip', outcome: 'skipped' },
          evidence: { kind: 'check_result', detail: { skipped: d.reason } },
        });
        return undefined;
      case 'escalate':
        await this.escalate(incident, at, d.reason, d.ruleId);
        return undefined;
      case 'heal':
        break;
    }
    const rule = d.rule;
    const controls = [...rule.hipaa_controls];
    if (d.action.kind === 'alert' || d.action.kind === 'restart_service') {
      const endpoint = d.action.kind === 'restart_service';
      const action = endpoint ? `restart_service:${d.action.service}` : `alert:${d.action.name}`;
      await this.recorder.report({
        ...base,
        disposition: endpoint ? 'dispatched' : 'alerted',
        ruleId: rule.id,
        reason: endpoint ? 'heal command sent to the agent' : `alert ${d.action.name}`,
        audit: { actor: `l1:${rule.id}`, action, outcome: 'info' },
        evidence: { kind: 'check_result', ruleId: rule.id, controls, detail: { action } },
      });
      if (!endpoint) return undefined;
      return {
        command_id: `${incident.id}`,
        action: 'restart_service',
        params: { service: d.action.service },
        timeout_s: 120,
      };
    }
    if (d.action.kind !== 'run_runbook') return undefined;
    const runbook = RUNBOOKS.get(d.action.runbookId);
    const target = this.o.targets().get(rawHostname.toLowerCase());
    if (!runbook || !target) {
      const why = !runbook
        ? `runbook ${d.action.runbookId} is not in this release`
        : `no SSH target configured for ${incident.hostname ?? incident.host_id}`;
      await this.escalate(incident, at, why, rule.id);
      return undefined;
    }
    const key = rawHostname.toLowerCase();
    const prev = this.hostQueues.get(key) ?? Promise.resolve();
    const run = prev.then(async () => {
      let exec: RunbookExecution;
      let attempt = 0;
      for (;;) {
        exec = await runRunbook(runbook, target.ssh, {
          executor: this.o.executor,
          root: target.root,
          logger: this.log,
          now: this.now,
          ...(target.sudo !== undefined ? { sudo: target.sudo } : {}),
        });
        if (exec.success || attempt >= d.maxRetries || FINAL_FAILURES.has(exec.failure_type ?? '')) break;
        attempt += 1;
        this.log.warn({ incident: incident.id, runbook: runbook.id, attempt }, 'runbook failed; retrying');
      }
      return exec;
    });
    const settled = run.catch(() => undefined);
    this.hostQueues.set(key, settled);
    void settled.then(() => {
      if (this.hostQueues.get(key) === settled) this.hostQueues.delete(key);
    });
    let exec: RunbookExecution;
    try {
      exec = await run;
    } catch (err) {
      this.log.error({ incident: incident.id, err: (err as Error).message }, 'runbook could not run');
      await this.escalate(
        incident,
        at,
        `runbook ${runbook.id} could not run: ${(err as Error).message}`,
        rule.id,
      );
      return undefined;
    }
    this.setState(
      recordOutcome(
        this.state,
        { hostId: incident.host_id, checkType: incident.check_type, success: exec.success },
        {},
        this.now(),
      ),
    );
    if (exec.success) this.counts.healed += 1;
    const action = `run_runbook:${runbook.id}`;
    const outcome =
      exec.failure_type === 'timeout' ? 'timeout' : exec.status === 'success' ? 'success' : exec.status;
    await this.recorder.report({
      ...base,
      at: exec.completed_at,
      disposition: exec.outcome === 'compliant' ? 'compliant' : exec.success ? 'healed' : 'heal_failed',
      ruleId: rule.id,
      runbookId: runbook.id,
      ...(exec.error_message ? { reason: exec.error_message } : {}),
      resolution: { level: 'L1', outcome, action, durationMs: exec.duration_ms },
      audit: { actor: `l1:${rule.id}`, action, outcome },
      evidence: {
        kind: 'runbook_execution',
        ruleId: rule.id,
        runbookId: runbook.id,
        controls: [...new Set([...controls, ...runbook.hipaa_controls])],
        stateBefore: exec.state_before,
        stateAfter: exec.state_after,
        diff: exec.state_diff as unknown as JsonValue,
        detail: {
          drift: exec.drift_detail,
          verification_passed: exec.verification_passed,
          failure_type: exec.failure_type,
          error: exec.error_message,
          steps: exec.executed_steps as unknown as JsonValue,
        },
      },
    });
    return undefined;
  }

  /** No L1 rule can help: an L3 escalation record (L2 is out of scope; see l2-planner.ts). */
  private escalate(incident: Incident, at: number, reason: string, ruleId?: string): Promise<void> {
    const report: IncidentReport = {
      incident,
      at,
      disposition: 'escalated',
      reason,
      ...(ruleId ? { ruleId } : {}),
      resolution: { level: 'L3', outcome: 'escalated', action: 'escalate', durationMs: 0 },
      audit: { actor: ruleId ? `l1:${ruleId}` : 'l1', action: 'escalate:L3', outcome: 'escalated' },
      evidence: { kind: 'check_result', ...(ruleId ? { ruleId } : {}), detail: { escalation: 'L3', reason } },
    };
    return this.recorder.report(report);
  }

  private setState(s: EngineState): void {
    this.state = s;
    if (this.o.statePath) saveEngineState(this.o.statePath, s, this.log);
  }
}
