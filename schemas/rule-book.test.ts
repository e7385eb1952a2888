import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES, BUILTIN_RUNBOOK_IDS } from './builtin-rules.ts';
import { isOsirisError } from './errors.ts';
import { formatRuleOutcomeKey, parseRuleOutcomeKey } from './pattern-stats.ts';
import { formatRuleAction, isLinuxRunbook, parseRuleAction } from './rule-action.ts';
import { checkRule, ruleAppliesToTier, ruleSchema } from './rule-book.ts';

const minimal = {
  id: 'CUSTOM-1',
  name: 'Disk',
  conditions: [{ field: 'incident_type', operator: 'eq', value: 'disk_space' }],
  action: 'escalate',
};
const issues = (input: unknown): string[] => {
  const r = ruleSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('rule actions', () => {
  it('parses and formats the four action forms', () => {
    for (const a of [
      'run_runbook:LIN-SSH-001',
      'restart_service:WinDefend',
      'alert:bitlocker_disabled',
      'escalate',
    ]) {
      const parsed = parseRuleAction(a);
      expect(parsed).not.toBeNull();
      if (parsed) expect(formatRuleAction(parsed)).toBe(a);
    }
    expect(isLinuxRunbook('LIN-FW-001')).toBe(true);
    for (const bad of [
      'run_runbook:',
      'run_runbook:lin-ssh-001',
      'reboot',
      'restart_service:a b',
      'alert:',
      'escalate:now',
    ]) {
      expect(parseRuleAction(bad)).toBeNull();
    }
  });

  it('never accepts a placeholder runbook (AUTO-*), with a message that says so', () => {
    expect(parseRuleAction('run_runbook:AUTO-DISK-7F3A')).toBeNull();
    expect(issues({ ...minimal, action: 'run_runbook:AUTO-DISK-7F3A' }).join()).toMatch(/placeholder/);
    try {
      checkRule({ ...minimal, action: 'run_runbook:AUTO-1' });
      expect.unreachable();
    } catch (e) {
      expect(isOsirisError(e, 'E_RULE_INVALID')).toBe(true);
    }
  });
});

describe('rules', () => {
  it('fills the documented defaults', () => {
    expect(checkRule(minimal)).toMatchObject({
      priority: 100,
      cooldown_seconds: 300,
      max_retries: 1,
      enabled: true,
      source: 'custom',
      action_params: {},
      hipaa_controls: [],
      description: '',
    });
  });

  it('checks ids and each operator against its value', () => {
    expect(issues({ ...minimal, id: 'ab' })).not.toEqual([]);
    expect(issues({ ...minimal, id: 'a'.repeat(65) })).not.toEqual([]);
    expect(issues({ ...minimal, id: 'has space' })).not.toEqual([]);
    const cond = (operator: string, value?: unknown) =>
      issues({
        ...minimal,
        conditions: [{ field: 'details.x', operator, ...(value === undefined ? {} : { value }) }],
      }).length;
    expect(cond('gt', 90)).toBe(0);
    expect(cond('gt', '90')).toBe(0);
    expect(cond('lt', 'soon')).toBe(1);
    expect(cond('in', ['a', 'b'])).toBe(0);
    expect(cond('not_in', 'a')).toBe(1);
    expect(cond('regex', '^ssh(d)?$')).toBe(0);
    expect(cond('regex', '([')).toBe(1);
    expect(cond('contains', 'err')).toBe(0);
    expect(cond('eq', ['a'])).toBe(1);
    expect(cond('exists')).toBe(0);
    expect(cond('near', 1)).toBe(1);
    expect(issues({ ...minimal, conditions: [] })).not.toEqual([]);
    expect(issues({ ...minimal, conditions: [{ field: 'bad path', operator: 'exists' }] })).not.toEqual([]);
  });

  it('a promoted rule names its pattern signature', () => {
    expect(issues({ ...minimal, source: 'promoted' })).not.toEqual([]);
    expect(
      issues({ ...minimal, source: 'promoted', pattern_signature: '0123456789abcdef', promoted_at: 1 }),
    ).toEqual([]);
  });

  it('tiers: standard rules run everywhere, full_coverage rules only on that tier', () => {
    expect(ruleAppliesToTier({ tier: 'standard' }, 'standard')).toBe(true);
    expect(ruleAppliesToTier({ tier: 'full_coverage' }, 'standard')).toBe(false);
    expect(ruleAppliesToTier({ tier: 'full_coverage' }, 'full_coverage')).toBe(true);
    expect(ruleAppliesToTier({}, 'standard')).toBe(true);
  });
});

describe('built-in rules', () => {
  it('are valid, unique, builtin-sourced, tiered, and cover the domain examples', () => {
    const ids = BUILTIN_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of BUILTIN_RULES) {
      expect(issues(r)).toEqual([]);
      expect(r.source).toBe('builtin');
      expect(r.tier).toMatch(/^(standard|full_coverage)$/);
    }
    const byId = new Map(BUILTIN_RULES.map((r) => [r.id, r]));
    expect(byId.get('L1-DISK-001')?.conditions).toContainEqual({
      field: 'details.usage_percent',
      operator: 'gt',
      value: 90,
    });
    expect(byId.get('L1-CERT-001')?.conditions).toContainEqual({
      field: 'details.days_remaining',
      operator: 'lt',
      value: 30,
    });
    expect(byId.get('L1-SVC-001')?.action).toBe('escalate');
    expect(byId.get('L1-FW-001')?.conditions).toContainEqual({
      field: 'platform',
      operator: 'ne',
      value: 'nixos',
    });
    expect(BUILTIN_RUNBOOK_IDS).toEqual(
      expect.arrayContaining(['LIN-FW-001', 'LIN-SSH-001', 'LIN-AUDIT-001']),
    );
    expect(BUILTIN_RULES.some((r) => r.action.startsWith('restart_service:'))).toBe(true);
    expect(BUILTIN_RULES.some((r) => r.action.startsWith('alert:'))).toBe(true);
    expect(BUILTIN_RULES.filter((r) => r.tier === 'standard').length).toBeGreaterThan(0);
  });
});

describe('rule outcome keys', () => {
  it('are {action}:{rule_id} and split at the last colon', () => {
    const key = formatRuleOutcomeKey('run_runbook:LIN-SSH-001', 'L1-SSH-001');
    expect(key).toBe('run_runbook:LIN-SSH-001:L1-SSH-001');
    expect(parseRuleOutcomeKey(key)).toEqual({ action: 'run_runbook:LIN-SSH-001', ruleId: 'L1-SSH-001' });
    expect(parseRuleOutcomeKey('escalate:L1-SVC-001')).toEqual({ action: 'escalate', ruleId: 'L1-SVC-001' });
    expect(parseRuleOutcomeKey('no-colon')).toBeNull();
    expect(() => formatRuleOutcomeKey('escalate', 'x')).toThrow(
      expect.objectContaining({ code: 'E_RULE_INVALID' }),
    );
  });
});
