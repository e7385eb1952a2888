// Evidence: per site the viewer may see, each appliance's chain status (bundles, head, last check,
// last upload, refusals by code), the log's latest signed checkpoint, recent bundles with "Verify in
// browser" (the packet endpoint below feeds /static/evidence-verifier.js, which runs the CLI's verifier
// in the page), and the auditor export as a download. Everything is resolved through the viewer's
// sites: another tenant's site, appliance or bundle is the same 404 as an unknown one.
import { OsirisError, commonErrors } from '../../schemas/errors.ts';
import { EvidenceLog } from '../../cloud/evidence/evidence-log.ts';
import { exportEvidence } from '../../cloud/evidence/export.ts';
import { toBase64, toHex } from '../../sync/evidence/bytes.ts';
import { toUint8Array } from '../../sync/sql/sql-client.ts';
import { PACKET_FORMAT, type VerifyPacket } from '../client/verify-bundle.ts';
import { type Html, html } from '../html.ts';
import type { PortalDeps, Reply, Req } from '../http/request.ts';
import { VERIFIER_PATH } from '../http/verifier-bundle.ts';
import { type SiteRow, siteFor, sitesFor } from '../scope.ts';
import { badge, fmtDate, layout, timeAgo } from './layout.ts';
import { frame, siteOr404 } from './page-context.ts';

const PAGE_SIZE = 25;

const logs = new WeakMap<PortalDeps, Promise<EvidenceLog>>();

/** The node's evidence log, or one opened on the same database (same signer, same origin). */
export function evidenceLogOf(deps: PortalDeps): Promise<EvidenceLog> {
  if (deps.evidence) return Promise.resolve(deps.evidence);
  let p = logs.get(deps);
  if (!p) {
    p = (async () => {
      const cp = await deps.sql.query<{ note: string }>(
        'select note from evidence_checkpoints order by size desc limit 1',
      );
      const origin = cp.rows[0]?.note.split('\n')[0] ?? 'osiris-cloud/evidence';
      const key = process.env.OSIRIS_EVIDENCE_KEY;
      return EvidenceLog.open(deps.sql, { origin, ...(key ? { signerKey: key } : {}) });
    })();
    logs.set(deps, p);
  }
  return p;
}

interface ApplianceRow {
  id: string;
  site_id: string;
  status: string;
  revoked_at: Date | null;
  bundles: number;
  head: string | null;
  head_hash: string | null;
  last_checked: Date | null;
  last_upload: Date | null;
}

interface RejectionRow {
  appliance_id: string;
  chain_position: string | null;
  code: string;
  detail: string;
  at: Date;
}

interface BundleRow {
  log_index: string;
  appliance_id: string;
  chain_position: string;
  kind: string;
  checked_at: Date;
  received_at: Date;
  hash: string;
  body: unknown;
}

const num = (v: string | number | null | undefined): number =>
  v === null || v === undefined ? 0 : Number(v);
const shortHash = (h: string) => `${h.slice(0, 12)}…`;
const onlyDigits = (v: string | undefined, max = 15): number | undefined =>
  v !== undefined && new RegExp(`^\\d{1,${max}}$`).test(v) ? Number(v) : undefined;

