import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderErrorDocs } from './error-docs.ts';

describe('error-code reference', () => {
  it('docs/errors.md lists exactly the codes defined in code (regenerate with scripts/error-docs.ts)', async () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../docs/errors.md'), 'utf8');
    expect(doc).toBe(await renderErrorDocs());
  });
});
