// The five document kinds: their schemas, current versions and how a reader tolerates a newer writer.
import type { z } from 'zod';
import { type AuditTrail, auditTrailSchema } from './audit-trail.ts';
import { type ExceptionsDoc, exceptionsSchema } from './exceptions.ts';
import { type PatternStats, patternStatsSchema } from './pattern-stats.ts';
import { type RuleBook, ruleBookSchema } from './rule-book.ts';
import { SITE_SETTINGS_FALLBACKS, type SiteSettings, siteSettingsSchema } from './site-settings.ts';

/** Same names as sync's document ids (`sync/doc-ids.ts`). */
export const DOCUMENT_KINDS = [
  'site_settings',
  'rule_book',
  'exceptions',
  'pattern_stats',
  'audit_trail',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export interface DocumentTypes {
  site_settings: SiteSettings;
  rule_book: RuleBook;
  exceptions: ExceptionsDoc;
  pattern_stats: PatternStats;
  audit_trail: AuditTrail;
}
export type DocumentOf<K extends DocumentKind> = DocumentTypes[K];
export type OsirisDocument = DocumentTypes[DocumentKind];

/** The schemaVersion this code writes. A bump ships a migration (migrations.ts). */
export const CURRENT_SCHEMA_VERSION: Readonly<Record<DocumentKind, number>> = {
  site_settings: 1,
  rule_book: 1,
  exceptions: 1,
  pattern_stats: 1,
  audit_trail: 1,
};

export const DOCUMENT_SCHEMAS: { readonly [K in DocumentKind]: z.ZodType<DocumentTypes[K]> } = {
  site_settings: siteSettingsSchema,
  rule_book: ruleBookSchema,
  exceptions: exceptionsSchema,
  pattern_stats: patternStatsSchema,
  audit_trail: auditTrailSchema,
};

/**
 * How a reader opens a document from a newer writer. An entry of an `entryMaps` map it cannot
 * interpret (new enum value in a field it depends on, changed shape) is left out of what it reads —
 * inert, never applied, never rewritten. A top-level field with a `fallbacks` value reads as that
 * safe default. Anything else that fails is a real error.
 */
export interface Tolerance {
  readonly entryMaps: readonly string[];
  readonly fallbacks: Readonly<Record<string, unknown>>;
  /** Optional top-level fields a reader may drop when it cannot read them. */
  readonly droppable: readonly string[];
}

export const TOLERANCE: Readonly<Record<DocumentKind, Tolerance>> = {
  site_settings: {
    entryMaps: ['enabled_frameworks', 'checks', 'contacts'],
    fallbacks: SITE_SETTINGS_FALLBACKS,
    droppable: ['maintenance'],
  },
  rule_book: { entryMaps: ['rules'], fallbacks: {}, droppable: [] },
  exceptions: { entryMaps: ['exceptions'], fallbacks: {}, droppable: [] },
  pattern_stats: { entryMaps: ['patterns', 'rule_outcomes'], fallbacks: {}, droppable: [] },
  audit_trail: { entryMaps: ['entries'], fallbacks: {}, droppable: [] },
};

/** True for the five kinds. */
export function isDocumentKind(kind: unknown): kind is DocumentKind {
  return typeof kind === 'string' && (DOCUMENT_KINDS as readonly string[]).includes(kind);
}
