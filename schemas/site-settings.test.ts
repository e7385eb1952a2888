import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { CRITICAL_CHECKS, KNOWN_CHECKS, normalizeCheckType } from './check-types.ts';
import { isOsirisError } from './errors.ts';
import { FRAMEWORK_IDS, INDUSTRIES, presetFrameworks } from './frameworks.ts';
import { initialSiteSettings } from './initial-documents.ts';
import { applySettingsPatch, checkSettingsPatch } from './site-settings-patch.ts';
import { type SiteSettings, enabledChecks, isCheckEnabled, isInMaintenance } from './site-settings.ts';
import { parseDocument } from './validate-document.ts';

const base = (): SiteSettings => initialSiteSettings('site-1');
const code = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return isOsirisError(e) ? e.code : 'foreign';
  }
};

describe('industry presets and frameworks', () => {
  it('maps every industry to known frameworks; unknown industries get the general preset', () => {
    expect(presetFrameworks('healthcare')).toEqual(['hipaa', 'nist_csf']);
    expect(presetFrameworks('defense')).toEqual(['cmmc', 'nist_800_171']);
    expect(presetFrameworks('veterinary')).toEqual(presetFrameworks('general'));
    for (const i of INDUSTRIES) for (const f of presetFrameworks(i)) expect(FRAMEWORK_IDS).toContain(f);
    expect(FRAMEWORK_IDS).toContain('glba');
    expect(initialSiteSettings('s', { industry: 'finance' }).enabled_frameworks).toEqual({
      nist_csf: true,
      pci_dss: true,
      sox: true,
    });
  });

  it('renames agent check types the way the appliance does', () => {
    expect(normalizeCheckType('defender')).toBe('windows_defender');
    expect(normalizeCheckType('linux_ssh_config')).toBe('linux_ssh_config');
  });
});

describe('settings patches', () => {
  it('critical checks can only be marked not applicable, with a reason', () => {
    expect(code(() => checkSettingsPatch(base(), { checks: { firewall_status: { enabled: false } } }))).toBe(
      'E_SETTINGS_PATCH_INVALID',
    );
    expect(
      code(() =>
        checkSettingsPatch(base(), {
          checks: { firewall_status: { enabled: false, not_applicable_reason: 'x' } },
        }),
      ),
    ).toBe('E_SETTINGS_PATCH_INVALID');
    const ok = {
      checks: {
        bitlocker_status: { enabled: false, not_applicable_reason: 'No Windows hosts at this site' },
      },
    };
    expect(code(() => checkSettingsPatch(base(), ok))).toBe('ok');
    expect(code(() => checkSettingsPatch(base(), { checks: { rmm_detection: { enabled: false } } }))).toBe(
      'ok',
    );
  });

  it('at least one check stays enabled', () => {
    const s = base();
    const off: Record<string, { enabled: boolean; not_applicable_reason?: string }> = {};
    for (const c of KNOWN_CHECKS) off[c] = { enabled: false, not_applicable_reason: 'not at this site' };
    expect(code(() => checkSettingsPatch(s, { checks: off }))).toBe('E_SETTINGS_PATCH_INVALID');
    const { linux_ntp_sync: _keep, ...allButOne } = off;
    expect(code(() => checkSettingsPatch(s, { checks: allButOne }))).toBe('ok');
  });

  it('rejects unknown fields, unknown enum values and out-of-range maintenance windows', () => {
    expect(code(() => checkSettingsPatch(base(), { colour: 'red' }))).toBe('E_SETTINGS_PATCH_INVALID');
    expect(code(() => checkSettingsPatch(base(), { healing_tier: 'autonomous' }))).toBe(
      'E_SETTINGS_PATCH_INVALID',
    );
    expect(code(() => checkSettingsPatch(base(), { enabled_frameworks: { hitrust: true } }))).toBe(
      'E_SETTINGS_PATCH_INVALID',
    );
    const window = (h: number) => ({
      maintenance: { starts_at: 0, duration_hours: h, reason: 'server move' },
    });
    expect(code(() => checkSettingsPatch(base(), window(0.25)))).toBe('E_SETTINGS_PATCH_INVALID');
    expect(code(() => checkSettingsPatch(base(), window(49)))).toBe('E_SETTINGS_PATCH_INVALID');
    expect(code(() => checkSettingsPatch(base(), window(0.5)))).toBe('ok');
    expect(code(() => checkSettingsPatch(base(), window(48)))).toBe('ok');
  });

  it('concurrent edits to different fields (and to the notes text) all survive the merge', () => {
    const doc = A.from(base(), { actor: '01' });
    const edit = (actor: string, input: unknown) =>
      A.change(A.clone(doc, { actor }), (d) => applySettingsPatch(d, checkSettingsPatch(doc, input)));
    const partner = edit('02', {
      healing_tier: 'full_coverage',
      enabled_frameworks: { soc2: true },
      notes: 'Front desk PC',
    });
    const localAdmin = edit('03', {
      maintenance: { starts_at: 1000, duration_hours: 2, reason: 'network swap' },
      enabled_frameworks: { gdpr: true, nist_csf: false },
    });
    const merged = A.merge(A.clone(partner), localAdmin);
    const s = parseDocument('site_settings', merged);
    expect(s.healing_tier).toBe('full_coverage');
    expect(s.enabled_frameworks).toEqual({ hipaa: true, soc2: true, gdpr: true });
    expect(s.maintenance?.reason).toBe('network swap');
    const typed = A.change(A.clone(partner, { actor: '04' }), (d) =>
      applySettingsPatch(d, { notes: 'Front desk PC (room 2)' }),
    );
    const typed2 = A.change(A.clone(partner, { actor: '05' }), (d) =>
      applySettingsPatch(d, { notes: 'Old front desk PC' }),
    );
    expect(A.merge(A.clone(typed), typed2).notes).toBe('Old front desk PC (room 2)');
  });
});

describe('safe reading of merged states', () => {
  it('a critical check disabled without a reason (a merge artifact) still runs; N/A with a reason does not', () => {
    const s = {
      ...base(),
      checks: {
        firewall_status: { enabled: false },
        audit_logging: { enabled: false, not_applicable_reason: 'no such hosts' },
      },
    };
    expect(isCheckEnabled(s, 'firewall_status')).toBe(true);
    expect(isCheckEnabled(s, 'audit_logging')).toBe(false);
    expect(isCheckEnabled(s, 'some_future_check')).toBe(true);
  });

  it('when merged edits switched everything off, the critical checks run', () => {
    const checks: SiteSettings['checks'] = {};
    for (const c of KNOWN_CHECKS) checks[c] = { enabled: false, not_applicable_reason: 'merged away' };
    expect(enabledChecks({ ...base(), checks })).toEqual([...CRITICAL_CHECKS]);
  });

  it('maintenance window: [start, start + hours)', () => {
    const s = { ...base(), maintenance: { starts_at: 1000, duration_hours: 1, reason: 'patch night' } };
    expect(isInMaintenance(s, 999)).toBe(false);
    expect(isInMaintenance(s, 1000)).toBe(true);
    expect(isInMaintenance(s, 1000 + 3_600_000)).toBe(false);
    expect(isInMaintenance(base(), 1000)).toBe(false);
  });
});
