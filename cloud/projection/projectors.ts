import type * as A from '@automerge/automerge';
import {
  type AuditTrail,
  type ExceptionsDoc,
  type PatternStats,
  type RuleBook,
  type SiteSettings,
  parseRuleOutcomeKey,
  validateDocument,
} from '../../schemas/index.ts';
import type { DocKind } from '../../sync/doc-ids.ts';
import { type KindProjector, type Touched, keysUnder } from './kind-projector.ts';
import { splitTouched, ts } from './rows.ts';
import type { TableWrite } from './table-write.ts';

const HEADS = { doc_heads: 'text[]' } as const;

/** Validation through the schemas' reader: merged states the schema rejects are quarantined. */
function validator(kind: DocKind) {
  return (doc: unknown): { ok: true; value: unknown } | { ok: false; reason: string } => {
    const r = validateDocument(kind, doc);
    return r.ok
      ? { ok: true, value: r.value }
      : {
          ok: false,
          reason: `${r.error.code}: ${r.error.message} ${JSON.stringify(r.error.detail ?? {})}`.slice(
            0,
            2000,
          ),
        };
  };
}

const anyPatch = (patches: readonly A.Patch[]): Touched => (patches.length > 0 ? 'all' : new Set());

export const siteSettingsProjector: KindProjector = {
  kind: 'site_settings',
  validate: validator('site_settings'),
  touched: anyPatch,
  rows(value, entry, touched, heads): TableWrite[] {
    if (touched !== 'all' && touched.size === 0) return [];
    const s = value as SiteSettings;
    const site = entry.siteId;
    return [
      {
        table: 'site_settings',
        columns: {
          site_id: 'text',
          clinic_name: 'text',
          industry: 'text',
          healing_tier: 'text',
          client_alert_mode: 'text',
          notes: 'text',
          checks: 'jsonb',
          contacts: 'jsonb',
          maintenance: 'jsonb',
          schema_version: 'int',
          ...HEADS,
        },
        keyColumns: ['site_id'],
        upserts: [
          {
            site_id: site,
            clinic_name: s.clinic_name,
            industry: s.industry,
            healing_tier: s.healing_tier,
            client_alert_mode: s.client_alert_mode,
            notes: s.notes,
            checks: s.checks,
            contacts: s.contacts,
            maintenance: s.maintenance ?? null,
            schema_version: s.schemaVersion,
            doc_heads: heads,
          },
        ],
        deletes: [],
      },
      {
        table: 'site_frameworks',
        columns: { site_id: 'text', framework_id: 'text', ...HEADS },
        keyColumns: ['site_id', 'framework_id'],
        upserts: Object.keys(s.enabled_frameworks).map((f) => ({
          site_id: site,
          framework_id: f,
          doc_heads: heads,
        })),
        deletes: [],
        replaceScope: { site_id: site },
      },
    ];
  },
};

export const ruleBookProjector: KindProjector = {
  kind: 'rule_book',
  validate: validator('rule_book'),
  touched: (p) => keysUnder(p, 'rules'),
  rows(value, entry, touched, heads) {
    const book = value as RuleBook;
    const site = entry.siteId;
    const { upserts, deletes } = splitTouched(
      book.rules,
      touched,
      (id, r) => ({
        site_id: site,
        rule_id: id,
        name: r.name,
        description: r.description,
        conditions: r.conditions,
        action: r.action,
        action_params: r.action_params,
        hipaa_controls: r.hipaa_controls,
        enabled: r.enabled,
        priority: r.priority,
        cooldown_seconds: r.cooldown_seconds,
        source: r.source,
        tier: r.tier ?? null,
        pattern_signature: r.pattern_signature ?? null,
        promoted_at: ts(r.promoted_at),
        doc_heads: heads,
      }),
      (id) => ({ site_id: site, rule_id: id }),
    );
    return [
      {
        table: 'l1_rules',
        columns: {
          site_id: 'text',
          rule_id: 'text',
          name: 'text',
          description: 'text',
          conditions: 'jsonb',
          action: 'text',
          action_params: 'jsonb',
          hipaa_controls: 'jsonb',
          enabled: 'boolean',
          priority: 'int',
          cooldown_seconds: 'int',
          source: 'text',
          tier: 'text',
          pattern_signature: 'text',
          promoted_at: 'timestamptz',
          ...HEADS,
        },
        keyColumns: ['site_id', 'rule_id'],
        upserts,
        deletes,
        ...(touched === 'all' ? { replaceScope: { site_id: site } } : {}),
      },
    ];
  },
};

