// Fleet: the viewer's sites, their appliances (online/offline, last sync, documents behind) and the
// cloud's projection lag.
import { type Html, html } from '../html.ts';
import type { Reply, Req } from '../http/request.ts';
import { sitesFor } from '../scope.ts';
import { badge, layout, timeAgo } from './layout.ts';
import { frame, sitePath } from './page-context.ts';

interface SiteProjection {
  site_id: string;
  projected_at: Date | null;
  queued: number;
  quarantined: number;
}

function stat(label: string, value: Html | string | number, hint?: string): Html {
  return html`<div class="stat">
    <div class="stat-label">${label}</div>
    <div class="stat-value">${value}</div>
    ${hint ? html`<div class="stat-hint">${hint}</div>` : ''}
  </div>`;
}

const ms = (v: number | null) =>
  v === null ? '—' : v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`;

export async function fleetSection(req: Req): Promise<Html> {
  const { sql, sync } = req.deps;
  const sites = await sitesFor(sql, req.viewer);
  const ids = sites.map((s) => s.id);
  const appliances = ids.length ? await sync.status.list(ids) : [];
  const projection = await sync.status.projection();
  const perSite = new Map(
    (
      await sql.query<SiteProjection>(
        `select d.site_id, max(p.projected_at) as projected_at,
                (select count(distinct q.doc_id)::int from projection_queue q join documents d2 on d2.doc_id = q.doc_id where d2.site_id = d.site_id) as queued,
                count(*) filter (where p.quarantined)::int as quarantined
           from documents d left join projection_state p on p.doc_id = d.doc_id
          where d.site_id = any($1) group by d.site_id`,
        [ids],
      )
    ).rows.map((r) => [r.site_id, r]),
  );
  const online = appliances.filter((a) => a.connected).length;
  const behind = appliances.reduce((n, a) => n + a.documentsBehind, 0);
  return html`<section
    id="fleet"
    data-live="fleet site_settings rule_book exceptions pattern_stats audit_trail"
    data-live-any
  >
    <div class="stats-row">
      ${stat('Sites', sites.length)}
      ${stat('Appliances online', html`${online}<span class="of"> / ${appliances.length}</span>`)}
      ${stat('Documents behind', behind, behind ? 'appliance copies that lag the cloud' : 'every appliance is in sync')}
      ${stat('Projection lag', ms(projection.lagMsP50), `p99 ${ms(projection.lagMsP99)} · ${projection.queued} queued`)}
    </div>
    ${
      sites.length === 0
        ? html`<div class="card empty">No sites yet.</div>`
        : sites.map((s) => {
            const apps = appliances.filter((a) => a.siteId === s.id);
            const p = perSite.get(s.id);
            const up = apps.filter((a) => a.connected).length;
            const tone = apps.length === 0 ? 'muted' : up === apps.length ? 'ok' : up === 0 ? 'bad' : 'warn';
            const lastSync =
              apps
                .map((a) => a.lastSeen)
                .filter((x): x is string => x !== null)
                .sort()
                .pop() ?? null;
            return html`<article class="card site-card">
              <header class="card-head">
                <div>
                  <h2><a href="${sitePath(s, 'settings')}">${s.name}</a></h2>
                  <p class="muted">${s.client_name ?? 'No client assigned'} · <code>${s.id}</code></p>
                </div>
                <div class="card-badges">
                  ${badge(apps.length ? `${up}/${apps.length} online` : 'no appliances', tone)}${p?.quarantined ? badge(`${p.quarantined} quarantined`, 'bad') : ''}
                </div>
              </header>
              <dl class="facts">
                <div>
                  <dt>Last sync</dt>
                  <dd>${timeAgo(lastSync)}</dd>
                </div>
                <div>
                  <dt>Last projected</dt>
                  <dd>${timeAgo(p?.projected_at ?? null)}</dd>
                </div>
                <div>
                  <dt>Queued for projection</dt>
                  <dd>${p?.queued ?? 0}</dd>
                </div>
              </dl>
              ${
                apps.length
                  ? html`<div class="table-wrap">
                      <table class="table">
                        <thead>
                          <tr>
                            <th>Appliance</th>
                            <th>Status</th>
                            <th>Last seen</th>
                            <th>Documents behind</th>
                            <th>Documents</th>
                          </tr>
                        </thead>
                        <tbody>
                          ${apps.map(
                            (a) =>
                              html`<tr>
                                <td><code>${a.applianceId}</code></td>
                                <td>${a.connected ? badge('online', 'ok') : badge('offline', 'bad')}</td>
                                <td>${timeAgo(a.lastSeen)}</td>
                                <td>
                                  ${a.documentsBehind ? badge(String(a.documentsBehind), 'warn') : badge('0', 'ok')}
                                </td>
                                <td class="doc-dots">
                                  ${a.documents.map(
                                    (d) =>
                                      html`<span
                                        class="${d.inSync === null ? 'dot dot-unknown' : d.inSync ? 'dot dot-ok' : 'dot dot-warn'}"
                                        title="${d.kind}: ${d.inSync === null ? 'unknown' : d.inSync ? 'in sync' : 'behind'}"
                                      ></span>`,
                                  )}
                                </td>
                              </tr>`,
                          )}
                        </tbody>
                      </table>
                    </div>`
                  : html`<p class="muted pad">Enroll an appliance with a one-time token to start syncing.</p>`
              }
            </article>`;
          })
    }
  </section>`;
}

export async function fleetPage(req: Req): Promise<Reply> {
  return { page: layout(await frame(req, 'fleet', 'Fleet'), await fleetSection(req)) };
}
