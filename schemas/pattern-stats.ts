// PatternStats: one per appliance, written only by that appliance. Totals are plain numbers (one
// writer, so no conflicts); the cloud sums them over a site's appliances in the projection.
import { z } from 'zod';
import { OsirisError } from './errors.ts';
import { RULE_ID } from './rule-book.ts';
import { schemaErrors } from './schema-errors.ts';
import { applianceId, docHeader, epochMs, siteId, text } from './primitives.ts';

const count = z.int().min(0);
export const PATTERN_SIGNATURE = /^[0-9a-f]{16}$/;

/** Totals for one pattern signature (see pattern-signature.ts). */
export const patternEntrySchema = z.looseObject({
  incident_type: text(1, 128),
  check_type: text(1, 128).nullable(),
  total_occurrences: count,
  l1_resolutions: count,
  l2_resolutions: count,
  l3_resolutions: count,
  success_count: count,
  failure_count: count,
  total_resolution_time_ms: count,
  last_seen: epochMs,
  /** The last action that succeeded, e.g. `run_runbook:LIN-SSH-001`; null until one does. */
  recommended_action: text(1, 200).nullable(),
});
export type PatternEntry = z.infer<typeof patternEntrySchema>;

export const RULE_OUTCOMES = ['success', 'failure', 'partial', 'escalated', 'timeout'] as const;
export type RuleOutcome = (typeof RULE_OUTCOMES)[number];

/** Outcome counts of one rule's action; outcomes this reader does not know are kept as extra keys. */
export const ruleOutcomeCountsSchema = z.looseObject({
  success: count.default(0),
  failure: count.default(0),
  partial: count.default(0),
  escalated: count.default(0),
  timeout: count.default(0),
  last_at: epochMs,
});
export type RuleOutcomeCounts = z.output<typeof ruleOutcomeCountsSchema>;
/** Outcome counts as a writer may submit them (zero counts optional). */
export type RuleOutcomeCountsInput = z.input<typeof ruleOutcomeCountsSchema>;

/** `{action}:{rule_id}`: the action itself may contain a colon, the rule id never does. */
export const ruleOutcomeKey = z
  .string()
  .max(300)
  .regex(/^[a-z_]+(:[^\s]+)?:[A-Za-z0-9_-]{3,64}$/);

export const patternStatsSchema = z.looseObject({
  ...docHeader('pattern_stats'),
  siteId,
  applianceId,
  patterns: z.record(z.string().regex(PATTERN_SIGNATURE), patternEntrySchema),
  rule_outcomes: z.record(ruleOutcomeKey, ruleOutcomeCountsSchema),
});
export type PatternStats = z.output<typeof patternStatsSchema>;

/** The key under which a rule's outcomes are counted: `run_runbook:LIN-SSH-001:L1-SSH-001`. */
export function formatRuleOutcomeKey(action: string, ruleId: string): string {
  if (!RULE_ID.test(ruleId)) throw new OsirisError(schemaErrors.E_RULE_INVALID, `not a rule id: ${ruleId}`);
  return `${action}:${ruleId}`;
}

/** Splits an outcome key at its last colon; null when it is not one. */
export function parseRuleOutcomeKey(key: string): { action: string; ruleId: string } | null {
  const i = key.lastIndexOf(':');
  if (i <= 0 || !ruleOutcomeKey.safeParse(key).success) return null;
  return { action: key.slice(0, i), ruleId: key.slice(i + 1) };
}

/** success / occurrences, 0 for a pattern never seen. */
export function successRate(entry: Pick<PatternEntry, 'success_count' | 'total_occurrences'>): number {
  return entry.total_occurrences > 0 ? entry.success_count / entry.total_occurrences : 0;
}

/** A fresh entry for a pattern seen for the first time (zero counts, no recommendation). */
export function emptyPatternEntry(incidentType: string, checkType: string | null, now: number): PatternEntry {
  return {
    incident_type: incidentType,
    check_type: checkType,
    total_occurrences: 0,
    l1_resolutions: 0,
    l2_resolutions: 0,
    l3_resolutions: 0,
    success_count: 0,
    failure_count: 0,
    total_resolution_time_ms: 0,
    last_seen: now,
    recommended_action: null,
  };
}
