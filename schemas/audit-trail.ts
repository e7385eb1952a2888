// AuditTrail: one per appliance and UTC month, written only by that appliance. Entries live in a map
// keyed by entry id: replaying a journal batch overwrites instead of duplicating, and measured here a
// keyed map costs no more per entry than a list (docs/schemas.md). Monthly rotation bounds its size.
//
// Each entry is stored as ONE scalar: its JSON text (encodeAuditEntry, written as an ImmutableString).
// An entry is an immutable fact — nobody edits its fields, concurrently or otherwise — so nested maps
// bought nothing and cost 8 operations per entry; sync, load and the JavaScript materialisation all
// scale with operations (schemas/audit-trail.test.ts checks the operation count; the P2 and P5
// benchmarks show the effect). Readers accept both encodings: documents written before this change
// hold entry maps.
import { z } from 'zod';
import { applianceId, docHeader, epochMs, period, scalarMap, siteId, text } from './primitives.ts';

export const AUDIT_OUTCOMES = [
  'success',
  'failure',
  'partial',
  'escalated',
  'timeout',
  'skipped',
  'info',
] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const auditEntryId = z.string().regex(/^(?!__proto__$)[A-Za-z0-9_.:-]{1,128}$/);

export const auditEntrySchema = z.looseObject({
  id: auditEntryId,
  /** Epoch ms, UTC. */
  at: epochMs,
  /** Who acted: `appliance`, `l1:<rule_id>`, `admin:<name>` … */
  actor: text(1, 200),
  /** What was done: `run_runbook:LIN-SSH-001`, `settings.update` … */
  action: text(1, 200),
  /** What it was done to: a hostname, check type, document … */
  target: text(0, 256),
  detail: scalarMap.default({}),
  /** Opaque: readers keep outcomes they do not know (see AUDIT_OUTCOMES for ours). */
  outcome: text(1, 32),
});
export type AuditEntry = z.output<typeof auditEntrySchema>;
/** An entry as a writer may submit it (`detail` optional). */
export type AuditEntryInput = z.input<typeof auditEntrySchema>;

/** Longest encoded entry a reader parses (detail holds at most 32 scalars). */
const MAX_ENCODED_ENTRY = 64 * 1024;

/** An entry as stored: its JSON text (current writers) or a map (documents written before). */
function decodeEntry(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value.length > MAX_ENCODED_ENTRY) return value; // fails the schema: reported, not parsed
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** The stored form of an entry: its JSON text (write it as an ImmutableString, one operation). */
export function encodeAuditEntry(entry: AuditEntryInput): string {
  const { id, at, actor, action, target, detail, outcome, ...rest } = entry;
  return JSON.stringify({ id, at, actor, action, target, detail: detail ?? {}, outcome, ...rest });
}

export const auditTrailSchema = z
  .looseObject({
    ...docHeader('audit_trail'),
    siteId,
    applianceId,
    period,
    entries: z.record(auditEntryId, z.preprocess(decodeEntry, auditEntrySchema)),
  })
  .superRefine((doc, ctx) => {
    for (const [key, e] of Object.entries(doc.entries)) {
      if (e.id !== key)
        ctx.addIssue({ code: 'custom', path: ['entries', key, 'id'], message: 'id differs from its key' });
    }
  });
export type AuditTrail = z.output<typeof auditTrailSchema>;

/** The audit period (UTC `YYYY-MM`) an epoch-ms time falls in. */
export function auditPeriodOf(at: number): string {
  return new Date(at).toISOString().slice(0, 7);
}
