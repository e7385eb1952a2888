import { defineErrors } from '../../schemas/errors.ts';

/** Coded errors of the drift intake; they travel as gRPC status details and ack error codes. */
export const intakeErrors = defineErrors('intake', {
  E_INTAKE_UNAUTHENTICATED: { message: 'Missing or unknown agent token', status: 401, expose: true },
  E_INTAKE_AGENT_MISMATCH: {
    message: 'Event agent_id does not match the authenticated agent',
    status: 403,
    expose: true,
  },
  E_INTAKE_INVALID_EVENT: { message: 'Drift event failed validation', status: 400, expose: true },
  E_INTAKE_MALFORMED: { message: 'Message could not be decoded', status: 400, expose: true },
  E_INTAKE_JOURNAL_FAILED: {
    message: 'Events could not be journaled; resend them',
    status: 503,
    expose: true,
  },
});
