// The wire-schema guard (style.md: "a test pins a hash of the schemas"): changing a document's schema
// without bumping its schemaVersion fails here. When it fails: bump CURRENT_SCHEMA_VERSION for that
// kind, register a migration (migrations.ts) if old documents need one, then update the pin. Only the
// JSON-Schema-representable part is hashed (refinements are not); a zod upgrade may also move a pin.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION, DOCUMENT_KINDS, DOCUMENT_SCHEMAS, type DocumentKind } from './documents.ts';

const PINNED: Record<DocumentKind, { version: number; hash: string }> = {
  site_settings: { version: 1, hash: '0688a9e9bd83aab4' },
  rule_book: { version: 1, hash: '70cebf30661dc333' },
  exceptions: { version: 1, hash: '4815d567cbd6b400' },
  pattern_stats: { version: 1, hash: 'ef6fb5bd41e82681' },
  audit_trail: { version: 1, hash: 'd4b5ff93b0435d67' },
};

function fingerprint(kind: DocumentKind): string {
  const json = JSON.stringify(
    z.toJSONSchema(DOCUMENT_SCHEMAS[kind], { unrepresentable: 'any', io: 'input' }),
  );
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

describe('document schema fingerprints', () => {
  it.each(DOCUMENT_KINDS)('%s: schema unchanged for its version', (kind) => {
    expect({ version: CURRENT_SCHEMA_VERSION[kind], hash: fingerprint(kind) }).toEqual(PINNED[kind]);
  });
});
