// L1 rules: built-in and promoted, with match counts and success rates from the appliances' outcomes;
// partners enable or disable a rule through the RuleBook document.
import { OsirisError, RULE_ID, type RuleBook } from '../../schemas/index.ts';
import { commonErrors } from '../../schemas/errors.ts';
import { deriveDocId } from '../../sync/doc-ids.ts';
import { awaitProjection } from '../data/await-projection.ts';
import { html } from '../html.ts';
import type { Reply, Req } from '../http/request.ts';
import { actorOf, canEditSite } from '../viewer.ts';
import { badge, csrfField, fmtDate, layout } from './layout.ts';
import { frame, redirectNotice, requireRole, siteOr404, sitePath } from './page-context.ts';

interface RuleRow {
  rule_id: string;
  name: string;
  description: string;
  action: string;
  enabled: boolean;
  priority: number;
  source: string;
  tier: string | null;
  promoted_at: Date | null;
  matches: number;
  successes: number;
}

const pct = (n: number, d: number) => (d === 0 ? '—' : `${Math.round((100 * n) / d)}%`);

export async function rulesPage(req: Req): Promise<Reply> {
  const site = await siteOr404(req);
  const rows = (
    await req.deps.sql.query<RuleRow>(
      `select r.rule_id, r.name, r.description, r.action, r.enabled, r.priority, r.source, r.tier, r.promoted_at,
              coalesce(sum(o.success + o.failure + o.partial + o.escalated + o.timeout), 0)::int as matches,
              coalesce(sum(o.success), 0)::int as successes
         from l1_rules r left join rule_outcomes o on o.site_id = r.site_id and o.rule_id = r.rule_id
        where r.site_id = $1
        group by r.rule_id, r.name, r.description, r.action, r.enabled, r.priority, r.source, r.tier, r.promoted_at
        order by r.priority, r.rule_id`,
      [site.id],
    )
  ).rows;
  const editable = canEditSite(req.viewer);
  const body = html`<section id="rules" data-live="rule_book pattern_stats" class="card">
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th>Rule</th>
            <th>Source</th>
            <th>Action</th>
            <th class="num">Priority</th>
            <th class="num">Matches</th>
            <th class="num">Success</th>
            <th>Status</th>
            ${editable ? html`<th></th>` : ''}
          </tr>
        </thead>
        <tbody>
          ${rows.map((r) => {
            const rate = r.matches ? r.successes / r.matches : null;
            return html`<tr data-rule="${r.rule_id}">
              <td>
                <strong>${r.name}</strong><br /><code class="small">${r.rule_id}</code
                >${r.description ? html`<div class="muted small">${r.description}</div>` : ''}
              </td>
              <td>
                ${r.source === 'promoted' ? badge('promoted', 'info') : badge(r.source, 'muted')}${r.tier ? html` <span class="muted small">${r.tier.replace('_', ' ')}</span>` : ''}${r.promoted_at ? html`<div class="muted small">${fmtDate(r.promoted_at)}</div>` : ''}
              </td>
              <td><code class="small">${r.action}</code></td>
              <td class="num">${r.priority}</td>
              <td class="num">${r.matches}</td>
              <td class="num">
                ${rate === null ? '—' : html`<span class="${rate >= 0.9 ? 'rate good' : rate >= 0.7 ? 'rate mid' : 'rate bad'}">${pct(r.successes, r.matches)}</span>`}
              </td>
              <td>${r.enabled ? badge('enabled', 'ok') : badge('disabled', 'muted')}</td>
              ${
                editable
                  ? html`<td>
                      <form
                        method="post"
                        action="${sitePath(site, 'rules')}/${encodeURIComponent(r.rule_id)}"
                      >
                        ${csrfField(req.viewer)}<input
                          type="hidden"
                          name="enabled"
                          value="${r.enabled ? 'false' : 'true'}"
                        /><button class="btn btn-small" type="submit">
                          ${r.enabled ? 'Disable' : 'Enable'}
                        </button>
                      </form>
                    </td>`
                  : ''
              }
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
    ${rows.length ? '' : html`<p class="muted pad">No rules projected yet.</p>`}
  </section>`;
  return { page: layout(await frame(req, 'rules', 'L1 rules', site), body) };
}

export async function toggleRule(req: Req): Promise<Reply> {
  const site = await siteOr404(req);
  const ruleId = req.params['rule'] ?? '';
  if (!RULE_ID.test(ruleId)) throw new OsirisError(commonErrors.E_NOT_FOUND);
  const h = await req.deps.sync.handle<RuleBook>(deriveDocId({ siteId: site.id }, 'rule_book'));
  await h.whenReady();
  if (!Object.hasOwn((h.doc() as RuleBook).rules, ruleId)) throw new OsirisError(commonErrors.E_NOT_FOUND);
  requireRole(canEditSite(req.viewer));
  const enabled = req.form.get('enabled') === 'true';
  const heads = await req.deps.sync.editSiteDoc<RuleBook>(
    site.id,
    'rule_book',
    actorOf(req.viewer),
    enabled ? 'rule.enable' : 'rule.disable',
    (d) => {
      const r = d.rules[ruleId];
      if (r) r.enabled = enabled;
    },
  );
  await awaitProjection(req.deps.sql, req.deps.sync, site.id, 'rule_book', heads);
  await req.audit(enabled ? 'rule.enable' : 'rule.disable', ruleId, site.id);
  return redirectNotice(sitePath(site, 'rules'), 'rule');
}
