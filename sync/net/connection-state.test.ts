import { describe, expect, it } from 'vitest';
import {
  type ConnEvent,
  type ConnState,
  DEFAULT_BACKOFF,
  backoffDelay,
  closeEvent,
  transition,
} from './connection-state.ts';

type EventKind = ConnEvent['kind'];
type Row = 'idle' | 'connecting' | 'handshaking' | 'challenged' | 'open' | 'backoff' | 'stopped';

const NOW = 1_000_000;
const states: Record<Row, ConnState> = {
  idle: { kind: 'idle' },
  connecting: { kind: 'connecting', attempt: 2 },
  handshaking: { kind: 'handshaking', attempt: 2, challenged: false },
  challenged: { kind: 'handshaking', attempt: 2, challenged: true },
  open: { kind: 'open', attempt: 0, since: NOW - 60_000 },
  backoff: { kind: 'backoff', attempt: 3, delayMs: 10, until: NOW + 10 },
  stopped: { kind: 'stopped', reason: 'x' },
};
const events: Record<EventKind, ConnEvent> = {
  start: { kind: 'start' },
  'socket-open': { kind: 'socket-open' },
  challenge: { kind: 'challenge' },
  authenticated: { kind: 'authenticated' },
  'socket-error': { kind: 'socket-error', message: 'ECONNRESET' },
  'socket-close': { kind: 'socket-close', code: 1006, reason: '' },
  'auth-rejected': { kind: 'auth-rejected', code: 4401, reason: 'E_HANDSHAKE_REJECTED' },
  timer: { kind: 'timer' },
  stop: { kind: 'stop' },
};

// Every state × event (the compiler demands all 63 cells): [next state, effects in order].
type Cell = [ConnState['kind'], string];
const table: Record<Row, Record<EventKind, Cell>> = {
  idle: {
    start: ['connecting', 'open-socket set-timer'],
    'socket-open': ['idle', ''],
    challenge: ['idle', ''],
    authenticated: ['idle', ''],
    'socket-error': ['idle', ''],
    'socket-close': ['idle', ''],
    'auth-rejected': ['idle', ''],
    timer: ['idle', ''],
    stop: ['stopped', 'clear-timer ready'],
  },
  connecting: {
    start: ['connecting', ''],
    'socket-open': ['handshaking', ''],
    challenge: ['connecting', ''],
    authenticated: ['connecting', ''],
    'socket-error': ['backoff', 'drop-socket set-timer ready'],
    'socket-close': ['backoff', 'drop-socket set-timer ready'],
    'auth-rejected': ['stopped', 'drop-socket clear-timer ready'],
    timer: ['backoff', 'drop-socket set-timer ready'],
    stop: ['stopped', 'drop-socket clear-timer ready'],
  },
  handshaking: {
    start: ['handshaking', ''],
    'socket-open': ['handshaking', ''],
    challenge: ['handshaking', 'send-auth'],
    authenticated: ['backoff', 'drop-socket set-timer ready'],
    'socket-error': ['backoff', 'drop-socket set-timer ready'],
    'socket-close': ['backoff', 'drop-socket set-timer ready'],
    'auth-rejected': ['stopped', 'drop-socket clear-timer ready'],
    timer: ['backoff', 'drop-socket set-timer ready'],
    stop: ['stopped', 'drop-socket clear-timer ready'],
  },
  challenged: {
    start: ['handshaking', ''],
    'socket-open': ['handshaking', ''],
    challenge: ['backoff', 'drop-socket set-timer ready'],
    authenticated: ['open', 'clear-timer peer-up ready'],
    'socket-error': ['backoff', 'drop-socket set-timer ready'],
    'socket-close': ['backoff', 'drop-socket set-timer ready'],
    'auth-rejected': ['stopped', 'drop-socket clear-timer ready'],
    timer: ['backoff', 'drop-socket set-timer ready'],
    stop: ['stopped', 'drop-socket clear-timer ready'],
  },
  open: {
    start: ['open', ''],
    'socket-open': ['open', ''],
    challenge: ['backoff', 'drop-socket peer-down set-timer ready'],
    authenticated: ['backoff', 'drop-socket peer-down set-timer ready'],
    'socket-error': ['backoff', 'drop-socket peer-down set-timer ready'],
    'socket-close': ['backoff', 'drop-socket peer-down set-timer ready'],
    'auth-rejected': ['stopped', 'drop-socket peer-down clear-timer ready'],
    timer: ['open', ''],
    stop: ['stopped', 'drop-socket peer-down clear-timer ready'],
  },
  backoff: {
    start: ['backoff', ''],
    'socket-open': ['backoff', ''],
    challenge: ['backoff', ''],
    authenticated: ['backoff', ''],
    'socket-error': ['backoff', ''],
    'socket-close': ['backoff', ''],
    'auth-rejected': ['backoff', ''],
    timer: ['connecting', 'open-socket set-timer'],
    stop: ['stopped', 'clear-timer ready'],
  },
  stopped: {
    start: ['connecting', 'open-socket set-timer'],
    'socket-open': ['stopped', ''],
    challenge: ['stopped', ''],
    authenticated: ['stopped', ''],
    'socket-error': ['stopped', ''],
    'socket-close': ['stopped', ''],
    'auth-rejected': ['stopped', ''],
    timer: ['stopped', ''],
    stop: ['stopped', ''],
  },
};

