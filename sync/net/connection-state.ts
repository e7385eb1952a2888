/**
 * The client connection lifecycle as a pure state machine. Time (`now`) and randomness come in as
 * arguments; what to do comes out as effects that ws-client-adapter.ts carries out.
 */
import { CLOSE, type CloseClass, classifyClose } from './close-codes.ts';
import { netErrors } from './net-errors.ts';

/** `attempt` counts the retries so far; in `backoff` it indexes the retry being waited for. */
export type ConnState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'connecting'; readonly attempt: number }
  | { readonly kind: 'handshaking'; readonly attempt: number; readonly challenged: boolean }
  | { readonly kind: 'open'; readonly attempt: number; readonly since: number }
  | { readonly kind: 'backoff'; readonly attempt: number; readonly delayMs: number; readonly until: number }
  | { readonly kind: 'stopped'; readonly reason: string };

export type ConnEvent =
  | { readonly kind: 'start' }
  | { readonly kind: 'socket-open' }
  | { readonly kind: 'challenge' }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'socket-error'; readonly message: string }
  | { readonly kind: 'socket-close'; readonly code: number; readonly reason: string }
  | { readonly kind: 'auth-rejected'; readonly code: number; readonly reason: string }
  | { readonly kind: 'timer' }
  | { readonly kind: 'stop' };

export type Effect =
  | { readonly kind: 'open-socket' }
  | { readonly kind: 'send-auth' }
  /** Detach and close the current socket (a no-op for one that is already closed). */
  | { readonly kind: 'drop-socket'; readonly code: number; readonly reason: string }
  | { readonly kind: 'set-timer'; readonly delayMs: number }
  | { readonly kind: 'clear-timer' }
  | { readonly kind: 'peer-up' }
  | { readonly kind: 'peer-down' }
  /** The first attempt has settled (open, failed or stopped): resolve whenReady(). */
  | { readonly kind: 'ready' };

export interface Step {
  readonly state: ConnState;
  readonly effects: readonly Effect[];
}

export interface BackoffPolicy {
  /** Retry window of the first retry; doubles per retry. */
  readonly baseMs: number;
  /** Largest retry window. */
  readonly capMs: number;
  /** A connection open this long counts as healthy: losing it restarts from `dropAttempt`. */
  readonly healthyMs: number;
  /** Retry index after losing a healthy connection: 3 → random(0, 4 s) with the defaults, so a
   *  fleet that loses a restarting server all at once comes back spread out, not in lockstep. */
  readonly dropAttempt: number;
  /** Deadline for TCP connect + handshake. */
  readonly handshakeTimeoutMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: 500,
  capMs: 60_000,
  healthyMs: 10_000,
  dropAttempt: 3,
  handshakeTimeoutMs: 15_000,
};

/** Full jitter: uniform in [0, min(cap, base · 2^attempt)). */
export function backoffDelay(attempt: number, random: number, p: BackoffPolicy = DEFAULT_BACKOFF): number {
  return Math.floor(random * Math.min(p.capMs, p.baseMs * 2 ** Math.min(Math.max(attempt, 0), 40)));
}

/** The smallest retry index whose window reaches the cap. */
function capAttempt(p: BackoffPolicy): number {
  return Math.max(0, Math.ceil(Math.log2(p.capMs / p.baseMs)));
}

/** Maps a socket close to the event the machine takes: permanent codes are `auth-rejected`. */
export function closeEvent(code: number, reason: string): ConnEvent {
  return classifyClose(code) === 'permanent'
    ? { kind: 'auth-rejected', code, reason }
    : { kind: 'socket-close', code, reason };
}

const stay = (state: ConnState): Step => ({ state, effects: [] });

function connect(attempt: number, p: BackoffPolicy): Step {
  return {
    state: { kind: 'connecting', attempt },
    effects: [{ kind: 'open-socket' }, { kind: 'set-timer', delayMs: p.handshakeTimeoutMs }],
  };
}

