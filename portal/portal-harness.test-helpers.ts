// A cloud node with the portal mounted and two partners' tenants, for Postgres and browser tests.
import { type CloudNode, startCloud } from '../cloud/cloud-node.ts';
import { silentLogger } from '../sync/log.ts';
import type { SqlClient } from '../sync/sql/sql-client.ts';
import { type Portal, portalMount } from './app.ts';
import { AccountStore } from './accounts.ts';

export const PASSWORD = 'correct-horse-battery';

export interface PortalStack {
  readonly node: CloudNode;
  readonly portal: Portal;
  readonly url: string;
  close(): Promise<void>;
}

/** Partner p1 (sites s1 for client c1, s1b for client c1b), partner p2 (site s2, client c2). */
export async function startPortalStack(sql: SqlClient): Promise<PortalStack> {
  const mount = portalMount();
  const node = await startCloud({ sql, mount: [mount.mount] });
  const portal = mount.attach(
    { sql, sync: node.sync, evidence: node.evidence, logger: silentLogger, secureCookies: false },
    { pollMs: 100, sampleMs: 3_600_000 },
  );
  const r = node.sync.registry;
  await r.createPartner('p1', 'Partner One');
  await r.createPartner('p2', 'Partner Two');
  await r.createClient('c1', 'p1', 'Client One');
  await r.createClient('c1b', 'p1', 'Client One B');
  await r.createClient('c2', 'p2', 'Client Two');
  await node.sync.createSite({ id: 's1', partnerId: 'p1', clientId: 'c1', name: 'Site One' });
  await node.sync.createSite({ id: 's1b', partnerId: 'p1', clientId: 'c1b', name: 'Site One B' });
  await node.sync.createSite({ id: 's2', partnerId: 'p2', clientId: 'c2', name: 'Site Two' });
  const accounts = new AccountStore(sql);
  const add = (
    email: string,
    role: 'partner_admin' | 'partner_tech' | 'client_user',
    partnerId: string,
    clientId?: string,
  ) =>
    accounts.upsert({
      email,
      name: email.split('@')[0] ?? email,
      role,
      partnerId,
      password: PASSWORD,
      ...(clientId ? { clientId } : {}),
    });
  await add('admin1@p1.test', 'partner_admin', 'p1');
  await add('admin1b@p1.test', 'partner_admin', 'p1');
  await add('tech1@p1.test', 'partner_tech', 'p1');
  await add('client1@c1.test', 'client_user', 'p1', 'c1');
  await add('admin2@p2.test', 'partner_admin', 'p2');
  await node.sync.projectionIdle();
  return {
    node,
    portal,
    url: node.url,
    async close() {
      await portal.close();
      await node.close();
    },
  };
}

/** A cookie-keeping HTTP client that does not follow redirects. */
export class Agent {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(readonly base: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair?.indexOf('=') ?? -1;
      if (!pair || i < 0) continue;
      const v = pair.slice(i + 1);
      if (/Max-Age=0/.test(c)) this.cookies.delete(pair.slice(0, i));
      else this.cookies.set(pair.slice(0, i), v);
    }
  }

  async get(path: string): Promise<{ status: number; text: string; res: Response }> {
    const res = await fetch(this.base + path, {
      headers: { cookie: this.cookieHeader() },
      redirect: 'manual',
    });
    this.keep(res);
    const text = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(text);
    if (m?.[1] && path !== '/login') this.csrf = m[1];
    return { status: res.status, text, res };
  }

  async post(
    path: string,
    form: Record<string, string>,
    withCsrf = true,
  ): Promise<{ status: number; text: string; res: Response }> {
    const body = new URLSearchParams(withCsrf ? { _csrf: this.csrf, ...form } : form);
    const res = await fetch(this.base + path, {
      method: 'POST',
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
    });
    this.keep(res);
    return { status: res.status, text: await res.text(), res };
  }

  /** Signs in; returns the POST /login response. */
  async login(email: string, password = PASSWORD): Promise<Response> {
    const page = await this.get('/login');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const r = await this.post('/login', { _csrf: token, email, password }, false);
    if (r.status === 302 || r.status === 303) await this.get('/fleet');
    return r.res;
  }
}
