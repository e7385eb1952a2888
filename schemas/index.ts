// Public API of schemas/: document types and validators, versions and migrations, initial documents,
// built-in rules, the exception lifecycle and the pattern signature. See docs/schemas.md.
export * from './audit-trail.ts';
export * from './builtin-rules.ts';
export * from './check-types.ts';
export * from './documents.ts';
export * from './errors.ts';
export * from './exception-lifecycle.ts';
export * from './exception-request.ts';
export * from './exceptions.ts';
export * from './frameworks.ts';
export * from './initial-documents.ts';
export * from './migrations.ts';
export * from './pattern-signature.ts';
export * from './pattern-stats.ts';
export * from './primitives.ts';
export * from './python-json.ts';
export * from './rule-action.ts';
export * from './rule-book.ts';
export * from './schema-errors.ts';
export * from './site-settings-patch.ts';
export * from './site-settings.ts';
export * from './validate-document.ts';
