// The exception lifecycle as a pure state machine: time comes in as `now`, nothing is read from
// clocks or documents. Writers apply the result to the Exceptions document with applyExceptionTransition.
import { OsirisError } from './errors.ts';
import { type ExceptionRequest, requestException } from './exception-request.ts';
import {
  APPROVER_TIERS,
  MAX_DURATION_MS,
  type ApproverTier,
  type Exception,
  type ExceptionHistoryEntry,
  type ExceptionStatus,
  type ExceptionsDoc,
} from './exceptions.ts';
import { schemaErrors } from './schema-errors.ts';

export type { ExceptionRequest } from './exception-request.ts';

/** `none` is the state before the request exists. */
export type ExceptionState = 'none' | ExceptionStatus;

export type ExceptionEvent =
  | {
      readonly type: 'request';
      readonly id: string;
      readonly actor: string;
      readonly input: ExceptionRequest;
    }
  | {
      readonly type: 'approve';
      readonly actor: string;
      readonly tier: ApproverTier;
      /** Optionally shortens the requested window. */
      readonly expiresAt?: number;
      /** The site's other exceptions, to keep one active exception per (scope, item). */
      readonly others?: Iterable<Exception>;
    }
  | { readonly type: 'deny'; readonly actor: string; readonly reason?: string }
  | {
      readonly type: 'renew';
      readonly actor: string;
      readonly tier: ApproverTier;
      readonly expiresAt: number;
    }
  | { readonly type: 'revoke'; readonly actor: string; readonly reason: string }
  | { readonly type: 'expire' };
export type ExceptionEventType = ExceptionEvent['type'];

export interface ExceptionTransition {
  /** The exception after the event. */
  readonly exception: Exception;
  /** True when the event created the exception. */
  readonly created: boolean;
  /** Only the fields the event set, so a writer touches nothing else. */
  readonly changed: Readonly<Partial<Exception>>;
  /** The history line the event appends. */
  readonly history: ExceptionHistoryEntry;
}
export type TransitionResult =
  | { readonly ok: true; readonly value: ExceptionTransition }
  | { readonly ok: false; readonly error: OsirisError };

const fail = (spec: (typeof schemaErrors)[keyof typeof schemaErrors], message: string): TransitionResult => ({
  ok: false,
  error: new OsirisError(spec, message),
});
const illegal = (state: ExceptionState, event: ExceptionEventType, why = ''): TransitionResult =>
  fail(schemaErrors.E_EXCEPTION_TRANSITION, `cannot ${event} an exception in state ${state}${why}`);

function done(
  current: Exception,
  changed: Partial<Exception>,
  history: ExceptionHistoryEntry,
): TransitionResult {
  const exception = { ...current, ...changed, history: [...current.history, history] };
  return { ok: true, value: { exception, created: false, changed, history } };
}

