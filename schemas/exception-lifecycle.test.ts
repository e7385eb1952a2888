import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import {
  type ExceptionEvent,
  type ExceptionEventType,
  type ExceptionRequest,
  type ExceptionState,
  applyExceptionTransition,
  transitionException,
} from './exception-lifecycle.ts';
import {
  APPROVER_TIERS,
  MAX_DURATION_MS,
  type Exception,
  type ExceptionsDoc,
  isExceptionValid,
  isExpiringSoon,
  newExceptionId,
} from './exceptions.ts';
import { initialExceptions } from './initial-documents.ts';
import { validateDocument } from './validate-document.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);
const input: ExceptionRequest = {
  scope: 'check',
  item_id: 'bitlocker_status',
  device_filter: 'hostname:legacy-*',
  reason: 'Legacy imaging PC cannot run BitLocker',
  compensating_control: 'Kept in a locked room',
  action: 'suppress_alert',
  expires_at: T0 + 20 * DAY,
};
const EVENTS: Record<ExceptionEventType, { event: ExceptionEvent; now: number }> = {
  request: { event: { type: 'request', id: 'EXC-00000000000A', actor: 'client:ann', input }, now: T0 },
  approve: { event: { type: 'approve', actor: 'partner:bob', tier: 'partner' }, now: T0 + DAY },
  deny: {
    event: { type: 'deny', actor: 'partner:bob', reason: 'use a compensating control first' },
    now: T0 + DAY,
  },
  renew: {
    event: { type: 'renew', actor: 'partner:bob', tier: 'partner', expiresAt: T0 + 40 * DAY },
    now: T0 + 2 * DAY,
  },
  revoke: { event: { type: 'revoke', actor: 'partner:bob', reason: 'device replaced' }, now: T0 + 2 * DAY },
  expire: { event: { type: 'expire' }, now: T0 + 21 * DAY },
};

function step(current: Exception | undefined, type: ExceptionEventType): Exception {
  const { event, now } = EVENTS[type];
  const r = transitionException(current, event, now);
  if (!r.ok) throw r.error;
  return r.value.exception;
}

const IN_STATE: Record<ExceptionState, () => Exception | undefined> = {
  none: () => undefined,
  requested: () => step(undefined, 'request'),
  active: () => step(step(undefined, 'request'), 'approve'),
  denied: () => step(step(undefined, 'request'), 'deny'),
  revoked: () => step(step(step(undefined, 'request'), 'approve'), 'revoke'),
  expired: () => step(step(step(undefined, 'request'), 'approve'), 'expire'),
};

const X = 'E_EXCEPTION_TRANSITION';
type Cell = Exclude<ExceptionState, 'none'> | typeof X;
// Every state × every event; the Record types make the compiler demand each cell.
const TABLE: Record<ExceptionState, Record<ExceptionEventType, Cell>> = {
  none: { request: 'requested', approve: X, deny: X, renew: X, revoke: X, expire: X },
  requested: { request: X, approve: 'active', deny: 'denied', renew: X, revoke: X, expire: 'expired' },
  active: { request: X, approve: X, deny: X, renew: 'active', revoke: 'revoked', expire: 'expired' },
  denied: { request: X, approve: X, deny: X, renew: X, revoke: X, expire: X },
  revoked: { request: X, approve: X, deny: X, renew: X, revoke: X, expire: X },
  expired: { request: X, approve: X, deny: X, renew: X, revoke: X, expire: X },
};

const cells = (Object.keys(TABLE) as ExceptionState[]).flatMap((s) =>
  (Object.keys(TABLE[s]) as ExceptionEventType[]).map((e) => [s, e, TABLE[s][e]] as const),
);

describe('exception lifecycle: every state × event', () => {
  it.each(cells)('%s + %s → %s', (state, type, expected) => {
    const before = IN_STATE[state]();
    const { event, now } = EVENTS[type];
    const r = transitionException(before, event, now);
    if (expected === X) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe(X);
      return;
    }
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.exception.status).toBe(expected);
    expect(r.value.exception.history).toHaveLength((before?.history.length ?? 0) + 1);
    expect(r.value.history).toMatchObject({ at: now, event: type, status: expected });
    expect(
      validateDocument('exceptions', {
        ...initialExceptions('s1'),
        exceptions: { [r.value.exception.id]: r.value.exception },
      }).ok,
    ).toBe(true);
  });
});

