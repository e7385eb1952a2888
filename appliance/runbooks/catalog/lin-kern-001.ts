import type { Runbook } from '../types.ts';
import { COMMIT_FILE_FN, PRELUDE } from './script-prelude.ts';

/** Kernel parameters and their hardened values. */
const PARAMS: readonly (readonly [string, string])[] = [
  ['net.ipv4.ip_forward', '0'],
  ['net.ipv4.conf.all.accept_redirects', '0'],
  ['net.ipv4.conf.all.send_redirects', '0'],
  ['net.ipv4.tcp_syncookies', '1'],
  ['kernel.randomize_va_space', '2'],
];
const LIST = PARAMS.map(([k, v]) => `${k} ${v}`).join('\n');

// Live values come from $R/proc/sys (the real /proc/sys on a host, plain files in a sandbox);
// persistence is a sysctl.d drop-in.
const STATE = `D="$R/etc/sysctl.d/99-osiris-hardening.conf"
params() { cat <<'OSIRIS_EOF'
${LIST}
OSIRIS_EOF
}
live() { cat "$R/proc/sys/$(echo "$1" | tr . /)" 2>/dev/null | tr -d '[:space:]'; }
`;

const check = (ok: string, bad: string) => `${PRELUDE}${STATE}
drift=""
while read -r k want; do
  v="$(live "$k")"
  [ "$v" = "$want" ] || drift="$drift $k=\${v:-unset}"
  grep -Eq "^[[:space:]]*$k[[:space:]]*=[[:space:]]*$want[[:space:]]*$" "$D" 2>/dev/null || drift="$drift $k(not persisted)"
done <<OSIRIS_EOF
$(params)
OSIRIS_EOF
[ -z "$drift" ] || { echo "${bad}:$drift" | sed 's/: /:/'; exit 1; }
echo ${ok}
`;

/** LIN-KERN-001: hardened kernel network and ASLR parameters, live and persisted. */
export const LIN_KERN_001: Runbook = {
  id: 'LIN-KERN-001',
  name: 'Harden kernel parameters (sysctl)',
  check_type: 'linux_kernel_params',
  severity: 'medium',
  hipaa_controls: ['164.312(e)(1)', '164.308(a)(1)(ii)(B)'],
  detect: check('COMPLIANT', 'DRIFT'),
  verify: check('VERIFIED', 'VERIFY_FAILED'),
  remediate: `${PRELUDE}${STATE}${COMMIT_FILE_FN}set -e
mkdir -p "$(dirname "$D")"
{ echo "# managed by osiris (LIN-KERN-001)"; params | sed 's/ / = /'; } > "$D.osiris.tmp"
commit_file "$D"
params | while read -r k want; do
  f="$R/proc/sys/$(echo "$k" | tr . /)"
  if [ "$LIVE" = 1 ]; then sysctl -q -w "$k=$want"; elif [ -f "$f" ]; then printf '%s\\n' "$want" > "$f"; fi
done
echo REMEDIATED
`,
  capture: `${PRELUDE}${STATE}
params | while read -r k want; do v="$(live "$k")"; echo "$k=\${v:-unset}"; done
[ -f "$D" ] && echo "dropin.sha256=$(sha256sum "$D" | cut -d' ' -f1)"
true
`,
  timeout_s: 60,
  sudo: true,
};
