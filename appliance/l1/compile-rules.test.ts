import { describe, expect, it } from 'vitest';
import { compileRule, compileRuleBook } from './compile-rules.ts';
import { rule } from './fixtures.test-helpers.ts';
import type { L1Rule } from './types.ts';

describe('compileRule', () => {
  it('applies defaults', () => {
    const c = compileRule(rule({ id: 'r-1' }));
    expect([c.priority, c.cooldownMs, c.maxRetries]).toEqual([100, 300_000, 1]);
  });

  it.each([
    ['bad id', rule({ id: 'x' })],
    ['id with colon', rule({ id: 'a:b:c' })],
    ['bad action', rule({ id: 'r-1', action: 'run_runbook:' })],
    ['unknown action', rule({ id: 'r-1', action: 'reboot' })],
    ['no conditions', rule({ id: 'r-1', conditions: [] })],
    ['negative cooldown', rule({ id: 'r-1', cooldown_seconds: -1 })],
    ['fractional retries', rule({ id: 'r-1', max_retries: 1.5 })],
  ])('rejects %s', (_name, r) => {
    expect(() => compileRule(r)).toThrow(expect.objectContaining({ code: 'E_L1_INVALID_RULE' }));
  });

  it('parses every action kind', () => {
    const kinds = ['run_runbook:LIN-FW-001', 'restart_service:sshd', 'alert:disk', 'escalate'].map(
      (action) => compileRule(rule({ id: 'r-1', action })).action.kind,
    );
    expect(kinds).toEqual(['run_runbook', 'restart_service', 'alert', 'escalate']);
  });
});

describe('compileRuleBook', () => {
  it('sets invalid and duplicate rules aside with coded errors and keeps the rest', () => {
    const rules: L1Rule[] = [
      rule({ id: 'good-1' }),
      rule({ id: 'bad-regex', conditions: [{ field: 'm', operator: 'regex', value: '(a+)+' }] }),
      rule({ id: 'good-1', priority: 1 }),
      rule({ id: 'good-2', priority: 5 }),
    ];
    const { rules: ok, rejected } = compileRuleBook(rules);
    expect(ok.map((r) => r.id)).toEqual(['good-2', 'good-1']);
    expect(rejected.map((r) => [r.ruleId, r.error.code])).toEqual([
      ['bad-regex', 'E_L1_UNSAFE_REGEX'],
      ['good-1', 'E_L1_INVALID_RULE'],
    ]);
  });
});
