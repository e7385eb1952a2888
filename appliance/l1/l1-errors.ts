import { defineErrors } from '../../schemas/errors.ts';

/** Coded errors of the L1 engine (rule compilation). */
export const l1Errors = defineErrors('l1', {
  E_L1_INVALID_RULE: { message: 'L1 rule is invalid', status: 400, expose: true },
  E_L1_UNSAFE_REGEX: {
    message: 'L1 rule regex is invalid or may backtrack catastrophically',
    status: 400,
    expose: true,
  },
});