/** Applies one event to an exception (undefined = not yet requested) at time `now` (epoch ms). */
export function transitionException(
  current: Exception | undefined,
  event: ExceptionEvent,
  now: number,
): TransitionResult {
  const state: ExceptionState = current?.status ?? 'none';
  if (current === undefined) {
    if (event.type !== 'request') return illegal(state, event.type);
    const r = requestException(event.id, event.actor, event.input, now);
    if (r instanceof OsirisError) return { ok: false, error: r };
    const { exception, history } = r;
    return { ok: true, value: { exception, created: true, changed: exception, history } };
  }
  const at = { at: now };
  switch (event.type) {
    case 'request':
      return illegal(state, event.type, ' (it already exists)');
    case 'approve': {
      if (state !== 'requested') return illegal(state, event.type);
      if (event.actor === current.requested_by)
        return fail(schemaErrors.E_EXCEPTION_SELF_APPROVAL, 'the requester cannot approve');
      if (!(APPROVER_TIERS as readonly string[]).includes(event.tier))
        return fail(schemaErrors.E_EXCEPTION_INPUT, 'unknown approver tier');
      const expires = event.expiresAt ?? current.expires_at;
      if (expires <= now || expires <= current.starts_at)
        return fail(schemaErrors.E_EXCEPTION_INPUT, 'expiry must be in the future and after the start');
      if (expires - current.starts_at > MAX_DURATION_MS[event.tier])
        return fail(schemaErrors.E_EXCEPTION_DURATION, `longer than a ${event.tier} may grant`);
      for (const o of event.others ?? []) {
        if (
          o.id !== current.id &&
          o.status === 'active' &&
          now < o.expires_at &&
          o.scope === current.scope &&
          o.item_id === current.item_id
        ) {
          return fail(
            schemaErrors.E_EXCEPTION_DUPLICATE_ACTIVE,
            `${o.id} is already active for ${current.scope} ${current.item_id}`,
          );
        }
      }
      const changed = {
        status: 'active',
        approved_by: event.actor,
        approved_at: now,
        approval_tier: event.tier,
        expires_at: expires,
      } as const;
      return done(current, changed, { ...at, actor: event.actor, event: 'approve', status: 'active' });
    }
    case 'deny': {
      if (state !== 'requested') return illegal(state, event.type);
      const note = event.reason?.trim();
      const changed: Partial<Exception> = note
        ? { status: 'denied', decision_reason: note }
        : { status: 'denied' };
      return done(current, changed, {
        ...at,
        actor: event.actor,
        event: 'deny',
        status: 'denied',
        ...(note ? { note } : {}),
      });
    }
    case 'renew': {
      if (state !== 'active' || now >= current.expires_at)
        return illegal(state, event.type, ' (renew only while active)');
      if (event.actor === current.requested_by)
        return fail(schemaErrors.E_EXCEPTION_SELF_APPROVAL, 'the requester cannot renew');
      if (!(APPROVER_TIERS as readonly string[]).includes(event.tier))
        return fail(schemaErrors.E_EXCEPTION_INPUT, 'unknown approver tier');
      if (event.expiresAt <= current.expires_at)
        return fail(schemaErrors.E_EXCEPTION_INPUT, 'a renewal must move the expiry later');
      if (event.expiresAt - now > MAX_DURATION_MS[event.tier])
        return fail(schemaErrors.E_EXCEPTION_DURATION, `longer than a ${event.tier} may grant`);
      const changed = {
        expires_at: event.expiresAt,
        approved_by: event.actor,
        approved_at: now,
        approval_tier: event.tier,
      } as const;
      return done(current, changed, { ...at, actor: event.actor, event: 'renew', status: 'active' });
    }
    case 'revoke': {
      if (state !== 'active') return illegal(state, event.type);
      const reason = event.reason.trim();
      if (reason.length < 5 || reason.length > 1000)
        return fail(schemaErrors.E_EXCEPTION_INPUT, 'a revocation needs a reason of at least 5 characters');
      return done(
        current,
        { status: 'revoked', decision_reason: reason },
        { ...at, actor: event.actor, event: 'revoke', status: 'revoked', note: reason },
      );
    }
    case 'expire': {
      if (state !== 'requested' && state !== 'active') return illegal(state, event.type);
      if (now < current.expires_at) return illegal(state, event.type, ' (not yet expired)');
      return done(
        current,
        { status: 'expired' },
        { ...at, actor: 'system', event: 'expire', status: 'expired' },
      );
    }
  }
}

/**
 * Writes a transition into an Exceptions document inside an Automerge change: creates the entry, or
 * sets only the changed fields and appends the history line (concurrent appends both survive).
 */
export function applyExceptionTransition(draft: ExceptionsDoc, t: ExceptionTransition): void {
  const entry = draft.exceptions[t.exception.id];
  if (t.created || entry === undefined) {
    draft.exceptions[t.exception.id] = structuredClone(t.exception);
    return;
  }
  for (const [k, v] of Object.entries(t.changed)) if (k !== 'history' && v !== undefined) entry[k] = v;
  entry.history.push({ ...t.history });
}