type Live = Extract<ConnState, { kind: 'connecting' | 'handshaking' | 'open' }>;

/** A live connection failed: back off by how it failed and how long it had been healthy. */
function fail(
  s: Live,
  cls: CloseClass,
  drop: { code: number; reason: string },
  now: number,
  random: number,
  p: BackoffPolicy,
): Step {
  let attempt = s.attempt;
  if (s.kind === 'open')
    attempt = now - s.since >= p.healthyMs ? p.dropAttempt : Math.max(s.attempt, p.dropAttempt);
  if (cls === 'long-backoff') attempt = Math.max(attempt, capAttempt(p));
  const delayMs = backoffDelay(attempt, random, p);
  return {
    state: { kind: 'backoff', attempt, delayMs, until: now + delayMs },
    effects: [
      { kind: 'drop-socket', ...drop },
      ...(s.kind === 'open' ? [{ kind: 'peer-down' } as const] : []),
      { kind: 'set-timer', delayMs },
      { kind: 'ready' },
    ],
  };
}

function halt(s: ConnState, reason: string, code: number): Step {
  const live = s.kind === 'connecting' || s.kind === 'handshaking' || s.kind === 'open';
  return {
    state: { kind: 'stopped', reason },
    effects: [
      ...(live ? [{ kind: 'drop-socket', code, reason } as const] : []),
      ...(s.kind === 'open' ? [{ kind: 'peer-down' } as const] : []),
      { kind: 'clear-timer' },
      { kind: 'ready' },
    ],
  };
}

const protocolError = { code: CLOSE.malformed, reason: netErrors.E_FRAME_MALFORMED.code };

/** The whole lifecycle: total over every state × event (the tests hold a table of all of them). */
export function transition(
  s: ConnState,
  e: ConnEvent,
  now: number,
  random: number,
  p: BackoffPolicy = DEFAULT_BACKOFF,
): Step {
  if (e.kind === 'stop') return s.kind === 'stopped' ? stay(s) : halt(s, 'stopped', CLOSE.normal);
  switch (s.kind) {
    case 'idle':
    case 'stopped':
      return e.kind === 'start' ? connect(0, p) : stay(s);
    case 'backoff':
      return e.kind === 'timer' ? connect(s.attempt + 1, p) : stay(s);
    case 'connecting':
      if (e.kind === 'socket-open')
        return {
          // The server speaks first (its challenge); the client waits for it.
          state: { kind: 'handshaking', attempt: s.attempt, challenged: false },
          effects: [],
        };
      // No frame can arrive before the socket opened.
      if (e.kind === 'challenge' || e.kind === 'authenticated') return stay(s);
      break;
    case 'handshaking':
      if (e.kind === 'challenge' && !s.challenged)
        return { state: { ...s, challenged: true }, effects: [{ kind: 'send-auth' }] };
      if (e.kind === 'authenticated' && s.challenged)
        return {
          state: { kind: 'open', attempt: s.attempt, since: now },
          effects: [{ kind: 'clear-timer' }, { kind: 'peer-up' }, { kind: 'ready' }],
        };
      break;
  }
  // A live connection (connecting, handshaking, open) and the events not handled above.
  switch (e.kind) {
    case 'start':
    case 'socket-open':
      return stay(s);
    case 'challenge':
    case 'authenticated':
      return fail(s, 'retry', protocolError, now, random, p);
    case 'timer':
      return s.kind === 'open'
        ? stay(s)
        : fail(
            s,
            'retry',
            { code: CLOSE.timeout, reason: netErrors.E_HANDSHAKE_TIMEOUT.code },
            now,
            random,
            p,
          );
    case 'socket-error':
      return fail(s, 'retry', { code: CLOSE.normal, reason: e.message }, now, random, p);
    case 'socket-close':
      return fail(s, classifyClose(e.code), { code: CLOSE.normal, reason: e.reason }, now, random, p);
    case 'auth-rejected':
      return halt(s, e.reason || `closed with ${e.code}`, CLOSE.normal);
  }
}
