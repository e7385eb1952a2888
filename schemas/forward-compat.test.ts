// A reader built for version 1 opens documents written by a "newer writer" (version 2): unknown fields
// are kept, unknown values in fields we depend on are read safely, edits never lose what we don't know.
import * as A from '@automerge/automerge';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OsirisError } from './errors.ts';
import { initialAuditTrail, initialRuleBook, initialSiteSettings } from './initial-documents.ts';
import { migrateInChange } from './migrations.ts';
import { applySettingsPatch, checkSettingsPatch } from './site-settings-patch.ts';
import type { SiteSettings } from './site-settings.ts';
import type { RuleBook } from './rule-book.ts';
import { validateDocument } from './validate-document.ts';

type Loose = Record<string, unknown>;
const roundTrip = <T>(doc: A.Doc<T>): A.Doc<T> => A.load<T>(A.save(doc));

function newerSettings(): A.Doc<Loose> {
  return A.from<Loose>({
    ...initialSiteSettings('site-1'),
    schemaVersion: 2,
    healing_tier: 'autonomous', // a new value in a safety-critical field
    industry: 'veterinary', // a new value in a field we treat as opaque
    sso: { provider: 'okta', tenant: 't-1' }, // a new top-level field
    enabled_frameworks: { hipaa: true, hitrust: true }, // a framework id we don't know
    checks: { windows_defender: { enabled: true, schedule: 'hourly' } }, // a new nested field
    contacts: { c1: { name: 'Dr. Ng', pager: '555' } },
  });
}

describe('forward compatibility: a v1 reader opens a v2 document', () => {
  it('SiteSettings: reads safely, keeps unknown fields, an edit preserves everything it did not touch', () => {
    const loaded = roundTrip(newerSettings());
    const r = validateDocument('site_settings', loaded);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.compat).toBe('newer');
    expect(r.storedVersion).toBe(2);
    expect(r.value.healing_tier).toBe('standard'); // safe default for reading
    expect(r.inert).toEqual(['healing_tier']);
    expect(r.value.industry).toBe('veterinary');
    expect(r.value.sso).toEqual({ provider: 'okta', tenant: 't-1' });
    expect(r.value.enabled_frameworks).toEqual({ hipaa: true, hitrust: true });
    expect(r.value.checks.windows_defender).toEqual({ enabled: true, schedule: 'hourly' });

    const patch = checkSettingsPatch(r.value, {
      clinic_name: 'North Clinic',
      checks: { rmm_detection: { enabled: false } },
    });
    const edited = roundTrip(
      A.change(loaded, (d) => {
        expect(migrateInChange(d, 'site_settings').applied).toEqual([]); // never downgrades
        applySettingsPatch(d as unknown as SiteSettings, patch);
      }),
    );
    expect(edited).toMatchObject({
      schemaVersion: 2,
      clinic_name: 'North Clinic',
      healing_tier: 'autonomous', // not rewritten by the fallback
      sso: { provider: 'okta', tenant: 't-1' },
      enabled_frameworks: { hipaa: true, hitrust: true },
      checks: { windows_defender: { enabled: true, schedule: 'hourly' }, rmm_detection: { enabled: false } },
      contacts: { c1: { name: 'Dr. Ng', pager: '555' } },
    });
    expect(validateDocument('site_settings', edited).ok).toBe(true);
  });

  it('RuleBook: rules we cannot interpret are inert (never run, never rewritten); the rest work', () => {
    const book = initialRuleBook('site-1');
    const ssh = book.rules['L1-SSH-001'];
    const doc = A.from<Loose>({
      ...book,
      schemaVersion: 2,
      rollout: { wave: 3 },
      rules: {
        ...book.rules,
        'L1-SSH-001': { ...ssh, canary: true, source: 'marketplace' }, // extra field, opaque new source
        'NEW-OP-001': {
          ...ssh,
          id: 'NEW-OP-001',
          conditions: [{ field: 'cpu', operator: 'near', value: 90 }],
        },
        'NEW-ACT-001': { ...ssh, id: 'NEW-ACT-001', action: 'run_script:cleanup.ps1' },
      },
    });
    const loaded = roundTrip(doc);
    const r = validateDocument('rule_book', loaded);
    expect(r.ok && r.compat).toBe('newer');
    if (!r.ok) return;
    expect([...r.inert].sort()).toEqual(['rules.NEW-ACT-001', 'rules.NEW-OP-001']);
    expect(r.value.rules['NEW-OP-001']).toBeUndefined();
    expect(r.value.rules['L1-SSH-001']).toMatchObject({ canary: true, source: 'marketplace' });

    const edited = roundTrip(
      A.change(loaded as unknown as A.Doc<RuleBook>, (d) => {
        const rule = d.rules['L1-SSH-001'];
        if (rule) rule.enabled = false;
      }),
    ) as unknown as Loose;
    const rules = edited.rules as Record<string, Loose>;
    expect(rules['L1-SSH-001']).toMatchObject({ enabled: false, canary: true, source: 'marketplace' });
    expect(rules['NEW-OP-001']).toMatchObject({ conditions: [{ operator: 'near' }] });
    expect(rules['NEW-ACT-001']).toMatchObject({ action: 'run_script:cleanup.ps1' });
    expect(edited.rollout).toEqual({ wave: 3 });
  });

  it('AuditTrail: a new outcome value and extra entry fields are kept as opaque data', () => {
    const doc = A.from<Loose>({
      ...initialAuditTrail('site-1', 'appl-1', '2026-11'),
      schemaVersion: 2,
      entries: {
        e1: {
          id: 'e1',
          at: 1,
          actor: 'appliance',
          action: 'update',
          target: 'self',
          outcome: 'rolled_back',
          sig: 'ab',
        },
      },
    });
    const r = validateDocument('audit_trail', roundTrip(doc));
    expect(r.ok && r.value.entries.e1).toMatchObject({ outcome: 'rolled_back', sig: 'ab', detail: {} });
  });

  it('a newer document whose identity fields are unreadable is an error, not a guess', () => {
    const bad = { ...initialRuleBook('site-1'), schemaVersion: 2, siteId: 42 };
    const r = validateDocument('rule_book', bad);
    expect(!r.ok && r.error.code).toBe('E_SCHEMA_INVALID');
  });

  it('fuzz: newer documents with arbitrary entries and fields never crash the reader', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.dictionary(fc.string(), fc.jsonValue()),
        (rules, extra) => {
          const doc = { ...extra, ...initialRuleBook('s', []), schemaVersion: 3, rules };
          const r = validateDocument('rule_book', doc);
          expect(r.ok || r.error instanceof OsirisError).toBe(true);
          const readable = Object.keys(rules).filter((k) => k !== '__proto__');
          if (r.ok) expect(r.inert.length).toBe(readable.length - Object.keys(r.value.rules).length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
