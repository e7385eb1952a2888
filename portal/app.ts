// The portal as Koa middleware mounted on the cloud's app: static files, sign-in, sessions, CSRF, and
// the route table of pages. Nothing here writes projected tables; edits go through CloudSync.
import type Koa from 'koa';
import { OsirisError, commonErrors, isOsirisError } from '../schemas/errors.ts';
import { AccountStore } from './accounts.ts';
import { readForm } from './http/form.ts';
import { loginCsrfCookieName, parseCookies, serializeCookie, sessionCookieName } from './http/cookies.ts';
import type { Handler, PortalDeps, Req } from './http/request.ts';
import { RouteTable } from './http/router.ts';
import { serveStatic } from './http/static-files.ts';
import { verifierBundle } from './http/verifier-bundle.ts';
import { LiveFeed } from './live/live-feed.ts';
import { errorPage, loginPage } from './pages/login-page.ts';
import { portalErrors } from './portal-errors.ts';
import { routes } from './routes.ts';
import { LoginThrottle } from './security/rate-limit.ts';
import { SessionStore } from './security/sessions.ts';
import { newToken, sameToken } from './security/tokens.ts';
import type { Viewer } from './viewer.ts';
import { PatternSampler } from './data/pattern-sampler.ts';

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export interface Portal {
  readonly sessions: SessionStore;
  readonly accounts: AccountStore;
  readonly live: LiveFeed;
  readonly sampler: PatternSampler;
  /** Koa middleware; mount with `app.use(portal.middleware)`. */
  readonly middleware: Koa.Middleware;
  close(): Promise<void>;
}

function safeNext(next: string | null): string {
  // Only local paths: no scheme, no protocol-relative `//host`, no backslash tricks.
  return next && /^\/(?![/\\])[A-Za-z0-9/_.%?=&-]*$/.test(next) ? next : '/fleet';
}

