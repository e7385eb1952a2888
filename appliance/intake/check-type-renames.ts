/** Agent check types the appliance knows under another name (domain.md). */
export const CHECK_TYPE_RENAMES: Readonly<Record<string, string>> = {
  defender: 'windows_defender',
  firewall: 'firewall_status',
  screenlock: 'screen_lock_policy',
  bitlocker: 'bitlocker_status',
  patches: 'patching',
};

/** The appliance's name for an agent check type (unchanged when no rename applies). */
export function applianceCheckType(agentCheckType: string): string {
  return Object.hasOwn(CHECK_TYPE_RENAMES, agentCheckType)
    ? (CHECK_TYPE_RENAMES[agentCheckType] ?? agentCheckType)
    : agentCheckType;
}