export const exceptionsProjector: KindProjector = {
  kind: 'exceptions',
  validate: validator('exceptions'),
  touched: (p) => keysUnder(p, 'exceptions'),
  rows(value, entry, touched, heads) {
    const ex = value as ExceptionsDoc;
    const site = entry.siteId;
    const main = splitTouched(
      ex.exceptions,
      touched,
      (id, e) => ({
        site_id: site,
        exception_id: id,
        scope: e.scope,
        item_id: e.item_id,
        device_filter: e.device_filter ?? null,
        reason: e.reason,
        compensating_control: e.compensating_control,
        action: e.action,
        status: e.status,
        starts_at: ts(e.starts_at),
        expires_at: ts(e.expires_at),
        requested_by: e.requested_by,
        requested_at: ts(e.requested_at),
        approved_by: e.approved_by ?? null,
        approved_at: ts(e.approved_at),
        approval_tier: e.approval_tier ?? null,
        decision_reason: e.decision_reason ?? null,
        doc_heads: heads,
      }),
      (id) => ({ site_id: site, exception_id: id }),
    );
    const ids = touched === 'all' ? Object.keys(ex.exceptions) : [...touched];
    const history = ids.flatMap((id) =>
      (ex.exceptions[id]?.history ?? []).map((h, seq) => ({
        site_id: site,
        exception_id: id,
        seq,
        at: ts(h.at),
        actor: h.actor,
        event: h.event,
        status: h.status,
        note: h.note ?? null,
        doc_heads: heads,
      })),
    );
    const writes: TableWrite[] = [
      {
        table: 'compliance_exceptions',
        columns: {
          site_id: 'text',
          exception_id: 'text',
          scope: 'text',
          item_id: 'text',
          device_filter: 'text',
          reason: 'text',
          compensating_control: 'text',
          action: 'text',
          status: 'text',
          starts_at: 'timestamptz',
          expires_at: 'timestamptz',
          requested_by: 'text',
          requested_at: 'timestamptz',
          approved_by: 'text',
          approved_at: 'timestamptz',
          approval_tier: 'text',
          decision_reason: 'text',
          ...HEADS,
        },
        keyColumns: ['site_id', 'exception_id'],
        ...main,
        ...(touched === 'all' ? { replaceScope: { site_id: site } } : {}),
      },
    ];
    // History rows of touched exceptions are rewritten whole (a merge may interleave concurrent appends).
    const historyCols = {
      site_id: 'text',
      exception_id: 'text',
      seq: 'int',
      at: 'timestamptz',
      actor: 'text',
      event: 'text',
      status: 'text',
      note: 'text',
      ...HEADS,
    };
    if (touched === 'all') {
      writes.push({
        table: 'exception_history',
        columns: historyCols,
        keyColumns: ['site_id', 'exception_id', 'seq'],
        upserts: history,
        deletes: [],
        replaceScope: { site_id: site },
      });
    } else {
      for (const id of ids) {
        writes.push({
          table: 'exception_history',
          columns: historyCols,
          keyColumns: ['site_id', 'exception_id', 'seq'],
          upserts: history.filter((h) => h.exception_id === id),
          deletes: [],
          replaceScope: { site_id: site, exception_id: id },
        });
      }
    }
    return writes;
  },
};

