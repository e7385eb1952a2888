import { describe, expect, it } from 'vitest';
import { compileRuleBook } from './compile-rules.ts';
import { decide } from './engine.ts';
import { INITIAL_ENGINE_STATE } from './engine-state.ts';
import { incident, rule, settings } from './fixtures.test-helpers.ts';
import type { Decision, L1Rule } from './types.ts';

const T0 = 1_000_000;
const book = (rules: L1Rule[]) => compileRuleBook(rules).rules;
const ruleId = (d: Decision) => (d.kind === 'heal' ? d.rule.id : d.kind);

describe('decide: matching', () => {
  it('first match by priority, then id', () => {
    const rules = book([
      rule({ id: 'b-rule', priority: 10 }),
      rule({ id: 'a-rule', priority: 10 }),
      rule({ id: 'first', priority: 5 }),
    ]);
    expect(ruleId(decide(INITIAL_ENGINE_STATE, incident(), rules, [], settings(), T0).decision)).toBe(
      'first',
    );
    const tie = book([rule({ id: 'b-rule', priority: 10 }), rule({ id: 'a-rule', priority: 10 })]);
    expect(ruleId(decide(INITIAL_ENGINE_STATE, incident(), tie, [], settings(), T0).decision)).toBe('a-rule');
  });

  it('default priority is 100', () => {
    const rules = book([rule({ id: 'default' }), rule({ id: 'late', priority: 101 })]);
    expect(ruleId(decide(INITIAL_ENGINE_STATE, incident(), rules, [], settings(), T0).decision)).toBe(
      'default',
    );
  });

  it('all conditions must hold; disabled rules and severity filters are respected', () => {
    const rules = book([
      rule({
        id: 'two-conds',
        priority: 1,
        conditions: [
          { field: 'check_type', operator: 'eq', value: 'disk_space' },
          { field: 'details.usage_percent', operator: 'gt', value: 99 },
        ],
      }),
      rule({ id: 'disabled', priority: 2, enabled: false }),
      rule({ id: 'critical-only', priority: 3, severity_filter: ['critical'] }),
      rule({ id: 'high-ok', priority: 4, severity_filter: ['high', 'critical'] }),
    ]);
    expect(ruleId(decide(INITIAL_ENGINE_STATE, incident(), rules, [], settings(), T0).decision)).toBe(
      'high-ok',
    );
  });

  it('no match escalates to L3', () => {
    const d = decide(
      INITIAL_ENGINE_STATE,
      incident({ check_type: 'other' }),
      book([rule({ id: 'r-1' })]),
      [],
      settings(),
      T0,
    );
    expect(d.decision).toEqual({ kind: 'escalate', level: 'L3', reason: 'no matching L1 rule' });
  });

  it('an escalate action escalates with the rule id', () => {
    const d = decide(
      INITIAL_ENGINE_STATE,
      incident(),
      book([rule({ id: 'esc', action: 'escalate' })]),
      [],
      settings(),
      T0,
    );
    expect(d.decision).toMatchObject({ kind: 'escalate', level: 'L3', ruleId: 'esc' });
  });

  it('heal carries the parsed action and max_retries (default 1)', () => {
    const d = decide(
      INITIAL_ENGINE_STATE,
      incident(),
      book([rule({ id: 'r-1' })]),
      [],
      settings(),
      T0,
    ).decision;
    expect(d).toMatchObject({
      kind: 'heal',
      action: { kind: 'run_runbook', runbookId: 'LIN-DISK-001' },
      maxRetries: 1,
    });
  });
});

describe('decide: healing tier', () => {
  const rules = book([
    rule({ id: 'ext-builtin', priority: 1 }),
    rule({ id: 'ext-synced', priority: 2, source: 'synced' }),
    rule({ id: 'ext-promoted', priority: 3, source: 'promoted' }),
    rule({ id: 'core-builtin', priority: 4 }),
  ]);
  it('standard runs core built-ins plus promoted/custom', () => {
    const d = decide(INITIAL_ENGINE_STATE, incident(), rules, [], settings({ healingTier: 'standard' }), T0);
    expect(ruleId(d.decision)).toBe('ext-promoted');
  });
  it('full_coverage runs every built-in', () => {
    expect(ruleId(decide(INITIAL_ENGINE_STATE, incident(), rules, [], settings(), T0).decision)).toBe(
      'ext-builtin',
    );
  });
});

