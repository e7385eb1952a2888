/**
 * Shared start of every runbook script. `$1` is the root prefix (`/` on a real host, a sandbox
 * directory in tests); `R` is it without the trailing slash, so `$R/etc/...` is always absolute.
 * Service actions (reload, load rules into the kernel) run only when R is empty, i.e. on a real
 * root; against a sandbox the scripts change files only.
 */
export const PRELUDE = `set -u
R="\${1%/}"
LIVE=0; [ -z "$R" ] && LIVE=1
`;

/**
 * `commit_file F` installs "F.osiris.tmp" (written by a command set -e already checked) over F in
 * place, keeping inode, owner and mode, after backing the old content up once as "F.osiris.bak".
 * Never a pipeline into the target: a failing producer must not truncate the file.
 */
export const COMMIT_FILE_FN = `commit_file() {
  if [ -f "$1" ] && [ ! -f "$1.osiris.bak" ]; then cp -p "$1" "$1.osiris.bak"; fi
  cat "$1.osiris.tmp" > "$1"
  rm -f "$1.osiris.tmp"
}
`;
