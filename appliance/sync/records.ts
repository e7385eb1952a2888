import type { AuditEntry, RuleOutcome } from '../../schemas/index.ts';

/** One incident and, once known, its resolution: what the L1 engine and runbooks report. */
export interface IncidentRecord {
  readonly signature: string;
  readonly incidentType: string;
  readonly checkType: string | null;
  readonly at: number;
  readonly resolution?: {
    readonly level: 'L1' | 'L2' | 'L3';
    readonly outcome: RuleOutcome;
    /** `run_runbook:LIN-FW-001` … */
    readonly action?: string;
    readonly ruleId?: string;
    readonly durationMs: number;
  };
}

export type AuditRecord = AuditEntry;

/** Journal entry kinds the appliance writes. */
export const KIND_INCIDENT = 'incident';
export const KIND_AUDIT = 'audit';
