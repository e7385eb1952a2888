import type { Runbook } from '../types.ts';
import { COMMIT_FILE_FN, PRELUDE } from './script-prelude.ts';

/** Audit rules HIPAA 164.312(b) asks for: identity files, privileged commands, time, audit config. */
const RULES = [
  '-w /etc/passwd -p wa -k identity',
  '-w /etc/group -p wa -k identity',
  '-w /etc/shadow -p wa -k identity',
  '-w /etc/sudoers -p wa -k privilege',
  '-w /etc/ssh/sshd_config -p wa -k sshd',
  '-w /var/log/auth.log -p wa -k auth_log',
  '-w /etc/audit/ -p wa -k audit_config',
  '-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time_change',
];

const STATE = `F="$R/etc/audit/rules.d/osiris-hipaa.rules"
U="$R/etc/systemd/system/multi-user.target.wants/auditd.service"
missing() {
  n=0
  while IFS= read -r rule; do grep -Fxq -- "$rule" "$F" 2>/dev/null || n=$((n+1)); done <<'OSIRIS_EOF'
${RULES.join('\n')}
OSIRIS_EOF
  echo "$n"
}
`;

const check = (ok: string, bad: string) => `${PRELUDE}${STATE}
m="$(missing)"
[ "$m" = 0 ] || { echo "${bad}:$m required audit rules missing"; exit 1; }
[ -e "$U" ] || [ -L "$U" ] || { echo "${bad}:auditd not enabled at boot"; exit 1; }
if [ "$LIVE" = 1 ]; then
  auditctl -s 2>/dev/null | grep -q 'enabled 1' || { echo "${bad}:auditing not enabled in the kernel"; exit 1; }
fi
echo ${ok}
`;

/** LIN-AUDIT-001: auditd running with the HIPAA audit rules. */
export const LIN_AUDIT_001: Runbook = {
  id: 'LIN-AUDIT-001',
  name: 'Enable auditd with HIPAA audit rules',
  check_type: 'linux_audit_logging',
  severity: 'high',
  hipaa_controls: ['164.312(b)', '164.308(a)(1)(ii)(D)'],
  detect: check('COMPLIANT', 'DRIFT'),
  verify: check('VERIFIED', 'VERIFY_FAILED'),
  remediate: `${PRELUDE}${STATE}${COMMIT_FILE_FN}set -e
mkdir -p "$(dirname "$F")" "$(dirname "$U")"
cat > "$F.osiris.tmp" <<'OSIRIS_EOF'
## managed by osiris (LIN-AUDIT-001)
${RULES.join('\n')}
OSIRIS_EOF
commit_file "$F"
ln -sfn /lib/systemd/system/auditd.service "$U"
if [ "$LIVE" = 1 ]; then
  augenrules --load
  systemctl enable --now auditd
  auditctl -e 1
fi
echo REMEDIATED
`,
  capture: `${PRELUDE}${STATE}
echo "missing_rules=$(missing)"
[ -f "$F" ] && echo "rules.sha256=$(sha256sum "$F" | cut -d' ' -f1)"
if [ -e "$U" ] || [ -L "$U" ]; then echo "enabled_at_boot=yes"; else echo "enabled_at_boot=no"; fi
`,
  timeout_s: 60,
  sudo: true,
};
