// Requesting an exception: the input a client submits and the `requested` exception it becomes.
import { z } from 'zod';
import { OsirisError } from './errors.ts';
import {
  EXCEPTION_ACTIONS,
  EXCEPTION_SCOPES,
  MAX_DURATION_MS,
  type Exception,
  type ExceptionHistoryEntry,
  exceptionId,
} from './exceptions.ts';
import { describeIssues, epochMs, text } from './primitives.ts';
import { schemaErrors } from './schema-errors.ts';

/** What a client submits to request an exception. */
export const exceptionRequestSchema = z.strictObject({
  scope: z.enum(EXCEPTION_SCOPES),
  item_id: text(1, 128),
  device_filter: z
    .string()
    .regex(/^[a-z_]+:[^\s]{1,200}$/)
    .optional(),
  reason: z.string().trim().min(10).max(1000),
  compensating_control: text(0, 1000).optional(),
  risk_accepted_by: text(1, 200).optional(),
  action: z.enum(EXCEPTION_ACTIONS),
  starts_at: epochMs.optional(),
  expires_at: epochMs,
});
export type ExceptionRequest = z.input<typeof exceptionRequestSchema>;

/**
 * The new exception (status `requested`, one history line) for a request made by `actor` at `now`,
 * or the OsirisError explaining why the request is refused (E_EXCEPTION_INPUT, E_EXCEPTION_DURATION).
 */
export function requestException(
  id: string,
  actor: string,
  input: ExceptionRequest,
  now: number,
): { exception: Exception; history: ExceptionHistoryEntry } | OsirisError {
  const parsed = exceptionRequestSchema.safeParse(input);
  if (!parsed.success || !exceptionId.safeParse(id).success) {
    const issues = parsed.success
      ? ['id: must be EXC- and 12 upper-case hex']
      : describeIssues(parsed.error.issues);
    return new OsirisError(
      schemaErrors.E_EXCEPTION_INPUT,
      `exception request is invalid: ${issues.join('; ')}`,
    );
  }
  const { starts_at = now, ...fields } = parsed.data;
  if (fields.expires_at <= Math.max(starts_at, now)) {
    return new OsirisError(
      schemaErrors.E_EXCEPTION_INPUT,
      'expiry must be in the future and after the start',
    );
  }
  if (fields.expires_at - starts_at > MAX_DURATION_MS.central) {
    return new OsirisError(schemaErrors.E_EXCEPTION_DURATION, 'longer than any approver may grant');
  }
  const history: ExceptionHistoryEntry = { at: now, actor, event: 'request', status: 'requested' };
  const exception: Exception = {
    ...fields,
    compensating_control: fields.compensating_control ?? '',
    id,
    starts_at,
    requested_by: actor,
    requested_at: now,
    status: 'requested',
    history: [history],
  };
  return { exception, history };
}
