import { defineErrors } from './errors.ts';

/** Codes for document validation, migration and the exception lifecycle (docs/schemas.md). */
export const schemaErrors = defineErrors('schemas', {
  E_SCHEMA_INVALID: { message: 'Document does not match its schema', status: 422, expose: true },
  E_SCHEMA_UNKNOWN_KIND: { message: 'Unknown document kind', status: 400, expose: true },
  E_SCHEMA_KIND_MISMATCH: {
    message: 'Document kind differs from the kind it was opened as',
    status: 422,
    expose: true,
  },
  E_SCHEMA_MIGRATION_MISSING: {
    message: 'No migration path from this document version to the current one',
    status: 422,
    expose: true,
  },
  E_SCHEMA_MIGRATION_FAILED: { message: 'A document migration step failed', status: 500, expose: false },
  E_SETTINGS_PATCH_INVALID: {
    message: 'Site settings change is not allowed (critical check, last enabled check or bad value)',
    status: 422,
    expose: true,
  },
  E_RULE_INVALID: { message: 'L1 rule is invalid', status: 422, expose: true },
  E_EXCEPTION_INPUT: { message: 'Exception request or decision is invalid', status: 400, expose: true },
  E_EXCEPTION_TRANSITION: {
    message: 'The exception cannot make this transition in its current state',
    status: 409,
    expose: true,
  },
  E_EXCEPTION_DURATION: {
    message: "Exception duration exceeds the approver tier's maximum",
    status: 422,
    expose: true,
  },
  E_EXCEPTION_SELF_APPROVAL: {
    message: 'An exception cannot be approved or renewed by its requester',
    status: 403,
    expose: true,
  },
  E_EXCEPTION_DUPLICATE_ACTIVE: {
    message: 'Another exception is already active for this scope and item',
    status: 409,
    expose: true,
  },
});
