// RuleBook: one per site, the L1 rules keyed by rule id. Written by the cloud (built-ins, promotions)
// and partners through the cloud (enable/disable, custom rules); read by appliances.
import { z } from 'zod';
import { OsirisError } from './errors.ts';
import { describeIssues, docHeader, epochMs, scalar, scalarMap, siteId, text } from './primitives.ts';
import { ruleActionSchema } from './rule-action.ts';
import { schemaErrors } from './schema-errors.ts';
import { HEALING_TIERS, type HealingTier } from './site-settings.ts';

export const CONDITION_OPERATORS = [
  'eq',
  'ne',
  'contains',
  'regex',
  'gt',
  'lt',
  'in',
  'not_in',
  'exists',
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];
export const RULE_SOURCES = ['builtin', 'custom', 'promoted', 'synced'] as const;
export type RuleSource = (typeof RULE_SOURCES)[number];

export const RULE_ID = /^(?!__proto__$)[A-Za-z0-9_-]{3,64}$/;
export const ruleId = z.string().regex(RULE_ID);

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

const isNumeric = (v: unknown): boolean =>
  typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)));

export const conditionSchema = z
  .looseObject({
    /** Dot path into the incident, e.g. `details.usage_percent`. */
    field: z
      .string()
      .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/)
      .max(200),
    operator: z.enum(CONDITION_OPERATORS),
    value: z.union([scalar, z.array(scalar).max(100)]).optional(),
  })
  .superRefine((c, ctx) => {
    const v = c.value;
    const bad = (message: string) => ctx.addIssue({ code: 'custom', path: ['value'], message });
    switch (c.operator) {
      case 'in':
      case 'not_in':
        if (!Array.isArray(v)) bad(`${c.operator} needs a list value`);
        break;
      case 'gt':
      case 'lt':
        if (!isNumeric(v)) bad(`${c.operator} needs a numeric value`);
        break;
      case 'regex':
        if (typeof v !== 'string' || v.length > 500 || !compiles(v))
          bad('regex needs a valid pattern (≤ 500 chars)');
        break;
      case 'contains':
        if (typeof v !== 'string') bad('contains needs a string value');
        break;
      case 'eq':
      case 'ne':
        if (v === undefined || Array.isArray(v)) bad(`${c.operator} needs a scalar value`);
        break;
      case 'exists':
        break;
    }
  });
export type RuleCondition = z.infer<typeof conditionSchema>;

/** One L1 rule. Defaults fill what older or minimal writers leave out (priority 100, cooldown 300 s, 1 retry). */
export const ruleSchema = z
  .looseObject({
    id: ruleId,
    name: text(1, 200),
    description: text(0, 2000).default(''),
    conditions: z.array(conditionSchema).min(1).max(20),
    action: ruleActionSchema,
    action_params: scalarMap.default({}),
    hipaa_controls: z.array(text(1, 64)).max(32).default([]),
    severity_filter: z.array(text(1, 32)).max(8).optional(),
    enabled: z.boolean().default(true),
    /** Lower runs first. */
    priority: z.int().min(0).max(100_000).default(100),
    cooldown_seconds: z
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(300),
    max_retries: z.int().min(0).max(10).default(1),
    /** Opaque to readers: a source this reader does not know does not change how the rule runs. */
    source: z.string().min(1).max(32).default('custom'),
    /** Built-ins only: `standard` rules run on every site, `full_coverage` ones only on that tier. */
    tier: z.enum(HEALING_TIERS).optional(),
    pattern_signature: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .optional(),
    promoted_at: epochMs.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.source === 'promoted' && r.pattern_signature === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['pattern_signature'],
        message: 'a promoted rule names its pattern',
      });
    }
  });
export type Rule = z.output<typeof ruleSchema>;
/** A rule as a writer may submit it: defaulted fields optional. */
export type RuleInput = z.input<typeof ruleSchema>;

export const ruleBookSchema = z
  .looseObject({
    ...docHeader('rule_book'),
    siteId,
    rules: z.record(ruleId, ruleSchema),
  })
  .superRefine((doc, ctx) => {
    for (const [key, rule] of Object.entries(doc.rules)) {
      if (rule.id !== key)
        ctx.addIssue({ code: 'custom', path: ['rules', key, 'id'], message: 'rule id differs from its key' });
    }
  });
export type RuleBook = z.output<typeof ruleBookSchema>;

/** Validates one rule for writing (portal, promotion); throws E_RULE_INVALID with the issues. */
export function checkRule(input: unknown): Rule {
  const r = ruleSchema.safeParse(input);
  if (r.success) return r.data;
  throw new OsirisError(schemaErrors.E_RULE_INVALID, undefined, { issues: describeIssues(r.error.issues) });
}

/** Whether a rule runs on a site with the given healing tier (rules without a tier run everywhere). */
export function ruleAppliesToTier(rule: Pick<Rule, 'tier'>, siteTier: HealingTier): boolean {
  return rule.tier === undefined || rule.tier === 'standard' || siteTier === 'full_coverage';
}
