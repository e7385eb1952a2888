// Check types (domain.md "Drift events and check types"). Check maps in documents are keyed by these
// names; unknown names from newer agents are kept as opaque keys.

/** Checks that can never be disabled, only marked not applicable with a reason. */
export const CRITICAL_CHECKS = [
  'firewall_status',
  'windows_defender',
  'audit_logging',
  'bitlocker_status',
] as const;
export type CriticalCheck = (typeof CRITICAL_CHECKS)[number];

/** Windows checks as the appliance names them (after renaming the agent's names). */
export const WINDOWS_CHECKS = [
  'bitlocker_status',
  'windows_defender',
  'firewall_status',
  'patching',
  'screen_lock_policy',
  'winrm',
  'dns_service',
  'rmm_detection',
  'audit_logging',
] as const;

/** Linux checks the appliance runs over SSH. */
export const LINUX_CHECKS = [
  'linux_firewall',
  'linux_ssh_config',
  'linux_failed_services',
  'linux_disk_space',
  'linux_suid_binaries',
  'linux_audit_logging',
  'linux_ntp_sync',
  'linux_kernel_params',
  'linux_open_ports',
  'linux_user_accounts',
  'linux_file_permissions',
  'linux_unattended_upgrades',
] as const;

/** Every check type this reader knows. */
export const KNOWN_CHECKS: readonly string[] = [...WINDOWS_CHECKS, ...LINUX_CHECKS];

const AGENT_RENAMES: Readonly<Record<string, string>> = {
  defender: 'windows_defender',
  firewall: 'firewall_status',
  screenlock: 'screen_lock_policy',
  bitlocker: 'bitlocker_status',
  patches: 'patching',
};

/** The appliance's name for an agent's check type (`defender` → `windows_defender`); others unchanged. */
export function normalizeCheckType(agentCheckType: string): string {
  return AGENT_RENAMES[agentCheckType] ?? agentCheckType;
}

/** True for the checks that may not be disabled. */
export function isCriticalCheck(checkType: string): checkType is CriticalCheck {
  return (CRITICAL_CHECKS as readonly string[]).includes(checkType);
}
