import { defineErrors } from '../../schemas/errors.ts';

/** Coded errors of the SSH runbook executor. */
export const runbookErrors = defineErrors('runbooks', {
  E_RUNBOOK_SSH_AUTH: { message: 'SSH authentication to the target failed (not retried)', status: 502 },
  E_RUNBOOK_SSH_CONNECT: { message: 'Could not connect to the SSH target', status: 502 },
  E_RUNBOOK_SSH_HOST_KEY: { message: 'SSH host key did not match the configured fingerprint', status: 502 },
  E_RUNBOOK_CONNECTION_LOST: { message: 'SSH connection was lost while a command ran', status: 502 },
  E_RUNBOOK_TIMEOUT: { message: 'Runbook phase exceeded its timeout', status: 504 },
  E_RUNBOOK_BAD_ARGUMENT: {
    message: 'Command argument cannot be passed to a shell',
    status: 400,
    expose: true,
  },
  E_RUNBOOK_UNKNOWN: { message: 'Unknown runbook id', status: 404, expose: true },
});
