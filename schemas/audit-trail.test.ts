import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { encodeAuditEntry } from './audit-trail.ts';
import { initialAuditTrail } from './initial-documents.ts';
import { validateDocument } from './validate-document.ts';

const entry = {
  id: 'a1',
  at: 1_795_000_000_000,
  actor: 'l1:L1-FW-001',
  action: 'run_runbook:LIN-FW-001',
  target: 'ws-01',
  detail: { host: 'ws-01', attempt: 2 },
  outcome: 'success',
};

/** An AuditTrail document holding `value` under entries.a1, round-tripped through Automerge. */
function docWith(value: unknown): unknown {
  const d = A.change(
    A.from(initialAuditTrail('site-1', 'appl-1', '2026-11') as Record<string, unknown>),
    (x) => {
      (x.entries as Record<string, unknown>).a1 = value;
    },
  );
  return A.load(A.save(d));
}

describe('AuditTrail entry encodings', () => {
  it('reads an entry stored as one encoded scalar exactly like one stored as a map', () => {
    const asScalar = validateDocument('audit_trail', docWith(new A.ImmutableString(encodeAuditEntry(entry))));
    const asMap = validateDocument('audit_trail', docWith(entry));
    expect(asScalar.ok && asScalar.value.entries.a1).toEqual(entry);
    expect(asMap.ok && asMap.value.entries.a1).toEqual(entry);
  });

  it('costs one operation per entry instead of one per field', () => {
    const ops = (v: unknown) => A.stats(docWith(v) as A.Doc<unknown>).numOps;
    expect(ops(new A.ImmutableString(encodeAuditEntry(entry)))).toBeLessThan(ops(entry) - 6);
  });

  it('refuses an encoded entry that is not JSON, is not an entry, or is too long', () => {
    for (const bad of [
      '{not json',
      JSON.stringify({ ...entry, at: 'yesterday' }),
      JSON.stringify({ ...entry, id: 'other' }),
      encodeAuditEntry({ ...entry, target: 'x'.repeat(70_000) }),
    ]) {
      const r = validateDocument('audit_trail', docWith(new A.ImmutableString(bad)));
      expect(r.ok).toBe(false);
    }
  });
});
