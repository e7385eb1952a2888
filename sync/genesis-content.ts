import {
  initialAuditTrail,
  initialExceptions,
  initialPatternStats,
  initialRuleBook,
  initialSiteSettings,
} from '../schemas/index.ts';
import type { DocKind } from './doc-ids.ts';

export interface DocIdentity {
  readonly kind: DocKind;
  readonly siteId: string;
  readonly applianceId: string | null;
  readonly period: string | null;
}

/**
 * The genesis content of a document: a pure function of its identity, shared by the cloud and the
 * appliances so both create byte-identical first changes (see genesis.ts).
 */
export function genesisContent(e: DocIdentity): Record<string, unknown> {
  switch (e.kind) {
    case 'site_settings':
      return initialSiteSettings(e.siteId) as unknown as Record<string, unknown>;
    case 'rule_book':
      // Empty: built-in rules change between releases, and a genesis must never depend on the
      // software version. The cloud adds the built-ins in an ordinary change when it creates the site.
      return initialRuleBook(e.siteId, []) as unknown as Record<string, unknown>;
    case 'exceptions':
      return initialExceptions(e.siteId) as unknown as Record<string, unknown>;
    case 'pattern_stats':
      return initialPatternStats(e.siteId, e.applianceId ?? '') as unknown as Record<string, unknown>;
    case 'audit_trail':
      return initialAuditTrail(e.siteId, e.applianceId ?? '', e.period ?? '') as unknown as Record<
        string,
        unknown
      >;
  }
}
