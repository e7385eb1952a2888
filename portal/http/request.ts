// What a portal handler gets and returns.
import type Koa from 'koa';
import type { EvidenceLog } from '../../cloud/evidence/evidence-log.ts';
import type { CloudSync } from '../../cloud/sync/cloud-sync.ts';
import type { Logger } from '../../sync/log.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import type { Html } from '../html.ts';
import type { Viewer } from '../viewer.ts';
import type { Form } from './form.ts';

export interface PortalDeps {
  readonly sql: SqlClient;
  readonly sync: CloudSync;
  readonly logger: Logger;
  /** Adds `Secure` to cookies (set when the portal is reached over HTTPS, e.g. behind a proxy). */
  readonly secureCookies: boolean;
  /** The node's evidence log (checkpoint signer, proofs); opened from the database when absent. */
  readonly evidence?: EvidenceLog;
}

export interface Req {
  readonly ctx: Koa.Context;
  readonly deps: PortalDeps;
  readonly viewer: Viewer;
  readonly params: Readonly<Record<string, string>>;
  /** The parsed body of a POST (empty for GET). */
  readonly form: Form;
  /** Appends a line to the portal audit log for this viewer and session. */
  audit(
    action: string,
    target: string,
    siteId: string | null,
    detail?: Record<string, unknown>,
  ): Promise<void>;
}

export type Reply =
  | { readonly status?: number; readonly page: Html }
  | { readonly redirect: string }
  /** JSON for the page's own scripts, or a download when `filename` is set. */
  | { readonly json: unknown; readonly filename?: string };
export type Handler = (req: Req) => Promise<Reply>;

/** After a successful POST: back to a page with a fixed notice code (never reflected text). */
export function redirectTo(path: string, notice?: string): Reply {
  return { redirect: notice ? `${path}?notice=${encodeURIComponent(notice)}` : path };
}
