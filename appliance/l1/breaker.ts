import type { CheckState } from './engine-state.ts';
import type { BreakerConfig } from './types.ts';

/** What the breaker allows for a host+check right now, and the check state to keep. */
export type BreakerGate =
  | { readonly kind: 'closed'; readonly check: CheckState }
  | { readonly kind: 'open'; readonly until: number; readonly check: CheckState }
  | { readonly kind: 'flap-latched'; readonly since: number; readonly check: CheckState };

/** Gate before rule matching: a latched flap or an open breaker blocks healing; an expired breaker closes. */
export function gate(check: CheckState, cfg: BreakerConfig, now: number): BreakerGate {
  const heals = check.heals.filter((t) => now - t < cfg.flapWindowMs);
  const pruned: CheckState = { ...check, heals };
  if (check.flapping) return { kind: 'flap-latched', since: check.flapping.since, check: pruned };
  if (check.openUntil !== undefined) {
    if (now < check.openUntil) return { kind: 'open', until: check.openUntil, check: pruned };
    const { openUntil: _closed, ...rest } = pruned;
    return { kind: 'closed', check: { ...rest, attempts: 0 } };
  }
  return { kind: 'closed', check: pruned };
}

/** What happens when a closed breaker is about to heal. */
export type HealGate =
  | { readonly kind: 'heal'; readonly check: CheckState }
  | { readonly kind: 'flapping'; readonly reason: string; readonly check: CheckState }
  | { readonly kind: 'trip'; readonly reason: string; readonly check: CheckState };

/**
 * Before a heal: the check drifting again after `flapThreshold` successful heals in the window is
 * flapping (latch + L3); `maxAttempts` attempts without success trip the breaker (open for
 * `cooldownMs` + L3); otherwise the attempt is counted.
 */
export function beforeHeal(check: CheckState, cfg: BreakerConfig, now: number): HealGate {
  if (check.heals.length >= cfg.flapThreshold) {
    const reason = `flapping: drifted again after ${check.heals.length} successful heals within ${cfg.flapWindowMs / 60_000} min`;
    return { kind: 'flapping', reason, check: { ...check, flapping: { since: now, reason } } };
  }
  if (check.attempts >= cfg.maxAttempts) {
    const reason = `circuit breaker opened after ${check.attempts} attempts without success`;
    return { kind: 'trip', reason, check: { ...check, attempts: 0, openUntil: now + cfg.cooldownMs } };
  }
  return { kind: 'heal', check: { ...check, attempts: check.attempts + 1 } };
}

/** After a heal ran: success resets the attempt count and feeds flap detection; failure changes nothing. */
export function afterHeal(check: CheckState, success: boolean, cfg: BreakerConfig, now: number): CheckState {
  if (!success) return check;
  const heals = [...check.heals.filter((t) => now - t < cfg.flapWindowMs), now];
  return { ...check, attempts: 0, heals };
}

/** A human cleared the flap: healing resumes with a clean history. */
export function clearFlapping(check: CheckState): CheckState {
  const { flapping: _cleared, openUntil: _open, ...rest } = check;
  return { ...rest, attempts: 0, heals: [] };
}
