// Login throttling per account+IP, counted in Postgres so every cloud node sees the same failures.
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import { sha256 } from './tokens.ts';

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES = 5;

/** Pure decision: may another attempt be made, given the failure times in the window? */
export function loginAllowed(failureTimes: readonly number[], now: number): boolean {
  return failureTimes.filter((t) => now - t < LOGIN_WINDOW_MS).length < MAX_FAILURES;
}

export function throttleKey(email: string, ip: string): Buffer {
  return sha256(`${email.trim().toLowerCase()}\u0000${ip}`);
}

export class LoginThrottle {
  constructor(private readonly sql: SqlClient) {}

  async allowed(email: string, ip: string, now = Date.now()): Promise<boolean> {
    const r = await this.sql.query<{ at: Date }>(
      'select at from portal_login_failures where key_hash = $1 and at > $2',
      [throttleKey(email, ip), new Date(now - LOGIN_WINDOW_MS)],
    );
    return loginAllowed(
      r.rows.map((x) => new Date(x.at).getTime()),
      now,
    );
  }

  async fail(email: string, ip: string): Promise<void> {
    await this.sql.query('insert into portal_login_failures (key_hash) values ($1)', [
      throttleKey(email, ip),
    ]);
    await this.sql.query('delete from portal_login_failures where at < $1', [
      new Date(Date.now() - LOGIN_WINDOW_MS),
    ]);
  }

  async clear(email: string, ip: string): Promise<void> {
    await this.sql.query('delete from portal_login_failures where key_hash = $1', [throttleKey(email, ip)]);
  }
}
