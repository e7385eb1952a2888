import { createHash } from 'node:crypto';
import { type DocumentId, parseAutomergeUrl, stringifyAutomergeUrl } from '@automerge/automerge-repo';

export type DocKind = 'site_settings' | 'rule_book' | 'exceptions' | 'pattern_stats' | 'audit_trail';

/**
 * Document ids are derived, not random: an appliance can create its next AuditTrail period while the
 * cloud is unreachable, and the cloud can recognise that id later without a round trip.
 */
export function deriveDocId(
  scope: { siteId: string; applianceId?: string; period?: string },
  kind: DocKind,
): DocumentId {
  const name = ['osiris-doc-v1', kind, scope.siteId, scope.applianceId ?? '', scope.period ?? ''].join(
    '\u0000',
  );
  const bytes = new Uint8Array(createHash('sha256').update(name).digest().subarray(0, 16));
  return parseAutomergeUrl(
    stringifyAutomergeUrl(bytes as unknown as Parameters<typeof stringifyAutomergeUrl>[0]),
  ).documentId;
}

/** Audit trails rotate monthly: the period of a time is its UTC year-month. */
export function auditPeriod(at: Date | number): string {
  return new Date(at).toISOString().slice(0, 7);
}

/** The documents a site and one of its appliances use, by logical name. */
export function siteDocIds(siteId: string): Record<'settings' | 'rules' | 'exceptions', DocumentId> {
  return {
    settings: deriveDocId({ siteId }, 'site_settings'),
    rules: deriveDocId({ siteId }, 'rule_book'),
    exceptions: deriveDocId({ siteId }, 'exceptions'),
  };
}

export function applianceDocIds(
  siteId: string,
  applianceId: string,
  at: Date | number,
): Record<'stats' | 'audit', DocumentId> {
  return {
    stats: deriveDocId({ siteId, applianceId }, 'pattern_stats'),
    audit: deriveDocId({ siteId, applianceId, period: auditPeriod(at) }, 'audit_trail'),
  };
}
