// Tenant scoping: every site a page touches is looked up through the viewer, so another tenant's
// site is indistinguishable from one that does not exist.
import type { SqlClient } from '../sync/sql/sql-client.ts';
import type { Viewer } from './viewer.ts';

export interface SiteRow {
  readonly id: string;
  readonly name: string;
  readonly client_id: string | null;
  readonly client_name: string | null;
}

const SITES_SQL = `select s.id, s.name, s.client_id, c.name as client_name
  from sites s left join clients c on c.id = s.client_id
  where s.partner_id = $1 and ($2::text is null or s.client_id = $2)`;

/** Sites the viewer may see: the partner's sites, or for a client user only its client's sites. */
export async function sitesFor(sql: SqlClient, v: Viewer): Promise<SiteRow[]> {
  return (await sql.query<SiteRow>(`${SITES_SQL} order by s.name, s.id`, [v.partnerId, v.clientId])).rows;
}

/** One site if the viewer may see it, else undefined (callers answer 404 either way). */
export async function siteFor(sql: SqlClient, v: Viewer, siteId: string): Promise<SiteRow | undefined> {
  if (siteId.length > 128) return undefined;
  return (await sql.query<SiteRow>(`${SITES_SQL} and s.id = $3`, [v.partnerId, v.clientId, siteId])).rows[0];
}
