import type { DocKind } from '../../sync/doc-ids.ts';

/** Who is talking: an enrolled appliance, or the cloud itself (portal edits, promotions). */
export type Principal =
  | { readonly kind: 'appliance'; readonly applianceId: string; readonly siteId: string }
  | { readonly kind: 'cloud' };

export interface DocumentEntry {
  readonly docId: string;
  readonly siteId: string;
  readonly kind: DocKind;
  readonly applianceId: string | null;
  readonly period: string | null;
}

export function principalName(p: Principal): string {
  return p.kind === 'cloud' ? 'cloud' : `appliance:${p.applianceId}`;
}

/** Read ACL: an appliance reads its site's shared documents and its own documents, nothing else. */
export function canRead(p: Principal, d: DocumentEntry): boolean {
  if (p.kind === 'cloud') return true;
  if (d.siteId !== p.siteId) return false;
  return d.applianceId === null || d.applianceId === p.applianceId;
}

/**
 * Write ACL (design.md "Documents"): an appliance writes its own PatternStats and AuditTrail, and its
 * site's SiteSettings (local admin edits during outages). RuleBook and Exceptions are written only by
 * the cloud (partners and clients act through the cloud).
 */
export function canWrite(p: Principal, d: DocumentEntry): boolean {
  if (p.kind === 'cloud') return true;
  if (!canRead(p, d)) return false;
  switch (d.kind) {
    case 'pattern_stats':
    case 'audit_trail':
      return d.applianceId === p.applianceId;
    case 'site_settings':
      return true;
    case 'rule_book':
    case 'exceptions':
      return false;
  }
}
