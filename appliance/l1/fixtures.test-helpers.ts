// Builders shared by the L1 tests (not a test file itself).
import type { ComplianceException, EngineSettings, Incident, L1Rule } from './types.ts';

/** A rule with sensible defaults; override what the test is about. */
export function rule(over: Partial<L1Rule> & { id: string }): L1Rule {
  return {
    name: over.id,
    conditions: [{ field: 'check_type', operator: 'eq', value: 'disk_space' }],
    action: 'run_runbook:LIN-DISK-001',
    hipaa_controls: ['164.308(a)(1)'],
    enabled: true,
    source: 'builtin',
    ...over,
  };
}

/** A disk-space incident on host h1. */
export function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-1',
    host_id: 'h1',
    hostname: 'ws-frontdesk-01',
    check_type: 'disk_space',
    incident_type: 'drift',
    severity: 'high',
    details: { usage_percent: 95 },
    ...over,
  };
}

/** Full coverage, every built-in rule core unless its id says `ext`. */
export function settings(over: Partial<EngineSettings> = {}): EngineSettings {
  return {
    healingTier: 'full_coverage',
    tierOf: (r) => (r.id.includes('ext') ? 'extended' : 'core'),
    ...over,
  };
}

/** An approved check-scope exception valid for the first hour. */
export function exception(over: Partial<ComplianceException> = {}): ComplianceException {
  return {
    id: 'EXC-0123456789AB',
    scope: 'check',
    item_id: 'disk_space',
    device_filter: 'hostname:ws-*',
    action: 'skip_remediation',
    status: 'approved',
    starts_at: 0,
    expires_at: 3_600_000,
    ...over,
  };
}
