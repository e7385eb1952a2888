import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION } from './documents.ts';
import { type Migration, type MutableDoc, createMigrator, migrate, migrateInChange } from './migrations.ts';
import { validateDocument } from './validate-document.ts';
import { isOsirisError } from './errors.ts';

/** A site settings record as the original platform exported it (no kind, no version). */
const V0_SETTINGS = {
  site_id: 'clinic-7',
  clinic_name: 'North Clinic',
  industry: 'healthcare',
  healing_tier: 'full_coverage',
  enabled_frameworks: ['hipaa', 'nist_csf', 'hipaa'],
  disabled_checks: ['rmm_detection', 'firewall_status'],
  legacy_flag: 'kept',
};

describe('migrations (v0 → v1 from the original platform)', () => {
  it('migrate() returns a migrated copy that validates, leaving the input alone', () => {
    const input = structuredClone(V0_SETTINGS);
    const { doc, report } = migrate(input, 'site_settings');
    expect(input).toEqual(V0_SETTINGS);
    expect(report).toMatchObject({ kind: 'site_settings', from: 0, to: 1 });
    expect(doc).toMatchObject({
      kind: 'site_settings',
      schemaVersion: 1,
      siteId: 'clinic-7',
      enabled_frameworks: { hipaa: true, nist_csf: true },
      checks: { rmm_detection: { enabled: false } },
      legacy_flag: 'kept',
    });
    expect(doc.site_id).toBeUndefined();
    expect(doc.disabled_checks).toBeUndefined();
    expect(validateDocument('site_settings', doc).ok).toBe(true);
  });

  it('validateDocument reads an old document through an in-memory migration', () => {
    const r = validateDocument('site_settings', V0_SETTINGS);
    expect(r.ok && r.compat).toBe('older');
    expect(r.ok && r.storedVersion).toBe(0);
    expect(r.ok && r.value.enabled_frameworks).toEqual({ hipaa: true, nist_csf: true });
  });

  it('migrateInChange mutates an Automerge document in place; history and unknown fields survive', () => {
    const old = A.from<MutableDoc>(structuredClone(V0_SETTINGS));
    const migrated = A.change(old, (d) => {
      migrateInChange(d, 'site_settings');
    });
    expect(A.getHistory(migrated)).toHaveLength(2);
    expect(migrated.schemaVersion).toBe(1);
    expect(migrated.legacy_flag).toBe('kept');
    const r = validateDocument('site_settings', migrated);
    expect(r.ok && r.compat).toBe('current');
    // Running it again is a no-op: current documents are left alone.
    const again = A.change(migrated, (d) => {
      expect(migrateInChange(d).applied).toEqual([]);
    });
    expect(A.getHeads(again)).toEqual(A.getHeads(migrated));
  });

  it('lists of rules, exceptions and audit entries become maps keyed by id (inside a change too)', () => {
    const rules = [
      {
        id: 'R-1',
        name: 'x',
        conditions: [{ field: 'check_type', operator: 'eq', value: 'winrm' }],
        action: 'escalate',
      },
    ];
    const old = A.from<MutableDoc>({ site_id: 's1', rules });
    const migrated = A.change(old, (d) => {
      migrateInChange(d, 'rule_book');
    });
    expect(Object.keys(migrated.rules as object)).toEqual(['R-1']);
    expect(validateDocument('rule_book', migrated).ok).toBe(true);
    const audit = migrate(
      { site_id: 's1', appliance_id: 'a1', period: '2026-11', entries: [] },
      'audit_trail',
    );
    expect(validateDocument('audit_trail', audit.doc).ok).toBe(true);
  });
});

describe('migration machinery', () => {
  // A synthetic future: v1 → v2 renames clinic_name to display_name.
  const CURRENT = { ...CURRENT_SCHEMA_VERSION, site_settings: 2 };
  const toV2: Migration = {
    kind: 'site_settings',
    from: 1,
    description: 'rename clinic_name → display_name',
    up: (d) => {
      d.display_name = d.clinic_name;
      delete d.clinic_name;
    },
  };

  it('chains steps from any version to the current one', async () => {
    const { MIGRATIONS } = await import('./migrations.ts');
    const m = createMigrator([...MIGRATIONS, toV2], CURRENT);
    const { doc, report } = m.migrate(V0_SETTINGS, 'site_settings');
    expect(report.from).toBe(0);
    expect(report.to).toBe(2);
    expect(report.applied).toHaveLength(2);
    expect(doc).toMatchObject({ schemaVersion: 2, display_name: 'North Clinic' });
  });

  it('refuses a missing step, wraps a failing step, never downgrades a newer document', () => {
    const gap = createMigrator([toV2], CURRENT);
    expect(() => gap.migrate(V0_SETTINGS, 'site_settings')).toThrow(
      expect.objectContaining({ code: 'E_SCHEMA_MIGRATION_MISSING' }),
    );
    const broken = createMigrator(
      [
        {
          ...toV2,
          from: 0,
          up: () => {
            throw new TypeError('bug');
          },
        },
      ],
      { ...CURRENT, site_settings: 1 },
    );
    try {
      broken.migrate(V0_SETTINGS, 'site_settings');
      expect.unreachable();
    } catch (e) {
      expect(isOsirisError(e, 'E_SCHEMA_MIGRATION_FAILED')).toBe(true);
    }
    const newer = { ...V0_SETTINGS, kind: 'site_settings', schemaVersion: 7 };
    expect(migrate(newer).report).toMatchObject({ from: 7, to: 7, applied: [] });
    expect(() => createMigrator([toV2, toV2])).toThrow(/two migrations/);
  });

  it('a failing step inside an Automerge change aborts the whole change', () => {
    const broken = createMigrator(
      [
        {
          ...toV2,
          from: 0,
          up: (d) => {
            d.half = 'written';
            throw new Error('bug');
          },
        },
      ],
      { ...CURRENT, site_settings: 1 },
    );
    const old = A.from<MutableDoc>({ kind: 'site_settings' });
    expect(() =>
      A.change(old, (d) => {
        broken.migrateInChange(d);
      }),
    ).toThrow();
    expect(old.half).toBeUndefined();
    expect(A.getHistory(old)).toHaveLength(1);
  });
});
