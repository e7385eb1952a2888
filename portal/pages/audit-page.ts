// Audit log of a site: portal actions (who, from which session and address), the cloud's own writes
// (promotions, document edits) and the appliances' audit trails (from which device), newest first.
import { html } from '../html.ts';
import type { Reply, Req } from '../http/request.ts';
import { badge, fmtDate, layout } from './layout.ts';
import { frame, siteOr404 } from './page-context.ts';

interface AuditRow {
  at: Date;
  source: 'portal' | 'cloud' | 'appliance';
  actor: string;
  action: string;
  target: string;
  origin: string | null;
  outcome: string | null;
}

export async function auditPage(req: Req): Promise<Reply> {
  const site = await siteOr404(req);
  const rows = (
    await req.deps.sql.query<AuditRow>(
      `select * from (
         select at, 'portal' as source, actor, action, target,
                concat_ws(' · ', 'session ' || session_ref, ip) as origin, null as outcome
           from portal_audit where site_id = $1
         union all
         select at, 'cloud', actor, action, target, null, null from cloud_audit where site_id = $1
         union all
         select at, 'appliance', actor, action, target, appliance_id, outcome from audit_events where site_id = $1
       ) x order by at desc limit 200`,
      [site.id],
    )
  ).rows;
  const tone = { portal: 'info', cloud: 'muted', appliance: 'ok' } as const;
  const body = html`<section
    id="audit"
    data-live="audit_trail site_settings rule_book exceptions"
    class="card"
  >
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th>When</th>
            <th>Source</th>
            <th>Who</th>
            <th>What</th>
            <th>Target</th>
            <th>From</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) =>
              html`<tr>
                <td class="nowrap">${fmtDate(r.at)}</td>
                <td>${badge(r.source, tone[r.source])}</td>
                <td>${r.actor}</td>
                <td>
                  <code class="small">${r.action}</code
                  >${r.outcome ? html` ${badge(r.outcome, r.outcome === 'success' ? 'ok' : r.outcome === 'failure' ? 'bad' : 'muted')}` : ''}
                </td>
                <td><code class="small">${r.target}</code></td>
                <td class="muted small">${r.origin ?? '—'}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${rows.length ? '' : html`<p class="muted pad">Nothing recorded yet.</p>`}
  </section>`;
  return { page: layout(await frame(req, 'audit', 'Audit log', site), body) };
}
