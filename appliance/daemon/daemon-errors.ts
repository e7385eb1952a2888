import { defineErrors } from '../../schemas/errors.ts';

/** Coded errors of the appliance daemon (configuration, start-up). */
export const daemonErrors = defineErrors('daemon', {
  E_DAEMON_CONFIG_UNREADABLE: {
    message: 'Daemon configuration file could not be read',
    status: 400,
    expose: true,
  },
  E_DAEMON_CONFIG_JSON: { message: 'Daemon configuration file is not valid JSON', status: 400, expose: true },
  E_DAEMON_CONFIG_INVALID: { message: 'Daemon configuration failed validation', status: 400, expose: true },
  E_DAEMON_KEY_UNREADABLE: {
    message: 'A key file named in the daemon configuration could not be read',
    status: 400,
    expose: true,
  },
  E_DAEMON_ENROLL_FAILED: {
    message: 'Enrollment with the cloud failed (the daemon retries on its next start)',
    status: 502,
    expose: true,
  },
  E_DAEMON_LISTEN_FAILED: {
    message: 'The intake or admin listener could not bind its address',
    status: 500,
    expose: true,
  },
});
