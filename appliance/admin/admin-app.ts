// The local admin API (Koa, loopback or LAN only): status, recent incidents, and local edits of the
// site's settings during an outage (they merge with the cloud's edits later). A factory that does
// not listen; the daemon binds it.
import Koa from 'koa';
import { OsirisError, commonErrors } from '../../schemas/errors.ts';
import { type SiteSettingsPatch, siteSettingsPatchSchema } from '../../schemas/index.ts';
import type { Logger } from '../../sync/log.ts';
import { bearerMatches } from './admin-auth.ts';
import { adminErrors } from './admin-errors.ts';
import { readJsonBody } from './json-body.ts';

export interface AdminDeps {
  /** The current admin token (a function: SIGHUP may change it). */
  readonly token: () => string;
  readonly status: () => Record<string, unknown>;
  readonly recent: (limit: number) => readonly unknown[];
  /** Applies a shape-checked patch; throws E_SETTINGS_PATCH_INVALID (422) on a policy violation. */
  readonly editSettings: (patch: SiteSettingsPatch, admin: string) => Promise<{ heads: readonly string[] }>;
  readonly logger: Logger;
}

const MAX_INCIDENTS = 500;

/** Builds the admin app (see docs/appliance.md "Local admin API"). */
export function createAdminApp(deps: AdminDeps): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (e) {
      const err = e instanceof OsirisError ? e : undefined;
      ctx.status = err?.status ?? 500;
      ctx.body = err ? { error: err.toJSON() } : { error: { code: 'E_INTERNAL', message: 'Internal error' } };
      if (ctx.status >= 500) deps.logger.error({ err: e, path: ctx.path }, 'admin request failed');
    }
  });
  app.use(async (ctx, next) => {
    if (!bearerMatches(ctx.get('authorization') || undefined, deps.token())) {
      ctx.set('www-authenticate', 'Bearer');
      throw new OsirisError(adminErrors.E_ADMIN_UNAUTHORIZED);
    }
    await next();
  });
  app.use(async (ctx) => {
    const route = `${ctx.method} ${ctx.path}`;
    switch (route) {
      case 'GET /status':
        ctx.body = deps.status();
        return;
      case 'GET /incidents': {
        const raw = ctx.query.limit;
        const limit =
          raw === undefined ? 50 : typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_INCIDENTS)
          throw new OsirisError(adminErrors.E_ADMIN_BAD_QUERY, `limit must be an integer 1-${MAX_INCIDENTS}`);
        ctx.body = { incidents: deps.recent(limit) };
        return;
      }
      case 'POST /settings': {
        const body = await readJsonBody(ctx);
        const parsed = siteSettingsPatchSchema.safeParse(body);
        if (!parsed.success)
          throw new OsirisError(
            commonErrors.E_INVALID_INPUT,
            `invalid settings patch: ${parsed.error.issues
              .slice(0, 5)
              .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
              .join('; ')}`,
          );
        const admin = /^[A-Za-z0-9_.@-]{1,64}$/.test(ctx.get('x-osiris-admin'))
          ? ctx.get('x-osiris-admin')
          : 'local';
        ctx.body = await deps.editSettings(parsed.data, admin);
        return;
      }
      default:
        throw new OsirisError(commonErrors.E_NOT_FOUND);
    }
  });
  return app;
}
