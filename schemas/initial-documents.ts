// Initial documents for repo.create / sync's genesisDoc. Each is a pure function of its arguments (no
// clock, no randomness) so two replicas creating the same document produce the same genesis change,
// and uses plain strings: genesisDoc structuredClones its input, which would turn an ImmutableString
// into a `{ val }` map.
import type { AuditTrail } from './audit-trail.ts';
import { BUILTIN_RULES } from './builtin-rules.ts';
import { CURRENT_SCHEMA_VERSION } from './documents.ts';
import type { ExceptionsDoc } from './exceptions.ts';
import { frameworkMap, presetFrameworks } from './frameworks.ts';
import type { PatternStats } from './pattern-stats.ts';
import type { Rule, RuleBook } from './rule-book.ts';
import type { ClientAlertMode, HealingTier, SiteSettings } from './site-settings.ts';

export interface SiteSettingsOptions {
  readonly clinicName?: string;
  readonly industry?: string;
  readonly healingTier?: HealingTier;
  readonly clientAlertMode?: ClientAlertMode;
}

/**
 * Settings for a new site: healthcare preset (HIPAA + NIST CSF), standard tier, every check on.
 * Pass the same options on every replica that may create the document (or none).
 */
export function initialSiteSettings(siteId: string, options: SiteSettingsOptions = {}): SiteSettings {
  const industry = options.industry ?? 'healthcare';
  return {
    kind: 'site_settings',
    schemaVersion: CURRENT_SCHEMA_VERSION.site_settings,
    siteId,
    clinic_name: options.clinicName ?? '',
    industry,
    healing_tier: options.healingTier ?? 'standard',
    client_alert_mode: options.clientAlertMode ?? 'informed',
    enabled_frameworks: frameworkMap(presetFrameworks(industry)),
    checks: {},
    contacts: {},
    notes: '',
  };
}

/** A site's rule book holding `builtins` (the built-in set by default), keyed by id. */
export function initialRuleBook(siteId: string, builtins: readonly Rule[] = BUILTIN_RULES): RuleBook {
  const rules: Record<string, Rule> = {};
  for (const r of builtins) rules[r.id] = structuredClone(r);
  return { kind: 'rule_book', schemaVersion: CURRENT_SCHEMA_VERSION.rule_book, siteId, rules };
}

/** A site's empty exception register. */
export function initialExceptions(siteId: string): ExceptionsDoc {
  return { kind: 'exceptions', schemaVersion: CURRENT_SCHEMA_VERSION.exceptions, siteId, exceptions: {} };
}

/** An appliance's empty pattern statistics. */
export function initialPatternStats(siteId: string, applianceId: string): PatternStats {
  return {
    kind: 'pattern_stats',
    schemaVersion: CURRENT_SCHEMA_VERSION.pattern_stats,
    siteId,
    applianceId,
    patterns: {},
    rule_outcomes: {},
  };
}

/** An appliance's audit trail for one UTC month (`2026-11`). */
export function initialAuditTrail(siteId: string, applianceId: string, period: string): AuditTrail {
  return {
    kind: 'audit_trail',
    schemaVersion: CURRENT_SCHEMA_VERSION.audit_trail,
    siteId,
    applianceId,
    period,
    entries: {},
  };
}
