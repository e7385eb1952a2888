// Sessions in Postgres: a random 32-byte id in the cookie, only its SHA-256 stored, a CSRF token per
// session, an absolute lifetime and an idle timeout. Login always issues a new id (no fixation).
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import type { Role } from '../viewer.ts';
import type { Viewer } from '../viewer.ts';
import { newToken, sessionRef, sha256 } from './tokens.ts';

export const SESSION_LIFETIME_MS = 12 * 3600_000;
export const SESSION_IDLE_MS = 2 * 3600_000;

interface SessionRow {
  account_id: string;
  csrf_token: string;
  expires_at: Date;
  last_seen_at: Date;
  email: string;
  name: string;
  role: Role;
  partner_id: string;
  client_id: string | null;
}

/** Pure: is a session with these times still valid at `now`? */
export function sessionLive(row: { expires_at: Date; last_seen_at: Date }, now: number): boolean {
  return (
    new Date(row.expires_at).getTime() > now && now - new Date(row.last_seen_at).getTime() < SESSION_IDLE_MS
  );
}

export class SessionStore {
  constructor(private readonly sql: SqlClient) {}

  /** Starts a session for an account; returns the clear id (for the cookie only). */
  async create(accountId: string, ip: string, userAgent: string, now = Date.now()): Promise<string> {
    const id = newToken();
    await this.sql.query(
      `insert into portal_sessions (id_hash, account_id, csrf_token, expires_at, ip, user_agent)
       values ($1, $2, $3, $4, $5, $6)`,
      [sha256(id), accountId, newToken(), new Date(now + SESSION_LIFETIME_MS), ip, userAgent.slice(0, 300)],
    );
    return id;
  }

  /** The viewer behind a session id, or undefined when unknown, expired, idle or disabled. */
  async lookup(id: string | undefined, now = Date.now()): Promise<Viewer | undefined> {
    if (!id || id.length !== 43) return undefined;
    const idHash = sha256(id);
    const r = await this.sql.query<SessionRow>(
      `select s.account_id, s.csrf_token, s.expires_at, s.last_seen_at,
              a.email, a.name, a.role, a.partner_id, a.client_id
         from portal_sessions s join portal_accounts a on a.id = s.account_id
        where s.id_hash = $1 and not a.disabled`,
      [idHash],
    );
    const row = r.rows[0];
    if (!row || !sessionLive(row, now)) return undefined;
    // Refresh the idle clock at most once a minute.
    if (now - new Date(row.last_seen_at).getTime() > 60_000) {
      await this.sql.query('update portal_sessions set last_seen_at = $2 where id_hash = $1', [
        idHash,
        new Date(now),
      ]);
    }
    return {
      accountId: row.account_id,
      email: row.email,
      name: row.name,
      role: row.role,
      partnerId: row.partner_id,
      clientId: row.client_id,
      csrf: row.csrf_token,
      sessionRef: sessionRef(idHash),
    };
  }

  async destroy(id: string | undefined): Promise<void> {
    if (!id) return;
    await this.sql.query('delete from portal_sessions where id_hash = $1', [sha256(id)]);
  }

  /** Drops expired sessions (called opportunistically). */
  async sweep(now = Date.now()): Promise<void> {
    await this.sql.query('delete from portal_sessions where expires_at < $1 or last_seen_at < $2', [
      new Date(now),
      new Date(now - SESSION_IDLE_MS),
    ]);
  }
}
