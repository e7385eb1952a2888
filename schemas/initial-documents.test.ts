import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES } from './builtin-rules.ts';
import { DOCUMENT_KINDS, type DocumentKind } from './documents.ts';
import {
  initialAuditTrail,
  initialExceptions,
  initialPatternStats,
  initialRuleBook,
  initialSiteSettings,
} from './initial-documents.ts';
import { validateDocument } from './validate-document.ts';

const make: Record<DocumentKind, () => Record<string, unknown>> = {
  site_settings: () => initialSiteSettings('site-1'),
  rule_book: () => initialRuleBook('site-1'),
  exceptions: () => initialExceptions('site-1'),
  pattern_stats: () => initialPatternStats('site-1', 'appl-1'),
  audit_trail: () => initialAuditTrail('site-1', 'appl-1', '2026-11'),
};

describe('initial documents', () => {
  it.each(DOCUMENT_KINDS)('%s: non-empty, valid, current version, deterministic genesis bytes', (kind) => {
    const value = make[kind]();
    expect(Object.keys(value).length).toBeGreaterThan(2);
    const r = validateDocument(kind, value);
    expect(r.ok && r.compat).toBe('current');
    // What sync's genesisDoc does: fixed actor, time 0, structuredClone of the initial value.
    const genesis = () =>
      A.change(A.init<Record<string, unknown>>({ actor: 'abcd' }), { time: 0 }, (d) => {
        Object.assign(d, structuredClone(make[kind]()));
      });
    expect(A.save(genesis())).toEqual(A.save(genesis()));
    expect(validateDocument(kind, genesis()).ok).toBe(true);
  });

  it('the rule book holds the given built-ins keyed by id; settings follow the industry preset', () => {
    expect(Object.keys(initialRuleBook('s').rules).sort()).toEqual(BUILTIN_RULES.map((r) => r.id).sort());
    expect(initialRuleBook('s', []).rules).toEqual({});
    expect(initialSiteSettings('s').enabled_frameworks).toEqual({ hipaa: true, nist_csf: true });
    expect(initialSiteSettings('s', { healingTier: 'full_coverage', clinicName: 'North' })).toMatchObject({
      healing_tier: 'full_coverage',
      clinic_name: 'North',
    });
  });

  it('factories hand out fresh objects (no shared built-in rule objects to mutate)', () => {
    const a = initialRuleBook('s');
    const first = Object.keys(a.rules)[0] as string;
    (a.rules[first] as { enabled: boolean }).enabled = false;
    expect(initialRuleBook('s').rules[first]?.enabled).toBe(true);
  });
});
