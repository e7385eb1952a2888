import type { BreakerConfig } from './types.ts';

/** Breaker and flap state of one host+check. */
export interface CheckState {
  /** Heal attempts since the last recorded success. */
  readonly attempts: number;
  /** The breaker is open (healing blocked) until this instant, epoch ms. */
  readonly openUntil?: number;
  /** Instants of successful heals inside the flap window. */
  readonly heals: readonly number[];
  /** Latched when the check flapped and went to L3; only clearFlap() releases it. */
  readonly flapping?: { readonly since: number; readonly reason: string };
}

/**
 * Everything the engine remembers between incidents. Plain JSON (numbers, strings, arrays), so
 * the daemon can persist it; entries that no longer matter are pruned by every decide().
 */
export interface EngineState {
  /** `rule_id:host_id` → cooldown end, epoch ms. */
  readonly cooldowns: Readonly<Record<string, number>>;
  /** checkKey(host, check) → breaker/flap state. */
  readonly checks: Readonly<Record<string, CheckState>>;
}

/** The empty state a fresh appliance starts from. */
export const INITIAL_ENGINE_STATE: EngineState = { cooldowns: {}, checks: {} };

/** Old appliance defaults: 5 attempts, 30 min; flapping = 3 successful heals within 1 h, then drift again. */
export const DEFAULT_BREAKER: BreakerConfig = {
  maxAttempts: 5,
  cooldownMs: 30 * 60_000,
  flapThreshold: 3,
  flapWindowMs: 60 * 60_000,
};

/** Key of a host+check (JSON, because host ids may contain `:`, e.g. IPv6 addresses). */
export function checkKey(hostId: string, checkType: string): string {
  return JSON.stringify([hostId, checkType]);
}

/** Key of a rule's cooldown on a host. Rule ids never contain `:`, so this is unambiguous. */
export function cooldownKey(ruleId: string, hostId: string): string {
  return `${ruleId}:${hostId}`;
}

const EMPTY_CHECK: CheckState = { attempts: 0, heals: [] };

/** The state of a host+check, empty when unknown. */
export function getCheck(state: EngineState, key: string): CheckState {
  return state.checks[key] ?? EMPTY_CHECK;
}

/** Returns state with the check replaced, dropping it when it carries no information. */
export function withCheck(state: EngineState, key: string, check: CheckState): EngineState {
  const checks = { ...state.checks };
  const idle =
    check.attempts === 0 && check.openUntil === undefined && check.heals.length === 0 && !check.flapping;
  if (idle) delete checks[key];
  else checks[key] = check;
  return { ...state, checks };
}

/** Drops expired cooldowns. */
export function pruneCooldowns(state: EngineState, now: number): EngineState {
  const cooldowns: Record<string, number> = {};
  for (const [k, until] of Object.entries(state.cooldowns)) if (until > now) cooldowns[k] = until;
  return { ...state, cooldowns };
}