describe('connection state machine', () => {
  for (const [s, row] of Object.entries(table) as [Row, Record<EventKind, Cell>][]) {
    for (const [e, [next, effects]] of Object.entries(row) as [EventKind, Cell][]) {
      it(`${s} + ${e} → ${next} [${effects}]`, () => {
        const step = transition(states[s], events[e], NOW, 0.5);
        expect(step.state.kind).toBe(next);
        expect(step.effects.map((f) => f.kind).join(' ')).toBe(effects);
      });
    }
  }

  it('losing a healthy connection restarts from dropAttempt; a short-lived one keeps backing off', () => {
    const healthy = transition(states.open, events['socket-close'], NOW, 0.999);
    expect(healthy.state).toMatchObject({ kind: 'backoff', attempt: DEFAULT_BACKOFF.dropAttempt });
    const flappy = transition(
      { kind: 'open', attempt: 7, since: NOW - 100 },
      events['socket-close'],
      NOW,
      0.999,
    );
    expect(flappy.state).toMatchObject({ kind: 'backoff', attempt: 7 });
    const retry = transition({ kind: 'backoff', attempt: 5, delayMs: 1, until: NOW }, events.timer, NOW, 0.5);
    expect(retry.state).toMatchObject({ kind: 'connecting', attempt: 6 });
    const failed = transition(retry.state, events['socket-close'], NOW, 0.999);
    expect(failed.state).toMatchObject({ kind: 'backoff', attempt: 6, delayMs: 31_968, until: NOW + 31_968 });
  });

  it('permanent close codes (unauthorized, protocol version) stop; replaced and rate-limited back off long', () => {
    expect(closeEvent(4401, 'E_SESSION_REVOKED').kind).toBe('auth-rejected');
    expect(closeEvent(4426, 'E_PROTOCOL_VERSION').kind).toBe('auth-rejected');
    expect(closeEvent(4403, 'E_ACL_VIOLATION').kind).toBe('socket-close');
    const stopped = transition(states.challenged, closeEvent(4401, 'E_HANDSHAKE_REJECTED'), NOW, 0.5);
    expect(stopped.state).toEqual({ kind: 'stopped', reason: 'E_HANDSHAKE_REJECTED' });
    const replaced = transition(states.open, closeEvent(4409, 'E_PEER_REPLACED'), NOW, 0.999);
    const forbidden = transition(states.open, closeEvent(4403, 'E_ACL_VIOLATION'), NOW, 0.999);
    expect(forbidden.state).toMatchObject({
      kind: 'backoff',
      delayMs: Math.floor(0.999 * DEFAULT_BACKOFF.capMs),
    });
    expect(replaced.state).toMatchObject({
      kind: 'backoff',
      delayMs: Math.floor(0.999 * DEFAULT_BACKOFF.capMs),
    });
  });

  it('a handshake that does not finish in time is dropped with a timeout code', () => {
    const step = transition(states.handshaking, events.timer, NOW, 0.5);
    expect(step.effects[0]).toEqual({ kind: 'drop-socket', code: 4408, reason: 'E_HANDSHAKE_TIMEOUT' });
  });

  it('full jitter spreads 1,000 clients’ reconnects: no 100 ms bucket holds more than 5 %', () => {
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const delays = Array.from({ length: 1000 }, () => backoffDelay(4, rand()));
    const buckets = new Map<number, number>();
    for (const d of delays) buckets.set(Math.floor(d / 100), (buckets.get(Math.floor(d / 100)) ?? 0) + 1);
    expect(Math.max(...buckets.values())).toBeLessThanOrEqual(50);
    expect(Math.max(...delays)).toBeLessThan(8000);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
  });
});
