import { defineErrors } from '../schemas/errors.ts';

export const portalErrors = defineErrors('portal', {
  E_PORTAL_UNAUTHENTICATED: { message: 'Sign in to continue', status: 401, expose: true },
  E_PORTAL_CSRF: { message: 'The form expired or did not come from this portal', status: 403, expose: true },
  E_PORTAL_FORBIDDEN: { message: 'Your role may not do this', status: 403, expose: true },
  E_PORTAL_RATE_LIMITED: {
    message: 'Too many failed sign-ins; try again in 15 minutes',
    status: 429,
    expose: true,
  },
  E_PORTAL_BODY_TOO_LARGE: { message: 'The form is too large', status: 413, expose: true },
  E_PORTAL_INPUT: { message: 'The form has invalid values', status: 400, expose: true },
  E_PORTAL_UNAVAILABLE: { message: 'The portal is starting', status: 503, expose: true },
});
