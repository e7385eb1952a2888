// Shared by site pages: resolve the site through the viewer (404 for foreign and unknown alike) and
// build the page frame.
import { OsirisError, commonErrors } from '../../schemas/errors.ts';
import type { Req } from '../http/request.ts';
import { type SiteRow, siteFor, sitesFor } from '../scope.ts';
import { portalErrors } from '../portal-errors.ts';
import { NOTICES, type NavKey, type PageFrame } from './layout.ts';

export async function siteOr404(req: Req): Promise<SiteRow> {
  const site = await siteFor(req.deps.sql, req.viewer, req.params['site'] ?? '');
  if (!site) throw new OsirisError(commonErrors.E_NOT_FOUND);
  return site;
}

export async function frame(
  req: Req,
  active: NavKey,
  title: string,
  site?: SiteRow,
  error?: string,
): Promise<PageFrame> {
  const notice = NOTICES[String(req.ctx.query['notice'] ?? '')];
  return {
    viewer: req.viewer,
    title,
    active,
    sites: await sitesFor(req.deps.sql, req.viewer),
    site,
    notice,
    error,
  };
}

export function requireRole(ok: boolean): void {
  if (!ok) throw new OsirisError(portalErrors.E_PORTAL_FORBIDDEN);
}

export const sitePath = (site: SiteRow, section: string): string =>
  `/sites/${encodeURIComponent(site.id)}/${section}`;

export { redirectTo as redirectNotice } from '../http/request.ts';