describe('exception lifecycle guards', () => {
  const requested = IN_STATE.requested() as Exception;
  const active = IN_STATE.active() as Exception;
  const code = (r: ReturnType<typeof transitionException>) => (r.ok ? 'ok' : r.error.code);

  it('validates requests: reason 10–1000 chars, id format, expiry after start and now', () => {
    const req = (patch: Partial<ExceptionRequest>, id = 'EXC-00000000000A') =>
      code(
        transitionException(
          undefined,
          { type: 'request', id, actor: 'a', input: { ...input, ...patch } },
          T0,
        ),
      );
    expect(req({ reason: 'too short' })).toBe('E_EXCEPTION_INPUT');
    expect(req({ reason: `   ${'x'.repeat(9)}   ` })).toBe('E_EXCEPTION_INPUT');
    expect(req({ reason: 'x'.repeat(1001) })).toBe('E_EXCEPTION_INPUT');
    expect(req({}, 'EXC-00000000000a')).toBe('E_EXCEPTION_INPUT');
    expect(req({ expires_at: T0 })).toBe('E_EXCEPTION_INPUT');
    expect(req({ starts_at: T0 + 5 * DAY, expires_at: T0 + 4 * DAY })).toBe('E_EXCEPTION_INPUT');
    expect(req({ expires_at: T0 + 3651 * DAY })).toBe('E_EXCEPTION_DURATION');
    expect(req({})).toBe('ok');
  });

  it.each(APPROVER_TIERS)('%s may approve up to its maximum and not a millisecond more', (tier) => {
    const long = { ...requested, expires_at: requested.starts_at + MAX_DURATION_MS[tier] + 1 };
    const approve = (expiresAt?: number) =>
      code(
        transitionException(
          long,
          { type: 'approve', actor: 'p', tier, ...(expiresAt ? { expiresAt } : {}) },
          T0 + 1,
        ),
      );
    expect(approve()).toBe('E_EXCEPTION_DURATION');
    expect(approve(requested.starts_at + MAX_DURATION_MS[tier])).toBe('ok');
  });

  it('the requester cannot approve or renew; a second active exception for the same item is refused', () => {
    expect(
      code(transitionException(requested, { type: 'approve', actor: 'client:ann', tier: 'central' }, T0 + 1)),
    ).toBe('E_EXCEPTION_SELF_APPROVAL');
    expect(
      code(
        transitionException(active, { ...EVENTS.renew.event, actor: 'client:ann' } as ExceptionEvent, T0 + 1),
      ),
    ).toBe('E_EXCEPTION_SELF_APPROVAL');
    const other = { ...active, id: 'EXC-00000000000B' };
    const approve = (others: Exception[], now: number) =>
      code(transitionException(requested, { type: 'approve', actor: 'p', tier: 'partner', others }, now));
    expect(approve([other], T0 + DAY)).toBe('E_EXCEPTION_DUPLICATE_ACTIVE');
    expect(approve([{ ...other, item_id: 'windows_defender' }], T0 + DAY)).toBe('ok');
    expect(approve([{ ...other, expires_at: T0 + DAY }], T0 + DAY)).toBe('ok');
  });

  it('renews only while in force, only later, within the tier maximum counted from now', () => {
    const renew = (expiresAt: number, now: number, tier: 'client_admin' | 'partner' = 'partner') =>
      code(transitionException(active, { type: 'renew', actor: 'p', tier, expiresAt }, now));
    expect(renew(T0 + 40 * DAY, active.expires_at)).toBe(X);
    expect(renew(active.expires_at - 1, T0 + DAY)).toBe('E_EXCEPTION_INPUT');
    expect(renew(T0 + DAY + 31 * DAY, T0 + DAY, 'client_admin')).toBe('E_EXCEPTION_DURATION');
    expect(renew(T0 + DAY + 30 * DAY, T0 + DAY, 'client_admin')).toBe('ok');
  });

  it('revocation needs a reason of at least 5 characters; expiry only once the time has come', () => {
    const revoke = (reason: string) =>
      code(transitionException(active, { type: 'revoke', actor: 'p', reason }, T0 + DAY));
    expect(revoke('bad')).toBe('E_EXCEPTION_INPUT');
    expect(revoke('   abcd   ')).toBe('E_EXCEPTION_INPUT');
    expect(revoke('abcde')).toBe('ok');
    expect(code(transitionException(active, { type: 'expire' }, active.expires_at - 1))).toBe(X);
    expect(code(transitionException(active, { type: 'expire' }, active.expires_at))).toBe('ok');
  });

  it('validity: active, started and not expired; expiring soon within 14 days', () => {
    expect(isExceptionValid(requested, T0 + DAY)).toBe(false);
    expect(isExceptionValid(active, active.starts_at - 1)).toBe(false);
    expect(isExceptionValid(active, active.starts_at)).toBe(true);
    expect(isExceptionValid(active, active.expires_at - 1)).toBe(true);
    expect(isExceptionValid(active, active.expires_at)).toBe(false);
    expect(isExpiringSoon(active, active.expires_at - 14 * DAY)).toBe(true);
    expect(isExpiringSoon(active, active.expires_at - 14 * DAY - 1)).toBe(false);
  });

  it('new ids are EXC- and 12 upper-case hex', () => {
    expect(newExceptionId()).toMatch(/^EXC-[0-9A-F]{12}$/);
  });
});

describe('applying transitions to an Automerge document', () => {
  it('creates, then edits only changed fields; concurrent decisions keep both history lines', () => {
    const apply = (
      doc: A.Doc<ExceptionsDoc>,
      current: Exception | undefined,
      type: ExceptionEventType,
      actor: string,
    ) =>
      A.change(A.clone(doc, { actor }), (d) => {
        const r = transitionException(current, EVENTS[type].event, EVENTS[type].now);
        if (!r.ok) throw r.error;
        applyExceptionTransition(d, r.value);
      });
    let doc = A.from(initialExceptions('s1'), { actor: 'aa' });
    doc = apply(doc, undefined, 'request', 'ab');
    doc = apply(doc, doc.exceptions['EXC-00000000000A'], 'approve', 'ac');
    const base = doc.exceptions['EXC-00000000000A'];
    const renewed = apply(doc, base, 'renew', 'ad');
    const revoked = apply(doc, base, 'revoke', 'ae');
    const merged = A.merge(A.clone(renewed), revoked);
    const e = merged.exceptions['EXC-00000000000A'];
    expect(e?.status).toBe('revoked');
    expect(e?.expires_at).toBe(T0 + 40 * DAY);
    expect(e?.history.map((h) => h.event).sort()).toEqual(['approve', 'renew', 'request', 'revoke']);
    expect(validateDocument('exceptions', merged).ok).toBe(true);
  });
});