function queryString(req: Req, name: string): string | undefined {
  const v = req.ctx.query[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** What a bundle's signed body says, for the table (appliance-written text: always escaped). */
function bundleSummary(body: unknown): string {
  try {
    const c = JSON.parse(new TextDecoder().decode(toUint8Array(body))) as {
      summary?: { total_checks?: number; compliant?: number; non_compliant?: number };
      checks?: { check?: string; hostname?: string; status?: string }[];
      execution?: { runbook_id?: unknown; outcome?: unknown };
      rotation?: { new_key?: string };
    };
    if (c.rotation?.new_key) return `rotates to ${c.rotation.new_key.slice(0, 12)}…`;
    const first = c.checks?.[0];
    const what = first ? `${first.check ?? '?'} on ${first.hostname ?? '?'}` : '';
    const exec = c.execution?.runbook_id
      ? ` · ${String(c.execution.runbook_id)} ${String(c.execution.outcome ?? '')}`
      : '';
    const s = c.summary;
    const tally = s ? `${s.compliant ?? 0}/${s.total_checks ?? 0} compliant` : '';
    return [what, tally].filter(Boolean).join(' · ') + exec;
  } catch {
    return '';
  }
}

function chainBadge(a: ApplianceRow, rejected: number): Html {
  if (a.status === 'revoked') return badge('revoked', 'bad');
  if (a.bundles === 0) return badge('no evidence yet', 'muted');
  if (num(a.head) !== a.bundles) return badge('gap in chain', 'bad');
  return rejected ? badge('intact · refusals', 'warn') : badge('intact', 'ok');
}

function checkpointCard(log: EvidenceLog, cp: { size: number; root: Uint8Array; note: string }): Html {
  return html`<section class="card" id="evidence-log">
    <header class="card-head">
      <div>
        <h2>Transparency log</h2>
        <p class="muted">
          Every accepted bundle is a leaf of an RFC 6962 Merkle tree; after each batch the cloud signs a C2SP
          checkpoint. Auditors pin the log key below.
        </p>
      </div>
      <div class="card-badges">${badge(`${cp.size} leaves`, 'info')}</div>
    </header>
    <dl class="facts">
      <div>
        <dt>Tree size</dt>
        <dd data-checkpoint-size>${cp.size}</dd>
      </div>
      <div>
        <dt>Root (SHA-256)</dt>
        <dd><code class="small break">${toHex(cp.root)}</code></dd>
      </div>
      <div>
        <dt>Origin</dt>
        <dd><code class="small">${log.origin}</code></dd>
      </div>
    </dl>
    <div class="kv">
      <div class="kv-label">Log verifier key</div>
      <code class="break" data-log-key>${log.verifierKey}</code>
    </div>
    <details class="note-details">
      <summary>Signed checkpoint note</summary>
      <pre class="note" data-checkpoint-note>${cp.note}</pre>
      <p class="small muted">Root in base64: <code>${toBase64(cp.root)}</code></p>
    </details>
  </section>`;
}

async function siteCard(
  req: Req,
  site: SiteRow,
  n: number,
  o: { appliance?: string; before?: number },
): Promise<Html> {
  const { sql } = req.deps;
  const appliances = (
    await sql.query<ApplianceRow>(
      `select a.id, a.site_id, a.status, a.revoked_at, coalesce(s.n, 0)::int as bundles, h.chain_position as head,
              encode(h.bundle_hash, 'hex') as head_hash, s.last_checked, s.last_upload
         from appliances a
         left join lateral (select count(*)::int as n, max(checked_at) as last_checked, max(received_at) as last_upload
                              from evidence_bundles where appliance_id = a.id) s on true
         left join lateral (select chain_position, bundle_hash from evidence_bundles
                             where appliance_id = a.id order by chain_position desc limit 1) h on true
        where a.site_id = $1 order by a.id`,
      [site.id],
    )
  ).rows;
  const ids = appliances.map((a) => a.id);
  const rejections = ids.length
    ? (
        await sql.query<RejectionRow>(
          `select appliance_id, chain_position, code, detail, at from evidence_rejections
            where appliance_id = any($1) order by at desc, id desc limit 200`,
          [ids],
        )
      ).rows
    : [];
  const codesOf = (id: string) => {
    const m = new Map<string, number>();
    for (const r of rejections) if (r.appliance_id === id) m.set(r.code, (m.get(r.code) ?? 0) + 1);
    return [...m];
  };
  const bundles = (
    await sql.query<BundleRow>(
      `select log_index, appliance_id, chain_position, kind, checked_at, received_at,
              encode(bundle_hash, 'hex') as hash, body
         from evidence_bundles
        where site_id = $1 and ($2::text is null or appliance_id = $2) and ($3::bigint is null or log_index < $3)
        order by log_index desc limit ${PAGE_SIZE + 1}`,
      [site.id, o.appliance ?? null, o.before ?? null],
    )
  ).rows;
  const more = bundles.length > PAGE_SIZE;
  const shown = bundles.slice(0, PAGE_SIZE);
  const q = (extra: Record<string, string>) =>
    `/evidence?${new URLSearchParams({ site: site.id, ...(o.appliance ? { appliance: o.appliance } : {}), ...extra }).toString()}`;
  const panel = `verify-${n}`;
  const base = `/sites/${encodeURIComponent(site.id)}/evidence`;
  return html`<article class="card site-card evidence-site" data-site="${site.id}">
    <header class="card-head">
      <div>
        <h2><a href="${q({})}">${site.name}</a></h2>
        <p class="muted">${site.client_name ?? 'No client assigned'} · <code>${site.id}</code></p>
      </div>
      <div class="card-badges">
        <a class="btn btn-small" href="${base}/export" download data-export>Download auditor export</a>
      </div>
    </header>
    ${
      appliances.length
        ? html`<div class="table-wrap">
            <table class="table" data-chain-status>
              <thead>
                <tr>
                  <th>Appliance</th>
                  <th>Chain</th>
                  <th class="num">Bundles</th>
                  <th>Head</th>
                  <th>Last checked</th>
                  <th>Last upload</th>
                  <th>Refused uploads</th>
                </tr>
              </thead>
              <tbody>
                ${appliances.map((a) => {
                  const codes = codesOf(a.id);
                  return html`<tr data-appliance="${a.id}">
                    <td>
                      <a href="${q({ appliance: a.id })}"><code>${a.id}</code></a>
                    </td>
                    <td>${chainBadge(a, codes.length)}</td>
                    <td class="num">${a.bundles}</td>
                    <td>
                      ${
                        a.head
                          ? html`#${a.head}
                              <code class="small" title="${a.head_hash ?? ''}"
                                >${shortHash(a.head_hash ?? '')}</code
                              >`
                          : html`<span class="muted">—</span>`
                      }
                    </td>
                    <td>${timeAgo(a.last_checked)}</td>
                    <td>${timeAgo(a.last_upload)}</td>
                    <td>
                      ${
                        codes.length
                          ? codes.map(
                              ([code, count]) =>
                                html`<span class="badge badge-warn" title="${count} refused"
                                  >${code} ×${count}</span
                                > `,
                            )
                          : html`<span class="muted">none</span>`
                      }
                    </td>
                  </tr>`;
                })}
              </tbody>
            </table>
          </div>`
        : html`<p class="muted pad">No appliance enrolled at this site yet.</p>`
    }
    ${
      rejections.length
        ? html`<details class="rejections">
            <summary>Latest refused uploads (${rejections.length})</summary>
            <div class="table-wrap">
              <table class="table">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Appliance</th>
                    <th>Position</th>
                    <th>Code</th>
                    <th>Detail</th>
                  </tr>
                </thead>
                <tbody>
                  ${rejections.slice(0, 10).map(
                    (r) =>
                      html`<tr>
                        <td class="nowrap">${fmtDate(r.at)}</td>
                        <td><code class="small">${r.appliance_id}</code></td>
                        <td>${r.chain_position ?? '—'}</td>
                        <td><code class="small">${r.code}</code></td>
                        <td class="small">${r.detail}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>
          </details>`
        : ''
    }
    <h3>
      Recent bundles${o.appliance ? html` of <code>${o.appliance}</code>` : ''}
      ${o.appliance || o.before !== undefined ? html`<a class="small" href="${q({})}" data-all>· show all</a>` : ''}
    </h3>
    <section class="verify-panel" id="${panel}" hidden aria-live="polite"></section>
    ${
      shown.length
        ? html`<div class="table-wrap">
              <table class="table" data-bundles>
                <thead>
                  <tr>
                    <th class="num">Log #</th>
                    <th>Appliance</th>
                    <th class="num">Position</th>
                    <th>Kind</th>
                    <th>Checked at</th>
                    <th>Content</th>
                    <th>SHA-256</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  ${shown.map(
                    (b) =>
                      html`<tr data-bundle="${b.log_index}">
                        <td class="num">${b.log_index}</td>
                        <td><code class="small">${b.appliance_id}</code></td>
                        <td class="num">${b.chain_position}</td>
                        <td>
                          ${badge(b.kind.replace('_', ' '), b.kind === 'key_rotation' ? 'info' : 'muted')}
                        </td>
                        <td class="nowrap">${fmtDate(b.checked_at)}</td>
                        <td class="small">${bundleSummary(b.body)}</td>
                        <td><code class="small" title="${b.hash}">${shortHash(b.hash)}</code></td>
                        <td>
                          <button
                            class="btn btn-small"
                            type="button"
                            data-verify="${base}/bundles/${b.log_index}"
                            data-panel="${panel}"
                            data-label="Bundle #${b.chain_position} of ${b.appliance_id}"
                          >
                            Verify in browser
                          </button>
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>
            ${
              more
                ? html`<p class="pad">
                    <a href="${q({ before: String(shown[shown.length - 1]?.log_index ?? 0) })}" data-older
                      >Older bundles →</a
                    >
                  </p>`
                : ''
            }`
        : html`<p class="muted pad">No bundles uploaded yet.</p>`
    }
  </article>`;
}

/** The evidence section: the log's checkpoint, then one card per visible site (or the one asked for). */
export async function renderEvidence(req: Req): Promise<Html> {
  const log = await evidenceLogOf(req.deps);
  const siteParam = queryString(req, 'site');
  const appliance = queryString(req, 'appliance');
  const beforeParam = queryString(req, 'before');
  const before = onlyDigits(beforeParam);
  let sites: SiteRow[];
  if (siteParam !== undefined) {
    const site = await siteFor(req.deps.sql, req.viewer, siteParam);
    if (!site) throw new OsirisError(commonErrors.E_NOT_FOUND);
    sites = [site];
  } else sites = await sitesFor(req.deps.sql, req.viewer);
  // An appliance filter must name an appliance of the chosen site; otherwise the same 404.
  if (appliance !== undefined) {
    const ok =
      siteParam !== undefined &&
      (
        await req.deps.sql.query('select 1 from appliances where id = $1 and site_id = $2', [
          appliance.slice(0, 200),
          siteParam,
        ])
      ).rows.length > 0;
    if (!ok) throw new OsirisError(commonErrors.E_NOT_FOUND);
  }
  if (beforeParam !== undefined && before === undefined) throw new OsirisError(commonErrors.E_NOT_FOUND);
  const cp = await log.checkpoint();
  const cards: Html[] = [];
  for (const [i, s] of sites.entries())
    cards.push(
      await siteCard(req, s, i, {
        ...(appliance !== undefined ? { appliance } : {}),
        ...(before !== undefined ? { before } : {}),
      }),
    );
  return html`<div id="evidence">
    ${checkpointCard(log, cp)} ${sites.length ? cards : html`<div class="card empty">No sites yet.</div>`}
  </div>`;
}

export async function evidencePage(req: Req): Promise<Reply> {
  const body = await renderEvidence(req);
  // The verifier is a same-origin script on this page only, so the CSP stays script-src 'self'.
  const f = { ...(await frame(req, 'evidence', 'Evidence')), scripts: [VERIFIER_PATH] };
  return { page: layout(f, body) };
}

/** GET /sites/:site/evidence/bundles/:index — what the browser needs to verify one bundle itself. */
export async function bundlePacket(req: Req): Promise<Reply> {
  const site = await siteOr404(req);
  const index = onlyDigits(req.params['index']);
  if (index === undefined) throw new OsirisError(commonErrors.E_NOT_FOUND);
  const { sql } = req.deps;
  const row = (
    await sql.query<{ appliance_id: string; chain_position: string; body: unknown; signature: unknown }>(
      'select appliance_id, chain_position, body, signature from evidence_bundles where site_id = $1 and log_index = $2',
      [site.id, index],
    )
  ).rows[0];
  if (!row) throw new OsirisError(commonErrors.E_NOT_FOUND);
  const log = await evidenceLogOf(req.deps);
  const cp = await log.checkpoint();
  const position = Number(row.chain_position);
  const prev =
    position > 1
      ? (
          await sql.query<{ body: unknown; signature: unknown }>(
            'select body, signature from evidence_bundles where appliance_id = $1 and chain_position = $2',
            [row.appliance_id, position - 1],
          )
        ).rows[0]
      : undefined;
  const keys = (
    await sql.query<{ public_key: unknown; from_position: string; until_position: string | null }>(
      'select public_key, from_position, until_position from evidence_keys where appliance_id = $1 order by from_position',
      [row.appliance_id],
    )
  ).rows;
  const envelope = (r: { body: unknown; signature: unknown }) => ({
    body: toBase64(toUint8Array(r.body)),
    signature: toBase64(toUint8Array(r.signature)),
  });
  const packet: VerifyPacket = {
    format: PACKET_FORMAT,
    site_id: site.id,
    appliance_id: row.appliance_id,
    log_index: index,
    envelope: envelope(row),
    previous: prev ? { envelope: envelope(prev) } : null,
    proof: index < cp.size ? (await log.inclusionProof(index, cp.size)).map(toHex) : [],
    checkpoint: cp.note,
    origin: log.origin,
    log_key: log.verifierKey,
    keys: keys.map((k) => ({
      key: toBase64(toUint8Array(k.public_key)),
      from_position: Number(k.from_position),
      until_position: k.until_position === null ? null : Number(k.until_position),
    })),
  };
  return { json: packet };
}

function isoParam(req: Req, name: string): string | undefined {
  const v = queryString(req, name);
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new OsirisError(commonErrors.E_INVALID_INPUT, `${name} must be an ISO time`);
  return new Date(t).toISOString();
}

/** GET /sites/:site/evidence/export — the auditor export of one site as a JSON download. */
export async function exportDownload(req: Req): Promise<Reply> {
  const site = await siteOr404(req);
  const from = isoParam(req, 'from');
  const to = isoParam(req, 'to');
  const file = await exportEvidence(req.deps.sql, await evidenceLogOf(req.deps), {
    siteId: site.id,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  });
  await req.audit('evidence.export', `site:${site.id}`, site.id, {
    bundles: file.appliances.reduce((n, a) => n + a.bundles.length, 0),
    from: from ?? null,
    to: to ?? null,
  });
  return { json: file, filename: `osiris-evidence-${site.id}-${new Date().toISOString().slice(0, 10)}.json` };
}
