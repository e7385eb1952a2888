// A drift event as the L1 engine and the statistics see it.
import { randomUUID } from 'node:crypto';
import { patternSignature } from '../../schemas/index.ts';
import type { DriftEvent } from '../intake/index.ts';
import type { Incident } from '../l1/index.ts';

/** Incident type of agent and scan drift (the pattern signature's `type`). */
export const DRIFT_INCIDENT_TYPE = 'drift';

/**
 * The incident for a (scrubbed) failed check. Agent metadata becomes `details` (and `platform` is
 * lifted to the top, where the built-in rules look for it); the host id is the hostname.
 */
export function incidentOf(e: DriftEvent): Incident {
  return {
    id: `inc-${randomUUID()}`,
    host_id: e.hostname.toLowerCase(),
    hostname: e.hostname,
    check_type: e.check_type,
    incident_type: DRIFT_INCIDENT_TYPE,
    severity: e.severity,
    hipaa_control: e.hipaa_control === '' ? undefined : e.hipaa_control,
    agent_id: e.agent_id,
    event_id: e.event_id,
    expected: e.expected,
    actual: e.actual,
    platform: e.metadata.platform,
    details: { ...e.metadata },
  };
}

/** The pattern signature of a drift incident (host and site are not part of it). */
export function signatureOf(incident: Incident): string {
  return patternSignature({
    incidentType: incident.incident_type ?? DRIFT_INCIDENT_TYPE,
    checkType: incident.check_type,
    errorMessage: null,
  });
}
