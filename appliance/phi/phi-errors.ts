import { defineErrors } from '../../schemas/errors.ts';

/** Coded errors of the PHI scrubber (configuration only: scrubbing itself never throws). */
export const phiErrors = defineErrors('phi', {
  E_PHI_KEY_TOO_SHORT: { message: 'PHI scrubber key must be at least 16 bytes', status: 500, expose: false },
});
