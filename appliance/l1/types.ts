/**
 * The shapes the L1 engine consumes. They are structural on purpose: the RuleBook and Exceptions
 * document types (schemas/) can be passed in as they are, without the engine importing them.
 */

/** Condition operators of the L1 language (docs/appliance.md). */
export type ConditionOperator = 'eq' | 'ne' | 'contains' | 'regex' | 'gt' | 'lt' | 'in' | 'not_in' | 'exists';

/** One condition: `field` is a dot path into the incident. */
export interface RuleCondition {
  readonly field: string;
  readonly operator: string;
  readonly value?: unknown;
}

/** Where a rule came from; only `builtin` and `synced` rules are gated by the healing tier. */
export type RuleSource = 'builtin' | 'custom' | 'promoted' | 'synced';

/** An L1 rule as stored in the RuleBook document. */
export interface L1Rule {
  readonly id: string;
  readonly name: string;
  readonly description?: string | undefined;
  readonly conditions: readonly RuleCondition[];
  /** `run_runbook:<ID>`, `restart_service:<svc>`, `alert:<name>` or `escalate`. */
  readonly action: string;
  readonly action_params?: Readonly<Record<string, unknown>> | undefined;
  readonly hipaa_controls: readonly string[];
  readonly severity_filter?: readonly string[] | null | undefined;
  readonly enabled: boolean;
  /** Lower runs first; default 100. */
  readonly priority?: number | undefined;
  /** Default 300. */
  readonly cooldown_seconds?: number | undefined;
  /** Default 1. */
  readonly max_retries?: number | undefined;
  readonly source: string;
}

/** An incident as the engine sees it: known fields plus anything a condition may address. */
export interface Incident {
  readonly id: string;
  /** Host identity for cooldowns and breakers (hostname when nothing better exists). */
  readonly host_id: string;
  readonly hostname?: string | undefined;
  readonly check_type: string;
  readonly incident_type?: string | undefined;
  readonly severity?: string | undefined;
  readonly hipaa_control?: string | undefined;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
  readonly [field: string]: unknown;
}

/** A compliance exception (Exceptions document), as far as the engine needs it. */
export interface ComplianceException {
  readonly id: string;
  readonly scope: string;
  readonly item_id: string;
  /** `hostname:legacy-*`, `<field>:<glob>`, or empty / `*` for every device. */
  readonly device_filter?: string | null | undefined;
  readonly action: string;
  /** Only `approved` / `active` exceptions count; anything else (requested, denied, revoked) is ignored. */
  readonly status: string;
  /** Epoch milliseconds. */
  readonly starts_at: number;
  /** Epoch milliseconds; the exception is void from this instant on. */
  readonly expires_at: number;
}

/** Which built-in rules a site runs (SiteSettings.healing_tier). */
export type HealingTier = 'standard' | 'full_coverage';

/** Tier of a built-in rule: `core` rules run on every tier, `extended` only with full_coverage. */
export type RuleTier = 'core' | 'extended';

/** Circuit breaker and flap limits; defaults in DEFAULT_BREAKER. */
export interface BreakerConfig {
  /** Heal attempts without a recorded success before the breaker opens (5). */
  readonly maxAttempts: number;
  /** How long an open breaker blocks healing (30 min). */
  readonly cooldownMs: number;
  /** Successful heals inside `flapWindowMs` after which a new drift counts as flapping (3). */
  readonly flapThreshold: number;
  /** Window for counting successful heals (1 h). */
  readonly flapWindowMs: number;
}

/** Engine inputs taken from SiteSettings plus the rule catalogue. */
export interface EngineSettings {
  readonly healingTier: HealingTier;
  /** Tier of a built-in/synced rule; custom and promoted rules bypass it. */
  readonly tierOf: (rule: L1Rule) => RuleTier;
  /** Healing paused until this instant (maintenance window), epoch ms. */
  readonly maintenanceUntil?: number | undefined;
  /** Check types the site disabled (or marked not applicable). */
  readonly disabledChecks?: ReadonlySet<string> | undefined;
  readonly breaker?: Partial<BreakerConfig> | undefined;
}

/** A parsed rule action. */
export type RuleAction =
  | { readonly kind: 'run_runbook'; readonly runbookId: string }
  | { readonly kind: 'restart_service'; readonly service: string }
  | { readonly kind: 'alert'; readonly name: string }
  | { readonly kind: 'escalate' };

/** Escalation tiers beyond L1. */
export type EscalationLevel = 'L2' | 'L3';

/** What the engine decided for one incident. */
export type Decision =
  | {
      readonly kind: 'heal';
      readonly rule: L1Rule;
      readonly action: RuleAction;
      readonly maxRetries: number;
      /** Set when a `suppress_alert` exception covers the incident (heal silently). */
      readonly alertSuppressedBy?: string;
    }
  | { readonly kind: 'suppressed'; readonly reason: string; readonly exceptionId?: string }
  | {
      readonly kind: 'escalate';
      readonly level: EscalationLevel;
      readonly reason: string;
      readonly ruleId?: string;
    }
  | { readonly kind: 'skip'; readonly reason: string };
