// Pattern statistics: site-wide sums over appliances (the projection's view), success rates, the
// L1/L2/L3 mix and occurrence trends from the portal's samples.
import { html } from '../html.ts';
import type { Reply, Req } from '../http/request.ts';
import { donut, lineChart, rateBars } from './charts.ts';
import { layout, timeAgo } from './layout.ts';
import { frame, siteOr404 } from './page-context.ts';

interface PatternRow {
  signature: string;
  incident_type: string;
  check_type: string | null;
  total_occurrences: number;
  l1_resolutions: number;
  l2_resolutions: number;
  l3_resolutions: number;
  success_count: number;
  total_resolution_time_ms: number;
  last_seen: Date;
  recommended_action: string | null;
  appliances: number;
}

const labelOf = (p: Pick<PatternRow, 'incident_type' | 'check_type'>) =>
  `${p.incident_type}${p.check_type ? ` / ${p.check_type}` : ''}`;

export async function statsPage(req: Req): Promise<Reply> {
  const site = await siteOr404(req);
  const { sql } = req.deps;
  const rows = (
    await sql.query<PatternRow>(
      `select signature, incident_type, check_type, total_occurrences::float8 as total_occurrences,
              l1_resolutions::float8 as l1_resolutions, l2_resolutions::float8 as l2_resolutions, l3_resolutions::float8 as l3_resolutions,
              success_count::float8 as success_count, total_resolution_time_ms::float8 as total_resolution_time_ms, last_seen, recommended_action, appliances
         from site_pattern_stats where site_id = $1 order by total_occurrences desc, signature limit 50`,
      [site.id],
    )
  ).rows;
  const top = rows.slice(0, 6);
  const samples = (
    await sql.query<{ signature: string; at: Date; n: number }>(
      `select signature, sampled_at as at, total_occurrences::float8 as n from portal_pattern_samples
        where site_id = $1 and signature = any($2) and sampled_at > now() - interval '7 days' order by sampled_at`,
      [site.id, top.map((t) => t.signature)],
    )
  ).rows;
  const sum = (
    k: 'l1_resolutions' | 'l2_resolutions' | 'l3_resolutions' | 'total_occurrences' | 'success_count',
  ) => rows.reduce((n, r) => n + Number(r[k]), 0);
  const occ = sum('total_occurrences');
  const body = html`<section id="stats" data-live="pattern_stats">
    <div class="stats-row">
      <div class="stat">
        <div class="stat-label">Patterns</div>
        <div class="stat-value">${rows.length}</div>
      </div>
      <div class="stat">
        <div class="stat-label">Occurrences</div>
        <div class="stat-value">${occ}</div>
      </div>
      <div class="stat">
        <div class="stat-label">Success rate</div>
        <div class="stat-value">${occ ? `${Math.round((100 * sum('success_count')) / occ)}%` : '—'}</div>
      </div>
      <div class="stat">
        <div class="stat-label">Healed by L1</div>
        <div class="stat-value">${occ ? `${Math.round((100 * sum('l1_resolutions')) / occ)}%` : '—'}</div>
      </div>
    </div>
    <div class="grid-2">
      <article class="card">
        <h2>Success rate by pattern</h2>
        ${rows.length ? rateBars(top.map((r) => ({ label: labelOf(r), value: r.total_occurrences ? r.success_count / r.total_occurrences : 0, note: `${r.total_occurrences} occurrences` }))) : html`<p class="muted pad">No incidents recorded yet.</p>`}
      </article>
      <article class="card">
        <h2>Resolution mix</h2>
        ${donut([
          { label: 'L1 (deterministic)', value: sum('l1_resolutions'), color: '#16a34a' },
          { label: 'L2 (planner)', value: sum('l2_resolutions'), color: '#2563eb' },
          { label: 'L3 (human)', value: sum('l3_resolutions'), color: '#d97706' },
        ])}
      </article>
    </div>
    <article class="card">
      <h2>Occurrences over time</h2>
      ${lineChart(
        top.map((t) => ({
          label: labelOf(t),
          points: samples
            .filter((s) => s.signature === t.signature)
            .map((s) => [new Date(s.at).getTime(), Number(s.n)] as const),
        })),
      )}
    </article>
    <article class="card">
      <h2>Patterns</h2>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th>Pattern</th>
              <th class="num">Occurrences</th>
              <th class="num">L1</th>
              <th class="num">L2</th>
              <th class="num">L3</th>
              <th class="num">Success</th>
              <th class="num">Avg time</th>
              <th>Recommended action</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map(
              (r) =>
                html`<tr>
                  <td>${labelOf(r)}<br /><code class="small">${r.signature}</code></td>
                  <td class="num">${r.total_occurrences}</td>
                  <td class="num">${r.l1_resolutions}</td>
                  <td class="num">${r.l2_resolutions}</td>
                  <td class="num">${r.l3_resolutions}</td>
                  <td class="num">
                    ${r.total_occurrences ? `${Math.round((100 * r.success_count) / r.total_occurrences)}%` : '—'}
                  </td>
                  <td class="num">
                    ${r.total_occurrences ? `${Math.round(r.total_resolution_time_ms / r.total_occurrences)} ms` : '—'}
                  </td>
                  <td><code class="small">${r.recommended_action ?? '—'}</code></td>
                  <td>${timeAgo(r.last_seen)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </article>
  </section>`;
  return { page: layout(await frame(req, 'stats', 'Pattern statistics', site), body) };
}
