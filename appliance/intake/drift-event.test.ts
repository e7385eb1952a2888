import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { bearerTokenAuthenticator } from './agent-auth.ts';
import { applianceCheckType } from './check-type-renames.ts';
import { checkDriftEvent } from './drift-event.ts';
import { event, TOKENS } from './intake-client.test-helpers.ts';

describe('check type renames', () => {
  it.each([
    ['defender', 'windows_defender'],
    ['firewall', 'firewall_status'],
    ['screenlock', 'screen_lock_policy'],
    ['bitlocker', 'bitlocker_status'],
    ['patches', 'patching'],
    ['winrm', 'winrm'],
    ['constructor', 'constructor'],
  ])('%s → %s', (agent, appliance) => expect(applianceCheckType(agent)).toBe(appliance));
});

describe('checkDriftEvent', () => {
  it('accepts a valid event and keeps the agent check type', () => {
    const r = checkDriftEvent(event({ check_type: 'firewall' }), 'agent-1', 42);
    expect(r).toMatchObject({
      ok: true,
      event: { check_type: 'firewall_status', agent_check_type: 'firewall', received_at: 42 },
    });
  });

  it.each([
    ['not an object', 'x'],
    ['null', null],
    ['passed as string', event({ passed: 'yes' })],
    ['event_id with spaces', event({ event_id: 'a b' })],
    ['timestamp in seconds', event({ timestamp: 1_700_000_000 })],
    ['metadata value too long', event({ metadata: { k: 'x'.repeat(4097) } })],
  ])('rejects %s', (_name, raw) => {
    expect(checkDriftEvent(raw, 'agent-1', 0)).toMatchObject({ ok: false, code: 'E_INTAKE_INVALID_EVENT' });
  });

  it('rejects another agent id', () => {
    expect(checkDriftEvent(event(), 'agent-2', 0)).toMatchObject({
      ok: false,
      code: 'E_INTAKE_AGENT_MISMATCH',
    });
  });
});

describe('bearerTokenAuthenticator', () => {
  const authenticate = bearerTokenAuthenticator(TOKENS);
  const md = (...values: string[]) => {
    const m = new Metadata();
    for (const v of values) m.add('authorization', v);
    return m;
  };
  it.each([
    [[`Bearer ${TOKENS.get('agent-2') ?? ''}`], 'agent-2'],
    [[`bearer ${TOKENS.get('agent-2') ?? ''}`], undefined],
    [[`Bearer ${TOKENS.get('agent-2') ?? ''}x`], undefined],
    [[`Basic ${TOKENS.get('agent-2') ?? ''}`], undefined],
    [[], undefined],
    [[`Bearer ${TOKENS.get('agent-1') ?? ''}`, `Bearer ${TOKENS.get('agent-2') ?? ''}`], undefined],
  ])('%j → %s', (values, agent) => expect(authenticate(md(...values))).toBe(agent));

  it('refuses short tokens at configuration', () => {
    expect(() => bearerTokenAuthenticator(new Map([['a', 'short']]))).toThrow();
  });
});