export const patternStatsProjector: KindProjector = {
  kind: 'pattern_stats',
  validate: validator('pattern_stats'),
  touched(patches) {
    const p = keysUnder(patches, 'patterns');
    const r = keysUnder(patches, 'rule_outcomes');
    if (p === 'all' || r === 'all') return 'all';
    return new Set([...[...p].map((k) => `p/${k}`), ...[...r].map((k) => `r/${k}`)]);
  },
  rows(value, entry, touched, heads) {
    const s = value as PatternStats;
    const app = entry.applianceId ?? s.applianceId;
    const site = entry.siteId;
    const sub = (prefix: string): Touched =>
      touched === 'all'
        ? 'all'
        : new Set([...touched].filter((k) => k.startsWith(prefix)).map((k) => k.slice(2)));
    const pats = splitTouched(
      s.patterns,
      sub('p/'),
      (sig, p) => ({
        appliance_id: app,
        signature: sig,
        site_id: site,
        incident_type: p.incident_type,
        check_type: p.check_type,
        total_occurrences: p.total_occurrences,
        l1_resolutions: p.l1_resolutions,
        l2_resolutions: p.l2_resolutions,
        l3_resolutions: p.l3_resolutions,
        success_count: p.success_count,
        failure_count: p.failure_count,
        total_resolution_time_ms: p.total_resolution_time_ms,
        last_seen: ts(p.last_seen),
        recommended_action: p.recommended_action,
        doc_heads: heads,
      }),
      (sig) => ({ appliance_id: app, signature: sig }),
    );
    const outs = splitTouched(
      s.rule_outcomes,
      sub('r/'),
      (key, o) => {
        const k = parseRuleOutcomeKey(key);
        return {
          appliance_id: app,
          outcome_key: key,
          site_id: site,
          action: k?.action ?? key,
          rule_id: k?.ruleId ?? '',
          success: o.success,
          failure: o.failure,
          partial: o.partial,
          escalated: o.escalated,
          timeout: o.timeout,
          last_at: ts(o.last_at),
          doc_heads: heads,
        };
      },
      (key) => ({ appliance_id: app, outcome_key: key }),
    );
    const all = touched === 'all' ? { replaceScope: { appliance_id: app } } : {};
    const n = 'bigint';
    return [
      {
        table: 'pattern_stats',
        columns: {
          appliance_id: 'text',
          signature: 'text',
          site_id: 'text',
          incident_type: 'text',
          check_type: 'text',
          total_occurrences: n,
          l1_resolutions: n,
          l2_resolutions: n,
          l3_resolutions: n,
          success_count: n,
          failure_count: n,
          total_resolution_time_ms: n,
          last_seen: 'timestamptz',
          recommended_action: 'text',
          ...HEADS,
        },
        keyColumns: ['appliance_id', 'signature'],
        ...pats,
        ...all,
      },
      {
        table: 'rule_outcomes',
        columns: {
          appliance_id: 'text',
          outcome_key: 'text',
          site_id: 'text',
          action: 'text',
          rule_id: 'text',
          success: n,
          failure: n,
          partial: n,
          escalated: n,
          timeout: n,
          last_at: 'timestamptz',
          ...HEADS,
        },
        keyColumns: ['appliance_id', 'outcome_key'],
        ...outs,
        ...all,
      },
    ];
  },
};

export const auditTrailProjector: KindProjector = {
  kind: 'audit_trail',
  validate: validator('audit_trail'),
  touched: (p) => keysUnder(p, 'entries'),
  rows(value, entry, touched, heads) {
    const a = value as AuditTrail;
    const app = entry.applianceId ?? a.applianceId;
    const { upserts, deletes } = splitTouched(
      a.entries,
      touched,
      (id, e) => ({
        appliance_id: app,
        period: a.period,
        entry_id: id,
        site_id: entry.siteId,
        at: ts(e.at),
        actor: e.actor,
        action: e.action,
        target: e.target,
        outcome: e.outcome,
        detail: e.detail,
        doc_heads: heads,
      }),
      (id) => ({ appliance_id: app, period: a.period, entry_id: id }),
    );
    return [
      {
        table: 'audit_events',
        columns: {
          appliance_id: 'text',
          period: 'text',
          entry_id: 'text',
          site_id: 'text',
          at: 'timestamptz',
          actor: 'text',
          action: 'text',
          target: 'text',
          outcome: 'text',
          detail: 'jsonb',
          ...HEADS,
        },
        keyColumns: ['appliance_id', 'period', 'entry_id'],
        upserts,
        deletes,
        ...(touched === 'all' ? { replaceScope: { appliance_id: app, period: a.period } } : {}),
      },
    ];
  },
};

export const ALL_PROJECTORS: readonly KindProjector[] = [
  siteSettingsProjector,
  ruleBookProjector,
  exceptionsProjector,
  patternStatsProjector,
  auditTrailProjector,
];