describe('decide: cooldown', () => {
  const rules = book([
    rule({ id: 'primary', priority: 1, cooldown_seconds: 60 }),
    rule({ id: 'secondary', priority: 2 }),
  ]);
  it('a rule in cooldown for rule_id:host_id is skipped and the next rule tried', () => {
    const first = decide(INITIAL_ENGINE_STATE, incident(), rules, [], settings(), T0);
    expect(ruleId(first.decision)).toBe('primary');
    expect(first.nextState.cooldowns['primary:h1']).toBe(T0 + 60_000);
    const second = decide(first.nextState, incident(), rules, [], settings(), T0 + 1000);
    expect(ruleId(second.decision)).toBe('secondary');
    // another host is not affected
    const other = decide(second.nextState, incident({ host_id: 'h2' }), rules, [], settings(), T0 + 2000);
    expect(ruleId(other.decision)).toBe('primary');
    // all matching rules cooling: skip, not escalate
    const third = decide(second.nextState, incident(), rules, [], settings(), T0 + 2000);
    expect(third.decision).toMatchObject({ kind: 'skip' });
    // cooldown ends exactly at T0 + 60 s
    const later = decide(third.nextState, incident(), rules, [], settings(), T0 + 60_000);
    expect(ruleId(later.decision)).toBe('primary');
  });

  it('expired cooldowns are pruned from the state', () => {
    const first = decide(INITIAL_ENGINE_STATE, incident(), rules, [], settings(), T0);
    const later = decide(
      first.nextState,
      incident({ check_type: 'x' }),
      rules,
      [],
      settings(),
      T0 + 10_000_000,
    );
    expect(later.nextState.cooldowns).toEqual({});
  });
});

describe('decide: site gates', () => {
  const rules = book([rule({ id: 'r-1' })]);
  it('maintenance window pauses healing', () => {
    const d = decide(INITIAL_ENGINE_STATE, incident(), rules, [], settings({ maintenanceUntil: T0 + 1 }), T0);
    expect(d.decision.kind).toBe('skip');
    expect(
      decide(INITIAL_ENGINE_STATE, incident(), rules, [], settings({ maintenanceUntil: T0 }), T0).decision
        .kind,
    ).toBe('heal');
  });
  it('a disabled check is skipped', () => {
    const d = decide(
      INITIAL_ENGINE_STATE,
      incident(),
      rules,
      [],
      settings({ disabledChecks: new Set(['disk_space']) }),
      T0,
    );
    expect(d.decision.kind).toBe('skip');
  });
});

describe('decide: built-in examples (domain.md)', () => {
  const rules = book([
    rule({
      id: 'disk-cleanup',
      conditions: [
        { field: 'check_type', operator: 'eq', value: 'disk_space' },
        { field: 'details.usage_percent', operator: 'gt', value: 90 },
      ],
      action: 'run_runbook:LIN-DISK-001',
    }),
    rule({
      id: 'cert-renew',
      conditions: [
        { field: 'check_type', operator: 'eq', value: 'cert_expiry' },
        { field: 'details.days_remaining', operator: 'lt', value: 30 },
      ],
      action: 'run_runbook:CERT-RENEW',
    }),
    rule({
      id: 'crash-loop',
      conditions: [
        { field: 'check_type', operator: 'eq', value: 'service_crash' },
        { field: 'details.restart_count', operator: 'gt', value: 3 },
      ],
      action: 'escalate',
    }),
    rule({
      id: 'fw-baseline',
      conditions: [
        { field: 'check_type', operator: 'eq', value: 'linux_firewall' },
        { field: 'platform', operator: 'ne', value: 'nixos' },
      ],
      action: 'run_runbook:LIN-FW-001',
    }),
  ]);
  it.each([
    [{ check_type: 'disk_space', details: { usage_percent: '91' } }, 'heal:disk-cleanup'],
    [{ check_type: 'disk_space', details: { usage_percent: 90 } }, 'escalate:'],
    [{ check_type: 'cert_expiry', details: { days_remaining: 12 } }, 'heal:cert-renew'],
    [{ check_type: 'service_crash', details: { restart_count: 4 } }, 'escalate:crash-loop'],
    [{ check_type: 'linux_firewall', platform: 'debian' }, 'heal:fw-baseline'],
    [{ check_type: 'linux_firewall', platform: 'nixos' }, 'escalate:'],
    [{ check_type: 'linux_firewall' }, 'escalate:'],
  ])('%j → %s', (over, want) => {
    const d = decide(INITIAL_ENGINE_STATE, incident(over), rules, [], settings(), T0).decision;
    const got =
      d.kind === 'heal' ? `heal:${d.rule.id}` : d.kind === 'escalate' ? `escalate:${d.ruleId ?? ''}` : d.kind;
    expect(got).toBe(want);
  });
});
