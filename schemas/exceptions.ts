// Exceptions: one per site, compliance exceptions keyed by id. Clients request, partners approve or
// deny (through the cloud); appliances read them to suppress alerts or skip remediation.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { docHeader, epochMs, siteId, text } from './primitives.ts';

export const EXCEPTION_SCOPES = ['runbook', 'check', 'control'] as const;
export type ExceptionScope = (typeof EXCEPTION_SCOPES)[number];
export const EXCEPTION_ACTIONS = ['suppress_alert', 'skip_remediation', 'both'] as const;
export type ExceptionAction = (typeof EXCEPTION_ACTIONS)[number];
export const EXCEPTION_STATUSES = ['requested', 'active', 'denied', 'revoked', 'expired'] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];
export const APPROVER_TIERS = ['client_admin', 'partner', 'l3', 'central'] as const;
export type ApproverTier = (typeof APPROVER_TIERS)[number];

const DAY_MS = 86_400_000;
/** Longest exception each approver tier may grant. */
export const MAX_DURATION_MS: Readonly<Record<ApproverTier, number>> = {
  client_admin: 30 * DAY_MS,
  partner: 90 * DAY_MS,
  l3: 365 * DAY_MS,
  central: 3650 * DAY_MS,
};
/** "Expiring soon" horizon. */
export const EXPIRING_SOON_MS = 14 * DAY_MS;

export const EXCEPTION_ID = /^EXC-[0-9A-F]{12}$/;
export const exceptionId = z.string().regex(EXCEPTION_ID);
const actor = text(1, 200);

/** One history line; the list only grows (concurrent appends both survive). */
export const exceptionHistoryEntrySchema = z.looseObject({
  at: epochMs,
  actor,
  /** request | approve | deny | renew | revoke | expire; opaque, newer writers may add events. */
  event: text(1, 32),
  /** Status after the event; opaque here because history is display-only. */
  status: text(1, 32),
  note: text(0, 1000).optional(),
});
export type ExceptionHistoryEntry = z.infer<typeof exceptionHistoryEntrySchema>;

export const exceptionSchema = z
  .looseObject({
    id: exceptionId,
    scope: z.enum(EXCEPTION_SCOPES),
    /** The runbook id, check type or control id the exception covers. */
    item_id: text(1, 128),
    /** Which devices, e.g. `hostname:legacy-*`; absent = every device of the site. */
    device_filter: z
      .string()
      .regex(/^[a-z_]+:[^\s]{1,200}$/)
      .optional(),
    reason: text(10, 1000),
    compensating_control: text(0, 1000).default(''),
    risk_accepted_by: actor.optional(),
    action: z.enum(EXCEPTION_ACTIONS),
    starts_at: epochMs,
    expires_at: epochMs,
    requested_by: actor,
    requested_at: epochMs,
    approved_by: actor.optional(),
    approved_at: epochMs.optional(),
    approval_tier: z.enum(APPROVER_TIERS).optional(),
    status: z.enum(EXCEPTION_STATUSES),
    decision_reason: text(0, 1000).optional(),
    history: z.array(exceptionHistoryEntrySchema).max(10_000),
  })
  .superRefine((e, ctx) => {
    if (e.expires_at <= e.starts_at)
      ctx.addIssue({ code: 'custom', path: ['expires_at'], message: 'expiry must follow the start' });
  });
export type Exception = z.output<typeof exceptionSchema>;

export const exceptionsSchema = z
  .looseObject({
    ...docHeader('exceptions'),
    siteId,
    exceptions: z.record(exceptionId, exceptionSchema),
  })
  .superRefine((doc, ctx) => {
    for (const [key, e] of Object.entries(doc.exceptions)) {
      if (e.id !== key)
        ctx.addIssue({ code: 'custom', path: ['exceptions', key, 'id'], message: 'id differs from its key' });
    }
  });
export type ExceptionsDoc = z.output<typeof exceptionsSchema>;

/** A new random exception id: `EXC-` + 12 upper-case hex (48 random bits, not enumerable). */
export function newExceptionId(): string {
  return `EXC-${randomBytes(6).toString('hex').toUpperCase()}`;
}

/** In force at `now`: active, started, not yet expired. Expiry is implicit; no sweeper is needed. */
export function isExceptionValid(
  e: Pick<Exception, 'status' | 'starts_at' | 'expires_at'>,
  now: number,
): boolean {
  return e.status === 'active' && e.starts_at <= now && now < e.expires_at;
}

/** Valid and expiring within 14 days of `now`. */
export function isExpiringSoon(
  e: Pick<Exception, 'status' | 'starts_at' | 'expires_at'>,
  now: number,
): boolean {
  return isExceptionValid(e, now) && e.expires_at - now <= EXPIRING_SOON_MS;
}

/** Exceptions in force for (scope, item) at `now`; a merge may leave two, and either one applies. */
export function validExceptionsFor(
  doc: Pick<ExceptionsDoc, 'exceptions'>,
  scope: ExceptionScope,
  itemId: string,
  now: number,
): Exception[] {
  return Object.values(doc.exceptions).filter(
    (e) => e.scope === scope && e.item_id === itemId && isExceptionValid(e, now),
  );
}
