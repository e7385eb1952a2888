import type { IncidentRecord } from '../../appliance/sync/records.ts';

/** A firewall drift incident healed by L1 rule L1-FW-001 (runbook LIN-FW-001): the tests' and benches' staple. */
export function healedIncident(signature: string, at: number, durationMs: number): IncidentRecord {
  return {
    signature,
    incidentType: 'drift',
    checkType: 'firewall_status',
    at,
    resolution: {
      level: 'L1',
      outcome: 'success',
      action: 'run_runbook:LIN-FW-001',
      ruleId: 'L1-FW-001',
      durationMs,
    },
  };
}
