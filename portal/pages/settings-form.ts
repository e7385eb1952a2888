// The settings form and the conflict panel. The form carries the heads it was rendered from and the
// list of fields it holds, so a save can tell your edits from other people's.
import {
  CLIENT_ALERT_MODES,
  FRAMEWORK_IDS,
  HEALING_TIERS,
  INDUSTRIES,
  KNOWN_CHECKS,
  type SiteSettings,
  isCriticalCheck,
} from '../../schemas/index.ts';
import { type Html, flag, html } from '../html.ts';
import type { SiteRow } from '../scope.ts';
import type { Writer } from '../settings/field-writers.ts';
import { type Conflict, type FieldValue, allFieldKeys, fieldLabel } from '../settings/settings-fields.ts';
import type { Viewer } from '../viewer.ts';
import { csrfField, fmtDate } from './layout.ts';
import { sitePath } from './page-context.ts';

const FRAMEWORK_LABELS: Readonly<Record<string, string>> = {
  hipaa: 'HIPAA',
  soc2: 'SOC 2',
  pci_dss: 'PCI-DSS',
  nist_csf: 'NIST CSF',
  nist_800_171: 'NIST 800-171',
  sox: 'SOX',
  gdpr: 'GDPR',
  cmmc: 'CMMC',
  iso_27001: 'ISO 27001',
  cis: 'CIS Controls',
  glba: 'GLBA',
};
const TIER_HELP: Readonly<Record<string, string>> = {
  standard: 'Core L1 rules heal drift automatically; everything else escalates.',
  full_coverage: 'Every built-in rule heals automatically.',
};
const ALERT_HELP: Readonly<Record<string, string>> = {
  self_service: 'Client sees and acts on alerts',
  informed: 'Client is informed, partner acts',
  silent: 'Partner only',
};

export const label = (id: string, labels: Readonly<Record<string, string>>): string =>
  labels[id] ?? id.replace(/_/g, ' ');

export function describeValue(key: string, v: FieldValue): string {
  if (v === null) return key.startsWith('checks.') ? 'enabled (default)' : 'none';
  if (typeof v === 'boolean') return v ? 'enabled' : 'disabled';
  if (typeof v === 'string') return v === '' ? '(empty)' : v;
  if (key === 'maintenance')
    return `${String(v['duration_hours'])} h from ${fmtDate(Number(v['starts_at']))}: ${String(v['reason'])}`;
  if (key.startsWith('checks.'))
    return v['not_applicable_reason'] ? `not applicable: ${String(v['not_applicable_reason'])}` : 'disabled';
  return Object.values(v)
    .filter((x) => x !== undefined)
    .join(' · ');
}

/** Hidden inputs that submit exactly one field with value v ("keep mine" in the conflict panel). */
function hiddenFor(key: string, v: FieldValue): Html {
  const h = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}" />`;
  if (key.startsWith('frameworks.')) return v === true ? h(key, 'on') : html``;
  if (key.startsWith('checks.')) {
    const c = key.slice(7);
    if (v === null) return h(`check.${c}`, 'on');
    const o = v as Record<string, unknown>;
    return o['not_applicable_reason'] ? h(`na.${c}`, String(o['not_applicable_reason'])) : html``;
  }
  if (key === 'maintenance') {
    if (v === null) return h('maint_clear', 'on');
    const o = v as Record<string, unknown>;
    return html`${h('maint_hours', String(o['duration_hours']))}${h('maint_reason', String(o['reason']))}`;
  }
  if (key === 'contacts.primary') {
    const o = (v ?? {}) as Record<string, unknown>;
    return html`${h('contact_name', String(o['name'] ?? ''))}${h('contact_email', String(o['email'] ?? ''))}${h('contact_phone', String(o['phone'] ?? ''))}`;
  }
  return h(key, typeof v === 'string' ? v : '');
}

