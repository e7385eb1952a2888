// Site settings: rendered from the projection (with the heads it reflects), saved through the cloud's
// document with per-field conflict inspection.
import { type SiteSettings, isOsirisError } from '../../schemas/index.ts';
import { html } from '../html.ts';
import type { Reply, Req } from '../http/request.ts';
import { currentSettings, editSettings } from '../settings/settings-edit.ts';
import { actorOf, canEditSite } from '../viewer.ts';
import { layout } from './layout.ts';
import { frame, redirectNotice, requireRole, siteOr404, sitePath } from './page-context.ts';
import { conflictPanel, settingsForm } from './settings-form.ts';

interface SettingsRow {
  clinic_name: string;
  industry: string;
  healing_tier: SiteSettings['healing_tier'];
  client_alert_mode: SiteSettings['client_alert_mode'];
  notes: string;
  checks: SiteSettings['checks'];
  contacts: SiteSettings['contacts'];
  maintenance: SiteSettings['maintenance'] | null;
  schema_version: number;
  doc_heads: string[];
}

/** The projected settings of a site and the heads they reflect (undefined before the first projection). */
async function projected(
  req: Req,
  siteId: string,
): Promise<{ s: SiteSettings; heads: string[] } | undefined> {
  const r = await req.deps.sql.query<SettingsRow>('select * from site_settings where site_id = $1', [siteId]);
  const row = r.rows[0];
  if (!row) return undefined;
  const fw = await req.deps.sql.query<{ framework_id: string }>(
    'select framework_id from site_frameworks where site_id = $1',
    [siteId],
  );
  const s: SiteSettings = {
    kind: 'site_settings',
    schemaVersion: row.schema_version,
    siteId,
    clinic_name: row.clinic_name,
    industry: row.industry,
    healing_tier: row.healing_tier,
    client_alert_mode: row.client_alert_mode,
    notes: row.notes,
    checks: row.checks,
    contacts: row.contacts,
    enabled_frameworks: Object.fromEntries(fw.rows.map((f) => [f.framework_id, true as const])),
    ...(row.maintenance ? { maintenance: row.maintenance } : {}),
  };
  return { s, heads: row.doc_heads };
}

export async function settingsPage(req: Req): Promise<Reply> {
  const site = await siteOr404(req);
  let view = await projected(req, site.id);
  if (!view) {
    const cur = await currentSettings(req.deps.sync, site.id);
    view = { s: cur.settings, heads: cur.heads };
  }
  const body = html`<div data-live="site_settings" data-live-mode="notify" id="settings">
    <div class="notice info" hidden data-live-banner>
      These settings changed since you opened the page. Saving keeps your edits; any field both of you changed
      is shown side by side. <a href="${sitePath(site, 'settings')}">Reload</a>
    </div>
    ${settingsForm(site, req.viewer, view.s, view.heads, canEditSite(req.viewer))}
  </div>`;
  return { page: layout(await frame(req, 'settings', 'Site settings', site), body) };
}

export async function saveSettings(req: Req): Promise<Reply> {
  const site = await siteOr404(req);
  requireRole(canEditSite(req.viewer));
  try {
    const r = await editSettings(
      req.deps.sync,
      site.id,
      actorOf(req.viewer),
      req.form,
      Date.now(),
      req.deps.sql,
    );
    if (r.applied.length) await req.audit('settings.edit', 'site_settings', site.id, { fields: r.applied });
    if (r.conflicts.length === 0)
      return redirectNotice(sitePath(site, 'settings'), r.applied.length ? 'saved' : 'nochange');
    await req.audit('settings.conflict', 'site_settings', site.id, { fields: r.conflicts.map((c) => c.key) });
    const body = html`${conflictPanel(site, req.viewer, r.heads, r.conflicts)}
      <div data-live="site_settings" data-live-mode="notify" id="settings">
        ${settingsForm(site, req.viewer, r.settings, r.heads, true)}
      </div>`;
    return {
      status: 409,
      page: layout(
        await frame(
          req,
          'settings',
          'Site settings',
          site,
          r.applied.length
            ? `Saved ${r.applied.length} field(s); ${r.conflicts.length} need your decision.`
            : undefined,
        ),
        body,
      ),
    };
  } catch (e) {
    if (!isOsirisError(e) || !e.expose || e.status >= 500) throw e;
    const cur = await currentSettings(req.deps.sync, site.id);
    const body = html`<div id="settings">
      ${settingsForm(site, req.viewer, cur.settings, cur.heads, true)}
    </div>`;
    return {
      status: e.status,
      page: layout(await frame(req, 'settings', 'Site settings', site, e.message), body),
    };
  }
}
