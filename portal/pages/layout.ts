// The page frame: top bar, navigation (site sections for the chosen site), notices, live-update hook.
import { type Html, html } from '../html.ts';
import type { SiteRow } from '../scope.ts';
import { ROLE_LABELS, type Viewer } from '../viewer.ts';

export type NavKey = 'fleet' | 'settings' | 'exceptions' | 'rules' | 'stats' | 'audit' | 'evidence';

export interface PageFrame {
  readonly viewer: Viewer;
  readonly title: string;
  readonly active: NavKey;
  readonly sites: readonly SiteRow[];
  /** The site the site sections link to (current, else the first visible). */
  readonly site?: SiteRow | undefined;
  readonly notice?: string | undefined;
  readonly error?: string | undefined;
  /** Extra same-origin scripts for this page (CSP: script-src 'self'). */
  readonly scripts?: readonly string[];
}

/** Fixed notices, chosen by code from the query string (the text itself is never reflected). */
export const NOTICES: Readonly<Record<string, string>> = {
  saved: 'Settings saved.',
  nochange: 'Nothing changed.',
  requested: 'Exception requested. A partner admin will review it.',
  approved: 'Exception approved.',
  denied: 'Exception denied.',
  revoked: 'Exception revoked.',
  expired: 'Exception marked expired.',
  renewed: 'Exception renewed.',
  rule: 'Rule updated.',
};

const SITE_SECTIONS: readonly [NavKey, string][] = [
  ['settings', 'Settings'],
  ['exceptions', 'Exceptions'],
  ['rules', 'Rules'],
  ['stats', 'Patterns'],
  ['audit', 'Audit log'],
];

function navLink(href: string, label: string, on: boolean): Html {
  return html`<a
    href="${href}"
    class="${on ? 'nav-link active' : 'nav-link'}"
    ${on ? html` aria-current="page"` : ''}
    >${label}</a
  >`;
}

export function layout(f: PageFrame, body: Html): Html {
  const site = f.site ?? f.sites[0];
  const sitePath = (key: NavKey) => (site ? `/sites/${encodeURIComponent(site.id)}/${key}` : '/fleet');
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${f.title} · Osiris</title>
        <link rel="stylesheet" href="/static/portal.css" />
        <script src="/static/portal.js" defer></script>
        ${(f.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
      </head>
      <body data-live-site="${site?.id ?? ''}">
        <header class="topbar">
          <a class="brand" href="/fleet"
            ><span class="brand-mark" aria-hidden="true"></span>Osiris
            <span class="brand-sub">Compliance Cloud</span></a
          >
          <nav class="mainnav" aria-label="Main">
            ${navLink('/fleet', 'Fleet', f.active === 'fleet')}
            ${SITE_SECTIONS.map(([k, label]) => navLink(sitePath(k), label, f.active === k))}
            ${navLink('/evidence', 'Evidence', f.active === 'evidence')}
          </nav>
          <div class="account">
            <span class="live-dot" data-live-status title="Live updates">Live</span>
            <span class="who"
              ><strong>${f.viewer.name}</strong><small>${ROLE_LABELS[f.viewer.role]}</small></span
            >
            <form method="post" action="/logout">
              <input type="hidden" name="_csrf" value="${f.viewer.csrf}" /><button
                class="btn btn-ghost"
                type="submit"
              >
                Sign out
              </button>
            </form>
          </div>
        </header>
        ${
          f.sites.length > 1 && f.active !== 'fleet' && f.active !== 'evidence'
            ? html`<nav class="sitebar" aria-label="Sites">
                ${f.sites.map(
                  (s) =>
                    html`<a
                      class="${s.id === site?.id ? 'chip active' : 'chip'}"
                      href="/sites/${encodeURIComponent(s.id)}/${f.active}"
                      >${s.name}</a
                    >`,
                )}
              </nav>`
            : ''
        }
        <main class="content">
          <div class="page-head">
            <h1>${f.title}</h1>
            ${f.site && f.active !== 'fleet' ? html`<p class="muted">${f.site.name}${f.site.client_name ? html` · ${f.site.client_name}` : ''} · <code>${f.site.id}</code></p>` : ''}
          </div>
          ${f.notice ? html`<div class="notice ok" role="status">${f.notice}</div>` : ''}
          ${f.error ? html`<div class="notice error" role="alert">${f.error}</div>` : ''} ${body}
        </main>
        <footer class="footer">Osiris Sync · data from the cloud projection, refreshed live</footer>
      </body>
    </html>`;
}

/** A bare page (sign-in, errors) without navigation. */
export function barePage(title: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Osiris</title>
        <link rel="stylesheet" href="/static/portal.css" />
      </head>
      <body class="bare">
        <main class="bare-main">
          <div class="bare-brand">
            <span class="brand-mark" aria-hidden="true"></span>Osiris
            <span class="brand-sub">Compliance Cloud</span>
          </div>
          ${body}
        </main>
      </body>
    </html>`;
}

/** Small helpers shared by pages. */
export function badge(text: string, tone: 'ok' | 'warn' | 'bad' | 'info' | 'muted'): Html {
  return html`<span class="badge badge-${tone}">${text}</span>`;
}

export function timeAgo(at: Date | number | string | null | undefined, now = Date.now()): Html {
  if (at === null || at === undefined) return html`<span class="muted">never</span>`;
  const t = new Date(at).getTime();
  const s = Math.round((now - t) / 1000);
  const text =
    s < 5
      ? 'just now'
      : s < 90
        ? `${s}s ago`
        : s < 5400
          ? `${Math.round(s / 60)} min ago`
          : s < 172800
            ? `${Math.round(s / 3600)} h ago`
            : `${Math.round(s / 86400)} days ago`;
  const iso = new Date(t).toISOString();
  return html`<time datetime="${iso}" title="${iso}">${text}</time>`;
}

export function fmtDate(at: Date | number | string | null | undefined): string {
  if (at === null || at === undefined) return '—';
  return new Date(at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function csrfField(v: Viewer): Html {
  return html`<input type="hidden" name="_csrf" value="${v.csrf}" />`;
}
