// v0 → v1: documents exported from the original platform (snake_case ids, sets and rule lists as
// arrays, no kind, no schemaVersion). Each step mutates in place, so it runs on a plain object and
// inside an Automerge change alike; values moved between places are copied with toPlain first
// (Automerge refuses to re-parent an existing object).
import { isCriticalCheck } from './check-types.ts';
import type { DocumentKind } from './documents.ts';
import { frameworkMap } from './frameworks.ts';
import type { Migration, MutableDoc } from './migration-types.ts';
import { toPlain } from './primitives.ts';

function renameKey(doc: MutableDoc, from: string, to: string): void {
  if (doc[from] === undefined) return;
  if (doc[to] === undefined) doc[to] = toPlain(doc[from]);
  delete doc[from];
}

function setDefault(doc: MutableDoc, key: string, value: unknown): void {
  if (doc[key] === undefined) doc[key] = value;
}

/** Array of objects with an `id` → map keyed by id (later duplicates win, as the old upserts did). */
function listToMap(doc: MutableDoc, key: string): void {
  const list = doc[key];
  if (list === undefined) {
    doc[key] = {};
    return;
  }
  if (!Array.isArray(list)) return;
  const map: Record<string, unknown> = {};
  for (const item of toPlain(list) as unknown[]) {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id === 'string') map[id] = item;
  }
  doc[key] = map;
}

function common(kind: DocumentKind) {
  return (doc: MutableDoc): void => {
    setDefault(doc, 'kind', kind);
    renameKey(doc, 'site_id', 'siteId');
    renameKey(doc, 'appliance_id', 'applianceId');
  };
}

function siteSettingsV0(doc: MutableDoc): void {
  common('site_settings')(doc);
  const frameworks = doc.enabled_frameworks;
  if (Array.isArray(frameworks)) {
    doc.enabled_frameworks = frameworkMap(
      (toPlain(frameworks) as unknown[]).filter((f) => typeof f === 'string'),
    );
  }
  setDefault(doc, 'enabled_frameworks', {});
  const disabled = doc.disabled_checks;
  if (doc.checks === undefined) {
    const checks: Record<string, { enabled: boolean }> = {};
    // The old platform could not disable critical checks either; an odd export does not change that.
    const names = Array.isArray(disabled) ? (toPlain(disabled) as unknown[]) : [];
    for (const c of names) if (typeof c === 'string' && !isCriticalCheck(c)) checks[c] = { enabled: false };
    doc.checks = checks;
  }
  if (disabled !== undefined) delete doc.disabled_checks;
  setDefault(doc, 'clinic_name', '');
  setDefault(doc, 'industry', 'general');
  setDefault(doc, 'healing_tier', 'standard');
  setDefault(doc, 'client_alert_mode', 'informed');
  setDefault(doc, 'contacts', {});
  setDefault(doc, 'notes', '');
}

/** The v0 → v1 steps for every kind. */
export const V0_MIGRATIONS: readonly Migration[] = [
  {
    kind: 'site_settings',
    from: 0,
    description: 'original platform: site_id, framework list, disabled_checks',
    up: siteSettingsV0,
  },
  {
    kind: 'rule_book',
    from: 0,
    description: 'original platform: site_id, rules as a list',
    up: (d) => {
      common('rule_book')(d);
      listToMap(d, 'rules');
    },
  },
  {
    kind: 'exceptions',
    from: 0,
    description: 'original platform: site_id, exceptions as a list',
    up: (d) => {
      common('exceptions')(d);
      listToMap(d, 'exceptions');
    },
  },
  {
    kind: 'pattern_stats',
    from: 0,
    description: 'original platform: site_id/appliance_id',
    up: (d) => {
      common('pattern_stats')(d);
      setDefault(d, 'patterns', {});
      setDefault(d, 'rule_outcomes', {});
    },
  },
  {
    kind: 'audit_trail',
    from: 0,
    description: 'original platform: site_id/appliance_id, entries as a list',
    up: (d) => {
      common('audit_trail')(d);
      listToMap(d, 'entries');
    },
  },
];
