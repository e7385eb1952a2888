import type { Runbook } from '../types.ts';
import { COMMIT_FILE_FN, PRELUDE } from './script-prelude.ts';

// The baseline: default-drop input, loopback, established traffic, ICMP and SSH (the appliance
// must keep its own way in). Sites add their rules in /etc/nftables.d, which the baseline includes.
const BASELINE = `#!/usr/sbin/nft -f
# osiris baseline (LIN-FW-001)
flush ruleset
table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    iif lo accept
    ct state established,related accept
    ct state invalid drop
    meta l4proto { icmp, ipv6-icmp } accept
    tcp dport 22 accept
  }
  chain forward {
    type filter hook forward priority 0; policy drop;
  }
  chain output {
    type filter hook output priority 0; policy accept;
  }
}
include "/etc/nftables.d/*.nft"
`;

const STATE = `F="$R/etc/nftables.conf"
U="$R/etc/systemd/system/sysinit.target.wants/nftables.service"
has_drop() { grep -Eq 'hook[[:space:]]+input[[:space:]]+priority[^;]*;[[:space:]]*policy[[:space:]]+drop' "$F"; }
`;

const check = (ok: string, bad: string) => `${PRELUDE}${STATE}
[ -f "$F" ] || { echo "${bad}:no nftables ruleset"; exit 1; }
has_drop || { echo "${bad}:input policy is not drop"; exit 1; }
[ -e "$U" ] || [ -L "$U" ] || { echo "${bad}:nftables not enabled at boot"; exit 1; }
if [ "$LIVE" = 1 ]; then
  nft list chain inet filter input 2>/dev/null | grep -q 'policy drop' || { echo "${bad}:ruleset not loaded"; exit 1; }
fi
echo ${ok}
`;

/** LIN-FW-001: host firewall with a default-drop input policy, loaded and enabled at boot. */
export const LIN_FW_001: Runbook = {
  id: 'LIN-FW-001',
  name: 'Restore host firewall baseline (nftables)',
  check_type: 'linux_firewall',
  severity: 'critical',
  hipaa_controls: ['164.312(e)(1)', '164.312(a)(1)'],
  detect: check('COMPLIANT', 'DRIFT'),
  verify: check('VERIFIED', 'VERIFY_FAILED'),
  remediate: `${PRELUDE}${STATE}${COMMIT_FILE_FN}set -e
mkdir -p "$(dirname "$F")" "$R/etc/nftables.d" "$(dirname "$U")"
cat > "$F.osiris.tmp" <<'OSIRIS_EOF'
${BASELINE}OSIRIS_EOF
commit_file "$F"
ln -sfn /lib/systemd/system/nftables.service "$U"
if [ "$LIVE" = 1 ]; then
  nft -c -f "$F"
  nft -f "$F"
fi
echo REMEDIATED
`,
  capture: `${PRELUDE}${STATE}
if [ -f "$F" ]; then
  echo "ruleset.sha256=$(sha256sum "$F" | cut -d' ' -f1)"
  if has_drop; then echo "input_policy=drop"; else echo "input_policy=accept"; fi
fi
if [ -e "$U" ] || [ -L "$U" ]; then echo "enabled_at_boot=yes"; else echo "enabled_at_boot=no"; fi
`,
  timeout_s: 60,
  sudo: true,
};
