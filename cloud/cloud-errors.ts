import { defineErrors } from '../schemas/errors.ts';

export const cloudErrors = defineErrors('cloud', {
  E_DB_UNAVAILABLE: {
    message: 'The database is unreachable; the node is not ready',
    status: 503,
    expose: true,
  },
  E_UNSUPPORTED_MEDIA: { message: 'Body must be application/json', status: 415, expose: true },
  E_BODY_TOO_LARGE: { message: 'Body exceeds the size limit', status: 413, expose: true },
  E_BAD_JSON: { message: 'Body is not valid JSON', status: 400, expose: true },
});
