import { describe, expect, it } from 'vitest';
import { compileRuleBook } from './compile-rules.ts';
import { clearFlap, decide, recordOutcome } from './engine.ts';
import { type EngineState, INITIAL_ENGINE_STATE } from './engine-state.ts';
import { incident, rule, settings } from './fixtures.test-helpers.ts';
import type { Decision } from './types.ts';

const MIN = 60_000;
// cooldown 0 so only the breaker limits repeated heals
const rules = compileRuleBook([rule({ id: 'r-1', cooldown_seconds: 0 })]).rules;
const s = settings();

function step(state: EngineState, now: number, outcome?: boolean): { d: Decision; state: EngineState } {
  const r = decide(state, incident(), rules, [], s, now);
  let next = r.nextState;
  if (r.decision.kind === 'heal' && outcome !== undefined)
    next = recordOutcome(next, { hostId: 'h1', checkType: 'disk_space', success: outcome }, s, now);
  return { d: r.decision, state: next };
}

describe('circuit breaker (per host+check)', () => {
  it('5 failed attempts, then L3 and 30 min open, then closed again', () => {
    let state = INITIAL_ENGINE_STATE;
    const kinds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = step(state, i * 1000, false);
      kinds.push(r.d.kind);
      state = r.state;
    }
    expect(kinds).toEqual(['heal', 'heal', 'heal', 'heal', 'heal']);
    const trip = step(state, 5000);
    expect(trip.d).toMatchObject({ kind: 'escalate', level: 'L3' });
    expect((trip.d as { reason: string }).reason).toMatch(/circuit breaker opened after 5 attempts/);
    const blocked = step(trip.state, 5000 + 29 * MIN);
    expect(blocked.d).toMatchObject({ kind: 'skip' });
    expect((blocked.d as { reason: string }).reason).toMatch(/circuit breaker open until/);
    // other host+check not affected
    expect(decide(blocked.state, incident({ host_id: 'h2' }), rules, [], s, 5000 + MIN).decision.kind).toBe(
      'heal',
    );
    const reopened = step(blocked.state, 5000 + 30 * MIN);
    expect(reopened.d.kind).toBe('heal');
    expect(reopened.state.checks[JSON.stringify(['h1', 'disk_space'])]?.attempts).toBe(1);
  });

  it('a success resets the attempt count', () => {
    let state = INITIAL_ENGINE_STATE;
    for (let i = 0; i < 4; i++) state = step(state, i, false).state;
    state = step(state, 10, true).state;
    for (let i = 0; i < 4; i++) state = step(state, 2 * MIN * (i + 1), false).state;
    expect(step(state, 20 * MIN).d.kind).toBe('heal');
  });

  it('honours a configured breaker', () => {
    const custom = settings({ breaker: { maxAttempts: 1, cooldownMs: 1000 } });
    const a = decide(INITIAL_ENGINE_STATE, incident(), rules, [], custom, 0);
    const b = decide(a.nextState, incident(), rules, [], custom, 1);
    expect([a.decision.kind, b.decision.kind]).toEqual(['heal', 'escalate']);
    expect(decide(b.nextState, incident(), rules, [], custom, 1001).decision.kind).toBe('heal');
  });
});

describe('flap suppression', () => {
  it('drift after 3 successful heals within 1 h → L3, then suppressed until a human clears it', () => {
    let state = INITIAL_ENGINE_STATE;
    for (let i = 0; i < 3; i++) state = step(state, i * 10 * MIN, true).state;
    const flap = step(state, 30 * MIN);
    expect(flap.d).toMatchObject({ kind: 'escalate', level: 'L3' });
    expect((flap.d as { reason: string }).reason).toMatch(/flapping/);
    // stays suppressed, even days later
    const later = step(flap.state, 30 * 24 * 60 * MIN);
    expect(later.d.kind).toBe('suppressed');
    const cleared = clearFlap(later.state, 'h1', 'disk_space');
    expect(cleared.checks).toEqual({});
    expect(step(cleared, 30 * 24 * 60 * MIN + 1).d.kind).toBe('heal');
  });

  it('successes spread beyond the window are not flapping', () => {
    let state = INITIAL_ENGINE_STATE;
    for (let i = 0; i < 5; i++) {
      const r = step(state, i * 31 * MIN, true);
      expect(r.d.kind).toBe('heal');
      state = r.state;
    }
  });

  it('the state stays plain JSON', () => {
    let state = INITIAL_ENGINE_STATE;
    for (let i = 0; i < 4; i++) state = step(state, i * MIN, true).state;
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});
