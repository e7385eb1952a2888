import type { CommandResult } from './types.ts';

/** What a phase's output means under the runbook protocol. */
export type PhaseVerdict =
  | { readonly kind: 'compliant' }
  | { readonly kind: 'drift'; readonly detail: string }
  | { readonly kind: 'remediated' }
  | { readonly kind: 'verified' }
  | { readonly kind: 'verify_failed'; readonly detail: string }
  | { readonly kind: 'protocol_error'; readonly detail: string };

/** Lines of stdout (trimmed, non-empty); the protocol word is the last such line. */
function lastLine(r: CommandResult): string {
  const lines = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines[lines.length - 1] ?? '';
}

function protocolError(expected: string, r: CommandResult): PhaseVerdict {
  const got = lastLine(r).slice(0, 200);
  return {
    kind: 'protocol_error',
    detail: `expected ${expected}, got exit ${r.exitCode ?? r.signal} and "${got}"`,
  };
}

/** detect: `COMPLIANT` + exit 0, or `DRIFT:<detail>` + exit 1. */
export function parseDetect(r: CommandResult): PhaseVerdict {
  const line = lastLine(r);
  if (r.exitCode === 0 && line === 'COMPLIANT') return { kind: 'compliant' };
  if (r.exitCode === 1 && line.startsWith('DRIFT:')) return { kind: 'drift', detail: line.slice(6).trim() };
  return protocolError('COMPLIANT (0) or DRIFT:<detail> (1)', r);
}

/** remediate: `REMEDIATED` + exit 0. */
export function parseRemediate(r: CommandResult): PhaseVerdict {
  return r.exitCode === 0 && lastLine(r) === 'REMEDIATED'
    ? { kind: 'remediated' }
    : protocolError('REMEDIATED (0)', r);
}

/** verify: `VERIFIED` + exit 0, or `VERIFY_FAILED[:<detail>]` + exit 1. */
export function parseVerify(r: CommandResult): PhaseVerdict {
  const line = lastLine(r);
  if (r.exitCode === 0 && line === 'VERIFIED') return { kind: 'verified' };
  if (r.exitCode === 1 && line.startsWith('VERIFY_FAILED'))
    return { kind: 'verify_failed', detail: line.slice('VERIFY_FAILED'.length).replace(/^:/, '').trim() };
  return protocolError('VERIFIED (0) or VERIFY_FAILED (1)', r);
}