/** Creates the portal on an already running cloud node's SQL client and CloudSync. */
export function createPortal(deps: PortalDeps, options: { pollMs?: number; sampleMs?: number } = {}): Portal {
  const sessions = new SessionStore(deps.sql);
  const accounts = new AccountStore(deps.sql);
  const throttle = new LoginThrottle(deps.sql);
  const live = new LiveFeed(deps, options.pollMs ?? 1000);
  const sampler = new PatternSampler(deps.sql, options.sampleMs ?? 60_000, deps.logger);
  const table = routes(new RouteTable<Handler>(), deps);
  const sessionCookie = sessionCookieName(deps.secureCookies);
  const loginCookie = loginCsrfCookieName(deps.secureCookies);
  const cookie = (name: string, value: string, maxAge?: number) =>
    serializeCookie(name, value, {
      secure: deps.secureCookies,
      ...(maxAge === undefined ? {} : { maxAgeSeconds: maxAge }),
    });
  const ipOf = (ctx: Koa.Context) => ctx.request.ip || 'unknown';

  async function login(ctx: Koa.Context, cookies: Map<string, string>): Promise<void> {
    const form = await readForm(ctx.req);
    const email = (form.get('email') ?? '').trim().toLowerCase().slice(0, 254);
    const csrf = cookies.get(loginCookie);
    if (!sameToken(form.get('_csrf') ?? undefined, csrf)) throw new OsirisError(portalErrors.E_PORTAL_CSRF);
    const fresh = newToken();
    const again = (status: number, error: string) => {
      ctx.status = status;
      ctx.set('Set-Cookie', cookie(loginCookie, fresh, 3600));
      ctx.body = loginPage(fresh, { error, email, next: safeNext(form.get('next')) }).value;
    };
    if (!(await throttle.allowed(email, ipOf(ctx))))
      return again(429, portalErrors.E_PORTAL_RATE_LIMITED.message);
    const accountId = await accounts.authenticate(email, form.get('password') ?? '');
    if (!accountId) {
      await throttle.fail(email, ipOf(ctx));
      return again(401, 'E-mail or password is wrong.');
    }
    await throttle.clear(email, ipOf(ctx));
    // Never reuse a session id the browser brought along (fixation): drop it, issue a new one.
    await sessions.destroy(cookies.get(sessionCookie));
    const id = await sessions.create(accountId, ipOf(ctx), ctx.get('user-agent'));
    await deps.sql.query(
      `insert into portal_audit (account_id, actor, ip, user_agent, partner_id, action, target)
       select id, email, $2, $3, partner_id, 'login', 'session' from portal_accounts where id = $1`,
      [accountId, ipOf(ctx), ctx.get('user-agent').slice(0, 300)],
    );
    ctx.set('Set-Cookie', [cookie(sessionCookie, id), cookie(loginCookie, '', 0)]);
    ctx.redirect(safeNext(form.get('next')));
    ctx.status = 303;
  }

  function showLogin(ctx: Koa.Context): void {
    const token = newToken();
    ctx.set('Set-Cookie', cookie(loginCookie, token, 3600));
    ctx.type = 'html';
    ctx.body = loginPage(token, { next: safeNext(ctx.query['next'] as string | null) }).value;
  }

  async function dispatch(
    ctx: Koa.Context,
    viewer: Viewer,
    handler: Handler,
    params: Record<string, string>,
  ) {
    const form = ctx.method === 'POST' ? await readForm(ctx.req) : new URLSearchParams();
    if (ctx.method === 'POST') {
      const token = form.get('_csrf') ?? ctx.get('x-csrf-token');
      if (!sameToken(token || undefined, viewer.csrf)) throw new OsirisError(portalErrors.E_PORTAL_CSRF);
    }
    const req: Req = {
      ctx,
      deps,
      viewer,
      params,
      form,
      audit: async (action, target, siteId, detail = {}) => {
        await deps.sql.query(
          `insert into portal_audit (account_id, actor, session_ref, ip, user_agent, partner_id, site_id, action, target, detail)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [
            viewer.accountId,
            viewer.email,
            viewer.sessionRef,
            ipOf(ctx),
            ctx.get('user-agent').slice(0, 300),
            viewer.partnerId,
            siteId,
            action,
            target,
            JSON.stringify(detail),
          ],
        );
      },
    };
    const reply = await handler(req);
    if ('redirect' in reply) {
      ctx.redirect(reply.redirect);
      ctx.status = 303;
    } else if ('json' in reply) {
      ctx.status = 200;
      ctx.type = 'application/json; charset=utf-8';
      if (reply.filename)
        ctx.set(
          'Content-Disposition',
          `attachment; filename="${reply.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
        );
      ctx.body = JSON.stringify(reply.json, null, reply.filename ? 1 : 0);
    } else {
      ctx.status = reply.status ?? 200;
      ctx.type = 'html';
      ctx.body = reply.page.value;
    }
  }

  const middleware: Koa.Middleware = async (ctx, next) => {
    if (ctx.path.startsWith('/static/')) return serveStatic(ctx, next);
    const isLogin = ctx.path === '/login';
    const isLogout = ctx.path === '/logout';
    const matched = table.match(ctx.method, ctx.path);
    const own = isLogin || isLogout || ctx.path === '/' || ctx.path === '/events';
    if (!own && matched === undefined) return next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) ctx.set(k, v);
    const cookies = parseCookies(ctx.get('cookie'));
    try {
      if (isLogin && ctx.method === 'GET') return showLogin(ctx);
      if (isLogin && ctx.method === 'POST') return await login(ctx, cookies);
      const viewer = await sessions.lookup(cookies.get(sessionCookie));
      if (!viewer) {
        if (ctx.method === 'GET' && ctx.path !== '/events') {
          return ctx.redirect(`/login?next=${encodeURIComponent(ctx.path)}`);
        }
        throw new OsirisError(portalErrors.E_PORTAL_UNAUTHENTICATED);
      }
      if (isLogout && ctx.method === 'POST') {
        const form = await readForm(ctx.req);
        if (!sameToken(form.get('_csrf') ?? undefined, viewer.csrf))
          throw new OsirisError(portalErrors.E_PORTAL_CSRF);
        await sessions.destroy(cookies.get(sessionCookie));
        ctx.set('Set-Cookie', cookie(sessionCookie, '', 0));
        ctx.redirect('/login');
        ctx.status = 303;
        return;
      }
      if (ctx.path === '/') return ctx.redirect('/fleet');
      if (ctx.path === '/events' && ctx.method === 'GET') return live.serve(ctx, viewer);
      if (matched === undefined || matched === 'method') throw new OsirisError(commonErrors.E_NOT_FOUND);
      await dispatch(ctx, viewer, matched.handler, { ...matched.params });
    } catch (e) {
      const err = isOsirisError(e) ? e : undefined;
      if (!err) deps.logger.error({ err: e, path: ctx.path }, 'portal request failed');
      ctx.status = err?.status ?? 500;
      ctx.type = 'html';
      ctx.body = errorPage(ctx.status, err?.expose ? err.message : 'Something went wrong.').value;
    }
  };

  live.start();
  sampler.start();
  // Bundle the in-browser evidence verifier now so the first Evidence page does not wait for it.
  verifierBundle().catch((err: unknown) =>
    deps.logger.error({ err }, 'bundling the evidence verifier failed; retried on first request'),
  );
  return {
    sessions,
    accounts,
    live,
    sampler,
    middleware,
    async close() {
      await live.stop();
      await sampler.stop();
    },
  };
}

/**
 * A mount function for startCloud's `mount` option: the cloud builds its Koa app before it hands out
 * its SqlClient and CloudSync, so the portal is attached afterwards; until then it answers 503.
 */
export function portalMount(): {
  mount: (app: Koa) => void;
  attach(deps: PortalDeps, options?: { pollMs?: number; sampleMs?: number }): Portal;
} {
  let portal: Portal | undefined;
  return {
    mount: (app) =>
      app.use(async (ctx, next) => {
        if (portal) return portal.middleware(ctx, next);
        if (ctx.path.startsWith('/api/') || ctx.path.startsWith('/sync')) return next();
        throw new OsirisError(portalErrors.E_PORTAL_UNAVAILABLE);
      }),
    attach(deps, options) {
      portal = createPortal(deps, options);
      return portal;
    },
  };
}