export function conflictPanel(
  site: SiteRow,
  viewer: Viewer,
  heads: readonly string[],
  conflicts: readonly (Conflict & { writer: Writer | undefined })[],
): Html {
  return html`<section class="card conflict" id="conflicts" role="alert">
    <h2>Someone changed ${conflicts.length === 1 ? 'this field' : 'these fields'} while you were editing</h2>
    <p class="muted">
      Your other changes were saved. For each field below, the current value is kept until you choose yours.
    </p>
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th>Field</th>
            <th>Your value</th>
            <th>Current value</th>
            <th>Changed by</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${conflicts.map(
            (c) =>
              html`<tr data-conflict="${c.key}">
                <th scope="row">${fieldLabel(c.key)}</th>
                <td class="val-yours">${describeValue(c.key, c.yours)}</td>
                <td class="val-theirs">${describeValue(c.key, c.theirs)}</td>
                <td>
                  ${c.writer ? html`<strong>${c.writer.who}</strong><br /><small class="muted">${fmtDate(c.writer.at)}</small>` : html`<span class="muted">unknown</span>`}
                </td>
                <td>
                  <form method="post" action="${sitePath(site, 'settings')}">
                    ${csrfField(viewer)} <input type="hidden" name="heads" value="${heads.join(',')}" /><input
                      type="hidden"
                      name="fields"
                      value="${c.key}"
                    />
                    ${hiddenFor(c.key, c.yours)}<button class="btn btn-small" type="submit">Use mine</button>
                  </form>
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

export function settingsForm(
  site: SiteRow,
  viewer: Viewer,
  s: SiteSettings,
  heads: readonly string[],
  editable: boolean,
): Html {
  const checks = [...new Set([...KNOWN_CHECKS, ...Object.keys(s.checks)])];
  const dis = flag('disabled', !editable);
  const contact = s.contacts['primary'];
  const w = s.maintenance;
  return html`<form
    method="post"
    action="${sitePath(site, 'settings')}"
    class="settings-form"
    id="settings-form"
  >
    ${csrfField(viewer)}
    <input type="hidden" name="heads" value="${heads.join(',')}" />
    <input type="hidden" name="fields" value="${allFieldKeys(checks).join(',')}" />
    <div class="grid-2">
      <section class="card">
        <h2>Clinic</h2>
        <label>Clinic name<input name="clinic_name" maxlength="200" value="${s.clinic_name}" ${dis} /></label>
        <label
          >Industry<select name="industry" ${dis}>
            ${INDUSTRIES.map((i) => html`<option value="${i}" ${flag('selected', s.industry === i)}>${label(i, {})}</option>`)}
          </select></label
        >
        <label
          >Client alerts<select name="client_alert_mode" ${dis}>
            ${CLIENT_ALERT_MODES.map((m) => html`<option value="${m}" ${flag('selected', s.client_alert_mode === m)}>${label(m, {})} — ${ALERT_HELP[m]}</option>`)}
          </select></label
        >
        <fieldset class="contact">
          <legend>Primary contact</legend>
          <div class="grid-3">
            <label
              >Name<input name="contact_name" maxlength="200" value="${contact?.name ?? ''}" ${dis}
            /></label>
            <label
              >E-mail<input
                name="contact_email"
                type="email"
                maxlength="254"
                value="${contact?.email ?? ''}"
                ${dis}
            /></label>
            <label
              >Phone<input name="contact_phone" maxlength="50" value="${contact?.phone ?? ''}" ${dis}
            /></label>
          </div>
        </fieldset>
        <label>Notes<textarea name="notes" rows="4" maxlength="10000" ${dis}>${s.notes}</textarea></label>
      </section>
      <section class="card">
        <h2>Healing</h2>
        <div class="radio-cards">
          ${HEALING_TIERS.map(
            (t) =>
              html`<label class="radio-card"
                ><input
                  type="radio"
                  name="healing_tier"
                  value="${t}"
                  ${flag('checked', s.healing_tier === t)}${dis}
                /><span><strong>${label(t, {})}</strong><small>${TIER_HELP[t]}</small></span></label
              >`,
          )}
        </div>
        <h3>Maintenance window</h3>
        ${w ? html`<p class="muted">Current: ${describeValue('maintenance', { starts_at: w.starts_at, duration_hours: w.duration_hours, reason: w.reason })}</p>` : html`<p class="muted">No window set; healing runs normally.</p>`}
        <div class="grid-2">
          <label
            >Hours (0.5–48)<input name="maint_hours" type="number" min="0.5" max="48" step="0.5" ${dis}
          /></label>
          <label>Reason<input name="maint_reason" maxlength="500" ${dis} /></label>
        </div>
        ${w ? html`<label class="check"><input type="checkbox" name="maint_clear" ${dis} /> End the current window</label>` : ''}
        <h3>Compliance frameworks</h3>
        <div class="chips">
          ${FRAMEWORK_IDS.map(
            (f) =>
              html`<label class="chip-check"
                ><input
                  type="checkbox"
                  name="frameworks.${f}"
                  ${flag('checked', s.enabled_frameworks[f] === true)}${dis}
                /><span>${label(f, FRAMEWORK_LABELS)}</span></label
              >`,
          )}
        </div>
      </section>
    </div>
    <section class="card">
      <h2>Checks</h2>
      <p class="muted">
        Critical checks cannot be switched off; mark them not applicable with a reason instead.
      </p>
      <div class="table-wrap">
        <table class="table checks-table">
          <thead>
            <tr>
              <th>Check</th>
              <th>Enabled</th>
              <th>Not applicable because…</th>
            </tr>
          </thead>
          <tbody>
            ${checks.map((c) => {
              const e = s.checks[c];
              const critical = isCriticalCheck(c);
              const on = critical || e === undefined || e.enabled;
              return html`<tr>
                <td>
                  <code>${c}</code>${critical ? html` <span class="badge badge-info">critical</span>` : ''}
                </td>
                <td>
                  <input
                    type="checkbox"
                    name="check.${c}"
                    aria-label="${c} enabled"
                    ${flag('checked', on)}${flag('disabled', critical || !editable)}
                  />
                </td>
                <td>
                  <input
                    name="na.${c}"
                    maxlength="500"
                    placeholder="—"
                    value="${e?.not_applicable_reason ?? ''}"
                    ${dis}
                  />
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
    </section>
    ${editable ? html`<div class="form-actions sticky"><span class="muted">Edits merge field by field with other people's changes.</span><button class="btn btn-primary" type="submit">Save settings</button></div>` : html`<p class="muted">Settings are managed by your partner.</p>`}
  </form>`;
}
