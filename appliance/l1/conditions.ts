import { OsirisError } from '../../schemas/errors.ts';
import { looseEquals, toNumber, toStringForm } from './condition-values.ts';
import { isValidFieldPath, resolveField } from './field-path.ts';
import { l1Errors } from './l1-errors.ts';
import { compileSafeRegex, REGEX_INPUT_CAP } from './regex-guard.ts';
import type { RuleCondition } from './types.ts';

/** A condition compiled once: evaluates against an incident without further parsing. */
export type CompiledCondition = (incident: unknown) => boolean;

const OPERATORS = new Set(['eq', 'ne', 'contains', 'regex', 'gt', 'lt', 'in', 'not_in', 'exists']);

/**
 * Compiles one condition, throwing E_L1_INVALID_RULE (bad field, operator or value) or
 * E_L1_UNSAFE_REGEX. Every operator except `exists` is false when the field is missing or null.
 */
export function compileCondition(condition: RuleCondition, ruleId: string): CompiledCondition {
  const { field, operator, value } = condition;
  const fail = (why: string): never => {
    throw new OsirisError(l1Errors.E_L1_INVALID_RULE, `rule ${ruleId}: ${why}`, { ruleId, field, operator });
  };
  if (typeof field !== 'string' || !isValidFieldPath(field))
    fail(`invalid field path ${JSON.stringify(field)}`);
  if (!OPERATORS.has(operator)) fail(`unknown operator ${JSON.stringify(operator)}`);
  const get = (incident: unknown): unknown => resolveField(incident, field);

  switch (operator) {
    case 'exists': {
      if (value !== undefined && value !== null && typeof value !== 'boolean')
        fail('exists takes true/false');
      const want = value !== false;
      return (i) => (get(i) !== null) === want;
    }
    case 'eq':
    case 'ne': {
      if (value === undefined) fail(`${operator} needs a value`);
      const negate = operator === 'ne';
      return (i) => {
        const actual = get(i);
        return actual !== null && looseEquals(actual, value) !== negate;
      };
    }
    case 'contains': {
      if (value === undefined || value === null) fail('contains needs a value');
      const needle = toStringForm(value);
      return (i) => {
        const actual = get(i);
        return actual !== null && toStringForm(actual).includes(needle);
      };
    }
    case 'regex': {
      if (typeof value !== 'string') return fail('regex needs a string pattern');
      const check = compileSafeRegex(value);
      if (!check.ok)
        throw new OsirisError(l1Errors.E_L1_UNSAFE_REGEX, `rule ${ruleId}: ${check.reason}`, {
          ruleId,
          field,
        });
      const re = check.regex;
      return (i) => {
        const actual = get(i);
        return actual !== null && re.test(toStringForm(actual).slice(0, REGEX_INPUT_CAP));
      };
    }
    case 'gt':
    case 'lt': {
      const bound = toNumber(value);
      if (bound === undefined) return fail(`${operator} needs a numeric value`);
      const greater = operator === 'gt';
      return (i) => {
        const n = toNumber(get(i));
        return n !== undefined && (greater ? n > bound : n < bound);
      };
    }
    default: {
      // in / not_in
      if (!Array.isArray(value)) return fail(`${operator} needs an array value`);
      const options: readonly unknown[] = value;
      const negate = operator === 'not_in';
      return (i) => {
        const actual = get(i);
        return actual !== null && options.some((o) => looseEquals(actual, o)) !== negate;
      };
    }
  }
}
