// Demo tenants and logins: one partner (admin + technician) with two client organisations, each with
// a site. Used by `osiris demo`; passwords are printed, so never run this against production data.
import type { CloudSync } from '../cloud/sync/cloud-sync.ts';
import { deriveDocId } from '../sync/doc-ids.ts';
import type { SqlClient } from '../sync/sql/sql-client.ts';
import { AccountStore } from './accounts.ts';
import type { Role } from './viewer.ts';

export interface DemoLogin {
  readonly email: string;
  readonly password: string;
  readonly role: Role;
  readonly sees: string;
}

export const DEMO_PARTNER = 'demo-msp';

/** Creates the demo partner, clients, sites (clinic-1 keeps its appliances) and accounts; idempotent. */
export async function seedDemo(sql: SqlClient, sync: CloudSync): Promise<DemoLogin[]> {
  await sync.registry.createPartner(DEMO_PARTNER, 'Demo MSP');
  await sync.registry.createClient('client-riverside', DEMO_PARTNER, 'Riverside Health Group');
  await sync.registry.createClient('client-lakeside', DEMO_PARTNER, 'Lakeside Dental');
  const sites = [
    { id: 'clinic-1', name: 'Riverside Family Clinic', clientId: 'client-riverside' },
    { id: 'clinic-2', name: 'Lakeside Dental Studio', clientId: 'client-lakeside' },
  ];
  for (const s of sites) {
    if (!(await sync.registry.document(deriveDocId({ siteId: s.id }, 'rule_book'))))
      await sync.createSite({ ...s, partnerId: DEMO_PARTNER });
    // A site created before clients existed gets its client (registry data, not a projected table).
    await sql.query('update sites set client_id = $2 where id = $1 and client_id is null', [
      s.id,
      s.clientId,
    ]);
  }
  const accounts = new AccountStore(sql);
  const logins: (DemoLogin & { name: string; clientId?: string })[] = [
    {
      email: 'admin@demo-msp.test',
      password: 'demo-admin-2026',
      role: 'partner_admin',
      name: 'Alex Admin',
      sees: 'all demo sites',
    },
    {
      email: 'tech@demo-msp.test',
      password: 'demo-tech-2026',
      role: 'partner_tech',
      name: 'Taylor Tech',
      sees: 'all demo sites',
    },
    {
      email: 'riverside@client.test',
      password: 'demo-client-2026',
      role: 'client_user',
      name: 'Rita Riverside',
      clientId: 'client-riverside',
      sees: 'clinic-1',
    },
    {
      email: 'lakeside@client.test',
      password: 'demo-client-2026',
      role: 'client_user',
      name: 'Leo Lakeside',
      clientId: 'client-lakeside',
      sees: 'clinic-2',
    },
  ];
  for (const l of logins) {
    await accounts.upsert({
      email: l.email,
      name: l.name,
      role: l.role,
      partnerId: DEMO_PARTNER,
      password: l.password,
      ...(l.clientId ? { clientId: l.clientId } : {}),
    });
  }
  return logins.map(({ email, password, role, sees }) => ({ email, password, role, sees }));
}
