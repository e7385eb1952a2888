import { describe, expect, it } from 'vitest';
import { type FieldValue, fieldsFromForm, patchOf, planEdit } from './settings-fields.ts';
import { fieldKeyOfPath, writerOfMessage } from './field-writers.ts';
import { RouteTable } from '../http/router.ts';

const m = (o: Record<string, FieldValue>) => new Map(Object.entries(o));

describe('settings edits, field by field', () => {
  it('skips fields you did not change, applies fields nobody else changed, reports the rest', () => {
    const base = m({
      healing_tier: 'standard',
      notes: 'a',
      industry: 'healthcare',
      'frameworks.hipaa': false,
    });
    const current = m({
      healing_tier: 'standard',
      notes: 'b',
      industry: 'finance',
      'frameworks.hipaa': false,
    });
    const desired = m({
      healing_tier: 'full_coverage',
      notes: 'c',
      industry: 'healthcare',
      'frameworks.hipaa': true,
    });
    const plan = planEdit(desired, base, current);
    expect([...plan.apply.keys()].sort()).toEqual(['frameworks.hipaa', 'healing_tier']);
    expect(plan.conflicts).toEqual([{ key: 'notes', base: 'a', yours: 'c', theirs: 'b' }]);
    // Same value written concurrently is not a conflict.
    expect(planEdit(m({ notes: 'b' }), base, current).conflicts).toEqual([]);
  });

  it('reads forms and builds patches only for the fields a form says it carries', () => {
    const f = new URLSearchParams({
      fields: 'clinic_name,frameworks.soc2,checks.patching,checks.firewall_status,maintenance',
      clinic_name: '  Clinic ',
      'na.firewall_status': 'no windows hosts',
      maint_hours: '2',
      maint_reason: 'upgrade',
    });
    const fields = fieldsFromForm(f, 1000);
    expect(fields.get('clinic_name')).toBe('Clinic');
    expect(fields.get('frameworks.soc2')).toBe(false);
    expect(fields.get('checks.patching')).toEqual({ enabled: false });
    expect(fields.get('checks.firewall_status')).toEqual({
      enabled: false,
      not_applicable_reason: 'no windows hosts',
    });
    expect(patchOf(fields)).toEqual({
      clinic_name: 'Clinic',
      enabled_frameworks: { soc2: false },
      checks: {
        patching: { enabled: false },
        firewall_status: { enabled: false, not_applicable_reason: 'no windows hosts' },
      },
      maintenance: { duration_hours: 2, reason: 'upgrade', starts_at: 1000 },
    });
  });

  it('attributes patch paths to fields and change messages to actors', () => {
    expect(fieldKeyOfPath(['enabled_frameworks', 'hipaa'])).toBe('frameworks.hipaa');
    expect(fieldKeyOfPath(['checks', 'patching', 'enabled'])).toBe('checks.patching');
    expect(fieldKeyOfPath(['notes', 3])).toBe('notes');
    expect(writerOfMessage('partner:a@b.test: settings.edit', 'abcdef0123')).toBe('partner:a@b.test');
    expect(writerOfMessage(null, 'abcdef0123')).toBe('device abcdef01');
  });

  it('routes match named segments, decode them, and tell wrong methods apart', () => {
    const t = new RouteTable<string>()
      .add('GET', '/sites/:site/settings', 'page')
      .add('POST', '/sites/:site/settings', 'save');
    expect(t.match('GET', '/sites/a%20b/settings')).toEqual({ handler: 'page', params: { site: 'a b' } });
    expect(t.match('PUT', '/sites/x/settings')).toBe('method');
    expect(t.match('GET', '/sites/x/y/settings')).toBeUndefined();
    expect(t.match('GET', '/sites/%E0%A4%A/settings')).toBeUndefined();
  });
});
