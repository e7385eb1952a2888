/** L1 engine public API. */
export type * from './types.ts';
export {
  compileRule,
  compileRuleBook,
  RULE_ID,
  type CompiledRule,
  type RuleRejection,
} from './compile-rules.ts';
export { compileCondition, type CompiledCondition } from './conditions.ts';
export { looseEquals, toNumber, toStringForm } from './condition-values.ts';
export { resolveField } from './field-path.ts';
export { compileSafeRegex, REGEX_INPUT_CAP, REGEX_PATTERN_CAP } from './regex-guard.ts';
export { deviceMatches, findException, isExceptionActive } from './exceptions.ts';
export { globMatch } from './glob.ts';
export { parseRuleAction } from './rule-action.ts';
export { DEFAULT_BREAKER, INITIAL_ENGINE_STATE, type CheckState, type EngineState } from './engine-state.ts';
export { clearFlap, decide, isRuleEligible, recordOutcome, type DecideResult } from './engine.ts';
export { noopL2Planner, type L2Planner } from './l2-planner.ts';
export { l1Errors } from './l1-errors.ts';
