import type { Runbook } from '../types.ts';
import { PRELUDE, COMMIT_FILE_FN } from './script-prelude.ts';

/** Options of an sshd_config runbook; values are constants from this catalogue, never input. */
interface SshdOption {
  readonly id: string;
  readonly name: string;
  readonly key: string;
  readonly want: string;
  /** sshd's built-in default, reported when the option is absent. */
  readonly fallback: string;
  readonly severity: Runbook['severity'];
  readonly hipaa_controls: readonly string[];
}

// sshd uses the first value it reads; Debian's sshd_config includes sshd_config.d/*.conf at the top,
// so drop-ins are read first. Parsing stops at the first Match block (its settings are conditional).
const effective = (key: string) => `F="$R/etc/ssh/sshd_config"
eff() {
  cat "$R"/etc/ssh/sshd_config.d/*.conf "$F" 2>/dev/null |
    awk 'tolower($1)=="match"{exit} tolower($1)=="${key.toLowerCase()}"{print tolower($2); exit}'
}
`;

/** A runbook that enforces `<key> <want>` in sshd_config. */
export function sshdOptionRunbook(o: SshdOption): Runbook {
  const head = PRELUDE + effective(o.key);
  const check = (
    ok: string,
    bad: string,
  ) => `${head}[ -f "$F" ] || { echo "${bad}:sshd_config missing"; exit 1; }
v="$(eff)"
if [ "$v" = "${o.want}" ]; then echo ${ok}; exit 0; fi
echo "${bad}:${o.key}=\${v:-default(${o.fallback})}"; exit 1
`;
  return {
    id: o.id,
    name: o.name,
    check_type: 'linux_ssh_config',
    severity: o.severity,
    hipaa_controls: o.hipaa_controls,
    detect: check('COMPLIANT', 'DRIFT'),
    verify: check('VERIFIED', 'VERIFY_FAILED'),
    remediate: `${head}${COMMIT_FILE_FN}set -e
mkdir -p "$(dirname "$F")"
[ -f "$F" ] || : > "$F"
for d in "$R"/etc/ssh/sshd_config.d/*.conf; do
  [ -f "$d" ] || continue
  sed -E 's/^[[:space:]]*(${o.key}[[:space:]].*)$/# osiris disabled: \\1/I' "$d" > "$d.osiris.tmp"
  commit_file "$d"
done
# One global line before the first Match block (earlier duplicates dropped); inside Match blocks
# the option is set to the wanted value too, so no block can weaken it.
awk -v key="${o.key.toLowerCase()}" -v line="${o.key} ${o.want}" '
  tolower($1) == "match" && !inmatch { if (!done) { print line; done = 1 } inmatch = 1 }
  tolower($1) == key { if (inmatch) { sub(/[^[:space:]].*/, line); print } else if (!done) { print line; done = 1 }; next }
  { print }
  END { if (!done) print line }
' "$F" > "$F.osiris.tmp"
commit_file "$F"
if [ "$LIVE" = 1 ]; then
  if ! sshd -t; then cp -p "$F.osiris.bak" "$F"; echo "sshd -t rejected the change; restored" >&2; exit 1; fi
  systemctl reload ssh 2>/dev/null || systemctl reload sshd 2>/dev/null || true
fi
echo REMEDIATED
`,
    capture: `${head}echo "${o.key.toLowerCase()}=$(eff)"
if [ -f "$F" ]; then
  echo "sshd_config.sha256=$(sha256sum "$F" | cut -d' ' -f1)"
  echo "sshd_config.mode=$(stat -c %a "$F")"
fi
`,
    timeout_s: 60,
    sudo: true,
  };
}

/** LIN-SSH-001: no root login over SSH. */
export const LIN_SSH_001 = sshdOptionRunbook({
  id: 'LIN-SSH-001',
  name: 'Disable SSH root login',
  key: 'PermitRootLogin',
  want: 'no',
  fallback: 'prohibit-password',
  severity: 'high',
  hipaa_controls: ['164.312(a)(1)', '164.312(d)'],
});

/** LIN-SSH-002: no password authentication over SSH (keys only). */
export const LIN_SSH_002 = sshdOptionRunbook({
  id: 'LIN-SSH-002',
  name: 'Disable SSH password authentication',
  key: 'PasswordAuthentication',
  want: 'no',
  fallback: 'yes',
  severity: 'high',
  hipaa_controls: ['164.312(d)', '164.308(a)(5)(ii)(D)'],
});
