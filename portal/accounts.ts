// Portal accounts: partner admins and technicians, and client users bound to one client organisation.
import { randomBytes } from 'node:crypto';
import type { SqlClient } from '../sync/sql/sql-client.ts';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './security/passwords.ts';
import type { Role } from './viewer.ts';

export interface NewAccount {
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly partnerId: string;
  readonly clientId?: string;
  readonly password: string;
}

export class AccountStore {
  constructor(private readonly sql: SqlClient) {}

  /** Creates (or, for the same e-mail, updates) an account; returns its id. */
  async upsert(a: NewAccount): Promise<string> {
    if (a.password.length < 10) throw new Error('passwords have at least 10 characters');
    const id = `acc-${randomBytes(8).toString('hex')}`;
    const r = await this.sql.query<{ id: string }>(
      `insert into portal_accounts (id, email, name, role, partner_id, client_id, password_hash)
       values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (email) do update set name = excluded.name, role = excluded.role,
         partner_id = excluded.partner_id, client_id = excluded.client_id, password_hash = excluded.password_hash
       returning id`,
      [
        id,
        a.email.trim().toLowerCase(),
        a.name,
        a.role,
        a.partnerId,
        a.clientId ?? null,
        await hashPassword(a.password),
      ],
    );
    return r.rows[0]?.id ?? id;
  }

  /** The account id for a correct e-mail and password; same cost whether or not the account exists. */
  async authenticate(email: string, password: string): Promise<string | undefined> {
    const r = await this.sql.query<{ id: string; password_hash: string }>(
      'select id, password_hash from portal_accounts where email = $1 and not disabled',
      [email.trim().toLowerCase()],
    );
    const row = r.rows[0];
    const ok = await verifyPassword(password, row?.password_hash ?? (await DUMMY_HASH_PROMISE));
    return ok && row ? row.id : undefined;
  }
}
