// The single outbound gateway of the runtime: every incident's statistics, audit entry and evidence
// record is PHI-scrubbed here, then journaled (ApplianceSync.record) and handed to the evidence sink.
import type { RuleOutcome } from '../../schemas/index.ts';
import type { JsonValue } from '../../sync/evidence/canonical-json.ts';
import type { EvidenceRecord, EvidenceSink } from '../evidence/sink.ts';
import type { Incident } from '../l1/index.ts';
import type { Scrubber } from '../phi/index.ts';
import type { ApplianceSync } from '../sync/appliance-sync.ts';
import type { AuditRecord, IncidentRecord } from '../sync/records.ts';
import { signatureOf } from './incident.ts';

/** What became of an incident, as GET /incidents shows it. */
export type IncidentDisposition =
  'healed' | 'heal_failed' | 'compliant' | 'suppressed' | 'escalated' | 'skipped' | 'dispatched' | 'alerted';

/** One handled incident (scrubbed), newest last in the recent list. */
export interface IncidentView {
  readonly id: string;
  readonly at: string;
  readonly hostname: string;
  readonly checkType: string;
  readonly agentId: string;
  readonly eventId: string;
  readonly disposition: IncidentDisposition;
  readonly reason?: string;
  readonly ruleId?: string;
  readonly runbookId?: string;
  readonly exceptionId?: string;
  readonly durationMs?: number;
}

/** Everything recorded about one incident. */
export interface IncidentReport {
  readonly incident: Incident;
  readonly at: number;
  readonly disposition: IncidentDisposition;
  readonly reason?: string;
  readonly ruleId?: string;
  readonly runbookId?: string;
  readonly exceptionId?: string;
  /** Statistics resolution (absent: an occurrence without resolution, e.g. suppressed or skipped). */
  readonly resolution?: {
    readonly level: 'L1' | 'L3';
    readonly outcome: RuleOutcome;
    readonly action?: string;
    readonly durationMs: number;
  };
  /** Audit line. */
  readonly audit: { readonly actor: string; readonly action: string; readonly outcome: string };
  readonly evidence: Omit<EvidenceRecord, 'hostId' | 'checkType' | 'observedAt' | 'incidentId' | 'outcome'>;
}

const EVIDENCE_OUTCOME: Record<IncidentDisposition, EvidenceRecord['outcome']> = {
  healed: 'healed',
  heal_failed: 'heal_failed',
  compliant: 'pass',
  suppressed: 'suppressed',
  escalated: 'escalated',
  skipped: 'fail',
  dispatched: 'fail',
  alerted: 'fail',
};

/** T with `undefined` members turned into absent optional ones. */
type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Drops undefined values (Automerge and the scalar maps reject them). */
function defined<T extends Record<string, unknown>>(o: T): Defined<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>;
}

/** Writes incident outcomes to statistics, audit and evidence; keeps the recent ones for the admin API. */
export class Recorder {
  private readonly recentList: IncidentView[] = [];

  constructor(
    private readonly sync: ApplianceSync,
    private readonly evidence: EvidenceSink,
    private readonly scrubber: Scrubber,
    private readonly recentLimit = 500,
  ) {}

  /** Records one incident; resolves once the journal and the evidence sink hold it. */
  async report(r: IncidentReport): Promise<void> {
    const inc = r.incident;
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    const stats: IncidentRecord = {
      signature: signatureOf(inc),
      incidentType: inc.incident_type ?? 'drift',
      checkType: inc.check_type,
      at: r.at,
      ...(r.resolution
        ? {
            resolution: defined({
              level: r.resolution.level,
              outcome: r.resolution.outcome,
              action: r.resolution.action,
              ruleId: r.ruleId,
              durationMs: r.resolution.durationMs,
            }),
          }
        : {}),
    };
    const detail = defined({
      incident: inc.id,
      event_id: str(inc.event_id) || undefined,
      agent_id: str(inc.agent_id) || undefined,
      check_type: inc.check_type,
      disposition: r.disposition,
      rule_id: r.ruleId,
      runbook_id: r.runbookId,
      exception_id: r.exceptionId,
      reason: r.reason?.slice(0, 1000),
    });
    const audit = this.scrubber.scrub({
      id: `${inc.id}`,
      at: r.at,
      actor: r.audit.actor,
      action: r.audit.action,
      target: (inc.hostname ?? inc.host_id).slice(0, 256),
      detail,
      outcome: r.audit.outcome,
    }).value as AuditRecord;
    this.sync.record([stats], [audit]);
    const evidence = this.scrubber.scrub(
      defined({
        ...r.evidence,
        hostId: inc.hostname ?? inc.host_id,
        checkType: inc.check_type,
        observedAt: new Date(r.at).toISOString(),
        incidentId: inc.id,
        outcome: EVIDENCE_OUTCOME[r.disposition],
      }),
    ).value as EvidenceRecord;
    await this.evidence.record(evidence);
    this.remember({
      id: inc.id,
      at: evidence.observedAt,
      hostname: audit.target,
      checkType: inc.check_type,
      agentId: str(inc.agent_id),
      eventId: str(inc.event_id),
      disposition: r.disposition,
      ...defined({
        reason: typeof detail.reason === 'string' ? (audit.detail.reason as string) : undefined,
        ruleId: r.ruleId,
        runbookId: r.runbookId,
        exceptionId: r.exceptionId,
        durationMs: r.resolution?.durationMs,
      }),
    });
  }

  /** A passing check: evidence only (no incident, no statistics). */
  async checkPassed(
    hostId: string,
    checkType: string,
    at: number,
    controls: readonly string[],
  ): Promise<void> {
    const rec = this.scrubber.scrub({
      kind: 'check_result',
      hostId,
      checkType,
      outcome: 'pass',
      observedAt: new Date(at).toISOString(),
      controls: [...controls] as JsonValue,
    }).value as EvidenceRecord;
    await this.evidence.record(rec);
  }

  /** The newest `limit` incidents, newest first. */
  recent(limit: number): IncidentView[] {
    return this.recentList.slice(-limit).reverse();
  }

  private remember(v: IncidentView): void {
    this.recentList.push(v);
    if (this.recentList.length > this.recentLimit)
      this.recentList.splice(0, this.recentList.length - this.recentLimit);
  }
}
