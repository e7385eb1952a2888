import { isOsirisError, OsirisError } from '../../schemas/errors.ts';
import { type CompiledCondition, compileCondition } from './conditions.ts';
import { l1Errors } from './l1-errors.ts';
import { parseRuleAction } from './rule-action.ts';
import type { L1Rule, RuleAction } from './types.ts';

/** Rule ids are short and plain so they can key cooldowns and statistics (`{action}:{rule_id}`). */
export const RULE_ID = /^[A-Za-z0-9_-]{3,64}$/;

/** A rule with defaults applied and its conditions compiled once. */
export interface CompiledRule {
  readonly rule: L1Rule;
  readonly id: string;
  readonly priority: number;
  readonly cooldownMs: number;
  readonly maxRetries: number;
  readonly action: RuleAction;
  readonly severities: ReadonlySet<string> | undefined;
  readonly conditions: readonly CompiledCondition[];
}

/** A rule the compiler refused, with the coded error. */
export interface RuleRejection {
  readonly ruleId: string;
  readonly error: OsirisError;
}

/** Compiles one rule or throws E_L1_INVALID_RULE / E_L1_UNSAFE_REGEX. */
export function compileRule(rule: L1Rule): CompiledRule {
  const id = typeof rule.id === 'string' ? rule.id : '';
  const fail = (why: string): never => {
    throw new OsirisError(l1Errors.E_L1_INVALID_RULE, `rule ${JSON.stringify(id)}: ${why}`, { ruleId: id });
  };
  if (!RULE_ID.test(id)) fail('id must match ^[A-Za-z0-9_-]{3,64}$');
  const action = typeof rule.action === 'string' ? parseRuleAction(rule.action) : undefined;
  if (!action) return fail(`malformed action ${JSON.stringify(rule.action)}`);
  if (!Array.isArray(rule.conditions) || rule.conditions.length === 0)
    fail('a rule needs at least one condition');
  const priority = rule.priority ?? 100;
  const cooldown = rule.cooldown_seconds ?? 300;
  const maxRetries = rule.max_retries ?? 1;
  if (!Number.isFinite(priority)) fail('priority must be a finite number');
  if (!Number.isFinite(cooldown) || cooldown < 0) fail('cooldown_seconds must be ≥ 0');
  if (!Number.isInteger(maxRetries) || maxRetries < 0) fail('max_retries must be an integer ≥ 0');
  const filter = rule.severity_filter;
  return {
    rule,
    id,
    priority,
    cooldownMs: cooldown * 1000,
    maxRetries,
    action,
    severities: filter && filter.length > 0 ? new Set(filter) : undefined,
    conditions: rule.conditions.map((c) => compileCondition(c, id)),
  };
}

/**
 * Compiles a whole rule book: invalid rules are set aside with their coded error (one bad rule
 * must not stop healing), duplicates of an id keep the first, and the result is sorted by
 * priority, then id, so matching is deterministic.
 */
export function compileRuleBook(rules: readonly L1Rule[]): {
  readonly rules: readonly CompiledRule[];
  readonly rejected: readonly RuleRejection[];
} {
  const compiled: CompiledRule[] = [];
  const rejected: RuleRejection[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    try {
      const c = compileRule(rule);
      if (seen.has(c.id)) {
        rejected.push({
          ruleId: c.id,
          error: new OsirisError(l1Errors.E_L1_INVALID_RULE, `rule ${c.id}: duplicate id`, { ruleId: c.id }),
        });
        continue;
      }
      seen.add(c.id);
      compiled.push(c);
    } catch (e) {
      const ruleId = typeof rule.id === 'string' ? rule.id : '';
      if (!isOsirisError(e)) throw e;
      rejected.push({ ruleId, error: e });
    }
  }
  compiled.sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { rules: compiled, rejected };
}
