// Evidence: placeholder until the evidence log lands (issue "evidence"). renderEvidence is the one
// function to fill in: chain status per appliance, latest checkpoint, verify-in-browser.
import { type Html, html } from '../html.ts';
import type { Reply, Req } from '../http/request.ts';
import { layout } from './layout.ts';
import { frame } from './page-context.ts';

/** Whether the evidence tables exist yet (migration 006_evidence.sql). */
async function evidenceTablesExist(req: Req): Promise<boolean> {
  const r = await req.deps.sql.query<{ n: number }>(
    "select count(*)::int as n from information_schema.tables where table_name like 'evidence%' and table_schema = current_schema()",
  );
  return (r.rows[0]?.n ?? 0) > 0;
}

/** The evidence section (to be written by the evidence issue); "coming" until its tables exist. */
export async function renderEvidence(req: Req): Promise<Html> {
  if (!(await evidenceTablesExist(req)))
    return html`<section class="card empty" id="evidence">
      <h2>Evidence is coming</h2>
      <p class="muted">
        Signed, hash-chained compliance bundles with per-appliance chain status, checkpoints and in-browser
        verification will appear here.
      </p>
    </section>`;
  return html`<section class="card empty" id="evidence">
    <h2>Evidence</h2>
    <p class="muted">The evidence log exists; its portal view is coming.</p>
  </section>`;
}

export async function evidencePage(req: Req): Promise<Reply> {
  return { page: layout(await frame(req, 'evidence', 'Evidence'), await renderEvidence(req)) };
}
