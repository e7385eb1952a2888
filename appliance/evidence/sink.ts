/**
 * What the appliance runtime hands to the evidence layer. The outbox (outbox.ts) turns each record
 * into a signed, hash-chained bundle and stores it durably before `record` resolves.
 */
import type { JsonValue } from '../../sync/evidence/canonical-json.ts';

export type EvidenceOutcome = 'pass' | 'fail' | 'healed' | 'heal_failed' | 'suppressed' | 'escalated';

export interface EvidenceRecord {
  /** A scan result (check ran, no healing) or a runbook execution (detect → remediate → verify). */
  readonly kind: 'check_result' | 'runbook_execution';
  readonly hostId: string;
  readonly checkType: string;
  readonly outcome: EvidenceOutcome;
  /** ISO 8601 time the check ran or the execution finished (appliance clock). */
  readonly observedAt: string;
  readonly incidentId?: string;
  readonly ruleId?: string;
  readonly runbookId?: string;
  /** Compliance frameworks/controls this check maps to (e.g. "HIPAA 164.312(b)"). */
  readonly controls?: readonly string[];
  readonly stateBefore?: JsonValue;
  readonly stateAfter?: JsonValue;
  readonly diff?: JsonValue;
  /** Free-form, PHI-scrubbed detail (exception id that suppressed healing, escalation reason…). */
  readonly detail?: JsonValue;
}

export interface EvidenceSink {
  /** Resolves once the signed bundle is durable in the outbox (never before). */
  record(r: EvidenceRecord): Promise<void>;
}
