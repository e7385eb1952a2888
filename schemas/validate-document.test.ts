import * as A from '@automerge/automerge';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_KINDS, type DocumentKind } from './documents.ts';
import { OsirisError } from './errors.ts';
import {
  initialAuditTrail,
  initialExceptions,
  initialPatternStats,
  initialRuleBook,
  initialSiteSettings,
} from './initial-documents.ts';
import { parseDocument, validateDocument } from './validate-document.ts';

const INITIAL: Record<DocumentKind, () => Record<string, unknown>> = {
  site_settings: () => initialSiteSettings('site-1'),
  rule_book: () => initialRuleBook('site-1'),
  exceptions: () => initialExceptions('site-1'),
  pattern_stats: () => initialPatternStats('site-1', 'site-1-AA:BB:CC:DD:EE:FF'),
  audit_trail: () => initialAuditTrail('site-1', 'site-1-AA:BB:CC:DD:EE:FF', '2026-11'),
};

function errorCode(kind: DocumentKind, value: unknown): string {
  const r = validateDocument(kind, value);
  return r.ok ? 'ok' : r.error.code;
}

describe('validateDocument', () => {
  it.each(DOCUMENT_KINDS)(
    'accepts the initial %s, as a plain object and as an Automerge document',
    (kind) => {
      expect(errorCode(kind, INITIAL[kind]())).toBe('ok');
      const doc = A.from(INITIAL[kind]());
      const r = validateDocument(kind, doc);
      expect(r.ok && r.compat).toBe('current');
    },
  );

  it('gives coded errors: unknown kind, kind mismatch, not an object, bad version, bad field', () => {
    expect(errorCode('nope' as DocumentKind, {})).toBe('E_SCHEMA_UNKNOWN_KIND');
    expect(errorCode('rule_book', INITIAL.site_settings())).toBe('E_SCHEMA_KIND_MISMATCH');
    expect(errorCode('rule_book', { ...INITIAL.rule_book(), kind: 'martian' })).toBe(
      'E_SCHEMA_KIND_MISMATCH',
    );
    expect(errorCode('rule_book', [])).toBe('E_SCHEMA_INVALID');
    expect(errorCode('rule_book', null)).toBe('E_SCHEMA_INVALID');
    expect(errorCode('rule_book', { ...INITIAL.rule_book(), schemaVersion: 1.5 })).toBe('E_SCHEMA_INVALID');
    expect(errorCode('site_settings', { ...INITIAL.site_settings(), healing_tier: 'premium' })).toBe(
      'E_SCHEMA_INVALID',
    );
    const r = validateDocument('audit_trail', { ...INITIAL.audit_trail(), period: '2026-13' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toContain('period');
      expect(r.error.expose).toBe(true);
      expect(r.error.status).toBe(422);
    }
  });

  it('checks map keys against entry ids and keeps unknown fields', () => {
    const rb = INITIAL.rule_book();
    const rules = rb.rules as Record<string, Record<string, unknown>>;
    const first = Object.keys(rules)[0] as string;
    expect(errorCode('rule_book', { ...rb, rules: { 'OTHER-ID': rules[first] } })).toBe('E_SCHEMA_INVALID');
    const r = validateDocument('rule_book', { ...rb, futureField: { a: 1 } });
    expect(r.ok && (r.value as Record<string, unknown>).futureField).toEqual({ a: 1 });
  });

  it('reads ImmutableString and Counter values as plain strings and numbers', () => {
    const stats = INITIAL.pattern_stats();
    const doc = A.from<Record<string, unknown>>({ ...stats, siteId: new A.ImmutableString('site-1') });
    const withCounter = A.change(doc, (d) => {
      (d.patterns as Record<string, unknown>)['0123456789abcdef'] = {
        incident_type: new A.ImmutableString('disk_space'),
        check_type: null,
        total_occurrences: new A.Counter(3),
        l1_resolutions: 1,
        l2_resolutions: 0,
        l3_resolutions: 0,
        success_count: 1,
        failure_count: 0,
        total_resolution_time_ms: 1200,
        last_seen: 1,
        recommended_action: 'run_runbook:LIN-DISK-001',
      };
    });
    const v = parseDocument('pattern_stats', withCounter);
    expect(v.siteId).toBe('site-1');
    expect(v.patterns['0123456789abcdef']?.total_occurrences).toBe(3);
  });

  it('never throws on hostile values: cycles, deep nesting, throwing getters, __proto__ keys', () => {
    const cyclic: Record<string, unknown> = { ...INITIAL.exceptions() };
    cyclic.self = cyclic;
    let deep: unknown = {};
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    const getter = Object.defineProperty({ ...INITIAL.exceptions() }, 'boom', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const proto = JSON.parse('{"__proto__": {"polluted": true}, "kind": "exceptions"}') as unknown;
    for (const v of [cyclic, deep, getter, proto, Symbol('x'), () => 1, 10n, new Map()]) {
      expect(errorCode('exceptions', v)).toBe('E_SCHEMA_INVALID');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('fuzz: arbitrary JSON and arbitrary values never escape as anything but a result', () => {
    const kinds = fc.constantFrom(...DOCUMENT_KINDS);
    fc.assert(
      fc.property(
        kinds,
        fc.oneof(
          fc.json().map((j) => JSON.parse(j) as unknown),
          fc.anything(),
        ),
        (kind, value) => {
          const r = validateDocument(kind, value);
          expect(r.ok || r.error instanceof OsirisError).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('fuzz: mutated valid documents (fields replaced by arbitrary JSON, any version) never crash', () => {
    const kinds = fc.constantFrom(...DOCUMENT_KINDS);
    fc.assert(
      fc.property(
        kinds,
        fc.string(),
        fc.jsonValue(),
        fc.integer({ min: -1, max: 5 }),
        (kind, key, junk, version) => {
          const doc = { ...INITIAL[kind](), [key]: junk, schemaVersion: version };
          const r = validateDocument(kind, doc);
          expect(r.ok || r.error instanceof OsirisError).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
