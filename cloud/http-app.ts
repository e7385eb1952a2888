import Koa from 'koa';
import type { Registry } from 'prom-client';
import { OsirisError } from '../schemas/errors.ts';
import { cloudErrors } from './cloud-errors.ts';
import type { Logger } from '../sync/log.ts';
import type { SqlClient } from '../sync/sql/sql-client.ts';

export interface HttpAppDeps {
  readonly sql: SqlClient;
  readonly metrics: Registry;
  readonly logger: Logger;
  /** Extra routes mounted by later layers (sync status, evidence, portal). */
  readonly mount?: ReadonlyArray<(app: Koa) => void>;
}

/** The cloud's HTTP app as a factory that does not listen (tests drive app.callback()). */
export function createHttpApp(deps: HttpAppDeps): Koa {
  const app = new Koa();
  app.proxy = false;
  // Errors become coded JSON; messages of non-exposed errors never reach the client.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (e) {
      const err = e instanceof OsirisError ? e : undefined;
      ctx.status = err?.status ?? 500;
      ctx.body = err ? { error: err.toJSON() } : { error: { code: 'E_INTERNAL', message: 'Internal error' } };
      if (ctx.status >= 500) deps.logger.error({ err: e, path: ctx.path }, 'request failed');
    }
  });
  app.use(async (ctx, next) => {
    if (ctx.method !== 'GET') return next();
    switch (ctx.path) {
      case '/healthz':
        ctx.body = { ok: true };
        return;
      case '/readyz':
        try {
          await deps.sql.query('select 1');
          ctx.body = { ok: true, database: deps.sql.dialect };
        } catch {
          ctx.status = 503;
          ctx.body = { ok: false, code: cloudErrors.E_DB_UNAVAILABLE.code };
        }
        return;
      case '/metrics':
        ctx.type = deps.metrics.contentType;
        ctx.body = await deps.metrics.metrics();
        return;
      default:
        return next();
    }
  });
  for (const m of deps.mount ?? []) m(app);
  return app;
}
