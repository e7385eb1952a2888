// Site settings as a flat map of independently editable fields. A form edit is a set of field values;
// comparing the values the form was rendered from (base) with the document now (current) tells a
// field nobody else touched from a concurrent edit (a conflict to inspect, never silently dropped).
import {
  CRITICAL_CHECKS,
  FRAMEWORK_IDS,
  KNOWN_CHECKS,
  type SiteSettings,
  isCriticalCheck,
} from '../../schemas/index.ts';
import type { Form } from '../http/form.ts';

export type FieldValue = string | boolean | Readonly<Record<string, unknown>> | null;
export type FieldMap = ReadonlyMap<string, FieldValue>;

export const SCALAR_FIELDS = [
  'clinic_name',
  'industry',
  'healing_tier',
  'client_alert_mode',
  'notes',
] as const;

/** Every field key a full settings form carries. */
export function allFieldKeys(checks: readonly string[] = KNOWN_CHECKS): string[] {
  return [
    ...SCALAR_FIELDS,
    ...FRAMEWORK_IDS.map((f) => `frameworks.${f}`),
    ...checks.map((c) => `checks.${c}`),
    'maintenance',
    'contacts.primary',
  ];
}

function sorted(o: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** The field map of a settings document (plain values). */
export function fieldsOf(s: SiteSettings): Map<string, FieldValue> {
  const m = new Map<string, FieldValue>();
  for (const k of SCALAR_FIELDS) m.set(k, String(s[k] ?? ''));
  for (const f of FRAMEWORK_IDS) m.set(`frameworks.${f}`, s.enabled_frameworks[f] === true);
  for (const c of new Set([...KNOWN_CHECKS, ...Object.keys(s.checks)])) {
    const e = s.checks[c];
    // An explicit "enabled, no reason" entry means the same as no entry.
    const plain = !e || (e.enabled && e.not_applicable_reason === undefined);
    m.set(
      `checks.${c}`,
      plain ? null : sorted({ enabled: e.enabled, not_applicable_reason: e.not_applicable_reason }),
    );
  }
  const w = s.maintenance;
  m.set(
    'maintenance',
    w ? sorted({ starts_at: w.starts_at, duration_hours: w.duration_hours, reason: w.reason }) : null,
  );
  const p = s.contacts['primary'];
  m.set('contacts.primary', p ? sorted({ name: p.name, email: p.email, phone: p.phone }) : null);
  return m;
}

export function sameValue(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  const norm = (v: FieldValue | undefined) => (v === undefined ? null : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/** A check entry as the form expresses it; null = default (enabled, no override). */
function checkFromForm(form: Form, check: string): FieldValue {
  const reason = (form.get(`na.${check}`) ?? '').trim();
  const on = form.get(`check.${check}`) === 'on' || isCriticalCheck(check);
  if (reason) return { enabled: false, not_applicable_reason: reason };
  return on ? null : { enabled: false };
}

/** The values a submitted form asks for, for the field keys it says it carries. */
export function fieldsFromForm(form: Form, now: number): Map<string, FieldValue> {
  const keys = (form.get('fields') ?? '').split(',').filter(Boolean);
  const m = new Map<string, FieldValue>();
  for (const key of keys.slice(0, 200)) {
    if ((SCALAR_FIELDS as readonly string[]).includes(key)) {
      const v = form.get(key) ?? '';
      m.set(key, key === 'notes' ? v.replace(/\r\n/g, '\n') : v.trim());
    } else if (key.startsWith('frameworks.')) m.set(key, form.get(key) === 'on');
    else if (key.startsWith('checks.')) m.set(key, checkFromForm(form, key.slice(7)));
    else if (key === 'maintenance') {
      // Blank inputs leave the window as it is; "clear" removes it; values start a new one now.
      const hours = Number(form.get('maint_hours') ?? '');
      const reason = (form.get('maint_reason') ?? '').trim();
      if (form.get('maint_clear') === 'on') m.set(key, null);
      else if (reason || hours) m.set(key, sorted({ starts_at: now, duration_hours: hours, reason }));
    } else if (key === 'contacts.primary') {
      const name = (form.get('contact_name') ?? '').trim();
      const email = (form.get('contact_email') ?? '').trim() || undefined;
      const phone = (form.get('contact_phone') ?? '').trim() || undefined;
      m.set(key, name || email || phone ? sorted({ name, email, phone }) : null);
    }
  }
  return m;
}

export interface Conflict {
  readonly key: string;
  readonly base: FieldValue;
  readonly yours: FieldValue;
  readonly theirs: FieldValue;
}

export interface EditPlan {
  /** Fields to write (changed by this user, untouched by anyone else since the form was rendered). */
  readonly apply: Map<string, FieldValue>;
  readonly conflicts: Conflict[];
}

/** Three-way per field: untouched by you → skip; untouched by others (or same value) → apply; else conflict. */
export function planEdit(desired: FieldMap, base: FieldMap, current: FieldMap): EditPlan {
  const apply = new Map<string, FieldValue>();
  const conflicts: Conflict[] = [];
  for (const [key, yours] of desired) {
    const b = base.get(key) ?? null;
    const theirs = current.get(key) ?? null;
    if (sameValue(yours, b) || sameValue(yours, theirs)) continue;
    if (sameValue(theirs, b)) apply.set(key, yours);
    else conflicts.push({ key, base: b, yours, theirs });
  }
  return { apply, conflicts };
}

/** The SiteSettingsPatch that writes exactly these fields (validated later by checkSettingsPatch). */
export function patchOf(fields: ReadonlyMap<string, FieldValue>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const sub = (k: string) => (patch[k] ??= {}) as Record<string, unknown>;
  for (const [key, v] of fields) {
    if ((SCALAR_FIELDS as readonly string[]).includes(key)) patch[key] = v;
    else if (key.startsWith('frameworks.')) sub('enabled_frameworks')[key.slice(11)] = v;
    else if (key.startsWith('checks.')) sub('checks')[key.slice(7)] = v;
    else if (key === 'maintenance') patch['maintenance'] = v;
    else if (key === 'contacts.primary') sub('contacts')['primary'] = v;
  }
  return patch;
}

/** Human label of a field key. */
export function fieldLabel(key: string): string {
  const labels: Record<string, string> = {
    clinic_name: 'Clinic name',
    industry: 'Industry',
    healing_tier: 'Healing tier',
    client_alert_mode: 'Client alerts',
    notes: 'Notes',
    maintenance: 'Maintenance window',
    'contacts.primary': 'Primary contact',
  };
  if (labels[key]) return labels[key];
  if (key.startsWith('frameworks.')) return `Framework ${key.slice(11)}`;
  if (key.startsWith('checks.')) return `Check ${key.slice(7)}`;
  return key;
}

export { CRITICAL_CHECKS };
