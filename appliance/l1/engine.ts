import { afterHeal, beforeHeal, clearFlapping, gate } from './breaker.ts';
import type { CompiledRule } from './compile-rules.ts';
import {
  checkKey,
  cooldownKey,
  DEFAULT_BREAKER,
  type EngineState,
  getCheck,
  pruneCooldowns,
  withCheck,
} from './engine-state.ts';
import { findException } from './exceptions.ts';
import { runbookOf } from './rule-action.ts';
import type { BreakerConfig, ComplianceException, Decision, EngineSettings, Incident } from './types.ts';

/** A decision and the state to keep for the next incident. */
export interface DecideResult {
  readonly decision: Decision;
  readonly nextState: EngineState;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Custom and promoted rules always run when enabled; built-in (and synced) rules follow the tier. */
export function isRuleEligible(rule: CompiledRule, settings: EngineSettings): boolean {
  if (!rule.rule.enabled) return false;
  if (rule.rule.source === 'custom' || rule.rule.source === 'promoted') return true;
  return settings.healingTier === 'full_coverage' || settings.tierOf(rule.rule) === 'core';
}

function matches(rule: CompiledRule, incident: Incident): boolean {
  if (rule.severities && !rule.severities.has(String(incident.severity ?? ''))) return false;
  return rule.conditions.every((c) => c(incident));
}

/**
 * The L1 engine as a pure state machine. `rules` come from compileRuleBook (sorted by priority,
 * then id). Order of gates: maintenance window, disabled check, check/control exception, latched
 * flap, open breaker, rule matching (cooldown skips to the next rule), rule/runbook exception,
 * flap detection and breaker trip, heal. No match escalates to L3.
 */
export function decide(
  state: EngineState,
  incident: Incident,
  rules: readonly CompiledRule[],
  exceptions: readonly ComplianceException[],
  settings: EngineSettings,
  now: number,
): DecideResult {
  const cfg: BreakerConfig = { ...DEFAULT_BREAKER, ...settings.breaker };
  let next = pruneCooldowns(state, now);
  const done = (decision: Decision): DecideResult => ({ decision, nextState: next });

  if (settings.maintenanceUntil !== undefined && now < settings.maintenanceUntil)
    return done({ kind: 'skip', reason: `maintenance window until ${iso(settings.maintenanceUntil)}` });
  if (settings.disabledChecks?.has(incident.check_type))
    return done({ kind: 'skip', reason: `check ${incident.check_type} is disabled for this site` });

  const key = checkKey(incident.host_id, incident.check_type);
  const g = gate(getCheck(next, key), cfg, now);
  next = withCheck(next, key, g.check);

  const incidentControls = typeof incident.hipaa_control === 'string' ? [incident.hipaa_control] : [];
  const checkExc = findException(
    exceptions,
    incident,
    { checkType: incident.check_type, controls: incidentControls },
    'healing',
    now,
  );
  if (checkExc)
    return done({ kind: 'suppressed', reason: `suppressed by ${checkExc.id}`, exceptionId: checkExc.id });
  if (g.kind === 'flap-latched')
    return done({
      kind: 'suppressed',
      reason: `flapping since ${iso(g.since)}; escalated to L3, suppressed until a human clears it`,
    });
  if (g.kind === 'open') return done({ kind: 'skip', reason: `circuit breaker open until ${iso(g.until)}` });

  let chosen: CompiledRule | undefined;
  const cooling: string[] = [];
  for (const rule of rules) {
    if (!isRuleEligible(rule, settings) || !matches(rule, incident)) continue;
    if ((next.cooldowns[cooldownKey(rule.id, incident.host_id)] ?? 0) > now) {
      cooling.push(rule.id);
      continue;
    }
    chosen = rule;
    break;
  }
  if (!chosen) {
    if (cooling.length > 0)
      return done({
        kind: 'skip',
        reason: `matching rules in cooldown for ${incident.host_id}: ${cooling.join(', ')}`,
      });
    return done({ kind: 'escalate', level: 'L3', reason: 'no matching L1 rule' });
  }

  const targets = {
    checkType: incident.check_type,
    runbookId: runbookOf(chosen.action),
    controls: [...incidentControls, ...chosen.rule.hipaa_controls],
  };
  const isAlert = chosen.action.kind === 'alert';
  const healExc = findException(exceptions, incident, targets, isAlert ? 'alert' : 'healing', now);
  if (healExc)
    return done({ kind: 'suppressed', reason: `suppressed by ${healExc.id}`, exceptionId: healExc.id });

  const startCooldown = (): void => {
    next = {
      ...next,
      cooldowns: { ...next.cooldowns, [cooldownKey(chosen.id, incident.host_id)]: now + chosen.cooldownMs },
    };
  };
  if (chosen.action.kind === 'escalate') {
    startCooldown();
    return done({ kind: 'escalate', level: 'L3', reason: `rule ${chosen.id} escalates`, ruleId: chosen.id });
  }

  const hg = beforeHeal(g.check, cfg, now);
  next = withCheck(next, key, hg.check);
  if (hg.kind !== 'heal')
    return done({ kind: 'escalate', level: 'L3', reason: hg.reason, ruleId: chosen.id });

  startCooldown();
  const alertExc = isAlert ? undefined : findException(exceptions, incident, targets, 'alert', now);
  return done({
    kind: 'heal',
    rule: chosen.rule,
    action: chosen.action,
    maxRetries: chosen.maxRetries,
    ...(alertExc ? { alertSuppressedBy: alertExc.id } : {}),
  });
}

/** Feeds a heal's outcome back: success resets the breaker count and counts towards flap detection. */
export function recordOutcome(
  state: EngineState,
  outcome: { readonly hostId: string; readonly checkType: string; readonly success: boolean },
  settings: Pick<EngineSettings, 'breaker'>,
  now: number,
): EngineState {
  const cfg: BreakerConfig = { ...DEFAULT_BREAKER, ...settings.breaker };
  const key = checkKey(outcome.hostId, outcome.checkType);
  return withCheck(state, key, afterHeal(getCheck(state, key), outcome.success, cfg, now));
}

/** A human cleared a flapping (or breaker-blocked) host+check. */
export function clearFlap(state: EngineState, hostId: string, checkType: string): EngineState {
  const key = checkKey(hostId, checkType);
  return withCheck(state, key, clearFlapping(getCheck(state, key)));
}
