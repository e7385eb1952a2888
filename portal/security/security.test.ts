import { describe, expect, it } from 'vitest';
import { parseCookies, serializeCookie, sessionCookieName } from '../http/cookies.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { LOGIN_WINDOW_MS, MAX_FAILURES, loginAllowed, throttleKey } from './rate-limit.ts';
import { SESSION_IDLE_MS, sessionLive } from './sessions.ts';
import { newToken, sameToken } from './tokens.ts';

describe('portal security primitives', () => {
  it('hashes passwords with salted scrypt and verifies in constant time', async () => {
    const h = await hashPassword('correct-horse');
    expect(h).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await hashPassword('correct-horse')).not.toBe(h);
    expect(await verifyPassword('correct-horse', h)).toBe(true);
    expect(await verifyPassword('wrong-horse', h)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });

  it('compares CSRF tokens safely: missing, empty, different length and different values fail', () => {
    const t = newToken();
    expect(t).toHaveLength(43);
    expect(sameToken(t, t)).toBe(true);
    expect(sameToken(undefined, t)).toBe(false);
    expect(sameToken('', '')).toBe(false);
    expect(sameToken(t.slice(1), t)).toBe(false);
    expect(sameToken(newToken(), t)).toBe(false);
  });

  it('expires sessions absolutely and when idle', () => {
    const now = Date.now();
    expect(sessionLive({ expires_at: new Date(now + 1000), last_seen_at: new Date(now) }, now)).toBe(true);
    expect(sessionLive({ expires_at: new Date(now - 1), last_seen_at: new Date(now) }, now)).toBe(false);
    expect(
      sessionLive({ expires_at: new Date(now + 1e9), last_seen_at: new Date(now - SESSION_IDLE_MS) }, now),
    ).toBe(false);
  });

  it('throttles after MAX_FAILURES in the window, per account and address', () => {
    const now = 10 * LOGIN_WINDOW_MS;
    const recent = Array.from({ length: MAX_FAILURES }, (_, i) => now - i * 1000);
    expect(loginAllowed(recent.slice(1), now)).toBe(true);
    expect(loginAllowed(recent, now)).toBe(false);
    expect(
      loginAllowed(
        recent.map((t) => t - LOGIN_WINDOW_MS),
        now,
      ),
    ).toBe(true);
    expect(throttleKey('A@x.test ', '1.2.3.4')).toEqual(throttleKey('a@x.test', '1.2.3.4'));
    expect(throttleKey('a@x.test', '1.2.3.4')).not.toEqual(throttleKey('a@x.test', '1.2.3.5'));
  });

  it('writes HttpOnly SameSite=Lax cookies, Secure and __Host- only when configured', () => {
    expect(serializeCookie('s', 'v', { secure: false })).toBe('s=v; Path=/; HttpOnly; SameSite=Lax');
    expect(serializeCookie('s', 'v', { secure: true, maxAgeSeconds: 0 })).toBe(
      's=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure',
    );
    expect(sessionCookieName(true)).toBe('__Host-osiris_session');
    expect(parseCookies('a=1; b=%zz; a=2; c=x%20y').get('a')).toBe('1');
    expect(parseCookies('b=%zz').has('b')).toBe(false);
  });
});
