import { defineErrors } from '../../schemas/errors.ts';

/** Coded errors of the local admin API. */
export const adminErrors = defineErrors('admin', {
  E_ADMIN_UNAUTHORIZED: { message: 'Missing or wrong admin bearer token', status: 401, expose: true },
  E_ADMIN_BAD_JSON: { message: 'Request body is not valid JSON', status: 400, expose: true },
  E_ADMIN_UNSUPPORTED_MEDIA: { message: 'Request body must be application/json', status: 415, expose: true },
  E_ADMIN_BODY_TOO_LARGE: { message: 'Request body is too large', status: 413, expose: true },
  E_ADMIN_BAD_QUERY: { message: 'Query parameter is invalid', status: 400, expose: true },
});
