import { describe, expect, it } from 'vitest';
import { compileRuleBook } from './compile-rules.ts';
import { decide } from './engine.ts';
import { INITIAL_ENGINE_STATE } from './engine-state.ts';
import { deviceMatches, isExceptionActive } from './exceptions.ts';
import { exception, incident, rule, settings } from './fixtures.test-helpers.ts';
import { globMatch } from './glob.ts';

const rules = compileRuleBook([rule({ id: 'r-1', hipaa_controls: ['164.312(b)'] })]).rules;
const run = (excs: ReturnType<typeof exception>[], now = 1000, inc = incident()) =>
  decide(INITIAL_ENGINE_STATE, inc, rules, excs, settings(), now).decision;

describe('globMatch', () => {
  it.each([
    ['legacy-*', 'legacy-pc-01', true],
    ['legacy-*', 'LEGACY-PC', true],
    ['legacy-*', 'new-legacy-pc', false],
    ['*-01', 'ws-01', true],
    ['ws-??', 'ws-01', true],
    ['ws-??', 'ws-001', false],
    ['*', '', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
  ] as const)('%s ~ %s = %s', (p, t, want) => expect(globMatch(p, t)).toBe(want));
});

describe('exceptions', () => {
  it('validity: approved/active, started, not expired', () => {
    expect(isExceptionActive(exception(), 0)).toBe(true);
    expect(isExceptionActive(exception(), 3_600_000)).toBe(false);
    expect(isExceptionActive(exception({ starts_at: 10 }), 5)).toBe(false);
    expect(isExceptionActive(exception({ status: 'active' }), 5)).toBe(true);
    for (const status of ['requested', 'denied', 'revoked'])
      expect(isExceptionActive(exception({ status }), 5)).toBe(false);
  });

  it('device filters', () => {
    const inc = incident({ hostname: 'legacy-xp-01', platform: 'windows' });
    expect(deviceMatches('hostname:legacy-*', inc)).toBe(true);
    expect(deviceMatches('legacy-*', inc)).toBe(true);
    expect(deviceMatches('hostname:ws-*', inc)).toBe(false);
    expect(deviceMatches('platform:win*', inc)).toBe(true);
    expect(deviceMatches('', inc)).toBe(true);
    expect(deviceMatches(null, inc)).toBe(true);
    expect(deviceMatches('*', inc)).toBe(true);
    const { hostname: _h, ...noName } = incident({ host_id: 'legacy-9' });
    expect(deviceMatches('hostname:legacy-*', noName)).toBe(true);
  });

  it.each([
    ['check scope', exception()],
    ['runbook scope', exception({ scope: 'runbook', item_id: 'LIN-DISK-001' })],
    ['control scope (rule control)', exception({ scope: 'control', item_id: '164.312(b)' })],
    ['both action', exception({ action: 'both' })],
  ])('%s suppresses healing with the exception id', (_name, exc) => {
    expect(run([exc])).toEqual({
      kind: 'suppressed',
      reason: `suppressed by ${exc.id}`,
      exceptionId: exc.id,
    });
  });

  it('control scope matches the incident control', () => {
    const exc = exception({ scope: 'control', item_id: '164.308(a)(5)' });
    expect(run([exc], 1000, incident({ hipaa_control: '164.308(a)(5)' })).kind).toBe('suppressed');
  });

  it.each([
    ['expired', exception({ expires_at: 1000 })],
    ['not yet started', exception({ starts_at: 2000 })],
    ['requested only', exception({ status: 'requested' })],
    ['other device', exception({ device_filter: 'hostname:legacy-*' })],
    ['other check', exception({ item_id: 'firewall_status' })],
    ['other runbook', exception({ scope: 'runbook', item_id: 'LIN-FW-001' })],
    ['unknown scope', exception({ scope: 'site' })],
  ])('%s does not suppress', (_name, exc) => {
    expect(run([exc]).kind).toBe('heal');
  });

  it('suppress_alert heals but marks the alert as suppressed', () => {
    const exc = exception({ action: 'suppress_alert' });
    expect(run([exc])).toMatchObject({ kind: 'heal', alertSuppressedBy: exc.id });
  });

  it('picks the lowest exception id when several apply', () => {
    const a = exception({ id: 'EXC-BBBBBBBBBBBB' });
    const b = exception({ id: 'EXC-AAAAAAAAAAAA' });
    expect(run([a, b])).toMatchObject({ exceptionId: 'EXC-AAAAAAAAAAAA' });
  });
});
