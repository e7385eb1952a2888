import { toStringForm } from './condition-values.ts';
import { resolveField } from './field-path.ts';
import { globMatch } from './glob.ts';
import type { ComplianceException, Incident } from './types.ts';

/** What an incident (and the rule chosen for it) can be excepted by. */
export interface ExceptionTargets {
  readonly checkType: string;
  readonly runbookId?: string | undefined;
  readonly controls: readonly string[];
}

/** Which effect is asked about: healing (`skip_remediation`, `both`) or alerting (`suppress_alert`, `both`). */
export type ExceptionEffect = 'healing' | 'alert';

/** Valid = approved/active and `starts_at ≤ now < expires_at` (expiry is implicit). */
export function isExceptionActive(exc: ComplianceException, now: number): boolean {
  return (
    (exc.status === 'approved' || exc.status === 'active') && exc.starts_at <= now && now < exc.expires_at
  );
}

/**
 * Device filter: empty or `*` matches every device; `field:glob` matches the incident field's
 * string form (`hostname:legacy-*`; `hostname` falls back to `host_id`); a bare glob means hostname.
 */
export function deviceMatches(filter: string | null | undefined, incident: Incident): boolean {
  const f = (filter ?? '').trim();
  if (f === '' || f === '*') return true;
  const colon = f.indexOf(':');
  const field = colon === -1 ? 'hostname' : f.slice(0, colon).trim();
  const glob = colon === -1 ? f : f.slice(colon + 1).trim();
  let value = resolveField(incident, field);
  if (value === null && field === 'hostname') value = incident.host_id;
  return value !== null && globMatch(glob, toStringForm(value));
}

function covers(exc: ComplianceException, targets: ExceptionTargets): boolean {
  switch (exc.scope) {
    case 'check':
      return exc.item_id === targets.checkType;
    case 'runbook':
      return targets.runbookId !== undefined && exc.item_id === targets.runbookId;
    case 'control':
      return targets.controls.includes(exc.item_id);
    default:
      return false;
  }
}

function hasEffect(exc: ComplianceException, effect: ExceptionEffect): boolean {
  if (exc.action === 'both') return true;
  return effect === 'healing' ? exc.action === 'skip_remediation' : exc.action === 'suppress_alert';
}

/** The first (by id) valid exception that covers the targets on this device with the given effect. */
export function findException(
  exceptions: readonly ComplianceException[],
  incident: Incident,
  targets: ExceptionTargets,
  effect: ExceptionEffect,
  now: number,
): ComplianceException | undefined {
  return exceptions
    .filter(
      (e) =>
        isExceptionActive(e, now) &&
        hasEffect(e, effect) &&
        covers(e, targets) &&
        deviceMatches(e.device_filter, incident),
    )
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0];
}
