// Exceptions: clients and partners request; partner admins approve, deny, renew, revoke or expire.
import {
  EXCEPTION_ACTIONS,
  EXCEPTION_SCOPES,
  OsirisError,
  type Exception,
  type ExceptionEvent,
  type ExceptionRequest,
} from '../../schemas/index.ts';
import { portalErrors } from '../portal-errors.ts';
import { exceptionEvent } from '../exceptions/exception-actions.ts';
import { field } from '../http/form.ts';
import type { Reply, Req } from '../http/request.ts';
import { actorOf, canDecideExceptions } from '../viewer.ts';
import { exceptionsView } from './exceptions-view.ts';
import { layout } from './layout.ts';
import { frame, redirectNotice, requireRole, siteOr404, sitePath } from './page-context.ts';

const DAY = 86_400_000;

/** `YYYY-MM-DD` → end of that UTC day (epoch ms), or undefined. */
export function parseDay(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const t = Date.parse(`${text}T23:59:59Z`);
  return Number.isFinite(t) ? t : undefined;
}

export async function exceptionsPage(req: Req, error?: string, status = 200): Promise<Reply> {
  const site = await siteOr404(req);
  const body = await exceptionsView(req, site);
  return { status, page: layout(await frame(req, 'exceptions', 'Compliance exceptions', site, error), body) };
}

export async function requestExceptionPost(req: Req): Promise<Reply> {
  const site = await siteOr404(req);
  const f = req.form;
  const expires = parseDay(field(f, 'expires_on'));
  const input: ExceptionRequest = {
    scope: field(f, 'scope') as ExceptionRequest['scope'],
    item_id: field(f, 'item_id'),
    reason: field(f, 'reason'),
    action: field(f, 'action') as ExceptionRequest['action'],
    expires_at: expires ?? 0,
    ...(field(f, 'device_filter') ? { device_filter: field(f, 'device_filter') } : {}),
    ...(field(f, 'compensating_control') ? { compensating_control: field(f, 'compensating_control') } : {}),
  };
  if (
    !(EXCEPTION_SCOPES as readonly string[]).includes(input.scope) ||
    !(EXCEPTION_ACTIONS as readonly string[]).includes(input.action)
  )
    return exceptionsPage(req, 'Choose a scope and an action.', 400);
  try {
    const actor = actorOf(req.viewer);
    const id = await exceptionEvent(
      req.deps.sql,
      req.deps.sync,
      site.id,
      undefined,
      (_, id) => ({ type: 'request', id, actor, input }),
      actor,
    );
    await req.audit('exception.request', id, site.id, { scope: input.scope, item: input.item_id });
    return redirectNotice(sitePath(site, 'exceptions'), 'requested');
  } catch (e) {
    if (e instanceof OsirisError && e.expose && e.status < 500)
      return exceptionsPage(req, e.message, e.status);
    throw e;
  }
}

const DECISIONS = ['approve', 'deny', 'renew', 'revoke', 'expire'] as const;
const NOTICE: Readonly<Record<(typeof DECISIONS)[number], string>> = {
  approve: 'approved',
  deny: 'denied',
  renew: 'renewed',
  revoke: 'revoked',
  expire: 'expired',
};

export async function decideException(req: Req): Promise<Reply> {
  const site = await siteOr404(req);
  const decision = DECISIONS.find((d) => d === req.params['decision']);
  if (!decision) throw new OsirisError(portalErrors.E_PORTAL_INPUT, 'unknown decision');
  requireRole(canDecideExceptions(req.viewer));
  const actor = actorOf(req.viewer);
  const reason = field(req.form, 'reason');
  const day = parseDay(field(req.form, 'expires_on'));
  const event = (others: Exception[]): ExceptionEvent => {
    switch (decision) {
      case 'approve':
        return { type: 'approve', actor, tier: 'partner', others, ...(day ? { expiresAt: day } : {}) };
      case 'deny':
        return { type: 'deny', actor, ...(reason ? { reason } : {}) };
      case 'renew':
        return { type: 'renew', actor, tier: 'partner', expiresAt: day ?? Date.now() + 30 * DAY };
      case 'revoke':
        return { type: 'revoke', actor, reason };
      case 'expire':
        return { type: 'expire' };
    }
  };
  try {
    const id = await exceptionEvent(
      req.deps.sql,
      req.deps.sync,
      site.id,
      req.params['exc'] ?? '',
      event,
      actor,
    );
    await req.audit(`exception.${decision}`, id, site.id, reason ? { reason } : {});
    return redirectNotice(sitePath(site, 'exceptions'), NOTICE[decision]);
  } catch (e) {
    if (e instanceof OsirisError && e.expose && e.status < 500 && e.status !== 404)
      return exceptionsPage(req, e.message, e.status);
    throw e;
  }
}
