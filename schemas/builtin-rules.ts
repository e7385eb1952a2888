// Built-in L1 rules, as data. `tier: 'standard'` rules are the core set every site runs;
// `full_coverage` rules run only on sites with that healing tier. Runbook ids named here must exist in
// the appliance's runbook library (BUILTIN_RUNBOOK_IDS lists them).
import { type Rule, type RuleCondition, type RuleInput, ruleSchema } from './rule-book.ts';
import { parseRuleAction } from './rule-action.ts';
import type { HealingTier } from './site-settings.ts';

const eq = (field: string, value: string): RuleCondition => ({ field, operator: 'eq', value });

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Parsed (so defaults are filled) and frozen: the shared data cannot be edited by accident. */
function builtin(tier: HealingTier, input: Omit<RuleInput, 'source' | 'tier'>): Rule {
  return deepFreeze(ruleSchema.parse({ ...input, source: 'builtin', tier }));
}

/** The built-in rule set, ordered by id. */
export const BUILTIN_RULES: readonly Rule[] = [
  builtin('standard', {
    id: 'L1-DISK-001',
    name: 'Disk almost full: clean up',
    conditions: [
      eq('incident_type', 'disk_space'),
      { field: 'details.usage_percent', operator: 'gt', value: 90 },
    ],
    action: 'run_runbook:LIN-DISK-001',
    hipaa_controls: ['164.308(a)(7)(i)'],
  }),
  builtin('standard', {
    id: 'L1-CERT-001',
    name: 'Certificate expiring within 30 days: renew',
    conditions: [
      eq('incident_type', 'cert_expiry'),
      { field: 'details.days_remaining', operator: 'lt', value: 30 },
    ],
    action: 'run_runbook:LIN-CERT-001',
    hipaa_controls: ['164.312(e)(1)'],
  }),
  builtin('standard', {
    id: 'L1-SVC-001',
    name: 'Service keeps crashing: escalate',
    conditions: [
      eq('incident_type', 'service_crash'),
      { field: 'details.restart_count', operator: 'gt', value: 3 },
    ],
    action: 'escalate',
    priority: 10,
    hipaa_controls: ['164.308(a)(7)(i)'],
  }),
  builtin('standard', {
    id: 'L1-FW-001',
    name: 'Linux firewall drift: restore baseline',
    description: 'NixOS hosts manage their firewall declaratively and are left alone.',
    conditions: [eq('check_type', 'linux_firewall'), { field: 'platform', operator: 'ne', value: 'nixos' }],
    action: 'run_runbook:LIN-FW-001',
    hipaa_controls: ['164.312(e)(1)'],
  }),
  builtin('standard', {
    id: 'L1-SSH-001',
    name: 'SSH configuration drift: restore hardening',
    conditions: [eq('check_type', 'linux_ssh_config')],
    action: 'run_runbook:LIN-SSH-001',
    hipaa_controls: ['164.312(a)(1)', '164.312(d)'],
  }),
  builtin('standard', {
    id: 'L1-AUDIT-001',
    name: 'Linux audit logging off: re-enable auditd',
    conditions: [eq('check_type', 'linux_audit_logging')],
    action: 'run_runbook:LIN-AUDIT-001',
    hipaa_controls: ['164.312(b)'],
  }),
  builtin('standard', {
    id: 'L1-WIN-DEF-001',
    name: 'Windows Defender stopped: restart it',
    conditions: [eq('check_type', 'windows_defender')],
    action: 'restart_service:WinDefend',
    hipaa_controls: ['164.308(a)(5)(ii)(B)'],
  }),
  builtin('standard', {
    id: 'L1-WIN-FW-001',
    name: 'Windows Firewall service stopped: restart it',
    conditions: [
      eq('check_type', 'firewall_status'),
      { field: 'details.service_running', operator: 'eq', value: false },
    ],
    action: 'restart_service:MpsSvc',
    hipaa_controls: ['164.312(e)(1)'],
  }),
  builtin('standard', {
    id: 'L1-WIN-BL-001',
    name: 'BitLocker off: alert (encryption needs a human)',
    conditions: [eq('check_type', 'bitlocker_status')],
    action: 'alert:bitlocker_disabled',
    hipaa_controls: ['164.312(a)(2)(iv)'],
  }),
  builtin('full_coverage', {
    id: 'L1-NTP-001',
    name: 'Clock not synchronised: restore NTP',
    conditions: [eq('check_type', 'linux_ntp_sync')],
    action: 'run_runbook:LIN-NTP-001',
    hipaa_controls: ['164.312(b)'],
  }),
  builtin('full_coverage', {
    id: 'L1-SUID-001',
    name: 'Unexpected SUID binaries: strip them',
    conditions: [eq('check_type', 'linux_suid_binaries')],
    action: 'run_runbook:LIN-SUID-001',
    hipaa_controls: ['164.312(a)(1)'],
  }),
  builtin('full_coverage', {
    id: 'L1-KERN-001',
    name: 'Kernel parameters drifted: restore sysctl baseline',
    conditions: [eq('check_type', 'linux_kernel_params')],
    action: 'run_runbook:LIN-KERN-001',
    hipaa_controls: ['164.312(a)(1)'],
  }),
  builtin('full_coverage', {
    id: 'L1-WIN-DNS-001',
    name: 'DNS client service stopped: restart it',
    conditions: [eq('check_type', 'dns_service')],
    action: 'restart_service:Dnscache',
    hipaa_controls: ['164.308(a)(7)(i)'],
  }),
  builtin('full_coverage', {
    id: 'L1-WIN-WINRM-001',
    name: 'WinRM stopped: restart it',
    conditions: [eq('check_type', 'winrm')],
    action: 'restart_service:WinRM',
    hipaa_controls: ['164.312(a)(1)'],
  }),
  builtin('full_coverage', {
    id: 'L1-WIN-PATCH-001',
    name: 'Patches missing: alert',
    conditions: [eq('check_type', 'patching')],
    action: 'alert:patches_missing',
    hipaa_controls: ['164.308(a)(5)(ii)(B)'],
  }),
].sort((a, b) => a.id.localeCompare(b.id));

/** Runbook ids the built-ins reference. */
export const BUILTIN_RUNBOOK_IDS: readonly string[] = [
  ...new Set(
    BUILTIN_RULES.flatMap((r) => {
      const a = parseRuleAction(r.action);
      return a?.type === 'run_runbook' ? [a.runbookId] : [];
    }),
  ),
].sort();
