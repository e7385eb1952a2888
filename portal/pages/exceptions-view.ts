// Rendering of the exceptions list (from the projection), its history and the request form.
import { EXCEPTION_ACTIONS, EXCEPTION_SCOPES, EXPIRING_SOON_MS } from '../../schemas/index.ts';
import { type Html, html } from '../html.ts';
import type { Req } from '../http/request.ts';
import type { SiteRow } from '../scope.ts';
import { canDecideExceptions } from '../viewer.ts';
import { badge, csrfField, fmtDate } from './layout.ts';
import { sitePath } from './page-context.ts';

interface ExceptionRow {
  exception_id: string;
  scope: string;
  item_id: string;
  device_filter: string | null;
  reason: string;
  compensating_control: string;
  action: string;
  status: string;
  starts_at: Date;
  expires_at: Date;
  requested_by: string;
  requested_at: Date;
  approved_by: string | null;
  decision_reason: string | null;
}
interface HistoryRow {
  exception_id: string;
  at: Date;
  actor: string;
  event: string;
  status: string;
  note: string | null;
}

function statusBadge(e: ExceptionRow, now: number): Html {
  const exp = new Date(e.expires_at).getTime();
  if (e.status === 'active' && exp <= now) return badge('past expiry', 'warn');
  if (e.status === 'active' && exp - now <= EXPIRING_SOON_MS) return badge('expiring soon', 'warn');
  const tone = { active: 'ok', requested: 'info', denied: 'bad', revoked: 'bad', expired: 'muted' } as const;
  return badge(e.status, tone[e.status as keyof typeof tone] ?? 'muted');
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function decisionForms(req: Req, site: SiteRow, e: ExceptionRow, now: number): Html {
  if (!canDecideExceptions(req.viewer)) return html``;
  const base = `${sitePath(site, 'exceptions')}/${encodeURIComponent(e.exception_id)}`;
  const exp = new Date(e.expires_at).getTime();
  const forms: Html[] = [];
  if (e.status === 'requested') {
    forms.push(
      html`<form method="post" action="${base}/approve" class="inline-form">
        ${csrfField(req.viewer)}
        <label class="compact"
          >Until<input type="date" name="expires_on" value="${day(Math.min(exp, now + 90 * 86_400_000))}"
        /></label>
        <button class="btn btn-small btn-primary" type="submit" data-action="approve">Approve</button>
      </form>`,
    );
    forms.push(
      html`<form method="post" action="${base}/deny" class="inline-form">
        ${csrfField(req.viewer)}
        <input
          name="reason"
          maxlength="1000"
          placeholder="Reason for denial"
          aria-label="Reason for denial"
        /><button class="btn btn-small btn-danger" type="submit" data-action="deny">Deny</button>
      </form>`,
    );
  }
  if (e.status === 'active' && exp > now) {
    forms.push(
      html`<form method="post" action="${base}/renew" class="inline-form">
        ${csrfField(req.viewer)}
        <label class="compact"
          >Until<input type="date" name="expires_on" value="${day(exp + 30 * 86_400_000)}" /></label
        ><button class="btn btn-small" type="submit">Renew</button>
      </form>`,
    );
    forms.push(
      html`<form method="post" action="${base}/revoke" class="inline-form">
        ${csrfField(req.viewer)}
        <input
          name="reason"
          maxlength="1000"
          minlength="5"
          required
          placeholder="Reason to revoke"
          aria-label="Reason to revoke"
        /><button class="btn btn-small btn-danger" type="submit">Revoke</button>
      </form>`,
    );
  }
  if ((e.status === 'active' || e.status === 'requested') && exp <= now) {
    forms.push(
      html`<form method="post" action="${base}/expire" class="inline-form">
        ${csrfField(req.viewer)}<button class="btn btn-small" type="submit">Mark expired</button>
      </form>`,
    );
  }
  return html`<div class="decisions">${forms}</div>`;
}

export async function exceptionsView(req: Req, site: SiteRow): Promise<Html> {
  const now = Date.now();
  const rows = (
    await req.deps.sql.query<ExceptionRow>(
      `select * from compliance_exceptions where site_id = $1
        order by case status when 'requested' then 0 when 'active' then 1 else 2 end, requested_at desc`,
      [site.id],
    )
  ).rows;
  const history = (
    await req.deps.sql.query<HistoryRow>(
      'select exception_id, at, actor, event, status, note from exception_history where site_id = $1 order by seq',
      [site.id],
    )
  ).rows;
  const list = rows.length
    ? rows.map(
        (e) =>
          html`<article class="card exception" data-exception="${e.exception_id}" data-status="${e.status}">
            <header class="card-head">
              <div>
                <h3><code>${e.exception_id}</code> ${e.scope} <code>${e.item_id}</code></h3>
                <p class="muted">
                  ${e.action.replace(/_/g, ' ')}${e.device_filter ? html` · devices <code>${e.device_filter}</code>` : ''}
                  · ${fmtDate(e.starts_at)} → ${fmtDate(e.expires_at)}
                </p>
              </div>
              <div class="card-badges">${statusBadge(e, now)}</div>
            </header>
            <p class="reason">${e.reason}</p>
            ${e.compensating_control ? html`<p><strong>Compensating control:</strong> ${e.compensating_control}</p>` : ''}
            ${e.decision_reason ? html`<p><strong>Decision:</strong> ${e.decision_reason}</p>` : ''}
            <p class="muted small">
              Requested by ${e.requested_by}${e.approved_by ? html` · approved by ${e.approved_by}` : ''}
            </p>
            ${decisionForms(req, site, e, now)}
            <details>
              <summary>History</summary>
              <ol class="timeline">
                ${history
                  .filter((h) => h.exception_id === e.exception_id)
                  .map(
                    (h) =>
                      html`<li>
                        <span class="muted">${fmtDate(h.at)}</span> <strong>${h.event}</strong> by ${h.actor}
                        → ${h.status}${h.note ? html` — ${h.note}` : ''}
                      </li>`,
                  )}
              </ol>
            </details>
          </article>`,
      )
    : html`<div class="card empty">No exceptions for this site.</div>`;
  return html`<div class="grid-main">
    <section id="exceptions" data-live="exceptions">${list}</section>
    <aside class="card request-card">
      <h2>Request an exception</h2>
      <form method="post" action="${sitePath(site, 'exceptions')}" class="stack">
        ${csrfField(req.viewer)}
        <label
          >Scope<select name="scope">
            ${EXCEPTION_SCOPES.map((s) => html`<option value="${s}">${s}</option>`)}
          </select></label
        >
        <label
          >Item (runbook, check or control id)<input
            name="item_id"
            required
            maxlength="128"
            placeholder="e.g. bitlocker_status"
        /></label>
        <label
          >Devices (optional)<input name="device_filter" maxlength="200" placeholder="hostname:legacy-*"
        /></label>
        <label
          >Action<select name="action">
            ${EXCEPTION_ACTIONS.map((a) => html`<option value="${a}">${a.replace(/_/g, ' ')}</option>`)}
          </select></label
        >
        <label
          >Reason (10–1000 characters)<textarea
            name="reason"
            rows="3"
            required
            minlength="10"
            maxlength="1000"
          ></textarea>
        </label>
        <label
          >Compensating control<textarea name="compensating_control" rows="2" maxlength="1000"></textarea>
        </label>
        <label
          >Expires on<input type="date" name="expires_on" required value="${day(now + 30 * 86_400_000)}"
        /></label>
        <button class="btn btn-primary" type="submit">Submit request</button>
      </form>
    </aside>
  </div>`;
}
