import {
  type PatternEntry,
  type PatternStats,
  type RuleOutcomeCounts,
  emptyPatternEntry,
  encodeAuditEntry,
  formatRuleOutcomeKey,
  scalarStrings,
  stringValue,
} from '../../schemas/index.ts';
import { ImmutableString } from '@automerge/automerge';
import type { Reducer } from '../../sync/journal/coalescer.ts';
import type { JournalEntry } from '../../sync/journal/journal.ts';
import { type AuditRecord, type IncidentRecord, KIND_AUDIT, KIND_INCIDENT } from './records.ts';

interface Delta {
  incident_type: string;
  check_type: string | null;
  total_occurrences: number;
  l1_resolutions: number;
  l2_resolutions: number;
  l3_resolutions: number;
  success_count: number;
  failure_count: number;
  total_resolution_time_ms: number;
  last_seen: number;
  recommended_action: string | null;
}
type OutcomeDelta = Record<'success' | 'failure' | 'partial' | 'escalated' | 'timeout' | 'last_at', number>;

/** Sums a batch of incidents in plain objects: the document is then written once per touched key. */
function sum(entries: readonly JournalEntry[]): {
  patterns: Map<string, Delta>;
  outcomes: Map<string, OutcomeDelta>;
} {
  const patterns = new Map<string, Delta>();
  const outcomes = new Map<string, OutcomeDelta>();
  for (const e of entries) {
    if (e.kind !== KIND_INCIDENT) continue;
    const r = e.payload as IncidentRecord;
    let p = patterns.get(r.signature);
    if (!p) {
      // Zero counts and no recommendation, as a first sighting: emptyPatternEntry is the one definition.
      p = { ...(emptyPatternEntry(r.incidentType, r.checkType, 0) as unknown as Delta) };
      patterns.set(r.signature, p);
    }
    p.total_occurrences += 1;
    p.last_seen = Math.max(p.last_seen, r.at);
    const res = r.resolution;
    if (!res) continue;
    if (res.level === 'L1') p.l1_resolutions += 1;
    else if (res.level === 'L2') p.l2_resolutions += 1;
    else p.l3_resolutions += 1;
    p.total_resolution_time_ms += Math.max(0, Math.round(res.durationMs));
    if (res.outcome === 'success') {
      p.success_count += 1;
      if (res.action) p.recommended_action = res.action;
    } else p.failure_count += 1;
    if (res.action && res.ruleId) {
      const key = formatRuleOutcomeKey(res.action, res.ruleId);
      let o = outcomes.get(key);
      if (!o)
        outcomes.set(key, (o = { success: 0, failure: 0, partial: 0, escalated: 0, timeout: 0, last_at: 0 }));
      o[res.outcome] = (o[res.outcome] ?? 0) + 1;
      o.last_at = Math.max(o.last_at, r.at);
    }
  }
  return { patterns, outcomes };
}

/**
 * Folds a batch of incidents into PatternStats: sums first, then one write per touched pattern and
 * rule (one writer per document, so plain totals, never Counters). Objects are assigned and then read
 * back through the document: `x ??= {…}` would return the plain object and lose the writes. Strings are
 * written as ImmutableString (scalarStrings): as text they would cost an operation per character.
 */
export const statsReducer: Reducer = (draft, entries) => {
  const d = draft as unknown as PatternStats;
  const { patterns, outcomes } = sum(entries);
  for (const [sig, delta] of patterns) {
    if (!d.patterns[sig])
      d.patterns[sig] = scalarStrings(emptyPatternEntry(delta.incident_type, delta.check_type, 0));
    const p = d.patterns[sig] as PatternEntry;
    p.total_occurrences += delta.total_occurrences;
    p.l1_resolutions += delta.l1_resolutions;
    p.l2_resolutions += delta.l2_resolutions;
    p.l3_resolutions += delta.l3_resolutions;
    p.success_count += delta.success_count;
    p.failure_count += delta.failure_count;
    p.total_resolution_time_ms += delta.total_resolution_time_ms;
    if (delta.last_seen > p.last_seen) p.last_seen = delta.last_seen;
    if (delta.recommended_action && stringValue(p.recommended_action) !== delta.recommended_action)
      p.recommended_action = new ImmutableString(delta.recommended_action) as unknown as string;
  }
  for (const [key, delta] of outcomes) {
    if (!d.rule_outcomes[key])
      d.rule_outcomes[key] = {
        success: 0,
        failure: 0,
        partial: 0,
        escalated: 0,
        timeout: 0,
        last_at: delta.last_at,
      };
    const o = d.rule_outcomes[key] as RuleOutcomeCounts;
    for (const k of ['success', 'failure', 'partial', 'escalated', 'timeout'] as const)
      if (delta[k]) o[k] = (o[k] ?? 0) + delta[k];
    if (delta.last_at > o.last_at) o.last_at = delta.last_at;
  }
};

/** Appends audit entries (keyed by id: a replayed entry overwrites itself instead of duplicating), each
 *  as one scalar — its JSON text as an ImmutableString (see schemas/audit-trail.ts). */
export const auditReducer: Reducer = (draft, entries) => {
  const d = draft as unknown as { entries: Record<string, AuditRecord> };
  for (const e of entries) {
    if (e.kind !== KIND_AUDIT) continue;
    const a = e.payload as AuditRecord;
    (d.entries as Record<string, unknown>)[a.id] = new ImmutableString(encodeAuditEntry(a));
  }
};

/** Dispatches by the document the entries address. */
export function applianceReducer(kindOf: (docId: string) => 'stats' | 'audit' | undefined): Reducer {
  return (draft, entries) => {
    const k = kindOf(entries[0]?.docId ?? '');
    if (k === 'stats') statsReducer(draft, entries);
    else if (k === 'audit') auditReducer(draft, entries);
  };
}
